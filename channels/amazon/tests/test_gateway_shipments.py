"""confirmShipment, the packages Amazon holds, and the fulfilment fields of an order, against respx."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from channels.amazon.errors import AuthorisationRevoked, PermanentError, Throttled, TransientError
from channels.amazon.models import RateLimitBucket
from channels.amazon.outcomes import Cause, outcome_of
from channels.amazon.tests.amazon_models import assert_matches_model
from channels.amazon.tests.conftest import SP_API, UK
from channels.amazon.types import ShipmentConfirmation, ShipmentLine

ORDER_ID = "202-1234567-7654321"
CONFIRM = f"{SP_API}/orders/v0/orders/{ORDER_ID}/shipmentConfirmation"
GET_ORDER = f"{SP_API}/orders/2026-01-01/orders/{ORDER_ID}"
SHIPPED_AT = datetime(2026, 12, 5, 14, 30, tzinfo=UTC)


def _confirmation(**overrides) -> ShipmentConfirmation:
    fields = {
        "package_reference_id": "42",
        "carrier_code": "Royal Mail",
        "carrier_name": None,
        "tracking_number": "RM123456789GB",
        "ship_date": SHIPPED_AT,
        "shipping_method": None,
        "lines": (ShipmentLine("11111111111111", 2), ShipmentLine("22222222222222", 1)),
    }
    return ShipmentConfirmation(**{**fields, **overrides})


def _order_body(**order) -> dict:
    base = {
        "orderId": ORDER_ID,
        "createdTime": "2026-12-05T09:00:00Z",
        "lastUpdatedTime": "2026-12-05T10:00:00Z",
        "salesChannel": {"channelName": "AMAZON", "marketplaceId": UK},
        "orderItems": [],
    }
    return {"order": {**base, **order}}


def test_confirm_shipment_sends_the_models_exact_body(amazon, gateway):
    route = amazon.post(CONFIRM).respond(204)

    assert gateway.confirm_shipment(ORDER_ID, _confirmation()) is None

    sent = json.loads(route.calls.last.request.content)
    assert sent == {
        "marketplaceId": UK,
        "packageDetail": {
            "packageReferenceId": "42",
            "carrierCode": "Royal Mail",
            "trackingNumber": "RM123456789GB",
            "shipDate": "2026-12-05T14:30:00Z",
            "orderItems": [
                {"orderItemId": "11111111111111", "quantity": 2},
                {"orderItemId": "22222222222222", "quantity": 1},
            ],
        },
    }
    assert_matches_model(sent, "ordersV0.json", "ConfirmShipmentRequest")


def test_confirm_shipment_names_an_other_carrier_and_the_shipping_method(amazon, gateway):
    route = amazon.post(CONFIRM).respond(204)

    gateway.confirm_shipment(
        ORDER_ID, _confirmation(carrier_code="Other", carrier_name="Evri", shipping_method="Next day")
    )

    package = json.loads(route.calls.last.request.content)["packageDetail"]
    assert (package["carrierCode"], package["carrierName"], package["shippingMethod"]) == ("Other", "Evri", "Next day")


def test_confirm_shipment_refused_keeps_amazons_message(amazon, gateway):
    amazon.post(CONFIRM).respond(
        400, json={"errors": [{"code": "InvalidInput", "message": "Quantity exceeds the unshipped quantity."}]}
    )

    with pytest.raises(PermanentError) as raised:
        gateway.confirm_shipment(ORDER_ID, _confirmation())

    outcome = outcome_of(raised.value)
    assert outcome.cause is Cause.REJECTED
    assert outcome.message == "Amazon rejected the request: Quantity exceeds the unshipped quantity."


@pytest.mark.parametrize(("status", "error"), [(429, Throttled), (500, TransientError), (503, TransientError)])
def test_confirm_shipment_throttling_and_outages_are_worth_retrying(amazon, gateway, status, error):
    amazon.post(CONFIRM).respond(status, json={"errors": [{"code": "Busy", "message": "later"}]})

    with pytest.raises(error) as raised:
        gateway.confirm_shipment(ORDER_ID, _confirmation())

    assert outcome_of(raised.value).retries


def test_confirm_shipment_after_the_seller_revoked_is_authorisation_revoked(amazon, gateway):
    amazon.post(CONFIRM).respond(403, json={"errors": [{"code": "Unauthorized", "message": "Access denied"}]})

    with pytest.raises(AuthorisationRevoked):
        gateway.confirm_shipment(ORDER_ID, _confirmation())


def test_confirm_shipment_follows_amazons_usage_plan_of_2_per_second_burst_10(amazon, gateway, partner):
    route = amazon.post(CONFIRM).respond(204)

    for _ in range(9):  # Amazon's burst of 10, less our margin of one
        gateway.confirm_shipment(ORDER_ID, _confirmation())
    with pytest.raises(Throttled):
        gateway.confirm_shipment(ORDER_ID, _confirmation())

    assert route.call_count == 9
    bucket = RateLimitBucket.objects.get(selling_partner_id=partner.selling_partner_id, operation="confirmShipment")
    assert (bucket.rate, bucket.burst) == (2.0, 10)


def test_order_package_reference_ids_asks_amazon_for_the_orders_packages(amazon, gateway):
    packages = [{"packageReferenceId": "41"}, {"packageReferenceId": "42", "carrier": "Royal Mail"}]
    route = amazon.get(GET_ORDER).respond(json=_order_body(packages=packages))

    assert gateway.order_package_reference_ids(ORDER_ID) == {"41", "42"}
    assert route.calls.last.request.url.params["includedData"] == "PACKAGES"


def test_an_order_without_packages_has_none(amazon, gateway):
    amazon.get(GET_ORDER).respond(json=_order_body())

    assert gateway.order_package_reference_ids(ORDER_ID) == set()


def test_an_order_carries_its_recipient_ship_by_and_shipped_and_cancelled_quantities(amazon, gateway):
    items = [
        {
            "orderItemId": "1",
            "quantityOrdered": 3,
            "product": {"sellerSku": "A"},
            "fulfillment": {"quantityFulfilled": 1, "quantityUnfulfilled": 2},
        },
        {
            "orderItemId": "2",
            "quantityOrdered": 2,
            "product": {"sellerSku": "B"},
            "cancellation": {"cancellationExecution": {"cancelledBy": "BUYER", "cancelReason": "No longer needed"}},
            "fulfillment": {"quantityFulfilled": 0, "quantityUnfulfilled": 2},
        },
        {
            "orderItemId": "3",
            "quantityOrdered": 1,
            "product": {"sellerSku": "C"},
            "cancellation": {"cancellationRequest": {"requester": "BUYER", "cancelReason": "Ordered by mistake"}},
        },
    ]
    body = _order_body(
        orderItems=items,
        fulfillment={
            "fulfillmentStatus": "PARTIALLY_SHIPPED",
            "shipByWindow": {"earliestDateTime": "2026-12-05T00:00:00Z", "latestDateTime": "2026-12-07T23:59:59Z"},
        },
        recipient={
            "deliveryAddress": {
                "name": "Jane Buyer",
                "addressLine1": "1 High Street",
                "addressLine2": "Flat 2",
                "city": "London",
                "stateOrRegion": "Greater London",
                "postalCode": "SW1A 1AA",
                "countryCode": "GB",
                "phone": "+44 20 7946 0000",
            }
        },
    )
    assert_matches_model(body, "orders_2026-01-01.json", "GetOrderResponse")
    amazon.get(GET_ORDER).respond(json=body)

    order = gateway.get_order(ORDER_ID)

    assert order.ship_by == datetime(2026, 12, 7, 23, 59, 59, tzinfo=UTC)
    recipient = order.recipient
    assert (recipient.name, recipient.address_lines) == ("Jane Buyer", ("1 High Street", "Flat 2"))
    assert (recipient.city, recipient.region, recipient.postal_code) == ("London", "Greater London", "SW1A 1AA")
    assert (recipient.country_code, recipient.phone) == ("GB", "+44 20 7946 0000")
    shipped_and_cancelled = [(line.quantity_shipped, line.quantity_cancelled) for line in order.lines]
    assert shipped_and_cancelled == [(1, 0), (0, 2), (0, 0)], "a requested cancellation cancels nothing yet"


def test_a_cancelled_order_cancels_every_unit_not_shipped(amazon, gateway):
    items = [
        {"orderItemId": "1", "quantityOrdered": 2, "product": {}, "fulfillment": {"quantityFulfilled": 0}},
        {"orderItemId": "2", "quantityOrdered": 1, "product": {}},
    ]
    amazon.get(GET_ORDER).respond(json=_order_body(orderItems=items, fulfillment={"fulfillmentStatus": "CANCELLED"}))

    order = gateway.get_order(ORDER_ID)

    assert [line.quantity_cancelled for line in order.lines] == [2, 1]
    assert order.recipient is None and order.ship_by is None


def test_the_recipient_never_shows_in_a_repr(amazon, gateway):
    body = _order_body(recipient={"deliveryAddress": {"name": "Jane Buyer", "addressLine1": "1 High Street"}})
    amazon.get(GET_ORDER).respond(json=body)

    order = gateway.get_order(ORDER_ID)

    assert "Jane" not in repr(order) and "High Street" not in repr(order)
