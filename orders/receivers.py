"""What orders do when channels or stock change something they care about (connected in OrdersConfig.ready)."""

from __future__ import annotations

from django.dispatch import receiver

from channels.eligibility import Work
from channels.signals import listing_mappings_changed, work_requested
from orders.services import orders_reclassify
from orders.tasks import download_orders


@receiver(listing_mappings_changed)
def reclassify_orders_of_remapped_listings(*, integration_id: int, channel_skus: set[str], **kwargs) -> None:
    """Recent orders with these SKUs follow the new mappings, in the transaction that changed them."""
    orders_reclassify(integration_id=integration_id, channel_skus=channel_skus)


@receiver(work_requested)
def download_orders_now(*, integration_ids: list[int], work: Work, **kwargs) -> None:
    if work is Work.ORDERS:
        for integration_id in integration_ids:
            download_orders.delay_on_commit(integration_id)
