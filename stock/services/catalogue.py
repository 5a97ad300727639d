"""Writes to the supplier catalogue: the supplier API's product upserts and stock updates, and supplier tokens."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone

from bulk.arrays import array_literal
from bulk.rows import rows_where
from bulk.where import column_in
from stock.batches import Batch, ItemError, SupplierRequestInvalid
from stock.models import Product, StockChange, Supplier, SupplierToken, token_hash
from stock.rules import StockOutcome, stock_update_outcome
from stock.schemas import ProductIn, StockUpdateIn
from stock.services.hooks import listings_affected

LAST_USED_PRECISION = timedelta(minutes=1)


@dataclass
class StockUpdateResult:
    received: int = 0
    updated: int = 0
    unchanged: int = 0
    ignored_out_of_order: int = 0
    changed_product_ids: list[int] = field(default_factory=list, repr=False)

    def as_dict(self) -> dict[str, int]:
        return {
            "received": self.received,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "ignored_out_of_order": self.ignored_out_of_order,
        }


@dataclass
class ProductUpsertResult:
    received: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    ignored_out_of_order: int = 0

    def as_dict(self) -> dict[str, int]:
        return {
            "received": self.received,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "ignored_out_of_order": self.ignored_out_of_order,
        }


# --- supplier tokens ---------------------------------------------------------------------------------------------


def supplier_create(*, name: str) -> Supplier:
    return Supplier.objects.create(name=name)


def supplier_token_issue(*, supplier: Supplier) -> str:
    """Issue a new API token for the supplier and return it; only its hash is kept."""
    token = SupplierToken.new_token()
    SupplierToken.objects.create(supplier=supplier, token_hash=token_hash(token), prefix=token[:8])
    return token


def supplier_tokens_revoke(*, supplier: Supplier) -> int:
    return SupplierToken.objects.live().filter(supplier=supplier).update(revoked_at=timezone.now())


def supplier_token_used(*, token: SupplierToken) -> None:
    """Record the token's use, to the minute: one UPDATE that writes only when the minute has moved on, and none at
    all while the token as read (just now, by the request's authentication) was used within that minute."""
    now = timezone.now()
    if token.last_used_at is not None and token.last_used_at >= now - LAST_USED_PRECISION:
        return
    SupplierToken.objects.filter(pk=token.pk).filter(
        Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - LAST_USED_PRECISION)
    ).update(last_used_at=now)


# --- checks against the catalogue ---------------------------------------------------------------------------------

UNKNOWN_SKU = "unknown SKU: create the product with POST /api/v1/products first."
# Product SKUs are unique across suppliers; the reason must not tell whose a taken SKU is.
SKU_NOT_AVAILABLE = "this SKU is not available: choose another SKU for your product."


def _duplicates(keys: dict[int, str]) -> list[ItemError]:
    errors, first_index = [], {}
    for index, sku in sorted(keys.items()):
        if sku in first_index:
            errors.append(ItemError(index, sku, f"duplicate SKU in this request (first at index {first_index[sku]})."))
        else:
            first_index[sku] = index
    return errors


# --- stock updates -----------------------------------------------------------------------------------------------


def stock_updates_apply(
    *,
    supplier: Supplier,
    updates: Batch[StockUpdateIn] | list[Any],
    token: SupplierToken | None = None,
    source: str = StockChange.Source.API_STOCK,
) -> StockUpdateResult:
    """Apply a batch of stock levels all-or-nothing.

    1. Validate every item by its schema (unless the API already has); collect every error.
    2. Lock the supplier's products for these SKUs, in primary-key order (one SELECT ... FOR UPDATE), so
       concurrent batches touching the same SKUs queue instead of deadlocking.
    3. SKUs not among the supplier's products are unknown (another supplier's SKU gets the very same answer);
       any error raises and rolls back.
    4. The stock rule decides each update: applied, a replay (unchanged), or not newer than held (ignored).
    5. One bulk UPDATE for the newer ones, one INSERT of their StockChange rows, then the push hook.
    """
    batch = updates if isinstance(updates, Batch) else Batch.of(StockUpdateIn, updates, noun="updates")
    now = timezone.now()
    skus = batch.keys_by_index()
    errors = batch.item_errors() + _duplicates(skus)
    result = StockUpdateResult(received=len(batch))
    with transaction.atomic():
        products = rows_where(
            Product,
            ["id", "sku", "quantity", "quantity_as_of"],
            column_in(Product, "sku", set(skus.values())),
            scope={"supplier": supplier.pk},
            order_by="id",
            lock=not errors,
        )
        held = {sku: (pk, quantity, as_of) for pk, sku, quantity, as_of in products}
        errors.extend(ItemError(index, sku, UNKNOWN_SKU) for index, sku in skus.items() if sku not in held)
        if errors:
            raise SupplierRequestInvalid(errors)

        rows: list[_Row] = []
        for _, update in batch.valid:
            pk, quantity, as_of = held[update.sku]
            outcome = stock_update_outcome(
                quantity=update.quantity, as_of=update.as_of, held_quantity=quantity, held_as_of=as_of
            )
            if outcome is StockOutcome.REPLAY:
                result.unchanged += 1
            elif outcome is StockOutcome.OUT_OF_ORDER:
                result.ignored_out_of_order += 1
            else:
                rows.append(_Row(pk, update.quantity, quantity, update.as_of))
                if update.quantity == quantity:
                    result.unchanged += 1
                else:
                    result.updated += 1
                    result.changed_product_ids.append(pk)
        _stock_write(rows, source=source, token=token, now=now)
        listings_affected(product_ids=result.changed_product_ids)
    return result


@dataclass(frozen=True)
class _Row:
    pk: int
    quantity: int
    previous_quantity: int | None
    as_of: datetime


_STOCK_WRITE_SQL = """
WITH v AS (
    SELECT * FROM unnest(
        %(ids)s::bigint[], %(quantities)s::integer[], %(previous)s::integer[], %(as_ofs)s::timestamptz[]
    ) AS v(id, quantity, previous_quantity, as_of)
), updated AS (
    UPDATE {product} AS p SET quantity = v.quantity, quantity_as_of = v.as_of, updated_at = %(now)s
    FROM v WHERE p.id = v.id
)
INSERT INTO {change} (product_id, quantity, previous_quantity, as_of, source, token_id, recorded_at)
SELECT v.id, v.quantity, v.previous_quantity, v.as_of, %(source)s, %(token_id)s, %(now)s
FROM v WHERE v.quantity IS DISTINCT FROM v.previous_quantity
"""


def _stock_write(rows: list[_Row], *, source: str, token: SupplierToken | None, now: datetime) -> None:
    """Set the new quantities and record the changes: one statement on PostgreSQL, two bulk queries elsewhere."""
    if not rows:
        return
    if connection.vendor == "postgresql":
        sql = _STOCK_WRITE_SQL.format(product=Product._meta.db_table, change=StockChange._meta.db_table)
        params = {
            "ids": array_literal(row.pk for row in rows),
            "quantities": array_literal(row.quantity for row in rows),
            "previous": array_literal(row.previous_quantity for row in rows),
            "as_ofs": array_literal(row.as_of for row in rows),
            "now": now,
            "source": source,
            "token_id": token.pk if token else None,
        }
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
        return
    Product.objects.bulk_update(
        [Product(pk=row.pk, quantity=row.quantity, quantity_as_of=row.as_of, updated_at=now) for row in rows],
        ["quantity", "quantity_as_of", "updated_at"],
    )
    StockChange.objects.bulk_create(
        [
            StockChange(
                product_id=row.pk,
                quantity=row.quantity,
                previous_quantity=row.previous_quantity,
                as_of=row.as_of,
                source=source,
                token=token,
                recorded_at=now,
            )
            for row in rows
            if row.quantity != row.previous_quantity
        ]
    )


# --- product upserts ---------------------------------------------------------------------------------------------


def product_upsert(
    *, supplier: Supplier, products: Batch[ProductIn] | list[Any], token: SupplierToken | None = None
) -> ProductUpsertResult:
    """Create or update the supplier's products all-or-nothing.

    1. Validate every item by its schema (unless the API already has); a new SKU needs a title.
    2. Lock the existing rows for these SKUs in primary-key order; another supplier's SKU is not available.
    3. Insert the new products (a concurrent request creating the same SKU makes this one fail cleanly).
    4. Update titles, prices and (by the stock rule) quantities with one bulk UPDATE; record stock changes.
    """
    batch = products if isinstance(products, Batch) else Batch.of(ProductIn, products, noun="products")
    now = timezone.now()
    errors = batch.item_errors() + _duplicates(batch.keys_by_index())
    result = ProductUpsertResult(received=len(batch))
    by_sku = {item.sku: item for _, item in batch.valid}
    with transaction.atomic():
        existing = _products_locked(set(by_sku))
        for index, item in batch.valid:
            product = existing.get(item.sku)
            if product is not None and product.supplier_id != supplier.pk:
                errors.append(ItemError(index, item.sku, SKU_NOT_AVAILABLE))
            elif product is None and item.title is None:
                errors.append(ItemError(index, item.sku, "title is missing (it is needed for a new product)."))
        if errors:
            raise SupplierRequestInvalid(errors)

        new = [by_sku[sku] for sku in by_sku if sku not in existing]
        created = _products_create(supplier=supplier, items=new, now=now)
        changes = [
            StockChange(product=product, quantity=product.quantity, as_of=product.quantity_as_of)
            for product in created
            if product.quantity is not None
        ]
        result.created = len(new)

        # changed: what the supplier would call an update; advanced: only quantity_as_of moves on.
        changed, advanced, affected_ids, ignored = [], [], set(), 0
        for sku, product in existing.items():
            item = by_sku[sku]
            dirty = False
            if item.title is not None and item.title != product.title:
                product.title, dirty = item.title, True
            if item.price is not None and item.price != product.price:
                product.price, dirty = item.price, True
                affected_ids.add(product.pk)
            if item.quantity is not None:
                as_of = item.as_of or now
                outcome = stock_update_outcome(
                    quantity=item.quantity,
                    as_of=as_of,
                    held_quantity=product.quantity,
                    held_as_of=product.quantity_as_of,
                )
                if outcome is StockOutcome.OUT_OF_ORDER:
                    ignored += 1 if not dirty else 0
                elif outcome is StockOutcome.APPLY:
                    if item.quantity != product.quantity:
                        changes.append(
                            StockChange(
                                product=product, quantity=item.quantity, previous_quantity=product.quantity, as_of=as_of
                            )
                        )
                        affected_ids.add(product.pk)
                        dirty = True
                    product.quantity, product.quantity_as_of = item.quantity, as_of
                    advanced.append(product)
            if dirty:
                product.updated_at = now
                changed.append(product)
        # Each item counts once: updated if anything of it was applied, else ignored (its quantity) or unchanged.
        result.updated = len(changed)
        result.ignored_out_of_order = ignored
        result.unchanged = len(existing) - len(changed) - ignored
        to_write = list({product.pk: product for product in [*changed, *advanced]}.values())
        Product.objects.bulk_update(to_write, ["title", "price", "quantity", "quantity_as_of", "updated_at"])
        for change in changes:
            change.source, change.token, change.recorded_at = StockChange.Source.API_PRODUCTS, token, now
        StockChange.objects.bulk_create(changes)
        listings_affected(product_ids=sorted(affected_ids))
    return result


class ConcurrentCreation(Exception):
    """Another request created one of these SKUs at the same moment; sending the request again resolves it."""


def _products_create(*, supplier: Supplier, items: list[ProductIn], now: datetime) -> list[Product]:
    products = [
        Product(
            sku=item.sku,
            title=item.title,
            supplier=supplier,
            price=item.price,
            quantity=item.quantity,
            quantity_as_of=(item.as_of or now) if item.quantity is not None else None,
        )
        for item in items
    ]
    try:
        with transaction.atomic():
            return Product.objects.bulk_create(products)
    except IntegrityError as error:
        raise ConcurrentCreation from error


def _products_locked(skus: set[str]) -> dict[str, Product]:
    if not skus:
        return {}
    products = Product.objects.filter(column_in(Product, "sku", skus)).order_by("pk").select_for_update()
    return {product.sku: product for product in products}
