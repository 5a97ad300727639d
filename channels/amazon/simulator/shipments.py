"""confirmShipment's checks, as strict as Amazon: the request against ordersV0.json's ConfirmShipmentRequest,
then against the order (this seller's, merchant-fulfilled, ready to ship, items that exist, quantities no more
than unshipped, nothing cancelled, a package reference not used before). Pure functions over the records."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from channels.amazon.simulator.models import Order, Package
from channels.amazon.simulator.routing import BadRequest

_REQUEST_FIELDS = {"marketplaceId", "packageDetail", "codCollectionMethod"}
_PACKAGE_FIELDS = {
    "packageReferenceId",
    "carrierCode",
    "carrierName",
    "shippingMethod",
    "trackingNumber",
    "shipDate",
    "shipFromSupplySourceId",
    "orderItems",
}
_PACKAGE_REQUIRED = ("packageReferenceId", "carrierCode", "trackingNumber", "shipDate", "orderItems")
_ITEM_FIELDS = {"orderItemId", "quantity", "transparencyCodes"}
_POSITIVE_NUMBER = re.compile(r"^[1-9][0-9]*$")
READY_TO_SHIP = ("UNSHIPPED", "PARTIALLY_SHIPPED")


def package_from_request(body: Any, order: Order, *, now: datetime) -> Package:
    """The package a confirmShipment body describes for `order`, or BadRequest saying what Amazon would."""
    package = _package_detail(body, order)
    reference = package["packageReferenceId"]
    if any(existing.package_reference_id == reference for existing in order.packages):
        raise BadRequest(f"Package reference id {reference} has already been used for order {order.order_id}.")
    items = _order_items(package["orderItems"], order)
    return Package(
        package_reference_id=reference,
        carrier_code=package["carrierCode"],
        carrier_name=package.get("carrierName"),
        tracking_number=package["trackingNumber"],
        ship_date=_date_time(package["shipDate"]),
        shipping_method=package.get("shippingMethod"),
        items=items,
        created_at=now,
    )


def _package_detail(body: Any, order: Order) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise BadRequest("The request body must be a ConfirmShipmentRequest object.")
    _only_known(body, _REQUEST_FIELDS, "the request")
    if body.get("marketplaceId") != order.marketplace_id:
        raise BadRequest(f"marketplaceId must be the order's marketplace, {order.marketplace_id}.")
    package = body.get("packageDetail")
    if not isinstance(package, dict):
        raise BadRequest("packageDetail is required.")
    _only_known(package, _PACKAGE_FIELDS, "packageDetail")
    for name in _PACKAGE_REQUIRED:
        if package.get(name) in (None, "", []):
            raise BadRequest(f"packageDetail.{name} is required.")
    for name in _PACKAGE_FIELDS - {"orderItems"}:
        if name in package and not isinstance(package[name], str):
            raise BadRequest(f"packageDetail.{name} must be a string.")
    if not _POSITIVE_NUMBER.match(package["packageReferenceId"]):
        raise BadRequest("packageReferenceId must be a positive number.")
    if package["carrierCode"] == "Other" and not package.get("carrierName"):
        raise BadRequest('carrierName is required when carrierCode is "Other".')
    if not isinstance(package["orderItems"], list):
        raise BadRequest("packageDetail.orderItems must be a list.")
    return package


def _order_items(raw_items: list[Any], order: Order) -> list[tuple[str, int]]:
    if order.fulfilled_by != "MERCHANT":
        raise BadRequest(f"Order {order.order_id} is fulfilled by Amazon; only seller-fulfilled orders are confirmed.")
    if order.status == "CANCELLED":
        raise BadRequest(f"Order {order.order_id} is cancelled.")
    if order.status not in READY_TO_SHIP:
        raise BadRequest(f"Order {order.order_id} is {order.status} and cannot be shipped yet.")
    items: dict[str, int] = {}
    for raw in raw_items:
        order_item_id, quantity = _item(raw)
        line = order.line(order_item_id)
        if line is None:
            raise BadRequest(f"Order item {order_item_id} is not part of order {order.order_id}.")
        if order_item_id in items:
            raise BadRequest(f"Order item {order_item_id} is listed twice.")
        if line.quantity_cancelled and not line.quantity_unshipped:
            raise BadRequest(f"Order item {order_item_id} is cancelled.")
        if quantity > line.quantity_unshipped:
            raise BadRequest(
                f"Quantity {quantity} for order item {order_item_id} is more than the "
                f"{line.quantity_unshipped} still to ship."
            )
        items[order_item_id] = quantity
    return list(items.items())


def _item(raw: Any) -> tuple[str, int]:
    if not isinstance(raw, dict):
        raise BadRequest("Each of orderItems must be an object.")
    _only_known(raw, _ITEM_FIELDS, "an order item")
    order_item_id, quantity = raw.get("orderItemId"), raw.get("quantity")
    if not isinstance(order_item_id, str) or not order_item_id:
        raise BadRequest("orderItemId is required.")
    if not isinstance(quantity, int) or isinstance(quantity, bool) or quantity < 1:
        raise BadRequest(f"quantity for order item {order_item_id} must be a whole number of 1 or more.")
    return order_item_id, quantity


def _only_known(data: dict[str, Any], known: set[str], where: str) -> None:
    unknown = sorted(set(data) - known)
    if unknown:
        raise BadRequest(f"Unexpected field(s) in {where}: {', '.join(unknown)}.")


def _date_time(value: str) -> datetime:
    # ISO 8601 date-time with a time zone, as the model's `format: date-time` (RFC 3339) requires.
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        moment = None
    if moment is None or "T" not in value or moment.tzinfo is None:
        raise BadRequest(f"shipDate {value!r} is not an ISO 8601 date-time with a time zone.")
    return moment.astimezone(UTC)
