"""Storing one page of Amazon orders: classified, upserted by Amazon ids, in a constant number of queries.

A page stored twice (a retry, an overlap, a killed worker) changes nothing; an order already stored with a
newer Amazon update time is left alone. An order the database refuses is skipped, not the page.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime

from django.db import DatabaseError, DataError, IntegrityError, connection, transaction

from bulk.insert import Children, insert
from bulk.keys import rows_by_key
from bulk.rows import rows_where
from bulk.where import column_in
from channels.amazon.types import AmazonOrder, AmazonOrderLine
from channels.listings import mapped_products
from channels.models import Integration
from orders.classification import NON_AVASAM, classify_order
from orders.models import FulfilledBy, Order, OrderLine, PurgedOrder
from orders.services import retention_expiry
from orders.signals import StoredOrder as StoredForOthers
from orders.signals import orders_stored

# Column order of the order rows built below; imported_at and retention_expires_at are set once, on insert.
ORDER_COLUMNS = [
    "integration_id",
    "amazon_order_id",
    "marketplace_id",
    "status",
    "fulfilled_by",
    "purchased_at",
    "amazon_updated_at",
    "currency",
    "total",
    "kind",
    "retention_expires_at",
    "imported_at",
    "updated_at",
]
ORDER_UPDATE_COLUMNS = [column for column in ORDER_COLUMNS[2:] if column not in ("retention_expires_at", "imported_at")]
# A line's columns after its order's id.
LINE_COLUMNS = ["order_item_id", "channel_sku", "asin", "title", "quantity", "unit_price", "product_id"]


@dataclass
class PageCounts:
    created: int = 0
    updated: int = 0
    not_imported: int = 0
    skipped: list[SkippedOrder] = field(default_factory=list)

    def add(self, other: PageCounts) -> None:
        self.created += other.created
        self.updated += other.updated
        self.not_imported += other.not_imported
        self.skipped += other.skipped


@dataclass(frozen=True)
class SkippedOrder:
    """An order the database would not store; the rest of its page is stored without it."""

    amazon_order_id: str
    reason: str


@dataclass(frozen=True)
class StoredOrder:
    pk: int
    amazon_updated_at: datetime
    imported_at: datetime
    retention_expires_at: datetime
    lines: dict[str, tuple[int, int | None]] = field(default_factory=dict)  # order item id -> (line pk, product)


@dataclass
class PageWrite:
    """What the page changes: the order rows to upsert and, per Amazon order id, the lines it keeps."""

    order_rows: list[tuple] = field(default_factory=list)
    kept_lines: dict[str, list[tuple[AmazonOrderLine, int | None]]] = field(default_factory=dict)
    orders: dict[str, AmazonOrder] = field(default_factory=dict)


def orders_store_page(
    *,
    integration: Integration,
    orders: Iterable[AmazonOrder],
    now: datetime,
    before_storing: Callable[[], None] = lambda: None,
) -> PageCounts:
    """Upsert one page of Amazon orders in one transaction, in bulk; if the database refuses the page, again in a
    new transaction, order by order.

    `before_storing` runs first in each transaction (the download commits its resume point with the page). Order by
    order, each order is a savepoint, so a refused order leaves nothing behind and the page's other orders are
    stored; the refused ones are returned in `skipped` with the reason. Called inside a transaction, each of the
    two attempts is a savepoint of it; called outside one, the bulk attempt needs no savepoint of its own.
    """
    incoming = _latest_per_order(orders, integration.marketplace_id)
    try:
        with transaction.atomic():
            before_storing()
            return _store(integration=integration, incoming=incoming, now=now) if incoming else PageCounts()
    except (DataError, IntegrityError):
        pass
    counts = PageCounts()
    with transaction.atomic():
        before_storing()
        for amazon_id, order in incoming.items():
            try:
                with transaction.atomic():
                    counts.add(_store(integration=integration, incoming={amazon_id: order}, now=now))
            except (DataError, IntegrityError) as error:
                counts.skipped.append(SkippedOrder(amazon_id, _reason(error)))
    return counts


def _reason(error: DatabaseError) -> str:
    """The database's own first line (e.g. "integer out of range"): it names what was wrong with the order."""
    first_line = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    return f"Amazon sent a value we cannot store ({first_line})."


def _store(*, integration: Integration, incoming: dict[str, AmazonOrder], now: datetime) -> PageCounts:
    """Upsert these orders in a constant number of queries.

    1. Read the stored versions of these orders with their lines, the tombstones of purged ones and the
       mappings of the page's SKUs (four queries).
    2. Plan each order (`_order_plan`): classify it with the integration's settings, or leave it alone.
    3. Upsert the orders, then their lines, and delete stored lines the order no longer keeps.
    """
    counts = PageCounts()
    stored = _stored_orders(integration, incoming)
    purged = _purged(integration, incoming)
    mapping = _mappings(integration, incoming.values())
    write = PageWrite()
    for amazon_id, order in incoming.items():
        _order_plan(
            integration=integration,
            order=order,
            previous=stored.get(amazon_id),
            purged=amazon_id in purged,
            mapping=mapping,
            now=now,
            write=write,
            counts=counts,
        )
    if write.order_rows:
        _write(integration, write, stored)
    return counts


def _latest_per_order(orders: Iterable[AmazonOrder], marketplace_id: str) -> dict[str, AmazonOrder]:
    """The page's orders for the integration's own site, one per Amazon id (the most recently updated)."""
    latest: dict[str, AmazonOrder] = {}
    for order in orders:
        # The request asks for the integration's marketplace only; anything else is never stored.
        if (order.marketplace_id or marketplace_id) != marketplace_id:
            continue
        seen = latest.get(order.amazon_order_id)
        if seen is None or order.last_updated_at >= seen.last_updated_at:
            latest[order.amazon_order_id] = order
    return latest


def _stored_orders(integration: Integration, incoming: dict[str, AmazonOrder]) -> dict[str, StoredOrder]:
    """The stored versions of these orders, with their lines (two queries)."""
    rows = rows_by_key(
        Order,
        scope={"integration": integration.pk},
        key="amazon_order_id",
        values=incoming,
        columns=["amazon_order_id", "pk", "amazon_updated_at", "imported_at", "retention_expires_at"],
    )
    stored = {
        amazon_id: StoredOrder(pk, updated, imported, expires) for amazon_id, pk, updated, imported, expires in rows
    }
    if stored:
        by_pk = {order.pk: order for order in stored.values()}
        lines = (
            OrderLine.objects.filter(column_in(OrderLine, "order", by_pk))
            .order_by()
            .values_list("pk", "order_id", "order_item_id", "product_id")
        )
        for pk, order_id, item_id, product_id in lines:
            by_pk[order_id].lines[item_id] = (pk, product_id)
    return stored


def _purged(integration: Integration, incoming: dict[str, AmazonOrder]) -> set[str]:
    condition = column_in(PurgedOrder, "amazon_order_id", incoming)
    rows = rows_where(PurgedOrder, ["amazon_order_id"], condition, scope={"integration": integration.pk})
    return {amazon_order_id for (amazon_order_id,) in rows}


def _mappings(integration: Integration, orders: Iterable[AmazonOrder]) -> dict[str, int]:
    """Product ids of the page's merchant-fulfilled SKUs that the integration has mapped."""
    skus = {
        line.seller_sku
        for order in orders
        if order.fulfilled_by != FulfilledBy.AMAZON
        for line in order.lines
        if line.seller_sku
    }
    return mapped_products(integration_id=integration.pk, channel_skus=skus) if skus else {}


def _line_products(
    lines: list[AmazonOrderLine], *, by_amazon: bool, previous: StoredOrder | None, mapping: dict[str, int], now
) -> list[int | None]:
    """Each line's product: none for FBA; the current mapping while the order follows mappings (new, or within
    its retention); otherwise what the stored line had."""
    follows_mappings = previous is None or previous.retention_expires_at > now
    products = []
    for line in lines:
        if by_amazon:
            products.append(None)
        elif not follows_mappings and line.order_item_id in previous.lines:
            products.append(previous.lines[line.order_item_id][1])
        else:
            products.append(mapping.get(line.seller_sku or ""))
    return products


def _order_plan(
    *,
    integration: Integration,
    order: AmazonOrder,
    previous: StoredOrder | None,
    purged: bool,
    mapping: dict[str, int],
    now: datetime,
    write: PageWrite,
    counts: PageCounts,
) -> None:
    """Add the order to `write` as Amazon now has it, unless it is to stay as stored or stay out.

    Orders not to be imported are skipped unless already stored, and so are purged orders still non-Avasam.
    """
    if previous and previous.amazon_updated_at > order.last_updated_at:
        return
    by_amazon = order.fulfilled_by == FulfilledBy.AMAZON
    lines = list({line.order_item_id: line for line in order.lines}.values())
    products = _line_products(lines, by_amazon=by_amazon, previous=previous, mapping=mapping, now=now)
    decision = classify_order(
        fulfilled_by_amazon=by_amazon,
        lines_mapped=[product is not None for product in products],
        exclude_non_avasam_orders=integration.exclude_non_avasam_orders,
        split_orders_with_unknown_skus=integration.split_orders_with_unknown_skus,
    )
    if previous is None and (not decision.imported or (purged and decision.kind == NON_AVASAM)):
        counts.not_imported += 1
        return
    keep = decision.kept_lines if decision.imported else tuple(range(len(lines)))
    write.kept_lines[order.amazon_order_id] = [(lines[index], products[index]) for index in keep]
    write.orders[order.amazon_order_id] = order
    adapt_time = connection.ops.adapt_datetimefield_value
    write.order_rows.append(
        (
            integration.pk,
            order.amazon_order_id,
            order.marketplace_id or integration.marketplace_id,
            order.status or "",
            FulfilledBy.AMAZON.value if by_amazon else FulfilledBy.MERCHANT.value,
            adapt_time(order.created_at),
            adapt_time(order.last_updated_at),
            order.currency or "",
            order.total,
            decision.kind,
            adapt_time(previous.retention_expires_at if previous else retention_expiry(imported_at=now)),
            adapt_time(previous.imported_at if previous else now),
            adapt_time(now),
        )
    )
    if previous:
        counts.updated += 1
    else:
        counts.created += 1


def _write(integration: Integration, write: PageWrite, stored: dict[str, StoredOrder]) -> None:
    """Upsert the orders (skipping any that became newer meanwhile) with their lines; drop lines no longer kept.

    Then tell other apps (fulfilment) which orders were stored, in this same transaction.
    """
    line_rows = [
        (
            amazon_id,
            line.order_item_id,
            line.seller_sku or "",
            line.asin or "",
            line.title or "",
            line.quantity,
            line.unit_price,
            product_id,
        )
        for amazon_id, keep in write.kept_lines.items()
        for line, product_id in keep
    ]
    order_ids = dict(
        insert(
            Order,
            write.order_rows,
            columns=ORDER_COLUMNS,
            key=["amazon_order_id"],
            conflict=["integration_id", "amazon_order_id"],
            update=ORDER_UPDATE_COLUMNS,
            unless_newer="amazon_updated_at",
            children=Children(
                OrderLine,
                parent="order_id",
                rows=line_rows,
                columns=LINE_COLUMNS,
                conflict=["order_id", "order_item_id"],
                update=LINE_COLUMNS[1:],
            ),
        )
    )
    stale_line_ids: list[int] = []
    for amazon_id in order_ids:
        if previous := stored.get(amazon_id):
            kept_ids = {line.order_item_id for line, _ in write.kept_lines[amazon_id]}
            stale_line_ids.extend(pk for item_id, (pk, _) in previous.lines.items() if item_id not in kept_ids)
    if stale_line_ids:
        OrderLine.objects.filter(pk__in=stale_line_ids).delete()
    if order_ids:
        stored_orders = [
            StoredForOthers(order_id, write.orders[amazon_id], tuple(write.kept_lines[amazon_id]))
            for amazon_id, order_id in order_ids.items()
        ]
        orders_stored.send(sender=Order, integration=integration, orders=stored_orders)
