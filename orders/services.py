"""Writes to orders: reclassification after mapping changes, and purging expired non-Avasam orders.

The download itself is in orders.download; analytics' tallies of purged orders in orders.analytics.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from channels.listings import mapped_products
from channels.models import Integration
from orders.analytics import orders_count_before_purge
from orders.classification import classify_order
from orders.models import FulfilledBy, Order, OrderDownload, OrderLine, PurgedOrder
from orders.signals import orders_remapped


def retention_expiry(*, imported_at: datetime) -> datetime:
    return imported_at + timedelta(days=settings.ORDER_NON_AVASAM_RETENTION_DAYS)


def order_downloads_lock(*, integration_id: int) -> None:
    """Serialise with the integration's download pages, so no page commits orders classified on stale mappings."""
    list(OrderDownload.objects.select_for_update().filter(integration_id=integration_id).values_list("pk"))


@transaction.atomic
def orders_reclassify(*, integration_id: int, channel_skus: set[str]) -> int:
    """Re-link lines with these SKUs to their mapped products and recompute their orders' kind.

    Only orders still within their non-Avasam retention follow mapping changes; older ones keep
    what they were. Returns how many orders changed (their kind or any line's product).
    1. Lock the integration's download row, then read the current mappings of these SKUs.
    2. Load every line of the affected orders and give the SKUs' lines their mapped product
       (none for orders fulfilled by Amazon, which are never Avasam).
    3. Classify each order with the integration's settings: splitting drops the unmapped lines of
       a now-mixed order. Exclusion never deletes an order already imported.
    4. Write the changed lines and orders in bulk; tell other apps (fulfilment) which orders' lines
       got a product.
    """
    channel_skus = set(channel_skus)
    if not channel_skus:
        return 0
    integration = Integration.objects.only("exclude_non_avasam_orders", "split_orders_with_unknown_skus").get(
        pk=integration_id
    )
    order_downloads_lock(integration_id=integration_id)
    now = timezone.now()
    mapping = mapped_products(integration_id=integration_id, channel_skus=channel_skus)
    affected = (
        Order.objects.filter(integration_id=integration_id, lines__channel_sku__in=channel_skus)
        .within_retention(now)
        .values("pk")
    )
    orders = {order.pk: order for order in Order.objects.filter(pk__in=affected).only("pk", "kind", "fulfilled_by")}
    lines_by_order: dict[int, list[OrderLine]] = defaultdict(list)
    for line in OrderLine.objects.filter(order_id__in=orders).only("pk", "order_id", "channel_sku", "product_id"):
        lines_by_order[line.order_id].append(line)

    changed_lines: list[OrderLine] = []
    dropped_line_ids: list[int] = []
    changed_orders: set[int] = set()
    for order_id, lines in lines_by_order.items():
        order = orders[order_id]
        by_amazon = order.fulfilled_by == FulfilledBy.AMAZON
        for line in lines:
            if line.channel_sku in channel_skus:
                product_id = None if by_amazon else mapping.get(line.channel_sku)
                if product_id != line.product_id:
                    line.product_id = product_id
                    changed_lines.append(line)
                    changed_orders.add(order_id)
        decision = classify_order(
            fulfilled_by_amazon=by_amazon,
            lines_mapped=[line.product_id is not None for line in lines],
            exclude_non_avasam_orders=integration.exclude_non_avasam_orders,
            split_orders_with_unknown_skus=integration.split_orders_with_unknown_skus,
        )
        if decision.imported and len(decision.kept_lines) < len(lines):
            kept = set(decision.kept_lines)
            dropped_line_ids.extend(line.pk for index, line in enumerate(lines) if index not in kept)
            changed_orders.add(order_id)
        if decision.kind != order.kind:
            order.kind = decision.kind
            changed_orders.add(order_id)
        order.updated_at = now

    if changed_lines:
        OrderLine.objects.bulk_update(changed_lines, ["product"], batch_size=1000)
    if dropped_line_ids:
        OrderLine.objects.filter(pk__in=dropped_line_ids).delete()
    if changed_orders:
        Order.objects.bulk_update([orders[pk] for pk in changed_orders], ["kind", "updated_at"], batch_size=1000)
    mapped_order_ids = sorted({line.order_id for line in changed_lines if line.product_id is not None})
    if mapped_order_ids:
        orders_remapped.send(sender=Order, integration_id=integration_id, order_ids=mapped_order_ids)
    return len(changed_orders)


def orders_purge_expired(*, now: datetime | None = None) -> int:
    """Delete non-Avasam orders whose retention has run out; returns how many orders were deleted.

    Each deleted order leaves a tombstone, so the download does not import it again as non-Avasam when
    it changes on Amazon later (it comes back only if its SKUs have been mapped since).
    """
    now = now or timezone.now()
    # Past the first download's reach an untouched order is never asked for again; its tombstone can go.
    PurgedOrder.objects.filter(purged_at__lt=now - timedelta(days=2 * settings.ORDER_FIRST_DOWNLOAD_DAYS)).delete()
    deleted = 0
    while True:
        with transaction.atomic():
            expired = Order.objects.expired_non_avasam(now).select_for_update().order_by("pk")
            batch = list(expired.values_list("pk", flat=True)[:5000])
            if not batch:
                return deleted
            PurgedOrder.objects.bulk_create(
                [
                    PurgedOrder(integration_id=integration_id, amazon_order_id=amazon_order_id, purged_at=now)
                    for integration_id, amazon_order_id in Order.objects.filter(pk__in=batch).values_list(
                        "integration_id", "amazon_order_id"
                    )
                ],
                ignore_conflicts=True,
            )
            orders_count_before_purge(order_ids=batch)  # analytics keep counting them
            OrderLine.objects.filter(order_id__in=batch).delete()
            deleted += Order.objects.filter(pk__in=batch).delete()[0]
