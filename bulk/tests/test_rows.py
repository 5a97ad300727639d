"""Rows read by bulk.rows come back exactly as the ORM gives them, on every database the suite runs on."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.db import transaction

from bulk.rows import rows_where
from bulk.where import column_in
from stock.models import Product
from stock.tests.factories import SupplierFactory

from .test_bulk import AWKWARD_TEXT

pytestmark = pytest.mark.django_db

COLUMNS = ["id", "sku", "title", "price", "quantity", "quantity_as_of", "supplier"]


def _products(supplier, prefix: str) -> list[Product]:
    as_of = datetime(2026, 12, 6, 23, 59, 58, 123456, tzinfo=UTC)
    return [
        Product.objects.create(
            supplier=supplier,
            sku=f"{prefix}-{index}",
            title=text,
            price=[Decimal("9.99"), None, Decimal("0.10")][index % 3],
            quantity=[0, None, 7][index % 3],
            quantity_as_of=as_of,
        )
        for index, text in enumerate(AWKWARD_TEXT)
    ]


def test_the_rows_read_are_the_ones_the_orm_reads_with_the_same_values():
    supplier = SupplierFactory()
    products = _products(supplier, "ROWS")
    _products(SupplierFactory(), "OTHER")  # not asked for
    skus = [product.sku for product in products[1:]]

    rows = rows_where(Product, COLUMNS, column_in(Product, "sku", skus), order_by="id")

    orm = Product.objects.filter(sku__in=skus).order_by("id").values_list("pk", *COLUMNS[1:])
    assert rows == list(orm)
    assert {type(row[3]) for row in rows} == {Decimal, type(None)}
    assert all(row[5] == products[0].quantity_as_of for row in rows)


def test_the_scope_narrows_the_condition_and_lock_reads_the_same_rows():
    supplier, other = SupplierFactory(), SupplierFactory()
    mine = _products(supplier, "MINE")
    _products(other, "THEIRS")
    skus = [f"{prefix}-{index}" for prefix in ("MINE", "THEIRS") for index in range(len(AWKWARD_TEXT))]

    with transaction.atomic():
        rows = rows_where(
            Product, ["id", "sku"], column_in(Product, "sku", skus), scope={"supplier": supplier.pk}, lock=True
        )

    assert sorted(rows) == sorted((product.pk, product.sku) for product in mine)


def test_no_values_no_rows():
    _products(SupplierFactory(), "NONE")

    assert rows_where(Product, ["id"], column_in(Product, "sku", [])) == []
