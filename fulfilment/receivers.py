"""What fulfilment does when orders change (connected in FulfilmentConfig.ready)."""

from __future__ import annotations

from django.dispatch import receiver

from fulfilment.dispatches import dispatches_from_orders
from fulfilment.personal_data import personal_data_wipe
from orders.signals import orders_purging, orders_stored


@receiver(orders_stored)
def dispatch_stored_orders(*, integration, orders, **kwargs) -> None:
    """The stored orders' dispatches follow them, in the transaction that stored them."""
    dispatches_from_orders(integration=integration, orders=orders)


@receiver(orders_purging)
def wipe_personal_data(*, now, **kwargs) -> str:
    return personal_data_wipe(now=now)
