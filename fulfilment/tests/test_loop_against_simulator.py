"""The whole loop against the Amazon simulator: order in, dispatch, the supplier ships through the API, one
confirmShipment, Amazon shows the order shipped; and what must never send a second confirmation."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from channels.amazon.gateway import gateway_for
from fulfilment.confirmation import parcels_confirm, shipment_confirmation
from fulfilment.models import Dispatch, Parcel, ParcelState
from orders.download import orders_download
from orders.tests.factories import ListingMappingFactory
from orders.tests.simulated import UK, connected_integration
from stock.services import supplier_token_issue
from stock.tests.factories import ProductFactory, SupplierFactory

pytestmark = pytest.mark.django_db

SHIPPED_AT = (datetime.now(UTC) - timedelta(hours=1)).replace(microsecond=0).isoformat().replace("+00:00", "Z")


@pytest.fixture
def simulator(amazon_simulator):
    amazon_simulator.state.speedup = 1000  # Amazon's usage plans, a thousand times faster
    return amazon_simulator


@pytest.fixture
def world(simulator):
    """An integration on the simulator with SKU-A mapped to supplier one's P-A, and that supplier's token."""
    integration = connected_integration(simulator)
    supplier = SupplierFactory(name="One")
    ListingMappingFactory(
        integration=integration, channel_sku="SKU-A", product=ProductFactory(sku="P-A", supplier=supplier)
    )
    return integration, supplier_token_issue(supplier=supplier)


def placed(simulator, integration, quantity=2):
    line = {"sku": "SKU-A", "quantity": quantity, "unit_price": "5.00", "order_item_id": "11111111111111"}
    return simulator.state.add_order(integration.selling_partner_id, UK, lines=[line])


def dispatches(client, token) -> list[dict]:
    response = client.get("/api/v1/dispatches", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200, response.content
    return response.json()["dispatches"]


def ship(client, token, dispatch_id, quantity, tracking="RM1GB", carrier="Royal Mail"):
    parcel = {
        "dispatch_id": dispatch_id,
        "carrier": carrier,
        "tracking_number": tracking,
        "ship_date": SHIPPED_AT,
        "lines": [{"sku": "P-A", "quantity": quantity}],
    }
    response = client.post(
        "/api/v1/shipments",
        data=json.dumps({"shipments": [parcel]}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    return response.status_code, response.json()


def accepted_confirmations(simulator) -> int:
    return simulator.state.call_count("confirmShipment", status=204)


def test_an_order_reaches_the_supplier_and_its_parcel_is_confirmed_on_amazon_once(simulator, world, client):
    integration, token = world
    order = placed(simulator, integration)
    orders_download(integration_id=integration.pk)

    [dispatch] = dispatches(client, token)
    assert dispatch["amazon_order_id"] == order.order_id
    assert dispatch["recipient"]["name"] == order.recipient["name"]
    assert dispatch["ship_by"] is not None
    assert ship(client, token, dispatch["id"], 2) == (200, {"received": 1, "created": 1, "unchanged": 0})
    parcels_confirm(integration=integration)

    parcel = Parcel.objects.get()
    assert parcel.state == ParcelState.CONFIRMED
    assert accepted_confirmations(simulator) == 1
    assert order.status == "SHIPPED"
    [package] = order.packages
    assert (package.package_reference_id, package.carrier_code, package.items) == (
        str(parcel.pk),
        "Royal Mail",
        [("11111111111111", 2)],
    )
    # The same parcel again is unchanged and never reaches Amazon a second time.
    assert ship(client, token, dispatch["id"], 2)[1]["unchanged"] == 1
    parcels_confirm(integration=integration)
    assert accepted_confirmations(simulator) == 1


def test_a_partial_shipment_then_the_rest(simulator, world, client):
    integration, token = world
    order = placed(simulator, integration, quantity=3)
    orders_download(integration_id=integration.pk)
    [dispatch] = dispatches(client, token)

    ship(client, token, dispatch["id"], 1, tracking="FIRST")
    parcels_confirm(integration=integration)
    assert order.status == "PARTIALLY_SHIPPED"
    ship(client, token, dispatch["id"], 2, tracking="SECOND")
    parcels_confirm(integration=integration)

    assert order.status == "SHIPPED"
    assert accepted_confirmations(simulator) == 2


def test_a_cancellation_on_amazon_refuses_the_suppliers_parcel_and_sends_nothing(simulator, world, client):
    integration, token = world
    order = placed(simulator, integration)
    orders_download(integration_id=integration.pk)
    simulator.state.cancel_order(order.order_id)
    orders_download(integration_id=integration.pk)

    [dispatch] = dispatches(client, token)
    status, body = ship(client, token, dispatch["id"], 2)

    assert dispatch["lines"][0]["quantity_cancelled"] == 2
    assert status == 400 and "the line is cancelled" in json.dumps(body)
    parcels_confirm(integration=integration)
    assert simulator.state.call_count("confirmShipment") == 0


def test_a_worker_killed_after_sending_is_not_confirmed_twice(simulator, world, client):
    integration, token = world
    order = placed(simulator, integration)
    orders_download(integration_id=integration.pk)
    [dispatch] = dispatches(client, token)
    ship(client, token, dispatch["id"], 2)
    parcel = Parcel.objects.get()
    # The dead worker's call reached Amazon; its row stayed `sending` and was never recorded.
    with gateway_for(integration) as gateway:
        gateway.confirm_shipment(order.order_id, shipment_confirmation(parcel))
    Parcel.objects.filter(pk=parcel.pk).update(
        state=ParcelState.SENDING, attempts=1, sending_since=timezone.now() - timedelta(hours=1)
    )

    parcels_confirm(integration=integration)

    assert Parcel.objects.get().state == ParcelState.CONFIRMED
    assert accepted_confirmations(simulator) == 1
    assert simulator.state.call_count("confirmShipment") == 1
    assert len(order.packages) == 1


@pytest.mark.parametrize("fault", ["server_error", "throttle"])
def test_a_500_or_a_429_is_retried_and_confirmed_exactly_once(simulator, world, client, fault):
    integration, token = world
    order = placed(simulator, integration)
    orders_download(integration_id=integration.pk)
    [dispatch] = dispatches(client, token)
    ship(client, token, dispatch["id"], 2)
    simulator.state.inject_fault("confirmShipment", fault)

    first = parcels_confirm(integration=integration)
    second = parcels_confirm(integration=integration, include_waiting=True)

    assert (first.waiting, second.confirmed) == (1, 1)
    assert accepted_confirmations(simulator) == 1 and len(order.packages) == 1
    assert Dispatch.objects.get().status == "shipped"
