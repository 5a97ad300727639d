"""Parcels confirmed to Amazon exactly once: throttling, outages, refusals and a worker killed mid-call (respx)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from django.core.management import call_command
from django.utils import timezone

from channels.amazon.tests.conftest import SP_API, amazon  # noqa: F401  (the respx fixture)
from channels.tests.factories import IntegrationFactory
from channels.tests.live_holder import live_holder
from fulfilment.confirmation import CONFIRM_LANE, integration_ids_with_parcels_due, parcels_confirm
from fulfilment.models import Parcel, ParcelState
from fulfilment.shipments import parcel_retry, shipments_record
from fulfilment.tests.test_dispatches_and_api import order, store
from orders.tests.factories import ListingMappingFactory
from stock.tests.factories import ProductFactory, SupplierFactory

pytestmark = pytest.mark.django_db

ORDER_ID = "O1"
CONFIRM = f"{SP_API}/orders/v0/orders/{ORDER_ID}/shipmentConfirmation"
GET_ORDER = f"{SP_API}/orders/2026-01-01/orders/{ORDER_ID}"
SHIPPED_AT = datetime.now(UTC) - timedelta(hours=2)


@pytest.fixture
def recorded(amazon):  # noqa: F811
    """An order of SKU A, its dispatch, and one parcel the supplier reported (pending)."""
    integration = IntegrationFactory()
    supplier = SupplierFactory()
    product = ProductFactory(sku="P-A", supplier=supplier)
    ListingMappingFactory(integration=integration, channel_sku="A", product=product)
    store(integration, order(ORDER_ID, ["A"]))
    dispatch = integration.orders.get().dispatches.get()
    shipments_record(
        supplier=supplier,
        shipments=[
            {
                "dispatch_id": dispatch.pk,
                "carrier": "royal mail",
                "tracking_number": "RM1",
                "ship_date": SHIPPED_AT.isoformat(),
                "lines": [{"sku": "P-A", "quantity": 1}],
            }
        ],
    )
    return integration, Parcel.objects.get()


def packages(*ids):
    order_body = {
        "orderId": ORDER_ID,
        "createdTime": "2026-12-05T09:00:00Z",
        "lastUpdatedTime": "2026-12-05T10:00:00Z",
        "salesChannel": {"channelName": "AMAZON", "marketplaceId": "A1F83G8C2ARO7P"},
        "orderItems": [],
        "packages": [{"packageReferenceId": package_id} for package_id in ids],
    }
    return {"order": order_body}


def test_a_new_parcel_is_confirmed_once_with_its_id_carrier_code_and_order_item(amazon, recorded):  # noqa: F811
    integration, parcel = recorded
    route = amazon.post(CONFIRM).respond(204)

    assert parcels_confirm(integration=integration).confirmed == 1
    assert parcels_confirm(integration=integration).confirmed == 0

    assert route.call_count == 1
    package = json.loads(route.calls.last.request.content)["packageDetail"]
    assert package["packageReferenceId"] == str(parcel.pk)
    assert package["carrierCode"] == "Royal Mail"
    assert package["orderItems"] == [{"orderItemId": f"{ORDER_ID}-0", "quantity": 1}]
    assert Parcel.objects.get().state == ParcelState.CONFIRMED


def test_throttled_then_confirmed_without_asking_for_packages(amazon, recorded):  # noqa: F811
    integration, _ = recorded
    route = amazon.post(CONFIRM)
    route.side_effect = [
        _response(429, {"errors": [{"code": "QuotaExceeded", "message": "slow down"}]}),
        _response(204),
    ]
    packages_route = amazon.get(GET_ORDER).respond(json=packages())

    run = parcels_confirm(integration=integration)
    assert (run.confirmed, run.waiting) == (0, 1)
    assert Parcel.objects.get().next_attempt_at > timezone.now()
    # (the command's way: waiting out the rate limit Amazon's 429 set)
    assert parcels_confirm(integration=integration, include_waiting=True, wait=True).confirmed == 1
    assert route.call_count == 2 and packages_route.call_count == 0


def test_after_a_500_amazon_is_asked_first_and_a_package_already_there_is_not_sent_again(amazon, recorded):  # noqa: F811
    integration, parcel = recorded
    route = amazon.post(CONFIRM).respond(500, json={"errors": [{"code": "InternalFailure", "message": "oops"}]})
    amazon.get(GET_ORDER).respond(json=packages(str(parcel.pk)))

    assert parcels_confirm(integration=integration).waiting == 1
    assert parcels_confirm(integration=integration, include_waiting=True).confirmed == 1
    assert route.call_count == 1


def test_a_worker_killed_between_sending_and_recording_confirms_exactly_once(amazon, recorded, settings):  # noqa: F811
    integration, parcel = recorded
    # The dead attempt: marked sending and committed, the call reached Amazon, the answer never recorded.
    Parcel.objects.filter(pk=parcel.pk).update(
        state=ParcelState.SENDING, attempts=1, sending_since=timezone.now() - timedelta(hours=1)
    )
    route = amazon.post(CONFIRM).respond(204)
    amazon.get(GET_ORDER).respond(json=packages(str(parcel.pk)))

    assert parcels_confirm(integration=integration).confirmed == 1
    assert route.call_count == 0
    assert Parcel.objects.get().state == ParcelState.CONFIRMED


@pytest.mark.postgres  # the live worker is another connection: SQLite's in-memory test database would refuse it
def test_a_sending_attempt_of_a_live_worker_is_left_to_it(amazon, recorded):  # noqa: F811
    integration, parcel = recorded
    Parcel.objects.filter(pk=parcel.pk).update(state=ParcelState.SENDING, attempts=1, sending_since=timezone.now())
    route = amazon.post(CONFIRM).respond(204)
    with live_holder(integration.pk, CONFIRM_LANE):
        assert parcels_confirm(integration=integration).confirmed == 0
        assert integration_ids_with_parcels_due() == []
    assert route.call_count == 0


def test_a_dead_workers_sending_parcel_is_taken_up_at_once_and_not_sent_twice(amazon, recorded):  # noqa: F811
    integration, parcel = recorded
    # Killed a moment ago, after Amazon had the package: nobody holds the integration's confirmations any more.
    Parcel.objects.filter(pk=parcel.pk).update(state=ParcelState.SENDING, attempts=1, sending_since=timezone.now())
    route = amazon.post(CONFIRM).respond(204)
    amazon.get(GET_ORDER).respond(json=packages(str(parcel.pk)))

    assert integration_ids_with_parcels_due() == [integration.pk]
    assert parcels_confirm(integration=integration).confirmed == 1
    assert route.call_count == 0


def test_a_refusal_keeps_amazons_message_the_command_fails_and_retry_sends_again(amazon, recorded, capsys):  # noqa: F811
    integration, _ = recorded
    route = amazon.post(CONFIRM)
    route.side_effect = [
        _response(400, {"errors": [{"code": "InvalidInput", "message": "Quantity exceeds the unshipped quantity."}]}),
        _response(204),
    ]
    amazon.get(GET_ORDER).respond(json=packages())

    with pytest.raises(SystemExit) as exited:
        call_command("confirm_shipments", "--integration", str(integration.pk))
    assert exited.value.code == 1
    assert "1 refused" in capsys.readouterr().out
    refused = Parcel.objects.get()
    assert refused.state == ParcelState.REFUSED
    assert "Quantity exceeds the unshipped quantity." in refused.refusal_reason

    parcel_retry(parcel=refused)
    call_command("confirm_shipments")
    assert "1 confirmed" in capsys.readouterr().out
    assert Parcel.objects.get().state == ParcelState.CONFIRMED


def _response(status, body=None):
    return httpx.Response(status, json=body) if body is not None else httpx.Response(status)
