"""Dispatches made and kept up to date from downloaded orders, in a constant number of queries per page.

One dispatch per seller account, Amazon order id and supplier: whatever downloads an order again (a retried
page, a removed and re-added integration, two integrations of one seller id) updates that dispatch. Only
merchant-fulfilled orders Amazon says are ready to ship (UNSHIPPED, PARTIALLY_SHIPPED) start one; PENDING orders
wait. A later download carries Amazon's cancellations (of the order or of some lines) to the dispatch.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import connection
from django.utils import timezone

from bulk.insert import Children, insert
from bulk.keys import rows_by_key
from bulk.rows import rows_where
from bulk.where import column_in
from channels.encryption import encrypt
from channels.models import Integration
from fulfilment.models import CLOSED_STATUSES, Dispatch, DispatchLine, DispatchStatus
from orders.models import FulfilledBy
from orders.signals import StoredOrder
from stock.models import Product

READY_TO_SHIP = {"UNSHIPPED", "PARTIALLY_SHIPPED"}
CANCELLED = "CANCELLED"

NEW_DISPATCH_COLUMNS = [
    "account_id",
    "amazon_order_id",
    "supplier_id",
    "order_id",
    "marketplace_id",
    "ordered_at",
    "ship_by",
    "status",
    "recipient_data",
    "closed_at",
    "created_at",
    "updated_at",
]
NEW_LINE_COLUMNS = [  # after the dispatch's id
    "order_item_id",
    "product_id",
    "sku",
    "title",
    "quantity",
    "quantity_shipped",
    "quantity_cancelled",
]


@dataclass(frozen=True)
class SuppliedProduct:
    pk: int
    supplier_id: int
    sku: str
    title: str


@dataclass(frozen=True)
class WantedLine:
    order_item_id: str
    product: SuppliedProduct
    quantity: int
    quantity_cancelled: int
    quantity_shipped = 0  # as a new dispatch's line: nothing shipped yet (dispatch_status reads it so)

    @property
    def quantity_to_ship(self) -> int:
        return max(0, self.quantity - self.quantity_cancelled)


@dataclass
class Wanted:
    """A dispatch as the latest download says it should be."""

    stored: StoredOrder
    supplier_id: int
    lines: list[WantedLine]


def dispatches_from_orders(*, integration: Integration, orders: Iterable[StoredOrder]) -> int:
    """Create or update the dispatches of these stored orders; returns how many dispatches changed."""
    wanted = _wanted(orders)
    if not wanted:
        return 0
    account_id = integration.account_id
    existing = {
        (dispatch.amazon_order_id, dispatch.supplier_id): dispatch for dispatch in _existing(account_id, wanted)
    }
    now = timezone.now()
    live = integration.removed_at is None
    new: list[Wanted] = []
    changed_dispatches: list[Dispatch] = []
    new_lines: list[DispatchLine] = []
    changed_lines: list[DispatchLine] = []
    for key, want in wanted.items():
        dispatch = existing.get(key)
        if dispatch is None:
            # PENDING waits for Amazon; a cancelled or shipped order never reaches the supplier.
            if want.stored.amazon.status in READY_TO_SHIP:
                new.append(want)
            continue
        existing_lines = {line.order_item_id: line for line in dispatch.lines.all()}
        dispatch_changed = _dispatch_apply(dispatch, want, live=live)
        lines_changed = False
        lines_now = dict(existing_lines)
        for line in want.lines:
            held = existing_lines.get(line.order_item_id)
            if held is None:
                lines_now[line.order_item_id] = DispatchLine(
                    dispatch=dispatch,
                    order_item_id=line.order_item_id,
                    product_id=line.product.pk,
                    sku=line.product.sku,
                    title=line.product.title,
                    quantity=line.quantity,
                    quantity_cancelled=line.quantity_cancelled,
                )
                new_lines.append(lines_now[line.order_item_id])
                lines_changed = True
            elif (held.quantity, held.quantity_cancelled) != (line.quantity, line.quantity_cancelled):
                held.quantity, held.quantity_cancelled = line.quantity, line.quantity_cancelled
                changed_lines.append(held)
                lines_changed = True
        if dispatch_changed or lines_changed:
            _status_apply(dispatch, lines_now.values(), now=now)
            dispatch.updated_at = now
            changed_dispatches.append(dispatch)
    _create(account_id, new, now=now)
    _save(changed_dispatches, new_lines, changed_lines)
    return len(new) + len(changed_dispatches)


def _existing(account_id: int, wanted: dict[tuple[str, int], Wanted]) -> list[Dispatch]:
    """The account's dispatches of these Amazon orders, with their lines: found by key (see bulk.keys), then locked
    in id order (as a parcel being recorded locks them), so the status written here counts every shipped unit."""
    found = rows_by_key(
        Dispatch,
        scope={"account": account_id},
        key="amazon_order_id",
        values={key[0] for key in wanted},
        columns=["pk"],
    )
    if not found:  # a page of new orders
        return []
    return list(
        Dispatch.objects.filter(column_in(Dispatch, "id", [pk for (pk,) in found]))
        .order_by("pk")
        .select_for_update()
        .prefetch_related("lines")
    )


def _wanted(orders: Iterable[StoredOrder]) -> dict[tuple[str, int], Wanted]:
    """Per (Amazon order id, supplier): the merchant-fulfilled order's mapped lines that supplier stocks."""
    orders = [stored for stored in orders if stored.amazon.fulfilled_by != FulfilledBy.AMAZON]
    product_ids = {product_id for stored in orders for _, product_id in stored.lines if product_id is not None}
    if not product_ids:
        return {}
    found = rows_where(Product, ["id", "supplier", "sku", "title"], column_in(Product, "id", product_ids))
    products = {row[0]: SuppliedProduct(*row) for row in found}
    wanted: dict[tuple[str, int], Wanted] = {}
    for stored in orders:
        order_cancelled = stored.amazon.status == CANCELLED
        for line, product_id in stored.lines:
            product = products.get(product_id)
            if product is None:
                continue
            cancelled = line.quantity if order_cancelled else min(line.quantity, line.quantity_cancelled)
            key = (stored.amazon.amazon_order_id, product.supplier_id)
            want = wanted.setdefault(key, Wanted(stored, product.supplier_id, []))
            want.lines.append(WantedLine(line.order_item_id, product, line.quantity, cancelled))
    return wanted


def _recipient_json(stored: StoredOrder) -> str:
    recipient = stored.amazon.recipient
    if recipient is None:
        return ""
    # Every field of Amazon's recipient (vars, not dataclasses.asdict: a page of orders makes 100 of these).
    return json.dumps({**vars(recipient), "address_lines": list(recipient.address_lines)}, sort_keys=True)


def _create(account_id: int, new: list[Wanted], *, now) -> None:
    """Insert the new dispatches with their lines: one statement (two on SQLite), with no model instances (a page of
    new orders is the common case, and building and preparing instances field by field was most of its time)."""
    if not new:
        return
    adapt_time = connection.ops.adapt_datetimefield_value
    rows = []
    for want in new:
        amazon = want.stored.amazon
        status = dispatch_status(want.lines)
        recipient = _recipient_json(want.stored)
        rows.append(
            (
                account_id,
                amazon.amazon_order_id,
                want.supplier_id,
                want.stored.order_id,
                amazon.marketplace_id or "",
                adapt_time(amazon.created_at),
                adapt_time(amazon.ship_by),
                status.value,
                encrypt(recipient) if recipient else "",
                adapt_time(now) if status in CLOSED_STATUSES else None,
                adapt_time(now),
                adapt_time(now),
            )
        )
    line_rows = [
        (
            want.stored.amazon.amazon_order_id,
            want.supplier_id,
            line.order_item_id,
            line.product.pk,
            line.product.sku,
            line.product.title,
            line.quantity,
            0,
            line.quantity_cancelled,
        )
        for want in new
        for line in want.lines
    ]
    # Two downloads of one Amazon order at the same moment (two integrations of one seller id) collide on the
    # unique constraint: one page rolls back and its download retries it, then finding the dispatch.
    insert(
        Dispatch,
        rows,
        columns=NEW_DISPATCH_COLUMNS,
        key=["amazon_order_id", "supplier_id"],
        children=Children(DispatchLine, parent="dispatch_id", rows=line_rows, columns=NEW_LINE_COLUMNS),
    )


def _dispatch_apply(dispatch: Dispatch, want: Wanted, *, live: bool) -> bool:
    """Copy what the supplier sees from the order; True when any of it changed."""
    amazon = want.stored.amazon
    before = (dispatch.order_id, dispatch.marketplace_id, dispatch.ordered_at, dispatch.ship_by)
    if live or dispatch.order_id is None:  # the live integration's copy of the order holds the dispatch
        dispatch.order_id = want.stored.order_id
    dispatch.marketplace_id = amazon.marketplace_id or dispatch.marketplace_id
    dispatch.ordered_at = amazon.created_at
    dispatch.ship_by = amazon.ship_by
    changed = before != (dispatch.order_id, dispatch.marketplace_id, dispatch.ordered_at, dispatch.ship_by)
    if dispatch.personal_data_wiped_at is None:
        recipient = _recipient_json(want.stored)
        if recipient and dispatch.recipient != json.loads(recipient):
            dispatch.recipient_data = recipient
            changed = True
    return changed


def _status_apply(dispatch: Dispatch, lines: Iterable[DispatchLine], *, now) -> None:
    dispatch.status = dispatch_status(lines)
    if dispatch.status in CLOSED_STATUSES:
        dispatch.closed_at = dispatch.closed_at or now
    else:
        dispatch.closed_at = None


def dispatch_status(lines: Iterable[DispatchLine | WantedLine]) -> DispatchStatus:
    lines = list(lines)
    if all(line.quantity_cancelled >= line.quantity for line in lines):
        return DispatchStatus.CANCELLED
    if all(line.quantity_to_ship == 0 for line in lines):
        return DispatchStatus.SHIPPED
    if any(line.quantity_shipped for line in lines):
        return DispatchStatus.PARTIALLY_SHIPPED
    return DispatchStatus.OPEN


def _save(dispatches: list[Dispatch], new_lines: list[DispatchLine], changed_lines: list[DispatchLine]) -> None:
    """Write the changes to dispatches already stored (three statements at most)."""
    if dispatches:
        Dispatch.objects.bulk_update(
            dispatches,
            ["order", "marketplace_id", "ordered_at", "ship_by", "recipient_data", "status", "closed_at", "updated_at"],
        )
    if new_lines:
        DispatchLine.objects.bulk_create(new_lines)
    if changed_lines:
        DispatchLine.objects.bulk_update(changed_lines, ["quantity", "quantity_cancelled"])
