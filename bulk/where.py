"""`IN (...)` conditions on a batch's values, built as one SQL fragment.

Django's `__in` lookup prepares and checks every value on its own: for the hundred SKUs or ids of a stock batch,
building the query took longer than PostgreSQL took to run it. These write the same condition with the values as
query parameters (on PostgreSQL one array parameter: `= ANY`), for values that already have their column's Python
type.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable

from django.db import connection, models
from django.db.models.expressions import RawSQL

from bulk.arrays import array_literal, array_type


def column_in(model: type[models.Model], name: str, values: Collection) -> RawSQL:
    """`<model's column for field name> IN (values)`; no row when there are no values."""
    return _condition(*_in(model, name, values))


def pairs_in(model: type[models.Model], first: str, second: str, pairs: Iterable[tuple]) -> RawSQL:
    """Rows whose (first, second) is one of `pairs`: `(first = a AND second IN (b, c)) OR ...`, grouped by first."""
    by_first: dict = defaultdict(list)
    for first_value, second_value in pairs:
        by_first[first_value].append(second_value)
    if not by_first:
        return _condition("1 = 0", [])
    first_column = qualified_column(model, first)
    parts, params = [], []
    for first_value, second_values in by_first.items():
        second_sql, second_params = _in(model, second, second_values)
        parts.append(f"({first_column} = %s AND {second_sql})")
        params += [first_value, *second_params]
    return _condition(" OR ".join(parts), params)


def _in(model: type[models.Model], name: str, values: Collection) -> tuple[str, list]:
    if not values:
        return "1 = 0", []
    if connection.vendor == "postgresql":
        return f"{qualified_column(model, name)} = ANY(%s::{array_type(model, name)})", [array_literal(values)]
    return f"{qualified_column(model, name)} IN ({', '.join(['%s'] * len(values))})", list(values)


def qualified_column(model: type[models.Model], name: str) -> str:
    """`"table"."column"` of field `name` (or its attname), for SQL written from the model's metadata."""
    quote = connection.ops.quote_name
    return f"{quote(model._meta.db_table)}.{quote(model._meta.get_field(name).column)}"


def _condition(sql: str, params: list) -> RawSQL:
    # Only quoted column names and placeholders are written into the SQL; every value is a parameter.
    return RawSQL(f"({sql})", params, output_field=models.BooleanField())  # noqa: S611
