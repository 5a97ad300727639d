"""Orders v2026-01-01 and Sellers over real HTTP, checked against Amazon's published models."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from channels.amazon.simulator.testing import sp_api_client
from channels.amazon.tests.amazon_models import assert_matches_model

UK, DE = "A1F83G8C2ARO7P", "A1PA6795UKMFR9"
SELLER = "A2SIMDEMOSELLER"
ORDERS = "/orders/2026-01-01/orders"
ORDERS_MODEL = "orders_2026-01-01.json"


@pytest.fixture
def client(amazon_simulator):
    with sp_api_client(amazon_simulator.base_url) as client:
        yield client


def an_hour_ago() -> str:
    return (datetime.now(UTC) - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")


def one_line(sku: str = "SKU-1", quantity: int = 2, unit_price: str = "12.50") -> list[dict]:
    return [{"sku": sku, "quantity": quantity, "unit_price": unit_price, "title": "Kettle"}]


def test_search_orders_returns_orders_with_items_in_amazons_format(amazon_simulator, client):
    order = amazon_simulator.state.add_order(SELLER, UK, lines=one_line())

    response = client.get(ORDERS, params={"lastUpdatedAfter": an_hour_ago(), "marketplaceIds": UK})

    assert response.status_code == 200
    body = response.json()
    assert_matches_model(body, ORDERS_MODEL, "SearchOrdersResponse")
    [found] = body["orders"]
    assert found["orderId"] == order.order_id
    assert found["salesChannel"] == {"channelName": "AMAZON", "marketplaceId": UK, "marketplaceName": "Amazon.co.uk"}
    assert found["orderItems"][0]["product"]["sellerSku"] == "SKU-1"
    assert found["orderItems"][0]["quantityOrdered"] == 2


def test_status_and_money_come_only_when_asked_for(amazon_simulator, client):
    amazon_simulator.state.add_order(SELLER, UK, lines=one_line())
    params = {"createdAfter": an_hour_ago()}

    plain = client.get(ORDERS, params=params).json()["orders"][0]
    full = client.get(ORDERS, params={**params, "includedData": "FULFILLMENT,PROCEEDS"}).json()["orders"][0]

    assert "fulfillment" not in plain and "proceeds" not in plain
    assert "price" not in plain["orderItems"][0]["product"]
    assert (full["fulfillment"]["fulfillmentStatus"], full["fulfillment"]["fulfilledBy"]) == ("UNSHIPPED", "MERCHANT")
    assert full["proceeds"]["grandTotal"] == {"amount": "25.00", "currencyCode": "GBP"}
    assert full["orderItems"][0]["product"]["price"]["unitPrice"] == {"amount": "12.50", "currencyCode": "GBP"}


def test_search_needs_exactly_one_of_created_after_and_last_updated_after(client):
    response = client.get(ORDERS, params={"marketplaceIds": UK})

    assert response.status_code == 400
    assert_matches_model(response.json(), ORDERS_MODEL, "ErrorList")
    assert response.json()["errors"][0]["code"] == "InvalidInput"
    # Amazon's models list the header on a 400 as on a 200.
    assert response.headers["x-amzn-RateLimit-Limit"] == "0.0056"
    assert response.headers["x-amzn-RequestId"]


def test_search_filters_by_marketplace(amazon_simulator, client):
    amazon_simulator.state.add_order(SELLER, UK, lines=one_line())
    german = amazon_simulator.state.add_order(SELLER, DE, lines=one_line())

    orders = client.get(ORDERS, params={"createdAfter": an_hour_ago(), "marketplaceIds": DE}).json()["orders"]

    assert [order["orderId"] for order in orders] == [german.order_id]
    assert orders[0]["salesChannel"]["marketplaceName"] == "Amazon.de"


def test_search_pages_through_every_order_once(amazon_simulator, client):
    placed = {amazon_simulator.state.add_order(SELLER, UK, lines=one_line()).order_id for _ in range(7)}
    seen, params = [], {"createdAfter": an_hour_ago(), "maxResultsPerPage": "3"}

    while True:
        body = client.get(ORDERS, params=params).json()
        seen += [order["orderId"] for order in body["orders"]]
        if "pagination" not in body:
            break
        params = {"paginationToken": body["pagination"]["nextToken"]}

    assert sorted(seen) == sorted(placed)


def test_a_pagination_token_expires_24_hours_after_it_was_issued(amazon_simulator, client):
    for _ in range(3):
        amazon_simulator.state.add_order(SELLER, UK, lines=one_line())
    first = client.get(ORDERS, params={"createdAfter": an_hour_ago(), "maxResultsPerPage": "1"}).json()
    token = first["pagination"]["nextToken"]

    amazon_simulator.state.advance_clock(24 * 60 * 60 - 60)
    with sp_api_client(amazon_simulator.base_url) as later:  # the first access token lasted an hour
        in_time = later.get(ORDERS, params={"paginationToken": token})
        amazon_simulator.state.advance_clock(120)
        expired = later.get(ORDERS, params={"paginationToken": token})
        next_token = in_time.json()["pagination"]["nextToken"]
        fresher = later.get(ORDERS, params={"paginationToken": next_token})

    assert in_time.status_code == 200 and len(in_time.json()["orders"]) == 1
    assert expired.status_code == 400
    assert_matches_model(expired.json(), ORDERS_MODEL, "ErrorList")
    assert expired.json()["errors"][0]["code"] == "InvalidInput"
    assert "expired" in expired.json()["errors"][0]["message"]
    assert expired.headers["x-amzn-RateLimit-Limit"]
    assert fresher.status_code == 200  # each page's token counts from when that page was served


def test_a_status_change_moves_the_order_into_a_later_last_updated_search(amazon_simulator, client):
    order = amazon_simulator.state.add_order(SELLER, UK, lines=one_line())
    amazon_simulator.state.advance_clock(60)
    cut_off = amazon_simulator.state.now().strftime("%Y-%m-%dT%H:%M:%SZ")
    amazon_simulator.state.set_order_status(order.order_id, "SHIPPED")

    orders = client.get(ORDERS, params={"lastUpdatedAfter": cut_off, "includedData": "FULFILLMENT"}).json()["orders"]

    assert [o["orderId"] for o in orders] == [order.order_id]
    assert orders[0]["fulfillment"]["fulfillmentStatus"] == "SHIPPED"
    assert orders[0]["lastUpdatedTime"] > orders[0]["createdTime"]


def test_a_delayed_order_is_invisible_until_its_time(amazon_simulator, client):
    order = amazon_simulator.state.add_order(SELLER, UK, lines=one_line(), visible_after=120)
    params = {"createdAfter": an_hour_ago()}

    before = client.get(ORDERS, params=params).json()["orders"]
    hidden = client.get(f"{ORDERS}/{order.order_id}")
    amazon_simulator.state.advance_clock(121)
    after = client.get(ORDERS, params=params).json()["orders"]

    assert before == []
    assert hidden.status_code == 404
    assert [o["orderId"] for o in after] == [order.order_id]


def test_get_order_returns_one_order(amazon_simulator, client):
    order = amazon_simulator.state.add_order(SELLER, UK, lines=one_line(), status="SHIPPED")

    response = client.get(f"{ORDERS}/{order.order_id}", params={"includedData": "FULFILLMENT"})

    assert response.status_code == 200
    assert_matches_model(response.json(), ORDERS_MODEL, "GetOrderResponse")
    assert response.json()["order"]["orderItems"][0]["fulfillment"] == {
        "quantityFulfilled": 2,
        "quantityUnfulfilled": 0,
    }


def test_a_seller_never_sees_another_sellers_orders(amazon_simulator, client):
    amazon_simulator.state.add_seller("AOTHERSELLER", [UK])
    other = amazon_simulator.state.add_order("AOTHERSELLER", UK, lines=one_line())

    assert client.get(f"{ORDERS}/{other.order_id}").status_code == 404
    assert client.get(ORDERS, params={"createdAfter": an_hour_ago()}).json()["orders"] == []


def test_marketplace_participations_list_the_sellers_sites(client):
    response = client.get("/sellers/v1/marketplaceParticipations")

    assert response.status_code == 200
    assert_matches_model(response.json(), "sellers.json", "GetMarketplaceParticipationsResponse")
    sites = {p["marketplace"]["id"]: p["marketplace"]["countryCode"] for p in response.json()["payload"]}
    assert sites == {UK: "GB", DE: "DE"}
