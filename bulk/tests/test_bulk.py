"""Whatever a batch holds is stored, updated and found exactly as given, on every database the suite runs on."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from django.db import DataError, transaction
from django.utils import timezone

from bulk.insert import Children, insert
from bulk.update import bulk_update_rows
from bulk.where import column_in
from channels.tests.factories import IntegrationFactory
from stock.models import ListingMapping, Product, Supplier
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

    returned = insert(Product, rows, columns=COLUMNS, key=["sku", "quantity_as_of"])

    assert sorted(sku for sku, _, _ in returned) == sorted(row[0] for row in rows)
    assert {as_of for _, as_of, _ in returned} == {rows[0][5]}
    assert _stored([row[0] for row in rows]) == sorted((row[0], row[1], row[3], row[4]) for row in rows)


def test_an_upsert_updates_the_rows_already_there_and_inserts_the_rest():
    supplier = SupplierFactory()
    rows = _rows(supplier.pk)
    insert(Product, rows[:4], columns=COLUMNS, key=["sku"])
    changed = [(sku, title + " (new)", *rest) for sku, title, *rest in rows]

    insert(Product, changed, columns=COLUMNS, key=["sku"], conflict=["sku"], update=["title"])

    stored = _stored([row[0] for row in rows])
    assert [(sku, title) for sku, title, _, _ in stored] == sorted((row[0], row[1]) for row in changed)


def test_each_moment_in_a_column_of_datetimes_is_stored_as_given():
    supplier = SupplierFactory()
    moment = datetime(2026, 12, 6, 23, 59, 58, 123456, tzinfo=UTC)
    # The same moment twice (once in another time zone), a missing one, and others apart by a microsecond and a day.
    as_ofs = [
        moment,
        None,
        moment.astimezone(ZoneInfo("Europe/Berlin")),
        moment + timedelta(microseconds=1),
        moment - timedelta(days=1),
        moment,
    ]
    now = timezone.now()
    rows = [(f"AS-OF-{index}", "title", supplier.pk, None, 1, as_of, now, now) for index, as_of in enumerate(as_ofs)]

    insert(Product, rows, columns=COLUMNS, key=["sku"])

    stored = Product.objects.filter(supplier=supplier).order_by("sku").values_list("quantity_as_of", "created_at")
    assert list(stored) == [(as_of, now) for as_of in as_ofs]


@pytest.mark.postgres  # SQLite does not enforce a column's length
def test_a_value_too_long_for_its_column_is_refused_not_cut_short():
    supplier = SupplierFactory()
    now = timezone.now()
    too_long = ("X" * 101, "title", supplier.pk, None, 1, now, now, now)

    with pytest.raises(DataError), transaction.atomic():
        insert(Product, [too_long], columns=COLUMNS, key=["sku"])

    assert not Product.objects.filter(supplier=supplier).exists()


def test_updated_rows_read_back_exactly_as_given_and_are_found_by_those_values():
    supplier = SupplierFactory()
    rows = _rows(supplier.pk)
    ids = dict(insert(Product, rows, columns=COLUMNS, key=["sku"]))
    updates = [
        SimpleNamespace(pk=ids[sku], title=f"{text}!", price=Decimal("1.50"), quantity=index)
        for index, (sku, text, *_) in enumerate(rows)
    ]

    bulk_update_rows(Product, updates, ["title", "price", "quantity"])

    expected = sorted((sku, f"{text}!", Decimal("1.50"), index) for index, (sku, text, *_) in enumerate(rows))
    assert _stored(ids) == expected
    found = Product.objects.filter(column_in(Product, "title", [f"{text}!" for text in AWKWARD_TEXT[:3]]))
    assert sorted(found.values_list("title", flat=True)) == sorted(f"{text}!" for text in AWKWARD_TEXT[:3])


def test_rows_and_their_children_are_stored_each_child_with_its_own_parent():
    now = timezone.now()
    suppliers = [(f"Supplier {text}", now) for text in AWKWARD_TEXT[:3]]
    products = [
        (name, f"{name}-SKU-{number}", text, 1, now, now, now)
        for (name, _), text in zip(suppliers, AWKWARD_TEXT[3:6], strict=True)
        for number in range(2)
    ]

    written = insert(
        Supplier,
        suppliers,
        columns=["name", "created_at"],
        key=["name"],
        children=Children(
            Product, parent="supplier_id", rows=products, columns=["sku", "title", "quantity", *COLUMNS[5:]]
        ),
    )

    ids = dict(written)
    assert sorted(ids) == sorted(name for name, _ in suppliers)
    stored = Product.objects.filter(supplier_id__in=ids.values()).values_list("supplier_id", "sku", "title")
    assert sorted(stored) == sorted((ids[name], sku, title) for name, sku, title, *_ in products)


def test_an_upsert_leaves_a_newer_row_and_its_children_as_they_are():
    integration = IntegrationFactory()
    supplier = SupplierFactory()
    then, later = datetime(2026, 12, 1, tzinfo=UTC), datetime(2026, 12, 2, tzinfo=UTC)
    now = timezone.now()

    def upsert_products(as_of, title):
        return insert(
            Product,
            [(sku, title, supplier.pk, 1, as_of, now, now) for sku in ("KEPT", "NEWER")],
            columns=["sku", "title", "supplier_id", "quantity", "quantity_as_of", "created_at", "updated_at"],
            key=["sku"],
            conflict=["sku"],
            update=["title", "quantity_as_of"],
            unless_newer="quantity_as_of",
            children=Children(
                ListingMapping,
                parent="product_id",
                rows=[(sku, integration.pk, f"AMZ-{sku}", now, now) for sku in ("KEPT", "NEWER")],
                columns=["integration_id", "channel_sku", "created_at", "updated_at"],
                conflict=["integration_id", "channel_sku"],
                update=["product_id"],
            ),
        )

    upsert_products(then, "first")
    Product.objects.filter(sku="NEWER").update(quantity_as_of=later, title="newer")
    ListingMapping.objects.filter(channel_sku="AMZ-NEWER").delete()

    written = upsert_products(then, "second")

    assert [sku for sku, _ in written] == ["KEPT"]
    assert dict(Product.objects.filter(supplier=supplier).values_list("sku", "title")) == {
        "KEPT": "second",
        "NEWER": "newer",
    }
    assert list(ListingMapping.objects.filter(integration=integration).values_list("channel_sku", flat=True)) == [
        "AMZ-KEPT"
    ]
