"""Settings → Account: the seller's time zone, and every page's dates shown in it with the zone."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from channels.tests.factories import IntegrationFactory
from orders.tests.factories import OrderFactory

pytestmark = pytest.mark.django_db


def test_dates_are_in_utc_by_default_and_in_the_sellers_zone_once_chosen(seller_client, account):
    order = OrderFactory(
        integration=IntegrationFactory(account=account), purchased_at=datetime(2026, 7, 1, 12, 5, tzinfo=UTC)
    )
    assert account.time_zone == "UTC"
    assert "1 Jul 2026, 12:05 UTC" in seller_client.get(f"/orders/{order.pk}/").content.decode()

    response = seller_client.post("/settings/account/", {"time_zone": "Europe/London"})

    assert response.status_code == 302
    account.refresh_from_db()
    assert account.time_zone == "Europe/London"
    assert "1 Jul 2026, 13:05 BST" in seller_client.get(f"/orders/{order.pk}/").content.decode()


def test_an_unknown_time_zone_is_a_400_and_changes_nothing(seller_client, account):
    response = seller_client.post("/settings/account/", {"time_zone": "Mars/Olympus"})

    assert response.status_code == 400
    assert "Choose a time zone from the list." in response.content.decode()
    account.refresh_from_db()
    assert account.time_zone == "UTC"


def test_the_settings_menu_links_to_the_account_settings(seller_client):
    assert 'href="/settings/account/"' in seller_client.get("/").content.decode()
