"""The whole loop against the Amazon simulator: order in, dispatch, the supplier lists and ships it through the
API, one confirmShipment per parcel, and Amazon shows the order shipped."""

from __future__ import annotations

import json
import logging
from datetime import timedelta
from unittest import mock

import pytest
from celery.exceptions import Retry
from django.utils import timezone

from channels.amazon.gateway import gateway_for
from channels.amazon.simulator.testing import cancel_order
from channels.tests.factories import IntegrationFactory
from fulfilment.confirmation import parcels_confirm, shipment_confirmation
from fulfilment.models import Dispatch, Parcel, ParcelState
from fulfilment.tasks import confirm_shipments_of_integration
from orders.download import orders_download
from orders.tests.factories import ListingMappingFactory
from orders.tests.simulated import UK, connected_integration
from stock.services import supplier_token_issue
from stock.tests.factories import ProductFactory, SupplierFactory

pytestmark = pytest.mark.django_db

SHIP_DATE = (timezone.now() - timedelta(hours=1)).isoformat()


@pytest.fixture
def simulator(amazon_simulator):
    amazon_simulator.state.speedup = 1000  # Amazon's usage plans, a thousand times faster
    return amazon_simulator


@pytest.fixture
def shop(simulator):
    """A connected seller with SKU-A stocked by supplier one and SKU-B by supplier two; each supplier's token."""
    integration = connected_integration(simulator)
    suppliers = {}
    for sku, name in (("SKU-A", "One"), ("SKU-B", "Two")):
        supplier = SupplierFactory(name=name)
        product = ProductFactory(sku=f"P-{sku}", supplier=supplier)
        ListingMappingFactory(integration=integration, channel_sku=sku, product=product)
        suppliers[sku] = supplier_token_issue(supplier=supplier)
    return integration, suppliers


def place(simulator, integration, lines=(("SKU-A", 2), ("SKU-B", 1)), **fields):
    return simulator.state.add_order(
        integration.selling_partner_id,
        UK,
        lines=[{"sku": sku, "quantity": quantity, "unit_price": "5.00"} for sku, quantity in lines],
        **fields,
    )


def listed(client, token) -> list[dict]:
    response = client.get("/api/v1/dispatches", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200
    return response.json()["dispatches"]


def ship(client, token, dispatch_id, tracking, lines, carrier="Royal Mail"):
    item = {"dispatch_id": dispatch_id, "carrier": carrier, "tracking_number": tracking, "ship_date": SHIP_DATE}
    item["lines"] = [{"sku": sku, "quantity": quantity} for sku, quantity in lines]
    response = client.post(
        "/api/v1/shipments",
        data=json.dumps({"shipments": [item]}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    return response.status_code, response.json()


def confirmed_calls(simulator) -> int:
    return simulator.state.call_count("confirmShipment", status=204)


def amazon_status(simulator, integration, order) -> str:
    return simulator.state.seller(integration.selling_partner_id).orders[order.order_id].status


def test_a_two_supplier_order_shipped_partly_then_fully_is_confirmed_once_per_parcel(simulator, shop, client, caplog):
    caplog.set_level(logging.DEBUG)
    integration, tokens = shop
    order = place(simulator, integration)
    orders_download(integration_id=integration.pk)

    [one] = listed(client, tokens["SKU-A"])
    [two] = listed(client, tokens["SKU-B"])
    assert (one["amazon_order_id"], [line["quantity"] for line in one["lines"]]) == (order.order_id, [2])
    assert one["recipient"]["name"] == order.recipient["name"]

    assert ship(client, tokens["SKU-A"], one["id"], "RM-1", [("P-SKU-A", 1)])[0] == 200
    assert ship(client, tokens["SKU-A"], one["id"], "RM-1", [("P-SKU-A", 1)])[1]["unchanged"] == 1
    assert parcels_confirm(integration=integration).confirmed == 1
    assert amazon_status(simulator, integration, order) == "PARTIALLY_SHIPPED"

    assert ship(client, tokens["SKU-A"], one["id"], "RM-2", [("P-SKU-A", 1)])[0] == 200
    assert ship(client, tokens["SKU-B"], two["id"], "DPD-1", [("P-SKU-B", 1)], carrier="DPD")[0] == 200
    assert parcels_confirm(integration=integration).confirmed == 2
    assert parcels_confirm(integration=integration).confirmed == 0

    assert confirmed_calls(simulator) == 3
    assert amazon_status(simulator, integration, order) == "SHIPPED"
    assert set(Parcel.objects.values_list("state", flat=True)) == {ParcelState.CONFIRMED}
    # The next download brings Amazon's SHIPPED; the dispatches stay shipped and are not made again.
    orders_download(integration_id=integration.pk)
    assert set(Dispatch.objects.values_list("status", flat=True)) == {"shipped"}
    # Nobody's personal data in any log line.
    for personal in (order.recipient["name"], order.recipient["addressLine1"], order.recipient["phone"]):
        assert personal not in caplog.text


def test_a_cancellation_before_shipping_is_a_400_for_the_supplier_and_nothing_reaches_amazon(simulator, shop, client):
    integration, tokens = shop
    order = place(simulator, integration, lines=(("SKU-A", 1),))
    orders_download(integration_id=integration.pk)
    cancel_order(simulator.base_url, order.order_id)
    orders_download(integration_id=integration.pk)

    [dispatch] = listed(client, tokens["SKU-A"])
    assert dispatch["status"] == "cancelled" and dispatch["lines"][0]["quantity_cancelled"] == 1
    status, body = ship(client, tokens["SKU-A"], dispatch["id"], "RM-1", [("P-SKU-A", 1)])
    assert status == 400 and "the line is cancelled" in body["errors"][0]["reason"]
    parcels_confirm(integration=integration)
    assert simulator.state.call_count("confirmShipment") == 0


def test_supplier_b_asking_for_supplier_as_dispatch_is_told_it_is_unknown(simulator, shop, client):
    integration, tokens = shop
    place(simulator, integration, lines=(("SKU-A", 1),))
    orders_download(integration_id=integration.pk)
    [dispatch] = listed(client, tokens["SKU-A"])
    assert listed(client, tokens["SKU-B"]) == []
    status, body = ship(client, tokens["SKU-B"], dispatch["id"], "RM-1", [("P-SKU-A", 1)])
    assert status == 400 and body["errors"][0]["reason"].startswith("unknown dispatch")


def test_a_removed_and_readded_integration_makes_no_second_dispatch_and_confirms_through_the_live_one(
    simulator, shop, client
):
    integration, tokens = shop
    order = place(simulator, integration, lines=(("SKU-A", 1),))
    orders_download(integration_id=integration.pk)
    integration.removed_at = timezone.now()
    integration.save()
    again = IntegrationFactory(
        account=integration.account,
        selling_partner_id=integration.selling_partner_id,
        refresh_token=integration.refresh_token,
    )
    product = Dispatch.objects.get().lines.get().product
    ListingMappingFactory(integration=again, channel_sku="SKU-A", product=product)
    orders_download(integration_id=again.pk)

    [dispatch] = listed(client, tokens["SKU-A"])
    assert Dispatch.objects.get().order.integration == again
    assert ship(client, tokens["SKU-A"], dispatch["id"], "RM-1", [("P-SKU-A", 1)])[0] == 200
    assert parcels_confirm(integration=again).confirmed == 1
    assert confirmed_calls(simulator) == 1
    assert amazon_status(simulator, again, order) == "SHIPPED"


def test_throttling_and_a_500_then_confirmed_exactly_once(simulator, shop, client):
    integration, tokens = shop
    order = place(simulator, integration, lines=(("SKU-A", 1),))
    orders_download(integration_id=integration.pk)
    [dispatch] = listed(client, tokens["SKU-A"])
    ship(client, tokens["SKU-A"], dispatch["id"], "RM-1", [("P-SKU-A", 1)])
    simulator.state.inject_fault("confirmShipment", "throttle")
    simulator.state.inject_fault("confirmShipment", "server_error")  # taken once the throttle is used up

    assert parcels_confirm(integration=integration).waiting == 1  # throttled
    assert parcels_confirm(integration=integration, include_waiting=True, wait=True).waiting == 1  # the 500
    assert parcels_confirm(integration=integration, include_waiting=True, wait=True).confirmed == 1

    assert confirmed_calls(simulator) == 1
    assert amazon_status(simulator, integration, order) == "SHIPPED"


def test_a_worker_killed_between_sending_and_recording_confirms_exactly_once(simulator, shop, client):
    integration, tokens = shop
    order = place(simulator, integration, lines=(("SKU-A", 1),))
    orders_download(integration_id=integration.pk)
    [dispatch] = listed(client, tokens["SKU-A"])
    ship(client, tokens["SKU-A"], dispatch["id"], "RM-1", [("P-SKU-A", 1)])
    parcel = Parcel.objects.get()
    # The dead worker: the row marked sending and committed, the call made, the worker killed before recording.
    Parcel.objects.filter(pk=parcel.pk).update(
        state=ParcelState.SENDING, attempts=1, sending_since=timezone.now() - timedelta(hours=1)
    )
    with gateway_for(integration) as gateway:
        gateway.confirm_shipment(order.order_id, shipment_confirmation(parcel))

    assert parcels_confirm(integration=integration).confirmed == 1
    assert confirmed_calls(simulator) == 1
    assert Parcel.objects.get().state == ParcelState.CONFIRMED


def test_a_throttled_confirmation_task_comes_back_when_amazon_allows_not_at_beats_next_pass(simulator, shop, client):
    integration, tokens = shop
    place(simulator, integration, lines=(("SKU-A", 1),))
    orders_download(integration_id=integration.pk)
    [dispatch] = listed(client, tokens["SKU-A"])
    ship(client, tokens["SKU-A"], dispatch["id"], "RM-1", [("P-SKU-A", 1)])
    simulator.state.inject_fault("confirmShipment", "throttle")

    with (
        mock.patch.object(confirm_shipments_of_integration, "retry", side_effect=Retry) as retry,
        pytest.raises(Retry),
    ):
        confirm_shipments_of_integration.run(integration.pk)

    [call] = retry.call_args_list
    assert 0 < call.kwargs["countdown"] <= 60  # Amazon's wait, not beat's next pass
    assert Parcel.objects.get().state == ParcelState.PENDING
    assert confirmed_calls(simulator) == 0
