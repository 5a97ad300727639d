"""confirmShipment, recipients, cancellations and packages in the simulator, over real HTTP against Amazon's models."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest

from channels.amazon.simulator.testing import cancel_order, confirm_shipment_calls, sp_api_client
from channels.amazon.tests.amazon_models import assert_matches_model

UK = "A1F83G8C2ARO7P"
SELLER = "A2SIMDEMOSELLER"
ORDERS = "/orders/2026-01-01/orders"
ORDERS_MODEL = "orders_2026-01-01.json"
V0_MODEL = "ordersV0.json"
EVERYTHING = "FULFILLMENT,RECIPIENT,CANCELLATION,PACKAGES"


@pytest.fixture
def client(amazon_simulator):
    with sp_api_client(amazon_simulator.base_url) as client:
        yield client


@pytest.fixture
def order(amazon_simulator):
    """Two items: 2 kettles and 1 mug, ready to ship."""
    lines = [
        {"sku": "KETTLE", "quantity": 2, "unit_price": "20.00", "order_item_id": "10000000000001"},
        {"sku": "MUG", "quantity": 1, "unit_price": "5.00", "order_item_id": "10000000000002"},
    ]
    created = datetime.now(UTC) - timedelta(hours=1)
    return amazon_simulator.state.add_order(SELLER, UK, lines=lines, created_at=created)


def confirmation(*items: tuple[str, int], reference: str = "1", **package) -> dict:
    detail = {
        "packageReferenceId": reference,
        "carrierCode": "Royal Mail",
        "trackingNumber": "RM0001GB",
        "shipDate": "2026-12-05T10:00:00Z",
        "orderItems": [{"orderItemId": item_id, "quantity": quantity} for item_id, quantity in items],
        **package,
    }
    body = {"marketplaceId": UK, "packageDetail": {k: v for k, v in detail.items() if v is not None}}
    return body


def confirm(client, order_id: str, body: dict):
    return client.post(f"/orders/v0/orders/{order_id}/shipmentConfirmation", json=body)


def fetched(client, order_id: str) -> dict:
    response = client.get(f"{ORDERS}/{order_id}", params={"includedData": EVERYTHING})
    assert_matches_model(response.json(), ORDERS_MODEL, "GetOrderResponse")
    return response.json()["order"]


def test_a_confirmed_package_ships_its_items_and_is_listed_under_packages(amazon_simulator, client, order):
    body = confirmation(("10000000000001", 1), shippingMethod="Tracked 48")
    assert_matches_model(body, V0_MODEL, "ConfirmShipmentRequest")

    response = confirm(client, order.order_id, body)

    assert response.status_code == 204 and response.content == b""
    assert response.headers["x-amzn-RateLimit-Limit"] == "2"
    seen = fetched(client, order.order_id)
    assert seen["fulfillment"]["fulfillmentStatus"] == "PARTIALLY_SHIPPED"
    assert seen["lastUpdatedTime"] > seen["createdTime"]
    items = {item["orderItemId"]: item["fulfillment"] for item in seen["orderItems"]}
    assert items["10000000000001"] == {"quantityFulfilled": 1, "quantityUnfulfilled": 1}
    [package] = seen["packages"]
    assert package["packageReferenceId"] == "1"
    assert (package["carrier"], package["trackingNumber"], package["shippingService"]) == (
        "Royal Mail",
        "RM0001GB",
        "Tracked 48",
    )
    assert package["packageItems"] == [{"orderItemId": "10000000000001", "quantity": 1}]


def test_shipping_the_rest_marks_the_order_shipped(client, order):
    assert confirm(client, order.order_id, confirmation(("10000000000001", 1), reference="1")).status_code == 204
    rest = confirmation(("10000000000001", 1), ("10000000000002", 1), reference="2")
    assert confirm(client, order.order_id, rest).status_code == 204

    seen = fetched(client, order.order_id)

    assert seen["fulfillment"]["fulfillmentStatus"] == "SHIPPED"
    assert [package["packageReferenceId"] for package in seen["packages"]] == ["1", "2"]


def _refusal(response) -> str:
    assert response.status_code == 400, response.text
    assert_matches_model(response.json(), V0_MODEL, "ConfirmShipmentErrorResponse")
    [error] = response.json()["errors"]
    assert error["code"] == "InvalidInput"
    return error["message"]


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (confirmation(("10000000000001", 3)), "more than the 2 still to ship"),
        (confirmation(("99999999999999", 1)), "is not part of order"),
        (confirmation(("10000000000001", 0)), "must be a whole number of 1 or more"),
        (confirmation(("10000000000001", 1), ("10000000000001", 1)), "listed twice"),
        (confirmation(("10000000000001", 1), carrierCode=None), "carrierCode is required"),
        (confirmation(("10000000000001", 1), carrierCode="Other"), "carrierName is required"),
        (confirmation(("10000000000001", 1), reference="0"), "positive number"),
        (confirmation(("10000000000001", 1), reference="PARCEL-7"), "positive number"),
        (confirmation(("10000000000001", 1), trackingNumber=""), "trackingNumber is required"),
        (confirmation(("10000000000001", 1), shipDate="05/12/2026"), "not an ISO 8601 date-time"),
        (confirmation(("10000000000001", 1), shipDate="2026-12-05T10:00:00"), "time zone"),
        (confirmation(), "orderItems is required"),
        ({**confirmation(("10000000000001", 1)), "marketplaceId": "A1PA6795UKMFR9"}, "marketplaceId"),
        ({**confirmation(("10000000000001", 1)), "path": "/orders"}, "Unexpected field(s) in the request: path"),
        ({"marketplaceId": UK}, "packageDetail is required"),
    ],
)
def test_a_malformed_or_impossible_confirmation_is_refused_and_changes_nothing(client, order, body, reason):
    before = fetched(client, order.order_id)

    assert reason in _refusal(confirm(client, order.order_id, body))

    after = fetched(client, order.order_id)
    assert after == before


def test_a_package_reference_is_used_once_per_order(client, order):
    assert confirm(client, order.order_id, confirmation(("10000000000001", 1))).status_code == 204

    message = _refusal(confirm(client, order.order_id, confirmation(("10000000000002", 1))))

    assert message == f"Package reference id 1 has already been used for order {order.order_id}."


def test_a_pending_order_cannot_ship_yet(amazon_simulator, client, order):
    amazon_simulator.state.set_order_status(order.order_id, "PENDING")

    assert "PENDING" in _refusal(confirm(client, order.order_id, confirmation(("10000000000001", 1))))


def test_an_amazon_fulfilled_order_is_not_the_sellers_to_confirm(amazon_simulator, client):
    afn = amazon_simulator.state.add_order(SELLER, UK, fulfilled_by="AMAZON")

    assert "fulfilled by Amazon" in _refusal(
        confirm(client, afn.order_id, confirmation((afn.lines[0].order_item_id, 1)))
    )


def test_another_sellers_order_and_an_unknown_order_are_not_found(amazon_simulator, client):
    amazon_simulator.state.add_seller("AOTHERSELLER", [UK])
    theirs = amazon_simulator.state.add_order("AOTHERSELLER", UK)

    for order_id in (theirs.order_id, "999-0000000-0000000"):
        response = confirm(client, order_id, confirmation((theirs.lines[0].order_item_id, 1)))
        assert response.status_code == 404
        assert_matches_model(response.json(), V0_MODEL, "ConfirmShipmentErrorResponse")
    assert theirs.packages == [] and theirs.status == "UNSHIPPED"


def test_a_cancelled_item_is_refused_and_the_cancellation_is_reported(amazon_simulator, client, order):
    answer = cancel_order(amazon_simulator.base_url, order.order_id, ["10000000000002"])

    assert answer == {"order_id": order.order_id, "status": "UNSHIPPED"}
    assert "10000000000002 is cancelled" in _refusal(
        confirm(client, order.order_id, confirmation(("10000000000002", 1)))
    )
    seen = fetched(client, order.order_id)
    mug = next(item for item in seen["orderItems"] if item["orderItemId"] == "10000000000002")
    assert mug["cancellation"] == {"cancellationExecution": {"cancelledBy": "BUYER", "cancelReason": "Buyer cancelled"}}
    assert mug["fulfillment"] == {"quantityFulfilled": 0, "quantityUnfulfilled": 0}
    assert confirm(client, order.order_id, confirmation(("10000000000001", 2))).status_code == 204
    assert fetched(client, order.order_id)["fulfillment"]["fulfillmentStatus"] == "SHIPPED"


def test_cancelling_the_whole_order_cancels_it(amazon_simulator, client, order):
    cancel_order(amazon_simulator.base_url, order.order_id)

    seen = fetched(client, order.order_id)
    assert seen["fulfillment"]["fulfillmentStatus"] == "CANCELLED"
    assert all("cancellationExecution" in item["cancellation"] for item in seen["orderItems"])
    assert "is cancelled" in _refusal(confirm(client, order.order_id, confirmation(("10000000000001", 1))))


def test_cancelling_after_a_partial_shipment_cancels_only_the_rest(amazon_simulator, client, order):
    assert confirm(client, order.order_id, confirmation(("10000000000001", 2))).status_code == 204

    cancel_order(amazon_simulator.base_url, order.order_id)

    seen = fetched(client, order.order_id)
    assert seen["fulfillment"]["fulfillmentStatus"] == "SHIPPED"
    items = {item["orderItemId"]: item for item in seen["orderItems"]}
    assert "cancellation" not in items["10000000000001"] and "cancellation" in items["10000000000002"]


def test_nothing_left_to_cancel_is_a_400(amazon_simulator, order):
    amazon_simulator.state.set_order_status(order.order_id, "SHIPPED")

    response = httpx.post(amazon_simulator.base_url + "/_sim/orders/cancel", json={"order_id": order.order_id})

    assert response.status_code == 400


def test_the_recipient_and_ship_by_window_come_when_asked_and_once_the_order_is_paid(amazon_simulator, client, order):
    pending = amazon_simulator.state.add_order(SELLER, UK, status="PENDING")

    plain = client.get(f"{ORDERS}/{order.order_id}", params={"includedData": "FULFILLMENT"}).json()["order"]
    seen = fetched(client, order.order_id)
    unpaid = fetched(client, pending.order_id)

    assert "recipient" not in plain and "recipient" not in unpaid
    address = seen["recipient"]["deliveryAddress"]
    assert address["name"] and address["addressLine1"] and address["postalCode"] and address["phone"]
    assert address["countryCode"] == "GB"
    assert seen["fulfillment"]["shipByWindow"]["latestDateTime"] == (order.created_at + timedelta(days=2)).strftime(
        "%Y-%m-%dT%H:%M:%SZ"
    )


def test_throttling_and_server_errors_change_nothing(amazon_simulator, client, order):
    for kind, status in (("throttle", 429), ("server_error", 500)):
        amazon_simulator.state.inject_fault("confirmShipment", kind)
        assert confirm(client, order.order_id, confirmation(("10000000000001", 1))).status_code == status

    assert order.packages == [] and order.status == "UNSHIPPED"
    assert confirm(client, order.order_id, confirmation(("10000000000001", 1))).status_code == 204


def test_confirm_shipment_follows_amazons_usage_plan(amazon_simulator, client):
    orders = [amazon_simulator.state.add_order(SELLER, UK) for _ in range(11)]

    statuses = [confirm(client, o.order_id, confirmation((o.lines[0].order_item_id, 1))).status_code for o in orders]

    assert statuses == [204] * 10 + [429]


def test_the_control_surface_counts_confirm_shipment_calls_and_shows_packages(amazon_simulator, client, order):
    confirm(client, order.order_id, confirmation(("10000000000001", 1)))
    confirm(client, order.order_id, confirmation(("10000000000001", 9), reference="2"))

    assert confirm_shipment_calls(amazon_simulator.base_url) == 1
    assert confirm_shipment_calls(amazon_simulator.base_url, status=None) == 2
    state = amazon_simulator.state.snapshot(calls=0)
    [shown] = [o for o in state["sellers"][SELLER]["orders"] if o["order_id"] == order.order_id]
    assert [p["package_reference_id"] for p in shown["packages"]] == ["1"]
    assert shown["lines"][0]["quantity_shipped"] == 1
    assert "recipient" not in shown, "the control page shows no personal data"
