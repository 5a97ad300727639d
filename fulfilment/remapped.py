"""Dispatches for orders downloaded before their SKUs were mapped: made when the seller maps them.

A stored order keeps no recipient, so the order is read again from Amazon (`includedData=RECIPIENT`, in the
background, after the mapping change commits) and goes through the download's own service, dispatches_from_orders:
once per Amazon order and supplier, whoever makes it first. A line already on a dispatch stays where it is, so a
mapping change never sends one line to a second supplier.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.db import transaction
from django.db.models import Exists, OuterRef

from channels.amazon.gateway import gateway_for
from channels.eligibility import Work, may
from fulfilment.dispatches import READY_TO_SHIP, dispatches_from_orders
from fulfilment.models import DispatchLine
from orders.models import FulfilledBy, Order, OrderLine
from orders.services import order_downloads_lock
from orders.signals import StoredOrder


def orders_with_undispatched_lines(*, order_ids: Iterable[int]) -> dict[int, dict[str, int]]:
    """Per order ready to ship on a live integration: its mapped lines on no dispatch yet (item id → product id).

    As stored; Amazon's answer is what decides in the end (see remapped_order_dispatch).
    """
    on_a_dispatch = DispatchLine.objects.filter(
        dispatch__account_id=OuterRef("order__integration__account_id"),
        dispatch__amazon_order_id=OuterRef("order__amazon_order_id"),
        order_item_id=OuterRef("order_item_id"),
    )
    rows = (
        OrderLine.objects.filter(
            order_id__in=list(order_ids),
            product__isnull=False,
            order__status__in=READY_TO_SHIP,
            order__integration__removed_at__isnull=True,
        )
        .exclude(order__fulfilled_by=FulfilledBy.AMAZON)
        .exclude(Exists(on_a_dispatch))
        .values_list("order_id", "order_item_id", "product_id")
    )
    undispatched: dict[int, dict[str, int]] = defaultdict(dict)
    for order_id, order_item_id, product_id in rows:
        undispatched[order_id][order_item_id] = product_id
    return dict(undispatched)


def remapped_order_dispatch(*, order_id: int) -> int:
    """Read the order from Amazon and dispatch its undispatched mapped lines; returns how many dispatches changed.

    Nothing is asked of Amazon when every mapped line is already on a dispatch (a repeated mapping, a download
    that got there first). Raises AmazonError for the task to classify; IntegrityError when a download of
    another integration with the same seller id made the dispatch at the same moment (the task tries again).
    """
    if not orders_with_undispatched_lines(order_ids=[order_id]):
        return 0
    order = Order.objects.select_related("integration").get(pk=order_id)
    if not may(order.integration, Work.ORDERS):
        return 0
    with gateway_for(order.integration) as gateway:
        amazon = gateway.get_order(order.amazon_order_id)
    if amazon.status not in READY_TO_SHIP:
        return 0  # paid, shipped or cancelled meanwhile: the next download carries that to the order
    with transaction.atomic():
        # Serialised with the integration's download pages, then checked again: one of them may have just made it.
        order_downloads_lock(integration_id=order.integration_id)
        undispatched = orders_with_undispatched_lines(order_ids=[order_id]).get(order_id, {})
        lines = tuple(
            (line, undispatched[line.order_item_id]) for line in amazon.lines if line.order_item_id in undispatched
        )
        if not lines:
            return 0
        return dispatches_from_orders(integration=order.integration, orders=[StoredOrder(order_id, amazon, lines)])
