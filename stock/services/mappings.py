"""Writes to sellers' listing mappings: by hand, by CSV upload and by auto-map.

Every write locks the integration row first (so two uploads for one integration queue), then, in the same
transaction, reclassifies that integration's recent orders and marks the listings for a stock update.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Collection
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.csv_cells import csv_cell_unprotected
from bulk.update import bulk_update_rows
from channels.models import Integration
from channels.signals import listing_mappings_changed
from stock.models import ListingMapping, Product
from stock.selectors import (
    auto_map_candidates,
    auto_map_fingerprint,
    mapping_states_for_channel_skus,
    product_ids_by_sku,
)
from stock.services.hooks import listings_affected

MAX_CHANNEL_SKU_LENGTH = ListingMapping._meta.get_field("channel_sku").max_length
MAX_CSV_BYTES = 5 * 1024 * 1024
MAX_CSV_ROWS = 100_000
CSV_HEADER = ["channel_sku", "product_sku"]


@dataclass(frozen=True)
class RowError:
    row: int  # as a spreadsheet numbers it: the header is row 1
    reason: str


class CsvInvalid(Exception):
    """The uploaded file has problems; nothing of it was applied."""

    def __init__(self, errors: list[RowError]):
        super().__init__(f"{len(errors)} problem(s)")
        self.errors = errors


class AutoMapChanged(Exception):
    """What auto-map would do changed since the seller's preview."""


@dataclass
class CsvImportResult:
    created: int = 0
    changed: int = 0
    unchanged: int = 0
    channel_skus: set[str] = field(default_factory=set, repr=False)


def integration_locked(integration: Integration) -> Integration:
    return Integration.objects.select_for_update(no_key=True).get(pk=integration.pk)


def _mappings_changed(*, integration: Integration, channel_skus: Collection[str]) -> None:
    """Orders (who hear the signal) and the stock push follow a mapping change in the same transaction."""
    if not channel_skus:
        return
    listing_mappings_changed.send(sender=ListingMapping, integration_id=integration.pk, channel_skus=set(channel_skus))
    listings_affected(integration_id=integration.pk, channel_skus=set(channel_skus))


def mapping_create(
    *, integration: Integration, channel_sku: str, product: Product, price: Decimal | None = None
) -> ListingMapping:
    """Map one listing; a channel SKU already mapped on this integration is a ValidationError."""
    channel_sku = channel_sku.strip()
    with transaction.atomic():
        integration_locked(integration)
        existing = ListingMapping.objects.for_integration(integration).filter(channel_sku=channel_sku).first()
        if existing is not None:
            raise ValidationError(
                f"{channel_sku} is already mapped to {existing.product.sku}; remove that mapping first to change it."
            )
        mapping = ListingMapping.objects.create(
            integration=integration, channel_sku=channel_sku, product=product, price=price
        )
        _mappings_changed(integration=integration, channel_skus={channel_sku})
    return mapping


def mapping_remove(*, mapping: ListingMapping) -> None:
    with transaction.atomic():
        integration_locked(mapping.integration)
        deleted, _ = ListingMapping.objects.filter(pk=mapping.pk).delete()
        if deleted:
            _mappings_changed(integration=mapping.integration, channel_skus={mapping.channel_sku})


# --- CSV upload --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CsvRow:
    row: int
    channel_sku: str
    product_sku: str
    price: Decimal | None
    has_price: bool  # the file has a price column; without one, a mapping's own price is left as it is


def _csv_decode(data: bytes) -> str:
    if len(data) > MAX_CSV_BYTES:
        raise CsvInvalid([RowError(0, f"The file is larger than {MAX_CSV_BYTES // (1024 * 1024)} MB; split it.")])
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise CsvInvalid(
            [RowError(0, "The file is not UTF-8 text; save it as “CSV UTF-8” and upload it again.")]
        ) from None


def _csv_parse(text: str) -> tuple[list[CsvRow], list[RowError]]:
    records = csv.reader(io.StringIO(text, newline=""))
    header = [cell.strip().lower() for cell in next(records, [])]
    if header[:2] != CSV_HEADER or header[2:] not in ([], ["price"]):
        raise CsvInvalid([RowError(1, "The first row must be the header channel_sku,product_sku (optionally ,price).")])
    rows, errors, first_row = [], [], {}
    for number, record in enumerate(records, start=2):
        if number - 1 > MAX_CSV_ROWS:
            raise CsvInvalid([RowError(number, f"The file has more than {MAX_CSV_ROWS:,} rows; split it.")])
        if not any(cell.strip() for cell in record):
            continue
        if len(record) != len(header):
            errors.append(RowError(number, f"expected {len(header)} columns, found {len(record)}."))
            continue
        record = [csv_cell_unprotected(cell) for cell in record]
        channel_sku, product_sku = record[0].strip(), record[1].strip()
        price, problems = None, []
        if not channel_sku:
            problems.append("channel_sku is empty.")
        elif len(channel_sku) > MAX_CHANNEL_SKU_LENGTH:
            problems.append(f"channel_sku is longer than {MAX_CHANNEL_SKU_LENGTH} characters.")
        elif channel_sku in first_row:
            problems.append(f"channel_sku {channel_sku} appears twice (first in row {first_row[channel_sku]}).")
        else:
            first_row[channel_sku] = number
        if not product_sku:
            problems.append("product_sku is empty.")
        if len(record) > 2 and record[2].strip():
            price, price_problem = _csv_price(record[2].strip())
            problems += [price_problem] if price_problem else []
        errors.extend(RowError(number, problem) for problem in problems)
        if not problems:
            rows.append(CsvRow(number, channel_sku, product_sku, price, has_price=len(header) > 2))
    return rows, errors


def _csv_price(text: str) -> tuple[Decimal | None, str | None]:
    try:
        price = Decimal(text)
    except InvalidOperation:
        return None, f"price {text} is not a number; write it like 9.99."
    if not price.is_finite() or price < 0 or price != price.quantize(Decimal("0.01")) or price >= 10**10:
        return None, f"price {text} must be zero or more with at most two decimal places."
    return price, None


@dataclass(frozen=True)
class CheckedCsv:
    text: str
    rows: list[CsvRow]


def mappings_csv_check(*, data: bytes) -> CheckedCsv:
    """Check a whole mappings CSV; CsvInvalid lists every bad row.

    1. Decode and parse every row; collect every row's problems (header, columns, empty cells, duplicates, price).
    2. Look up all product SKUs at once; an unknown one is a problem of its row.
    3. Any problem raises CsvInvalid listing each bad row.
    """
    text = _csv_decode(data)
    rows, errors = _csv_parse(text)
    product_ids = product_ids_by_sku(skus={row.product_sku for row in rows})
    errors += _unknown_products(rows, product_ids)
    if errors:
        raise CsvInvalid(sorted(errors, key=lambda error: error.row))
    if not rows:
        raise CsvInvalid([RowError(2, "The file has no mappings under its header.")])
    return CheckedCsv(text=text, rows=rows)


def mappings_csv_rows(*, text: str) -> list[CsvRow]:
    """The rows of a file mappings_csv_check accepted (read again by the worker that applies it)."""
    return _csv_parse(text)[0]


def _unknown_products(rows: list[CsvRow], product_ids: dict[str, int]) -> list[RowError]:
    return [
        RowError(row.row, f"product_sku {row.product_sku} is not in the catalogue; check the SKU.")
        for row in rows
        if row.product_sku not in product_ids
    ]


def mapping_rows_apply(*, integration: Integration, rows: list[CsvRow]) -> CsvImportResult:
    """Under the integration lock: create new mappings, re-point changed ones, reclassify, mark.

    A file without a price column leaves the prices of mappings it re-points or repeats as they are.
    A product removed since the check raises CsvInvalid before anything is written.
    """
    result = CsvImportResult()
    with transaction.atomic():
        integration_locked(integration)
        product_ids = product_ids_by_sku(skus={row.product_sku for row in rows})
        if errors := _unknown_products(rows, product_ids):
            raise CsvInvalid(errors)
        now = timezone.now()
        existing = mapping_states_for_channel_skus(
            integration=integration, channel_skus={row.channel_sku for row in rows}
        )
        new, changed, touched = [], [], set()
        for row in rows:
            product_id = product_ids[row.product_sku]
            current = existing.get(row.channel_sku)
            # An empty price cell clears the price; a file without the column keeps it.
            price = row.price if row.has_price else (current.price if current else None)
            if current is None:
                new.append(
                    ListingMapping(
                        integration=integration, channel_sku=row.channel_sku, product_id=product_id, price=price
                    )
                )
            elif (current.product_id, current.price) != (product_id, price):
                changed.append(ListingMapping(pk=current.pk, product_id=product_id, price=price, updated_at=now))
            else:
                result.unchanged += 1
                continue
            touched.add(row.channel_sku)
        ListingMapping.objects.bulk_create(new, batch_size=5000)
        bulk_update_rows(ListingMapping, changed, ["product", "price", "updated_at"])
        result.created, result.changed, result.channel_skus = len(new), len(changed), touched
        _mappings_changed(integration=integration, channel_skus=result.channel_skus)
    return result


def mappings_import_csv(*, integration: Integration, data: bytes) -> CsvImportResult:
    """Check a mappings CSV, then apply it all at once (all or nothing)."""
    return mapping_rows_apply(integration=integration, rows=mappings_csv_check(data=data).rows)


# --- auto-map ----------------------------------------------------------------------------------------------------


def mappings_auto_map_apply(*, integration: Integration, fingerprint: str) -> int:
    """Create the mappings a preview with this fingerprint showed; AutoMapChanged if they are different now."""
    with transaction.atomic():
        integration_locked(integration)
        candidates = auto_map_candidates(integration=integration)
        if auto_map_fingerprint(candidates) != fingerprint:
            raise AutoMapChanged
        try:
            with transaction.atomic():
                ListingMapping.objects.bulk_create(
                    [
                        ListingMapping(
                            integration=integration, channel_sku=candidate.channel_sku, product=candidate.product
                        )
                        for candidate in candidates
                    ],
                    batch_size=2000,
                )
        except IntegrityError:
            raise AutoMapChanged from None
        _mappings_changed(integration=integration, channel_skus={candidate.channel_sku for candidate in candidates})
    return len(candidates)
