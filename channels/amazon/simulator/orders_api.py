"""Orders API v2026-01-01: searchOrders and getOrder, items always included; status, money, recipient, cancellations
and packages on request (includedData).

Pagination is keyset-based: the token carries the search and the last (time, orderId) returned, and every page is
cut at the time of the first request (returned as lastUpdatedBefore / createdBefore), so orders changing while a
client pages through neither repeat nor vanish; they show up in the next search from that cut-off. A token expires
24 hours after it was issued, on the simulator's clock (Amazon's rule, in the model's `pagination` description).
"""

from __future__ import annotations

import base64
import binascii
import heapq
import json
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from operator import attrgetter
from typing import Any

from channels.amazon.marketplaces import marketplace_by_id
from channels.amazon.simulator import sites
from channels.amazon.simulator.models import Order, OrderLine, Package
from channels.amazon.simulator.routing import (
    BadRequest,
    Exchange,
    Response,
    Router,
    errors_response,
    iso,
    json_response,
)

BASE = "/orders/2026-01-01/orders"
INCLUDED_DATA = (
    "BUYER",
    "RECIPIENT",
    "PROCEEDS",
    "EXPENSE",
    "PROMOTION",
    "CANCELLATION",
    "FULFILLMENT",
    "PACKAGES",
    "TAX",
    "PAYMENT",
    "FULFILLMENT_ORDERS",
)
MAX_RESULTS_PER_PAGE = 100
PAGINATION_TOKEN_SECONDS = 24 * 60 * 60


def register(router: Router) -> None:
    router.add("GET", BASE, search_orders, operation="searchOrders", sp_api=True)
    router.add("GET", BASE + "/{orderId}", get_order, operation="getOrder", sp_api=True)


@dataclass
class _Search:
    by: str  # "lastUpdatedTime" or "createdTime"
    after: str
    before: str
    marketplace_ids: list[str]
    statuses: list[str]
    fulfilled_by: list[str]
    max_results: int
    cursor: tuple[str, str] | None = None
    token_issued_at: float = 0.0  # the simulator's clock, in seconds

    def key(self, order: Order) -> tuple[datetime, str]:
        return (order.last_updated_at if self.by == "lastUpdatedTime" else order.created_at), order.order_id

    def page(self, orders: list[Order]) -> list[Order]:
        """The next page from the cursor on, and one order more if another page follows. The search's times are
        parsed once, not per order: a page is asked of all the seller's orders."""
        after, before = _parse_time(self.after), _parse_time(self.before)
        cursor = (_parse_time(self.cursor[0]), self.cursor[1]) if self.cursor else None
        moment = attrgetter("last_updated_at" if self.by == "lastUpdatedTime" else "created_at")
        found = [
            order
            for order in orders
            if after <= moment(order) <= before
            and (cursor is None or (moment(order), order.order_id) > cursor)
            and (not self.marketplace_ids or order.marketplace_id in self.marketplace_ids)
            and (not self.statuses or order.status in self.statuses)
            and (not self.fulfilled_by or order.fulfilled_by in self.fulfilled_by)
        ]
        return heapq.nsmallest(self.max_results + 1, found, key=self.key)


def search_orders(exchange: Exchange) -> Response:
    request = exchange.request
    token = request.param("paginationToken")
    search = _decode_token(token, now=exchange.state.clock()) if token else _new_search(exchange)
    included = _included_data(exchange)
    orders = search.page(exchange.state.visible_orders(exchange.selling_partner_id or ""))
    page = orders[: search.max_results]
    body: dict[str, Any] = {
        "orders": [order_json(order, included) for order in page],
        "lastUpdatedBefore" if search.by == "lastUpdatedTime" else "createdBefore": iso(_parse_time(search.before)),
    }
    if len(orders) > len(page):
        last_time, last_id = search.key(page[-1])
        search.cursor = (last_time.isoformat(), last_id)
        search.token_issued_at = exchange.state.clock()
        body["pagination"] = {"nextToken": _encode_token(search)}
    return json_response(200, body)


def get_order(exchange: Exchange) -> Response:
    order_id = exchange.path_params["orderId"]
    visible = {order.order_id: order for order in exchange.state.visible_orders(exchange.selling_partner_id or "")}
    if order_id not in visible:
        return errors_response(404, "NotFound", f"Order {order_id} was not found.")
    return json_response(200, {"order": order_json(visible[order_id], _included_data(exchange))})


def order_json(order: Order, included: set[str]) -> dict[str, Any]:
    marketplace = marketplace_by_id(order.marketplace_id)
    body: dict[str, Any] = {
        "orderId": order.order_id,
        "createdTime": iso(order.created_at),
        "lastUpdatedTime": iso(order.last_updated_at),
        "salesChannel": {
            "channelName": "AMAZON",
            "marketplaceId": order.marketplace_id,
            "marketplaceName": sites.store_name(marketplace),
        },
        "orderItems": [_item_json(order, line, included) for line in order.lines],
    }
    if "FULFILLMENT" in included:
        body["fulfillment"] = _fulfillment_json(order)
    if "PROCEEDS" in included:
        body["proceeds"] = {"grandTotal": _money(order.total, order.currency)}
    # Amazon releases the address once the order is paid for (no longer PENDING), and only to the seller who ships.
    if "RECIPIENT" in included and order.recipient and order.fulfilled_by == "MERCHANT" and order.status != "PENDING":
        body["recipient"] = {"deliveryAddress": dict(order.recipient)}
    if "PACKAGES" in included and order.packages:
        body["packages"] = [_package_json(package) for package in order.packages]
    return body


def _fulfillment_json(order: Order) -> dict[str, Any]:
    fulfillment: dict[str, Any] = {"fulfillmentStatus": order.status, "fulfilledBy": order.fulfilled_by}
    if order.ship_by and order.fulfilled_by == "MERCHANT":
        fulfillment["shipByWindow"] = {"earliestDateTime": iso(order.created_at), "latestDateTime": iso(order.ship_by)}
    return fulfillment


def _package_json(package: Package) -> dict[str, Any]:
    body: dict[str, Any] = {
        "packageReferenceId": package.package_reference_id,
        "createdTime": iso(package.created_at),
        "packageStatus": {"status": "SHIPPED"},
        "carrier": package.carrier_name or package.carrier_code,
        "shipTime": iso(package.ship_date),
        "trackingNumber": package.tracking_number,
        "packageItems": [{"orderItemId": item_id, "quantity": quantity} for item_id, quantity in package.items],
    }
    if package.shipping_method:
        body["shippingService"] = package.shipping_method
    return body


def _item_json(order: Order, line: OrderLine, included: set[str]) -> dict[str, Any]:
    product: dict[str, Any] = {
        "asin": line.asin,
        "title": line.title,
        "sellerSku": line.sku,
        "condition": {"conditionType": "NEW", "conditionSubtype": "NEW"},
    }
    item: dict[str, Any] = {"orderItemId": line.order_item_id, "quantityOrdered": line.quantity, "product": product}
    if "PROCEEDS" in included:
        product["price"] = {"unitPrice": _money(line.unit_price, order.currency)}
        item["proceeds"] = {"proceedsTotal": _money(line.unit_price * line.quantity, order.currency)}
    if "FULFILLMENT" in included:
        item["fulfillment"] = {
            "quantityFulfilled": line.quantity_shipped,
            "quantityUnfulfilled": line.quantity_unshipped,
        }
    if "CANCELLATION" in included and line.quantity_cancelled:
        execution = {"cancelledBy": line.cancelled_by or "AMAZON", "cancelReason": line.cancel_reason or "Cancelled"}
        item["cancellation"] = {"cancellationExecution": execution}
    return item


def _money(amount: Any, currency: str) -> dict[str, str]:
    return {"amount": f"{amount:.2f}", "currencyCode": currency}


def _new_search(exchange: Exchange) -> _Search:
    request = exchange.request
    created_after, updated_after = request.param("createdAfter"), request.param("lastUpdatedAfter")
    if bool(created_after) == bool(updated_after):
        raise BadRequest("Exactly one of createdAfter and lastUpdatedAfter must be provided.")
    by = "createdTime" if created_after else "lastUpdatedTime"
    before = request.param("createdBefore" if created_after else "lastUpdatedBefore")
    now = exchange.state.now()
    return _Search(
        by=by,
        after=_parse_time(created_after or updated_after or "").isoformat(),
        before=(_parse_time(before) if before else now).isoformat(),
        marketplace_ids=request.params("marketplaceIds"),
        statuses=request.params("fulfillmentStatuses"),
        fulfilled_by=request.params("fulfilledBy"),
        max_results=_max_results(request.param("maxResultsPerPage")),
    )


def _included_data(exchange: Exchange) -> set[str]:
    included = set(exchange.request.params("includedData"))
    unknown = included - set(INCLUDED_DATA)
    if unknown:
        raise BadRequest(f"Invalid includedData value(s): {', '.join(sorted(unknown))}.")
    return included


def _max_results(value: str | None) -> int:
    if value is None:
        return MAX_RESULTS_PER_PAGE
    if not value.isdigit() or not 1 <= int(value) <= MAX_RESULTS_PER_PAGE:
        raise BadRequest("maxResultsPerPage must be between 1 and 100.")
    return int(value)


def _parse_time(value: str) -> datetime:
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise BadRequest(f"{value!r} is not an ISO 8601 date-time.") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _encode_token(search: _Search) -> str:
    return base64.urlsafe_b64encode(json.dumps(asdict(search)).encode()).decode()


def _decode_token(token: str, *, now: float) -> _Search:
    try:
        fields = json.loads(base64.urlsafe_b64decode(token.encode()))
        fields["cursor"] = tuple(fields["cursor"])
        search = _Search(**fields)
    except (binascii.Error, ValueError, TypeError, KeyError):
        raise BadRequest("The paginationToken is invalid.") from None
    if now - search.token_issued_at > PAGINATION_TOKEN_SECONDS:
        raise BadRequest("The paginationToken has expired: tokens are valid for 24 hours. Search again without it.")
    return search
