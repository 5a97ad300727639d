"""The home page: the seller's day (orders today and this week, listings, integrations that need attention)."""

from __future__ import annotations

import html
from datetime import timedelta

import pytest
from django.utils import timezone

from channels.models import Integration
from channels.tests.factories import IntegrationFactory
from fulfilment.tests.factories import dispatch_to_ship
from orders.tests.factories import OrderFactory
from stock.push.models import ListingPush
from stock.tests.factories import ListingMappingFactory

pytestmark = pytest.mark.django_db


def _page(client) -> str:
    response = client.get("/")
    assert response.status_code == 200
    return html.unescape(response.content.decode())


def test_home_counts_each_integrations_orders_today_and_this_week(seller_client, account):
    uk = IntegrationFactory(account=account, name="Amazon UK")
    de = IntegrationFactory(account=account, name="Amazon DE", marketplace_id="A1PA6795UKMFR9")
    now = timezone.now()
    OrderFactory(integration=uk, purchased_at=now)
    OrderFactory(integration=uk, purchased_at=now, status="CANCELLED")  # not a sale
    OrderFactory(integration=de, purchased_at=now - timedelta(days=now.weekday(), hours=-1))  # Monday, 01:00
    OrderFactory(integration=uk, purchased_at=now - timedelta(days=now.weekday() + 1))  # last week
    OrderFactory(purchased_at=now)  # another seller's

    response = seller_client.get("/")

    day = response.context["day"]
    assert {row.integration.name: (row.orders_today, row.orders_this_week) for row in day.integrations} == {
        "Amazon UK": (1, 1),
        "Amazon DE": (1 if now.weekday() == 0 else 0, 1),
    }
    assert day.orders_this_week == 2
    page = html.unescape(response.content.decode())
    assert f"/orders/?integration={uk.pk}&purchased_from={day.today:%Y-%m-%d}" in page


def test_home_links_each_problem_to_the_page_that_fixes_it(seller_client, account):
    rejected = IntegrationFactory(
        account=account, name="Lapsed UK", authorisation_state=Integration.AuthorisationState.NEEDS_REAUTHORISATION
    )
    stock_off = IntegrationFactory(account=account, name="Quiet DE", stock_updates_enabled=False)
    IntegrationFactory(account=account, name="Fine FR")

    page = _page(seller_client)

    assert f'href="/settings/channels/{rejected.pk}/authorise/"' in page
    assert f'href="/settings/channels/{stock_off.pk}/#additional-settings"' in page
    attention = page.split('id="attention"')[1].split("</section>")[0]
    assert "Lapsed UK" in attention and "Quiet DE" in attention and "Fine FR" not in attention


def test_home_lists_listings_amazon_rejected_or_still_waiting(seller_client, account):
    integration = IntegrationFactory(account=account, name="Amazon UK")
    mapping = ListingMappingFactory(integration=integration, channel_sku="AMZ-1")
    ListingPush.objects.create(integration=integration, channel_sku="AMZ-1", mapping=mapping, last_error="Bad value")
    ListingPush.objects.create(integration=integration, channel_sku="AMZ-2", pending=True, pending_since=timezone.now())

    page = _page(seller_client)

    listings = page.split('id="listings"')[1].split("</section>")[0]
    assert "1 listing whose stock Amazon rejected" in listings and "1 listing waiting to be sent" in listings
    assert f'href="/settings/channels/{integration.pk}/mappings/"' in listings


def test_home_counts_orders_at_risk_and_late_linking_to_the_orders_list(seller_client, account):
    integration = IntegrationFactory(account=account, name="Amazon UK")
    removed = IntegrationFactory(account=account, name="Old UK", removed_at=timezone.now())
    now = timezone.now()
    dispatch_to_ship(OrderFactory(integration=integration), ship_by=now + timedelta(hours=3))  # at risk
    dispatch_to_ship(OrderFactory(integration=integration), ship_by=now + timedelta(hours=30))  # not yet
    dispatch_to_ship(OrderFactory(integration=integration), ship_by=now - timedelta(hours=2))  # late
    dispatch_to_ship(OrderFactory(integration=integration), ship_by=now - timedelta(hours=2), shipped=2)  # shipped
    dispatch_to_ship(OrderFactory(integration=removed), ship_by=now - timedelta(hours=2))  # a removed integration's
    dispatch_to_ship(OrderFactory(), ship_by=now - timedelta(hours=2))  # another seller's

    response = seller_client.get("/")

    day = response.context["day"]
    assert (day.orders_at_risk, day.orders_late) == (1, 1)
    card = html.unescape(response.content.decode()).split('id="orders-to-ship"')[1].split("</section>")[0]
    assert 'href="/orders/?fulfilment=at_risk"' in card and 'href="/orders/?fulfilment=late"' in card


def test_home_invites_a_new_seller_to_connect_amazon(seller_client):
    assert 'href="/settings/channels/add/"' in _page(seller_client)


def test_home_needs_a_login_and_sends_ops_staff_to_the_admin(client, django_user_model):
    assert client.get("/")["Location"].startswith("/accounts/login/")
    staff = django_user_model.objects.create_user("ops@example.com", password="x", is_staff=True)
    client.force_login(staff)
    assert client.get("/")["Location"] == "/admin/"


def test_home_needs_the_same_queries_for_500_integrations(seller_client, account, django_assert_max_num_queries):
    def queries() -> int:
        with django_assert_max_num_queries(100) as captured:
            assert seller_client.get("/").status_code == 200
        return len(captured.captured_queries)

    IntegrationFactory(account=account)
    few = queries()
    integrations = IntegrationFactory.create_batch(499, account=account)
    for integration in integrations[:50]:
        dispatch_to_ship(OrderFactory(integration=integration), ship_by=timezone.now() + timedelta(hours=1))
        dispatch_to_ship(OrderFactory(integration=integration), ship_by=timezone.now() - timedelta(hours=1))

    assert queries() == few
    assert seller_client.get("/").context["day"].orders_late == 50
