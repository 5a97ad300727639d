"""The /_sim/ control surface: inspect and steer the simulator over HTTP from outside the process.

Bodies are JSON; errors answer 400 {"error": "invalid_request", "error_description": ...}.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar

from channels.amazon.simulator.faults import FAULT_KINDS
from channels.amazon.simulator.routing import BadRequest, Exchange, Response, Router, json_response
from channels.amazon.simulator.state import UnknownSeller

PREFIX = "/_sim"

_T = TypeVar("_T")


def register(router: Router) -> None:
    router.add("GET", PREFIX + "/state", show_state)
    router.add("GET", PREFIX + "/counts", show_counts)
    router.add("POST", PREFIX + "/sellers", add_seller)
    router.add("POST", PREFIX + "/orders", add_order)
    router.add("POST", PREFIX + "/orders/status", set_order_status)
    router.add("POST", PREFIX + "/orders/cancel", cancel_order)
    router.add("POST", PREFIX + "/listings", set_listing)
    router.add("POST", PREFIX + "/faults", add_fault)
    router.add("DELETE", PREFIX + "/faults", clear_faults)
    router.add("POST", PREFIX + "/revoke", revoke)
    router.add("POST", PREFIX + "/speedup", set_speedup)
    router.add("POST", PREFIX + "/settings", change_settings)
    router.add("POST", PREFIX + "/clock", advance_clock)
    router.add("POST", PREFIX + "/reset", reset)


def show_state(exchange: Exchange) -> Response:
    calls = exchange.request.param("calls") or "50"
    if not calls.isdigit():
        raise BadRequest("calls must be a whole number.")
    return json_response(200, exchange.state.snapshot(calls=int(calls)))


def show_counts(exchange: Exchange) -> Response:
    return json_response(200, exchange.state.call_counts())


def add_seller(exchange: Exchange) -> Response:
    body = _body(exchange)
    marketplace_ids = body.get("marketplace_ids")
    if not isinstance(marketplace_ids, list) or not marketplace_ids:
        raise BadRequest("marketplace_ids must list at least one marketplace id.")
    try:
        seller = exchange.state.add_seller(
            _required(body, "selling_partner_id"), marketplace_ids, store_name=body.get("store_name")
        )
    except LookupError as error:
        raise BadRequest(str(error)) from None
    return json_response(
        201, {"selling_partner_id": seller.selling_partner_id, "marketplace_ids": seller.marketplace_ids}
    )


def add_order(exchange: Exchange) -> Response:
    body = _body(exchange)
    options = {
        key: body[key]
        for key in ("lines", "status", "fulfilled_by", "order_id", "visible_after", "recipient")
        if key in body
    }
    if body.get("ship_by"):
        options["ship_by"] = _date_time(body["ship_by"])
    order = _seller_call(
        lambda: exchange.state.add_order(
            _required(body, "selling_partner_id"), _required(body, "marketplace_id"), **options
        )
    )
    return json_response(201, {"order_id": order.order_id, "created_at": order.created_at.isoformat()})


def set_order_status(exchange: Exchange) -> Response:
    body = _body(exchange)
    try:
        order = exchange.state.set_order_status(_required(body, "order_id"), _required(body, "status"))
    except LookupError as error:
        raise BadRequest(str(error)) from None
    return json_response(200, {"order_id": order.order_id, "status": order.status})


def cancel_order(exchange: Exchange) -> Response:
    """Cancel on Amazon's side: the whole order, or the items listed in order_item_ids (units not yet shipped)."""
    body = _body(exchange)
    order_item_ids = body.get("order_item_ids")
    if order_item_ids is not None and (
        not isinstance(order_item_ids, list) or not all(isinstance(item, str) for item in order_item_ids)
    ):
        raise BadRequest("order_item_ids must be a list of order item ids.")
    options = {key: body[key] for key in ("cancelled_by", "reason") if body.get(key)}
    order = _seller_call(lambda: exchange.state.cancel_order(_required(body, "order_id"), order_item_ids, **options))
    return json_response(200, {"order_id": order.order_id, "status": order.status})


def set_listing(exchange: Exchange) -> Response:
    body = _body(exchange)
    listing = _seller_call(
        lambda: exchange.state.set_listing(
            _required(body, "selling_partner_id"),
            _required(body, "marketplace_id"),
            _required(body, "sku"),
            quantity=body.get("quantity"),
            price=body.get("price"),
            title=body.get("title"),
        )
    )
    price = str(listing.price) if listing.price is not None else None
    return json_response(200, {"sku": listing.sku, "quantity": listing.quantity, "price": price})


def add_fault(exchange: Exchange) -> Response:
    body = _body(exchange)
    kind = _required(body, "kind")
    if kind not in FAULT_KINDS:
        raise BadRequest(f"kind must be one of {', '.join(FAULT_KINDS)}.")
    fault = exchange.state.inject_fault(
        _required(body, "operation"),
        kind,
        body.get("count", 1),
        selling_partner_id=body.get("selling_partner_id"),
        delay=float(body.get("delay", 0.0)),
        after=int(body.get("after", 0)),
    )
    return json_response(201, fault.as_dict())


def clear_faults(exchange: Exchange) -> Response:
    exchange.state.faults.clear()
    return json_response(200, {"faults": []})


def revoke(exchange: Exchange) -> Response:
    selling_partner_id = _required(_body(exchange), "selling_partner_id")
    exchange.state.revoke(selling_partner_id)
    return json_response(200, {"revoked": selling_partner_id})


def set_speedup(exchange: Exchange) -> Response:
    speedup = _body(exchange).get("speedup")
    if not isinstance(speedup, int | float) or isinstance(speedup, bool) or speedup <= 0:
        raise BadRequest("speedup must be a number greater than 0.")
    exchange.state.speedup = float(speedup)
    return json_response(200, {"speedup": exchange.state.speedup})


def change_settings(exchange: Exchange) -> Response:
    body = _body(exchange)
    if "gzip_reports" in body:
        exchange.state.gzip_reports = bool(body["gzip_reports"])
    return json_response(200, {"gzip_reports": exchange.state.gzip_reports})


def advance_clock(exchange: Exchange) -> Response:
    seconds = _body(exchange).get("seconds")
    if not isinstance(seconds, int | float) or seconds < 0:
        raise BadRequest("seconds must be a number of 0 or more.")
    exchange.state.advance_clock(float(seconds))
    return json_response(200, {"now": exchange.state.now().isoformat()})


def reset(exchange: Exchange) -> Response:
    exchange.state.reset()
    return json_response(200, {"reset": True})


def _body(exchange: Exchange) -> dict[str, Any]:
    body = exchange.request.json()
    if body is None:
        return {}
    if not isinstance(body, dict):
        raise BadRequest("The body must be a JSON object.")
    return body


def _required(body: dict[str, Any], name: str) -> Any:
    if body.get(name) in (None, ""):
        raise BadRequest(f"{name} is required.")
    return body[name]


def _date_time(value: Any) -> datetime:
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        raise BadRequest(f"{value!r} is not an ISO 8601 date-time.") from None
    if moment.tzinfo is None:
        raise BadRequest(f"{value!r} needs a time zone.")
    return moment


def _seller_call(call: Callable[[], _T]) -> _T:
    """Run a state helper, turning an unknown seller or a bad field into a 400."""
    try:
        return call()
    except (UnknownSeller, LookupError, KeyError, ValueError, TypeError) as error:
        raise BadRequest(str(error)) from None
