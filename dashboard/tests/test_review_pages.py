"""Wording of the health panel, the list's health line and the explain page, found in the browser review."""

from __future__ import annotations

import html
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from activity.models import Run
from activity.tests.factories import RunFactory
from channels.tests.factories import IntegrationFactory
from stock.tests.factories import ListingMappingFactory, ProductFactory

pytestmark = pytest.mark.django_db


def page_of(client, path):
    return html.unescape(client.get(path).content.decode())


def test_an_authorisation_given_today_says_today_not_0_days_ago(seller_client, account):
    integration = IntegrationFactory(account=account, authorised_at=timezone.now())
    detail = page_of(seller_client, f"/settings/channels/{integration.pk}/")
    listing = page_of(seller_client, "/settings/channels/")
    assert "given today; lapses on" in detail
    assert "authorised today, lapses" in listing
    assert "0 days ago" not in detail + listing


def test_an_older_authorisation_still_counts_its_days(seller_client, account):
    integration = IntegrationFactory(account=account, authorised_at=timezone.now() - timedelta(days=3))
    assert "given 3 days ago; lapses on" in page_of(seller_client, f"/settings/channels/{integration.pk}/")


def test_health_does_not_claim_stock_reaches_amazon_before_anything_was_sent(seller_client, account):
    integration = IntegrationFactory(account=account)
    RunFactory(integration=integration, orders_brought=4)
    page = page_of(seller_client, f"/settings/channels/{integration.pk}/")
    assert "stock is reaching Amazon" not in page
    assert "No problems: orders are downloading. No stock has been sent to Amazon yet" in page
    assert f'<a href="/settings/channels/{integration.pk}/mappings/">Listing mappings</a>' in page


def test_a_new_integration_says_the_first_download_is_coming(seller_client, account):
    integration = IntegrationFactory(account=account)
    page = page_of(seller_client, f"/settings/channels/{integration.pk}/")
    assert "No problems so far. The first order download runs within a few minutes" in page


def test_health_says_everything_works_once_orders_and_stock_have_both_flowed(seller_client, account):
    integration = IntegrationFactory(account=account)
    RunFactory(integration=integration, orders_brought=4)
    RunFactory(integration=integration, kind=Run.Kind.STOCK_PUSH, listings_changed=2)
    page = page_of(seller_client, f"/settings/channels/{integration.pk}/")
    assert "Everything is working: orders are downloading and stock is reaching Amazon." in page


def test_the_activity_page_does_not_link_to_itself_from_its_health_panel(seller_client, account):
    integration = IntegrationFactory(account=account)
    activity = f"/settings/channels/{integration.pk}/activity/"
    assert f'href="{activity}"' not in page_of(seller_client, activity)
    assert f'href="{activity}"' in page_of(seller_client, f"/settings/channels/{integration.pk}/")


@pytest.mark.parametrize(("price_updates", "says_not_sent"), [(False, True), (True, False)])
def test_the_explain_page_says_when_the_price_in_force_is_not_sent(
    seller_client, account, price_updates, says_not_sent
):
    integration = IntegrationFactory(account=account, price_updates_enabled=price_updates)
    product = ProductFactory(quantity=12, quantity_as_of=timezone.now(), price=Decimal("9.99"))
    mapping = ListingMappingFactory(integration=integration, product=product)
    page = page_of(seller_client, f"/settings/channels/{integration.pk}/listings/{mapping.pk}/why/")
    assert "Price in force: 9.99 (the product's)." in page
    assert ("Not sent: price updates are off for this integration" in page) is says_not_sent
