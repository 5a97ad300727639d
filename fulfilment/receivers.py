"""What fulfilment does when orders change (connected in FulfilmentConfig.ready)."""

from __future__ import annotations

from django.dispatch import receiver

from fulfilment.dispatches import dispatches_from_orders
from fulfilment.personal_data import personal_data_wipe
from fulfilment.remapped import orders_with_undispatched_lines
from fulfilment.tasks import dispatch_remapped_order
from orders.signals import orders_purging, orders_remapped, orders_stored


@receiver(orders_stored)
def dispatch_stored_orders(*, integration, orders, **kwargs) -> None:
    """The stored orders' dispatches follow them, in the transaction that stored them."""
    dispatches_from_orders(integration=integration, orders=orders)


@receiver(orders_remapped)
def dispatch_remapped_orders(*, integration_id, order_ids, **kwargs) -> None:
    """Orders ready to ship whose lines just got a product are dispatched once the mapping change commits."""
    for order_id in orders_with_undispatched_lines(order_ids=order_ids):
        dispatch_remapped_order.delay_on_commit(order_id=order_id, integration_id=integration_id)


@receiver(orders_purging)
def wipe_personal_data(*, now, **kwargs) -> str:
    return personal_data_wipe(now=now)
