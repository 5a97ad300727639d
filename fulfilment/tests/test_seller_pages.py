"""The seller's order pages: each line's fulfilment, the recipient to its owner only, the filter, the marks."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from channels.tests.factories import IntegrationFactory
from dashboard.selectors import integrations_health
from fulfilment.models import Dispatch, Parcel, ParcelState
from fulfilment.shipments import shipments_record
from fulfilment.tests.test_dispatches_and_api import RECIPIENT, order, store
from orders.models import Order
from orders.tests.factories import ListingMappingFactory
from stock.tests.factories import ProductFactory, SupplierFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop(account):
    """The seller's integration with SKU A mapped; three orders: one shipped, one waiting and late, one refused."""
    integration = IntegrationFactory(account=account)
    supplier = SupplierFactory()
    ListingMappingFactory(
        integration=integration, channel_sku="A", product=ProductFactory(sku="P-A", supplier=supplier)
    )
    store(integration, order("SHIPPED", ["A"]), order("LATE", ["A"]), order("REFUSED", ["A"]))
    Dispatch.objects.filter(amazon_order_id="LATE").update(ship_by=timezone.now() - timedelta(hours=1))
    Dispatch.objects.exclude(amazon_order_id="LATE").update(ship_by=timezone.now() + timedelta(days=3))
    for amazon_id in ("SHIPPED", "REFUSED"):
        shipments_record(
            supplier=supplier,
            shipments=[
                {
                    "dispatch_id": Dispatch.objects.get(amazon_order_id=amazon_id).pk,
                    "carrier": "DPD",
                    "tracking_number": f"T-{amazon_id}",
                    "ship_date": (timezone.now() - timedelta(hours=1)).isoformat(),
                    "lines": [{"sku": "P-A", "quantity": 1}],
                }
            ],
        )
    Parcel.objects.filter(dispatch__amazon_order_id="REFUSED").update(
        state=ParcelState.REFUSED, refusal_reason="Amazon rejected the request: bad tracking number."
    )
    return integration


def _order(amazon_id):
    return Order.objects.get(amazon_order_id=amazon_id)


def test_the_order_page_shows_the_lines_fulfilment_and_the_recipient(
    seller_client, shop, django_assert_max_num_queries
):
    with django_assert_max_num_queries(20):
        page = seller_client.get(f"/orders/{_order('SHIPPED').pk}/").content.decode()
    assert 'data-fulfilment="shipped"' in page and "T-SHIPPED" in page
    assert RECIPIENT.name in page
    page = seller_client.get(f"/orders/{_order('REFUSED').pk}/").content.decode()
    assert 'data-fulfilment="refused"' in page and "bad tracking number" in page and "Retry" in page


def test_retry_sends_a_refused_parcel_again(seller_client, shop):
    parcel = Parcel.objects.get(state=ParcelState.REFUSED)
    response = seller_client.post(f"/orders/{_order('REFUSED').pk}/parcels/{parcel.pk}/retry/")
    assert response.status_code == 302
    assert Parcel.objects.get(pk=parcel.pk).state == ParcelState.PENDING
    assert seller_client.get(f"/orders/{_order('REFUSED').pk}/parcels/{parcel.pk}/retry/").status_code == 405


def test_another_tenant_sees_neither_the_order_nor_the_recipient_and_cannot_retry(outsider_client, shop):
    parcel = Parcel.objects.get(state=ParcelState.REFUSED)
    assert outsider_client.get(f"/orders/{_order('REFUSED').pk}/").status_code == 404
    assert outsider_client.post(f"/orders/{_order('REFUSED').pk}/parcels/{parcel.pk}/retry/").status_code == 404
    assert RECIPIENT.name not in outsider_client.get("/orders/").content.decode()
    assert Parcel.objects.get(pk=parcel.pk).state == ParcelState.REFUSED


@pytest.mark.parametrize(
    ("state", "expected"),
    [
        ("waiting", {"LATE"}),
        ("shipped", {"SHIPPED"}),
        ("refused", {"REFUSED"}),
        ("late", {"LATE"}),
        ("at_risk", set()),
        ("cancelled", set()),
        ("confirmed", set()),
    ],
)
def test_the_order_list_filters_by_fulfilment(seller_client, shop, state, expected):
    page = seller_client.get(f"/orders/?fulfilment={state}").content.decode()
    shown = {amazon_id for amazon_id in ("SHIPPED", "LATE", "REFUSED") if f">{amazon_id}<" in page}
    assert shown == expected


def test_the_order_list_marks_late_orders_in_constant_queries(seller_client, shop, django_assert_max_num_queries):
    with django_assert_max_num_queries(15):
        page = seller_client.get("/orders/").content.decode()
    assert page.count('text-bg-danger" title="Past') == 1
    assert seller_client.get("/orders/?fulfilment=nonsense").status_code == 200


def test_the_integrations_health_counts_orders_due_today_not_shipped(seller_client, shop):
    end_of_today = timezone.now().replace(hour=23, minute=59, second=0)
    Dispatch.objects.filter(amazon_order_id="LATE").update(ship_by=end_of_today)
    page = seller_client.get(f"/settings/channels/{shop.pk}/").content.decode()
    assert "1 order due to ship today has not been shipped" in page


def test_every_call_of_the_health_counts_its_own_integrations_and_day(shop, account):
    """Its query is compiled once per process: each call must still get its own integrations' and day's facts."""
    other = IntegrationFactory(account=account)
    ship_by = Dispatch.objects.get(amazon_order_id="LATE").ship_by

    def due(integrations, now):
        health = integrations_health(integrations=integrations, now=now)
        return [health[integration.pk].facts.orders_due_today_unshipped for integration in integrations]

    assert due([other, shop], ship_by) == [0, 1]
    assert due([shop, other], ship_by) == [1, 0]
    assert due([shop], ship_by) == [1]
    assert due([shop], ship_by + timedelta(days=1)) == [0]
    assert due([other], ship_by) == [0]
