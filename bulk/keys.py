"""Rows found by a batch of keys within a scope (an integration's orders by Amazon order id, say): one index lookup
per key, whatever PostgreSQL believes about the table.

Written as `key = ANY(batch) AND scope = x`, the plan rests on the table's statistics. When they are stale (a seller's
first download into a table not analysed since it grew), PostgreSQL expects a handful of rows in the scope, reads all
of them and filters: in a 10,000-order download, 4,800 rows for each page by the middle, more page after page. Here
each key of the batch is looked up on its own in the unique index that the scope and the key form.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

from django.db import connection, models

from bulk.arrays import array_literal, array_type
from bulk.where import column_in


def rows_by_key(
    model: type[models.Model], *, scope: dict[str, object], key: str, values: Collection, columns: Sequence[str]
) -> list[tuple]:
    """`columns` (field names, or pk) of the rows of `model` matching every field = value of `scope` whose `key` is
    one of `values`, as the database holds them (no field's conversion from it, so not for encrypted fields). The
    scope's fields and the key must lead an index of the table."""
    if not values:
        return []
    if connection.vendor != "postgresql":
        return list(model.objects.filter(column_in(model, key, values), **scope).order_by().values_list(*columns))
    quote, fields = connection.ops.quote_name, model._meta
    selected = ", ".join(
        f"found.{quote((fields.pk if column == 'pk' else fields.get_field(column)).column)}" for column in columns
    )
    scoped = " AND ".join(f"{quote(fields.get_field(name).column)} = %s" for name in scope)
    # OFFSET 0 keeps the subquery from being merged into a join, which would hand the choice back to the statistics.
    sql = (
        f"SELECT {selected} FROM unnest(%s::{array_type(model, key)}) AS wanted(key) "  # noqa: S608 (names, placeholders)
        f"CROSS JOIN LATERAL (SELECT * FROM {quote(fields.db_table)} "
        f"WHERE {scoped} AND {quote(fields.get_field(key).column)} = wanted.key OFFSET 0) AS found"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [array_literal(values), *scope.values()])
        return cursor.fetchall()
