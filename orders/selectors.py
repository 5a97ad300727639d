"""Reads of orders: the seller's order list, one order, the CSV export, and SKUs seen in orders."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from django.db.models import Count, Q
from django.utils import timezone

from accounts.models import SellerAccount
from orders import extensions
from orders.models import Order, OrderLine


def channel_skus_seen(*, integration_id: int) -> set[str]:
    """Every listing SKU that appears in this integration's order lines."""
    return set(
        OrderLine.objects.filter(order__integration_id=integration_id).values_list("channel_sku", flat=True).distinct()
    )


@dataclass(frozen=True)
class OrderFilters:
    integration_id: int | None = None
    kind: str | None = None
    status: str | None = None
    purchased_from: date | None = None
    purchased_to: date | None = None
    extra: str | None = None  # the registered extension's filter (fulfilment's state)
    # A removed integration's orders stay for the record but are left out unless asked for (or its own filter).
    include_removed: bool = False


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=timezone.get_current_timezone())


def order_list(*, account: SellerAccount, filters: OrderFilters | None = None):
    """The seller's orders matching the filters, newest first (`with_line_counts` adds what the list shows)."""
    filters = filters or OrderFilters()
    orders = Order.objects.for_account(account).select_related("integration")
    if filters.integration_id is not None:
        orders = orders.filter(integration_id=filters.integration_id)
    elif not filters.include_removed:
        orders = orders.filter(integration__removed_at__isnull=True)
    if filters.kind:
        orders = orders.filter(kind=filters.kind)
    if filters.status:
        orders = orders.filter(status=filters.status)
    if filters.purchased_from:
        orders = orders.filter(purchased_at__gte=_start_of(filters.purchased_from))
    if filters.purchased_to:
        orders = orders.filter(purchased_at__lt=_start_of(filters.purchased_to + timedelta(days=1)))
    extension = extensions.extension()
    if extension and filters.extra:
        orders = extension.filter(orders, filters.extra)
    return orders.order_by("-purchased_at", "-pk")


def with_line_counts(orders):
    """The orders with their line counts, mapped and not, and whatever an extension shows more of each: for a page
    of them (counting every matching order's lines to count the orders would read all their lines)."""
    orders = orders.annotate(
        line_count=Count("lines"), mapped_line_count=Count("lines", filter=Q(lines__product__isnull=False))
    )
    extension = extensions.extension()
    return extension.annotate(orders) if extension else orders


def amazon_order_count(orders) -> int:
    """How many Amazon orders a list holds: one re-imported under a re-created integration counts once."""
    return orders.order_by().values("amazon_order_id").distinct().count()


def order_statuses(*, account: SellerAccount) -> list[str]:
    """The statuses the seller's orders have, for the status filter."""
    return list(Order.objects.for_account(account).order_by("status").values_list("status", flat=True).distinct())


def order_lines(*, order: Order):
    return order.lines.select_related("product").order_by("order_item_id")


EXPORT_HEADER = [
    "integration_id",
    "integration_name",
    "amazon_order_id",
    "order_status",
    "purchase_date",
    "marketplace_id",
    "channel_sku",
    "product_sku",
    "quantity",
    "unit_price",
    "currency",
    "avasam",
]


def order_export_rows(*, account: SellerAccount, integration_id: int | None = None) -> Iterator[list[str]]:
    """One row per order line (EXPORT_HEADER's columns), read in chunks so memory stays flat."""
    lines = OrderLine.objects.for_account(account)
    if integration_id is not None:
        lines = lines.filter(order__integration_id=integration_id)
    rows = lines.order_by("order__integration_id", "-order__purchased_at", "order_id", "order_item_id").values_list(
        "order__integration_id",
        "order__integration__name",
        "order__amazon_order_id",
        "order__status",
        "order__purchased_at",
        "order__marketplace_id",
        "channel_sku",
        "product__sku",
        "quantity",
        "unit_price",
        "order__currency",
    )
    for (
        integration,
        name,
        order_id,
        status,
        purchased_at,
        marketplace,
        sku,
        product_sku,
        qty,
        price,
        currency,
    ) in rows.iterator(chunk_size=2000):
        yield [
            str(integration),
            name,
            order_id,
            status,
            purchased_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            marketplace,
            sku,
            product_sku or "",
            str(qty),
            "" if price is None else f"{price:f}",
            currency,
            "yes" if product_sku else "no",
        ]
