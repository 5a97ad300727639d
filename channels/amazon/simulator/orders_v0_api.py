"""Orders API v0: confirmShipment, the one v0 operation that is not deprecated (checks in shipments.py)."""

from __future__ import annotations

from channels.amazon.simulator.routing import Exchange, Response, Router, errors_response

CONFIRM_SHIPMENT = "/orders/v0/orders/{orderId}/shipmentConfirmation"


def register(router: Router) -> None:
    router.add("POST", CONFIRM_SHIPMENT, confirm_shipment, operation="confirmShipment", sp_api=True)


def confirm_shipment(exchange: Exchange) -> Response:
    order_id = exchange.path_params["orderId"]
    body = exchange.request.json()
    package = exchange.state.confirm_shipment(exchange.selling_partner_id or "", order_id, body)
    if package is None:
        return errors_response(404, "NotFound", f"Order {order_id} was not found.")
    return Response(204)
