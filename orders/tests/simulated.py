"""An integration connected to the Amazon simulator, and orders placed there."""

from __future__ import annotations

import uuid

from channels.amazon.simulator.testing import authorise
from channels.tests.factories import IntegrationFactory
from orders.models import Order, OrderLine

UK = "A1F83G8C2ARO7P"
DE = "A1PA6795UKMFR9"


def connected_integration(simulator, **fields):
    """An authorised UK integration whose seller (a fresh id, so no shared rate-limit bucket) sells on UK and DE."""
    selling_partner_id = f"A{uuid.uuid4().hex[:13].upper()}"
    simulator.state.add_seller(selling_partner_id, [UK, DE])
    refresh_token = authorise(simulator.base_url, selling_partner_id)["refresh_token"]
    return IntegrationFactory(selling_partner_id=selling_partner_id, refresh_token=refresh_token, **fields)


def place_orders(simulator, integration, count: int, *, skus=("SKU-A", "SKU-B"), marketplace_id=UK, **fields):
    return [
        simulator.state.add_order(
            integration.selling_partner_id,
            marketplace_id,
            lines=[{"sku": sku, "quantity": 1, "unit_price": "5.00"} for sku in skus],
            **fields,
        )
        for _ in range(count)
    ]


def stored(integration) -> tuple[list[str], list[tuple[str, str]]]:
    """(Amazon order ids, (order id, item id) of lines) stored for the integration, sorted, duplicates kept."""
    orders = sorted(Order.objects.filter(integration=integration).values_list("amazon_order_id", flat=True))
    lines = sorted(
        OrderLine.objects.filter(order__integration=integration).values_list("order__amazon_order_id", "order_item_id")
    )
    return orders, lines


def expected(simulator_orders) -> tuple[list[str], list[tuple[str, str]]]:
    orders = sorted(order.order_id for order in simulator_orders)
    lines = sorted((order.order_id, line.order_item_id) for order in simulator_orders for line in order.lines)
    return orders, lines
