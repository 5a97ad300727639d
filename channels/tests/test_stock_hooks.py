"""Changes on the integration screens that alter what Amazon should show re-send stock."""

from __future__ import annotations

import pytest

from channels.tests.factories import IntegrationFactory

pytestmark = pytest.mark.django_db

ListingPush = pytest.importorskip("stock.push.models").ListingPush
ListingMappingFactory = pytest.importorskip("stock.tests.factories").ListingMappingFactory

SETTINGS = {"name": "Shop", "stock_updates_enabled": "on", "max_quantity_to_advertise": "0", "stock_threshold": "5"}


def pending_skus(integration) -> set[str]:
    return set(ListingPush.objects.filter(integration=integration, pending=True).values_list("channel_sku", flat=True))


def test_enabling_an_integration_sends_its_current_stock_levels(seller_client, account):
    integration = IntegrationFactory(account=account, enabled=False)
    mapping = ListingMappingFactory(integration=integration, product__quantity=40)
    seller_client.post(f"/settings/channels/{integration.pk}/toggle/", {"enabled": "on"})
    assert pending_skus(integration) == {mapping.channel_sku}


def test_changing_the_stock_threshold_re_sends_stock(seller_client, account):
    integration = IntegrationFactory(account=account)
    mapping = ListingMappingFactory(integration=integration, product__quantity=4)
    ListingPush.objects.filter(integration=integration).update(pending=False)
    seller_client.post(f"/settings/channels/{integration.pk}/", {**SETTINGS, "stock_threshold": "2"})
    assert pending_skus(integration) == {mapping.channel_sku}


def test_renaming_sends_nothing(seller_client, account):
    integration = IntegrationFactory(account=account)
    ListingMappingFactory(integration=integration, product__quantity=40)
    ListingPush.objects.filter(integration=integration).update(pending=False)
    seller_client.post(f"/settings/channels/{integration.pk}/", {**SETTINGS, "name": "Renamed"})
    assert pending_skus(integration) == set()
