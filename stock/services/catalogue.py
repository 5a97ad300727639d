"""Writes to the supplier catalogue: the supplier API's product upserts and stock updates, and supplier tokens."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from stock.models import Product, StockChange, Supplier, SupplierToken, token_hash
from stock.services.hooks import listings_affected

MAX_SKU_LENGTH = Product._meta.get_field("sku").max_length
MAX_TITLE_LENGTH = Product._meta.get_field("title").max_length
MAX_QUANTITY = 2_147_483_647
MAX_PRICE = Decimal("9999999999.99")
# A supplier clock a little ahead of ours is fine; a timestamp far in the future would freeze the SKU.
ALLOWED_CLOCK_SKEW = timedelta(hours=1)


@dataclass(frozen=True)
class ItemError:
    index: int
    sku: str | None
    reason: str

    def as_dict(self) -> dict[str, Any]:
        return {"index": self.index, "sku": self.sku, "reason": self.reason}


class SupplierRequestInvalid(Exception):
    """Some items of a supplier request are bad; nothing of the request was applied."""

    def __init__(self, errors: list[ItemError]):
        super().__init__(f"{len(errors)} bad item(s)")
        self.errors = sorted(errors, key=lambda error: error.index)


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


# --- parsing one item --------------------------------------------------------------------------------------------


def _parse_sku(raw: Any) -> tuple[str | None, str | None]:
    if raw is None:
        return None, "sku is missing."
    if not isinstance(raw, str) or not raw.strip():
        return None, "sku must be a non-empty string."
    if raw != raw.strip():
        return None, "sku must not start or end with spaces."
    if len(raw) > MAX_SKU_LENGTH:
        return None, f"sku is longer than {MAX_SKU_LENGTH} characters."
    return raw, None


def _parse_quantity(raw: Any) -> tuple[int | None, str | None]:
    if raw is None:
        return None, "quantity is missing."
    if isinstance(raw, bool) or not isinstance(raw, int):
        return None, "quantity must be a whole number (e.g. 7), not a string or a decimal."
    if raw < 0:
        return None, "quantity must not be negative."
    if raw > MAX_QUANTITY:
        return None, f"quantity must be at most {MAX_QUANTITY}."
    return raw, None


def _parse_as_of(raw: Any, now: datetime) -> tuple[datetime | None, str | None]:
    if raw is None:
        return None, "as_of is missing: send the time the quantity was true, e.g. 2026-11-27T10:00:00Z."
    if not isinstance(raw, str):
        return None, "as_of must be an ISO 8601 string, e.g. 2026-11-27T10:00:00Z."
    try:
        value = datetime.fromisoformat(raw)
    except ValueError:
        return None, "as_of is not a valid ISO 8601 timestamp, e.g. 2026-11-27T10:00:00Z."
    if value.tzinfo is None:
        return None, "as_of must include a time zone (e.g. a trailing Z for UTC)."
    if value > now + ALLOWED_CLOCK_SKEW:
        return None, "as_of is in the future: send the time the quantity was true."
    return value, None


def _parse_price(raw: Any) -> tuple[Decimal | None, str | None]:
    if isinstance(raw, bool) or not isinstance(raw, str | int | float | Decimal):
        return None, 'price must be a decimal number, e.g. "9.99".'
    try:
        value = Decimal(str(raw))
    except InvalidOperation:
        return None, 'price must be a decimal number, e.g. "9.99".'
    if not value.is_finite():
        return None, 'price must be a decimal number, e.g. "9.99".'
    if value < 0:
        return None, "price must not be negative."
    if value > MAX_PRICE:
        return None, f"price must be at most {MAX_PRICE}."
    if value != value.quantize(Decimal("0.01")):
        return None, "price must have at most two decimal places."
    return value.quantize(Decimal("0.01")), None


def _mark_duplicates(skus: dict[int, str], errors: list[ItemError]) -> None:
    first_index: dict[str, int] = {}
    for index, sku in skus.items():
        if sku in first_index:
            errors.append(ItemError(index, sku, f"duplicate SKU in this request (first at index {first_index[sku]})."))
        else:
            first_index[sku] = index


def _not_an_object(index: int) -> ItemError:
    return ItemError(index, None, "each item must be a JSON object.")


# --- stock updates -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _StockUpdate:
    index: int
    sku: str
    quantity: int
    as_of: datetime


def _stock_updates_parse(items: list[Any], now: datetime) -> tuple[list[_StockUpdate], list[ItemError], set[str]]:
    updates, errors, skus = [], [], {}
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            errors.append(_not_an_object(index))
            continue
        sku, sku_error = _parse_sku(item.get("sku"))
        quantity, quantity_error = _parse_quantity(item.get("quantity"))
        as_of, as_of_error = _parse_as_of(item.get("as_of"), now)
        item_errors = [
            ItemError(index, sku or _raw_sku(item), e) for e in (sku_error, quantity_error, as_of_error) if e
        ]
        errors.extend(item_errors)
        if sku is not None:
            skus[index] = sku
        if not item_errors:
            updates.append(_StockUpdate(index, sku, quantity, as_of))
    _mark_duplicates(skus, errors)
    return updates, errors, set(skus.values())


def _raw_sku(item: dict) -> str | None:
    raw = item.get("sku")
    return raw if isinstance(raw, str) else None


def _sku_errors(*, supplier: Supplier, missing: set[str], indexes: dict[str, list[int]]) -> list[ItemError]:
    """Unknown SKUs versus SKUs of another supplier (one query, only on the error path)."""
    if not missing:
        return []
    others = set(Product.objects.filter(sku__in=missing).exclude(supplier=supplier).values_list("sku", flat=True))
    errors = []
    for sku in missing:
        reason = (
            "this SKU belongs to another supplier."
            if sku in others
            else "unknown SKU: create the product with POST /api/v1/products first."
        )
        errors.extend(ItemError(index, sku, reason) for index in indexes[sku])
    return errors


def stock_updates_apply(
    *,
    supplier: Supplier,
    updates: list[Any],
    token: SupplierToken | None = None,
    source: str = StockChange.Source.API_STOCK,
) -> StockUpdateResult:
    """Apply a batch of stock levels all-or-nothing.

    1. Validate every item in Python (no queries); collect every error.
    2. Lock the supplier's products for these SKUs, in primary-key order (one SELECT ... FOR UPDATE), so
       concurrent batches touching the same SKUs queue instead of deadlocking.
    3. SKUs not found are errors (unknown, or another supplier's); any error raises and rolls back.
    4. An update not newer than the held `quantity_as_of` is ignored (the same one again counts as unchanged).
    5. One bulk UPDATE for the newer ones, one INSERT of their StockChange rows, then the push hook.
    """
    now = timezone.now()
    parsed, errors, skus = _stock_updates_parse(updates, now)
    result = StockUpdateResult(received=len(updates))
    with transaction.atomic():
        products = Product.objects.filter(supplier=supplier, sku__in=skus).order_by("pk")
        if not errors:
            products = products.select_for_update()
        held = {
            sku: (pk, quantity, as_of)
            for pk, sku, quantity, as_of in products.values_list("pk", "sku", "quantity", "quantity_as_of")
        }
        indexes: dict[str, list[int]] = {}
        for index, item in enumerate(updates):
            sku = item.get("sku") if isinstance(item, dict) else None
            if isinstance(sku, str) and sku in skus and sku not in held:
                indexes.setdefault(sku, []).append(index)
        errors.extend(_sku_errors(supplier=supplier, missing=set(indexes), indexes=indexes))
        if errors:
            raise SupplierRequestInvalid(errors)

        rows: list[_Row] = []
        for update in parsed:
            pk, quantity, as_of = held[update.sku]
            if as_of is not None and update.as_of == as_of and update.quantity == quantity:
                result.unchanged += 1  # a replay
            elif as_of is not None and update.as_of <= as_of:
                result.ignored_out_of_order += 1  # not newer than what we hold
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
            "ids": [row.pk for row in rows],
            "quantities": [row.quantity for row in rows],
            "previous": [row.previous_quantity for row in rows],
            "as_ofs": [row.as_of for row in rows],
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


@dataclass(frozen=True)
class _ProductItem:
    index: int
    sku: str
    title: str | None
    price: Decimal | None
    has_price: bool
    quantity: int | None
    as_of: datetime


def _products_parse(items: list[Any], now: datetime) -> tuple[list[_ProductItem], list[ItemError]]:
    parsed, errors, skus = [], [], {}
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            errors.append(_not_an_object(index))
            continue
        sku, sku_error = _parse_sku(item.get("sku"))
        reasons = [sku_error] if sku_error else []
        title = item.get("title")
        if title is not None and (not isinstance(title, str) or not title.strip()):
            reasons.append("title must be a non-empty string.")
        elif title is not None and len(title) > MAX_TITLE_LENGTH:
            reasons.append(f"title is longer than {MAX_TITLE_LENGTH} characters.")
        price, has_price = None, "price" in item and item["price"] is not None
        if has_price:
            price, price_error = _parse_price(item["price"])
            reasons += [price_error] if price_error else []
        quantity = None
        if item.get("quantity") is not None:
            quantity, quantity_error = _parse_quantity(item["quantity"])
            reasons += [quantity_error] if quantity_error else []
        as_of = now
        if "as_of" in item:
            as_of, as_of_error = _parse_as_of(item["as_of"], now)
            reasons += [as_of_error] if as_of_error else []
        errors.extend(ItemError(index, sku or _raw_sku(item), reason) for reason in reasons)
        if sku is not None:
            skus[index] = sku
        if not reasons:
            clean_title = title.strip() if isinstance(title, str) else None
            parsed.append(_ProductItem(index, sku, clean_title, price, has_price, quantity, as_of))
    _mark_duplicates(skus, errors)
    return parsed, errors


def product_upsert(
    *, supplier: Supplier, products: list[Any], token: SupplierToken | None = None
) -> ProductUpsertResult:
    """Create or update the supplier's products all-or-nothing.

    1. Validate every item; a new SKU needs a title.
    2. Lock the existing rows for these SKUs in primary-key order; another supplier's SKU is an error.
    3. Insert the new products (a concurrent request creating the same SKU makes this one fail cleanly).
    4. Update titles, prices and (unless older than held) quantities with one bulk UPDATE; record stock changes.
    """
    now = timezone.now()
    parsed, errors = _products_parse(products, now)
    result = ProductUpsertResult(received=len(products))
    by_sku = {item.sku: item for item in parsed}
    with transaction.atomic():
        existing = _products_locked(set(by_sku))
        for item in parsed:
            product = existing.get(item.sku)
            if product is not None and product.supplier_id != supplier.pk:
                errors.append(ItemError(item.index, item.sku, "this SKU belongs to another supplier."))
            elif product is None and item.title is None:
                errors.append(ItemError(item.index, item.sku, "title is missing (it is needed for a new product)."))
        if errors:
            raise SupplierRequestInvalid(errors)

        new = [by_sku[sku] for sku in by_sku if sku not in existing]
        created = _products_create(supplier=supplier, items=new)
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
            if item.has_price and item.price != product.price:
                product.price, dirty = item.price, True
                affected_ids.add(product.pk)
            if item.quantity is not None:
                held_as_of = product.quantity_as_of
                if held_as_of is not None and (
                    item.as_of < held_as_of or (item.as_of == held_as_of and item.quantity != product.quantity)
                ):
                    # Older than what we hold, or a different quantity for the same moment: as stock updates do.
                    ignored += 1 if not dirty else 0
                elif held_as_of is None or item.as_of > held_as_of:
                    if item.quantity != product.quantity:
                        changes.append(
                            StockChange(
                                product=product,
                                quantity=item.quantity,
                                previous_quantity=product.quantity,
                                as_of=item.as_of,
                            )
                        )
                        affected_ids.add(product.pk)
                        dirty = True
                    product.quantity, product.quantity_as_of = item.quantity, item.as_of
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


def _products_create(*, supplier: Supplier, items: list[_ProductItem]) -> list[Product]:
    products = [
        Product(
            sku=item.sku,
            title=item.title,
            supplier=supplier,
            price=item.price,
            quantity=item.quantity,
            quantity_as_of=item.as_of if item.quantity is not None else None,
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
    products = Product.objects.filter(sku__in=skus).order_by("pk").select_for_update()
    return {product.sku: product for product in products}
