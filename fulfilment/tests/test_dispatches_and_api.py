"""Dispatches made from downloaded orders, and the supplier API that lists them and records parcels."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from channels.amazon.types import AmazonRecipient
from channels.tests.factories import IntegrationFactory
from fulfilment.models import Dispatch, DispatchStatus, Parcel
from orders.download import orders_store_page
from orders.tests.amazon_orders import amazon_order
from orders.tests.factories import ListingMappingFactory
from stock.services import supplier_token_issue
from stock.tests.factories import ProductFactory, SupplierFactory

pytestmark = pytest.mark.django_db

SHIPPED_AT = (datetime.now(UTC) - timedelta(hours=1)).replace(microsecond=0).isoformat().replace("+00:00", "Z")
RECIPIENT = AmazonRecipient("Jane Buyer", ("1 High Street",), "Leeds", "West Yorkshire", "LS1 1AA", "GB", "0113")


@pytest.fixture
def world():
    """One seller's integration with SKUs A (supplier one) and B (supplier two) mapped; each supplier's token."""
    integration = IntegrationFactory(account__company="Shop Ltd")
    one, two = SupplierFactory(name="One"), SupplierFactory(name="Two")
    ListingMappingFactory(integration=integration, channel_sku="A", product=ProductFactory(sku="P-A", supplier=one))
    ListingMappingFactory(integration=integration, channel_sku="B", product=ProductFactory(sku="P-B", supplier=two))
    return integration, (one, supplier_token_issue(supplier=one)), (two, supplier_token_issue(supplier=two))


def store(integration, *orders):
    orders_store_page(integration=integration, orders=list(orders), now=timezone.now())


def order(amazon_id, skus, **kwargs):
    return replace(amazon_order(amazon_id, skus, **kwargs), recipient=RECIPIENT, ship_by=timezone.now())


def get(client, token, query=""):
    response = client.get(f"/api/v1/dispatches{query}", HTTP_AUTHORIZATION=f"Bearer {token}")
    return response.status_code, response.json()


def post(client, token, shipments):
    response = client.post(
        "/api/v1/shipments",
        data=json.dumps({"shipments": shipments}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    return response.status_code, response.json()


def parcel(dispatch_id, tracking="T1", lines=(("P-A", 1),), carrier="Royal Mail"):
    return {
        "dispatch_id": dispatch_id,
        "carrier": carrier,
        "tracking_number": tracking,
        "ship_date": SHIPPED_AT,
        "lines": [{"sku": sku, "quantity": quantity} for sku, quantity in lines],
    }


def test_a_two_supplier_order_makes_one_dispatch_per_supplier_with_its_lines(world, client):
    integration, (_one, token_one), (_two, token_two) = world
    store(integration, order("O1", ["A", "B", "UNMAPPED"]))
    status, body = get(client, token_one)
    assert status == 200
    [dispatch] = body["dispatches"]
    assert dispatch["amazon_order_id"] == "O1"
    assert dispatch["seller"] == "Shop Ltd"
    assert dispatch["status"] == "open"
    assert dispatch["recipient"] == {
        "name": "Jane Buyer",
        "address_lines": ["1 High Street"],
        "city": "Leeds",
        "region": "West Yorkshire",
        "postal_code": "LS1 1AA",
        "country_code": "GB",
        "phone": "0113",
    }
    assert [line["sku"] for line in dispatch["lines"]] == ["P-A"]
    assert [line["sku"] for line in get(client, token_two)[1]["dispatches"][0]["lines"]] == ["P-B"]


def test_pending_waits_fba_never_and_a_second_download_makes_no_second_dispatch(world):
    integration, *_ = world
    store(integration, order("PEND", ["A"], status="PENDING"), order("FBA", ["A"], fulfilled_by="AMAZON"))
    assert not Dispatch.objects.exists()
    store(integration, order("PEND", ["A"]))
    store(integration, order("PEND", ["A"], updated=timezone.now() + timedelta(minutes=1)))
    assert Dispatch.objects.filter(amazon_order_id="PEND").count() == 1


def test_a_removed_and_readded_integration_takes_over_the_dispatch(world):
    integration, *_ = world
    store(integration, order("O1", ["A"]))
    integration.removed_at = timezone.now()
    integration.selling_partner_id = ""
    integration.save()
    again = IntegrationFactory(account=integration.account, marketplace_id=integration.marketplace_id)
    ListingMappingFactory(integration=again, channel_sku="A", product=Dispatch.objects.get().lines.get().product)
    store(again, order("O1", ["A"]))
    dispatch = Dispatch.objects.get()
    assert dispatch.order.integration == again


def test_recipient_is_encrypted_at_rest(world):
    integration, *_ = world
    store(integration, order("O1", ["A"]))
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT recipient_data FROM fulfilment_dispatch")
        (raw,) = cursor.fetchone()
    assert "Jane" not in raw and raw


def test_shipping_a_parcel_then_the_same_again_then_differently(world, client):
    integration, (_one, token), _ = world
    store(integration, order("O1", ["A"]))
    dispatch_id = Dispatch.objects.get().pk
    assert post(client, token, [parcel(dispatch_id)]) == (200, {"received": 1, "created": 1, "unchanged": 0})
    assert post(client, token, [parcel(dispatch_id)]) == (200, {"received": 1, "created": 0, "unchanged": 1})
    status, body = post(client, token, [parcel(dispatch_id, carrier="DPD")])
    assert status == 400
    assert "already reported differently" in body["errors"][0]["reason"]
    assert body["errors"][0]["dispatch_id"] == dispatch_id
    assert Parcel.objects.count() == 1
    assert Dispatch.objects.get().status == DispatchStatus.SHIPPED


def test_partial_shipment_then_the_rest_and_no_more_than_ordered(world, client):
    integration, (_one, token), _ = world
    two = replace(order("O2", ["A"]), lines=[replace(order("O2", ["A"]).lines[0], quantity=3)])
    store(integration, two)
    dispatch_id = Dispatch.objects.get().pk
    assert post(client, token, [parcel(dispatch_id, "T1", (("P-A", 2),))])[0] == 200
    assert Dispatch.objects.get().status == DispatchStatus.PARTIALLY_SHIPPED
    status, body = post(client, token, [parcel(dispatch_id, "T2", (("P-A", 2),))])
    assert status == 400 and "1 left to ship" in body["errors"][0]["reason"]
    assert post(client, token, [parcel(dispatch_id, "T2", (("P-A", 1),))])[0] == 200
    assert Dispatch.objects.get().status == DispatchStatus.SHIPPED


def test_another_suppliers_dispatch_is_unknown_and_nothing_applies(world, client):
    integration, (one, _token_one), (two, token_two) = world
    store(integration, order("O1", ["A", "B"]))
    theirs = Dispatch.objects.get(supplier=one).pk
    mine = Dispatch.objects.get(supplier=two).pk
    status, body = post(client, token_two, [parcel(mine, lines=(("P-B", 1),)), parcel(theirs)])
    assert status == 400
    assert body["errors"] == [{"index": 1, "dispatch_id": theirs, "reason": body["errors"][0]["reason"]}]
    assert "unknown dispatch" in body["errors"][0]["reason"]
    assert not Parcel.objects.exists()


def test_a_cancellation_reaches_the_dispatch_and_a_parcel_for_it_is_refused(world, client):
    integration, (_one, token), _ = world
    store(integration, order("O1", ["A"]))
    store(integration, order("O1", ["A"], status="CANCELLED", updated=timezone.now() + timedelta(minutes=1)))
    status, body = get(client, token, "?status=cancelled")
    assert status == 200 and body["dispatches"][0]["lines"][0]["quantity_cancelled"] == 1
    status, body = post(client, token, [parcel(Dispatch.objects.get().pk)])
    assert status == 400 and "the line is cancelled" in body["errors"][0]["reason"]
    assert not Parcel.objects.exists()


def test_a_dispatch_made_for_lines_amazon_already_cancelled_is_cancelled_and_closed(world, client):
    integration, (one, token_one), (two, _) = world
    partly = order("O2", ["A", "B"], status="PARTIALLY_SHIPPED")
    line_a, line_b = partly.lines
    store(integration, replace(partly, lines=[replace(line_a, quantity_cancelled=1), line_b]))
    cancelled, still_open = Dispatch.objects.get(supplier=one), Dispatch.objects.get(supplier=two)
    assert (cancelled.status, cancelled.closed_at is not None) == (DispatchStatus.CANCELLED, True)
    assert (still_open.status, still_open.closed_at) == (DispatchStatus.OPEN, None)
    assert get(client, token_one, "?status=cancelled")[1]["dispatches"][0]["amazon_order_id"] == "O2"


def test_listing_filters_and_cursor(world, client):
    integration, (_one, token), _ = world
    store(integration, *[order(f"O{n}", ["A"]) for n in range(3)])
    assert get(client, token, "?status=nonsense")[0] == 400
    assert get(client, token, "?updated_since=yesterday")[0] == 400
    assert get(client, token, "?cursor=zzz")[0] == 400
    assert get(client, token, "?colour=red")[0] == 400
    assert len(get(client, token, "?status=open,shipped")[1]["dispatches"]) == 3
    assert get(client, token, "?updated_since=2999-01-01T00:00:00Z")[1]["dispatches"] == []


def test_personal_data_wiped_after_the_days_and_absent_from_the_admin_list(world, client, admin_client, settings):
    integration, (_one, token), _ = world
    store(integration, order("O1", ["A"]))
    dispatch = Dispatch.objects.get()
    assert "Jane" not in admin_client.get("/admin/fulfilment/dispatch/").content.decode()
    assert "Jane" not in admin_client.get(f"/admin/fulfilment/dispatch/{dispatch.pk}/change/").content.decode()
    post(client, token, [parcel(dispatch.pk)])
    call_command("purge_orders")
    assert Dispatch.objects.get().recipient is not None
    Dispatch.objects.update(closed_at=timezone.now() - timedelta(days=31))
    call_command("purge_orders")
    assert Dispatch.objects.get().recipient is None
    assert get(client, token)[1]["dispatches"][0]["recipient"] is None
    store(integration, order("O1", ["A"], updated=timezone.now() + timedelta(minutes=1)))
    assert Dispatch.objects.get().recipient is None  # a later download does not bring it back
