"""Whatever a batch holds is stored, updated and found exactly as given, on every database the suite runs on."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.db import DataError, transaction
from django.utils import timezone

from bulk.insert import insert, upsert
from bulk.update import bulk_update_rows
from bulk.where import column_in
from stock.models import Product
from stock.tests.factories import SupplierFactory

pytestmark = pytest.mark.django_db

AWKWARD_TEXT = [
    'He said "yes"',
    'back\\slash and \\" both',
    "{braces}, commas, (parens)",
    "NULL",
    "",
    "  spaces kept  ",
    "line\nbreak\ttab",
    "'single' quotes; DROP TABLE stock_product; --",
    "ünïcødé ✓ 🙂",
]
COLUMNS = ["sku", "title", "supplier_id", "price", "quantity", "quantity_as_of", "created_at", "updated_at"]


def _rows(supplier_id: int, prefix: str = "") -> list[tuple]:
    as_of = datetime(2026, 12, 6, 23, 59, 58, 123456, tzinfo=UTC)
    now = timezone.now()
    return [
        (f"{prefix}SKU-{index}-{text}", text, supplier_id, price, quantity, as_of, now, now)
        for index, (text, price, quantity) in enumerate(
            zip(AWKWARD_TEXT, [Decimal("9.99"), None, Decimal("0.00")] * 3, [0, None, 7] * 3, strict=True)
        )
    ]


def _stored(skus) -> list[tuple]:
    return list(Product.objects.filter(sku__in=skus).order_by("sku").values_list("sku", "title", "price", "quantity"))


def test_inserted_rows_read_back_exactly_as_given():
    supplier = SupplierFactory()
    rows = _rows(supplier.pk)

    returned = insert(Product, rows, columns=COLUMNS, returning=["sku", "quantity_as_of"])

    assert sorted(sku for sku, _ in returned) == sorted(row[0] for row in rows)
    assert {as_of for _, as_of in returned} == {rows[0][5]}
    assert _stored([row[0] for row in rows]) == sorted((row[0], row[1], row[3], row[4]) for row in rows)


def test_an_upsert_updates_the_rows_already_there_and_inserts_the_rest():
    supplier = SupplierFactory()
    rows = _rows(supplier.pk)
    insert(Product, rows[:4], columns=COLUMNS)
    changed = [(sku, title + " (new)", *rest) for sku, title, *rest in rows]

    upsert(Product, changed, columns=COLUMNS, conflict=["sku"], update=["title"])

    stored = _stored([row[0] for row in rows])
    assert [(sku, title) for sku, title, _, _ in stored] == sorted((row[0], row[1]) for row in changed)


@pytest.mark.postgres  # SQLite does not enforce a column's length
def test_a_value_too_long_for_its_column_is_refused_not_cut_short():
    supplier = SupplierFactory()
    now = timezone.now()
    too_long = ("X" * 101, "title", supplier.pk, None, 1, now, now, now)

    with pytest.raises(DataError), transaction.atomic():
        insert(Product, [too_long], columns=COLUMNS)

    assert not Product.objects.filter(supplier=supplier).exists()


def test_updated_rows_read_back_exactly_as_given_and_are_found_by_those_values():
    supplier = SupplierFactory()
    rows = _rows(supplier.pk)
    ids = dict(insert(Product, rows, columns=COLUMNS, returning=["sku", "id"]))
    updates = [
        SimpleNamespace(pk=ids[sku], title=f"{text}!", price=Decimal("1.50"), quantity=index)
        for index, (sku, text, *_) in enumerate(rows)
    ]

    bulk_update_rows(Product, updates, ["title", "price", "quantity"])

    expected = sorted((sku, f"{text}!", Decimal("1.50"), index) for index, (sku, text, *_) in enumerate(rows))
    assert _stored(ids) == expected
    found = Product.objects.filter(column_in(Product, "title", [f"{text}!" for text in AWKWARD_TEXT[:3]]))
    assert sorted(found.values_list("title", flat=True)) == sorted(f"{text}!" for text in AWKWARD_TEXT[:3])
