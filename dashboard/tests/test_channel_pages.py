"""Health and recent runs on the integration list and the integration page (channels' templates)."""

from __future__ import annotations

import html
from datetime import timedelta

import pytest
from django.utils import timezone

from activity.models import Run
from activity.tests.factories import RunFactory
from channels.tests.factories import IntegrationFactory
from stock.push.models import ListingPush

pytestmark = pytest.mark.django_db

LIST = "/settings/channels/"


def busy_integration(account, name):
    # Authorised before its runs: failures from before a (re-)authorisation are not current problems.
    integration = IntegrationFactory(account=account, name=name, authorised_at=timezone.now() - timedelta(days=1))
    RunFactory(integration=integration, orders_brought=7)
    RunFactory(integration=integration, kind=Run.Kind.STOCK_PUSH, listings_changed=3)
    RunFactory(
        integration=integration,
        kind=Run.Kind.STOCK_PUSH,
        outcome=Run.Outcome.FAILED,
        error="Amazon could not process the stock feed (FATAL); it will be sent again.",
    )
    ListingPush.objects.create(
        integration=integration, channel_sku="AMZ-1", pending=True, pending_since=timezone.now() - timedelta(hours=2)
    )
    return integration


def test_each_row_of_the_list_shows_its_health_and_the_fixing_action(seller_client, account):
    busy_integration(account, "Amazon UK")

    page = html.unescape(seller_client.get(LIST).content.decode())

    assert "7 new" in page and "0 changed" in page and "1 waiting" in page  # the last push failed
    assert "Sending stock to Amazon failed once since the last success: Amazon could not process" in page
    assert "1 listing has been waiting since" in page


def test_the_lists_queries_do_not_grow_with_integrations_or_runs(seller_client, account, django_assert_max_num_queries):
    for number in range(6):
        busy_integration(account, f"Amazon {number}")
    with django_assert_max_num_queries(8):  # with the page count
        assert seller_client.get(LIST).status_code == 200


def test_the_integration_page_shows_the_health_panel_and_recent_runs(seller_client, account):
    integration = busy_integration(account, "Amazon UK")

    response = seller_client.get(f"/settings/channels/{integration.pk}/")

    page = response.content.decode()
    assert 'id="health"' in page and 'id="recent-runs"' in page
    assert "Amazon could not process the stock feed (FATAL); it will be sent again." in page
    assert f'href="/settings/channels/{integration.pk}/activity/"' in page
    assert f'href="/settings/channels/{integration.pk}/analytics/"' in page


def test_a_lapsing_authorisation_is_warned_on_the_list(seller_client, account):
    IntegrationFactory(account=account, authorised_at=timezone.now() - timedelta(days=360))
    page = html.unescape(seller_client.get(LIST).content.decode())
    assert "Amazon's authorisation lapses in 5 days" in page


def test_the_lapse_is_given_in_the_sellers_zone_on_the_list_and_the_integration_page(seller_client, account):
    account.time_zone = "Asia/Tokyo"
    account.save(update_fields=["time_zone"])
    authorised_at = timezone.now() - timedelta(days=360)
    integration = IntegrationFactory(account=account, authorised_at=authorised_at)
    lapse_day = (authorised_at + timedelta(days=365)).date()
    lapses_at = f"{lapse_day.day} {lapse_day:%b %Y}, 09:00 JST"  # midnight UTC in Tokyo

    listed = html.unescape(seller_client.get(LIST).content.decode())
    detail = html.unescape(seller_client.get(f"{LIST}{integration.pk}/").content.decode())

    assert f"lapses {lapses_at}" in listed and f"on {lapses_at} (Amazon requires it" in listed
    assert f"lapses on {lapses_at} (Amazon asks" in detail


def test_an_unknown_sku_stops_being_reported_once_its_mapping_is_removed(seller_client, account):
    from stock.tests.factories import ListingMappingFactory

    integration = IntegrationFactory(account=account)
    mapping = ListingMappingFactory(integration=integration, channel_sku="NOT-ON-AMAZON")
    ListingPush.objects.create(
        integration=integration, channel_sku="NOT-ON-AMAZON", mapping=mapping, unknown_sku=True, last_error="unknown"
    )
    page = f"/settings/channels/{integration.pk}/"
    assert "Amazon does not know 1 mapped listing" in html.unescape(seller_client.get(page).content.decode())

    mapping.delete()

    assert "Amazon does not know" not in html.unescape(seller_client.get(page).content.decode())


def test_the_integration_page_uses_the_container_and_the_mappings_pages_columns(seller_client, account):
    integration = IntegrationFactory(account=account)
    detail = seller_client.get(f"{LIST}{integration.pk}/").content.decode()
    mappings = seller_client.get(f"{LIST}{integration.pk}/mappings/").content.decode()

    for page in (detail, mappings):
        assert '<div class="row g-4 mb-4">' in page and 'class="col-lg-5"' in page and 'class="col-lg-7"' in page
    # No card or table of its own width: the page's width is the container's, as on every seller page.
    assert "mw-" not in detail and "integration-card" not in detail
