"""A batch of keys finds exactly the scope's own rows, and reads only those, whatever the table's statistics say."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bulk.keys import rows_by_key
from bulk.tests.test_bulk import AWKWARD_TEXT
from channels.tests.factories import IntegrationFactory
from stock.models import ListingMapping
from stock.tests.factories import ProductFactory

pytestmark = pytest.mark.django_db


def _map(integration, channel_skus) -> None:
    product = ProductFactory()
    ListingMapping.objects.bulk_create(
        ListingMapping(integration=integration, channel_sku=sku, product=product) for sku in channel_skus
    )


def test_the_rows_found_are_the_scopes_own_and_read_back_exactly():
    mine, theirs = IntegrationFactory(), IntegrationFactory()
    _map(mine, AWKWARD_TEXT)
    _map(theirs, AWKWARD_TEXT)
    wanted = [*AWKWARD_TEXT[:5], "not mapped"]

    found = rows_by_key(
        ListingMapping, scope={"integration": mine.pk}, key="channel_sku", values=wanted, columns=["channel_sku", "pk"]
    )

    expected = ListingMapping.objects.filter(integration=mine, channel_sku__in=wanted).values_list("channel_sku", "pk")
    assert sorted(found) == sorted(expected)
    assert len(found) == 5
    nothing_wanted = rows_by_key(
        ListingMapping, scope={"integration": mine.pk}, key="channel_sku", values=[], columns=["pk"]
    )
    assert nothing_wanted == []


def _rows_read(plan: dict, table: str) -> int:
    """Rows the plan's scans of `table` read, kept or filtered out, over all their loops."""
    read = 0
    if plan.get("Relation Name") == table:
        read += (plan["Actual Rows"] + plan.get("Rows Removed by Filter", 0)) * plan["Actual Loops"]
    return read + sum(_rows_read(child, table) for child in plan.get("Plans", []))


@pytest.mark.postgres
def test_a_batch_of_keys_reads_only_its_rows_from_a_table_never_analysed():
    # A seller's first download into a table that grew since it was last analysed: a scope of thousands of rows.
    integration = IntegrationFactory()
    _map(integration, [f"SKU-{number}" for number in range(3000)])
    wanted = [f"SKU-{number}" for number in range(0, 3000, 300)]

    with CaptureQueriesContext(connection) as queries:
        found = rows_by_key(
            ListingMapping, scope={"integration": integration.pk}, key="channel_sku", values=wanted, columns=["pk"]
        )
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + queries[-1]["sql"])
        (plan,) = cursor.fetchone()[0]

    assert len(found) == 10
    assert _rows_read(plan["Plan"], "stock_listingmapping") == 10
