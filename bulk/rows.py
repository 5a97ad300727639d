"""Reading a table's rows by a bulk.where condition in SQL written here, not compiled by Django's ORM.

A stock update reads the same few queries every time. Building and compiling each through the ORM (cloning the
queryset, resolving every lookup, writing the SQL) cost about as much of the web process's CPU as PostgreSQL took to
run it. These write the statement from the model's metadata and convert what comes back with the same
converters the ORM applies, so that the values are the ones the ORM would have given.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import cache

from django.db import connection, models
from django.db.models.expressions import RawSQL

from bulk.where import qualified_column

Converter = Callable[[object, object, object], object]


def rows_where(
    model: type[models.Model],
    columns: Sequence[str],
    condition: RawSQL,
    *,
    scope: dict[str, object] | None = None,
    order_by: str = "",
    lock: bool = False,
) -> list[tuple]:
    """`columns` (field names) of `model`'s rows matching `condition` and every field = value of `scope` (values
    of the column's Python type), ordered by the field `order_by`; with `lock`, locked FOR UPDATE (where the
    database can)."""
    selected, converters = _selected(model, tuple(columns), connection.vendor)
    scope = scope or {}
    conditions = [condition.sql, *(f"{qualified_column(model, name)} = %s" for name in scope)]
    table = connection.ops.quote_name(model._meta.db_table)
    sql = f"SELECT {selected} FROM {table} WHERE {' AND '.join(conditions)}"  # noqa: S608 (names, placeholders)
    if order_by:
        sql += f" ORDER BY {qualified_column(model, order_by)}"
    if lock and connection.features.has_select_for_update:
        sql += " FOR UPDATE"
    with connection.cursor() as cursor:
        cursor.execute(sql, [*condition.params, *scope.values()])
        rows = cursor.fetchall()
    return converted(rows, converters)


def converted(rows: list[tuple], converters: Sequence[tuple[int, Converter, object]]) -> list[tuple]:
    """The rows with each (column index, converter, expression) applied, as the ORM's compiler applies them."""
    if not converters:  # PostgreSQL's driver gives these columns' Python values already
        return rows
    result = []
    for row in rows:
        values = list(row)
        for index, convert, expression in converters:
            values[index] = convert(values[index], expression, connection)
        result.append(tuple(values))
    return result


def field_converters(fields: Sequence[models.Field], alias: str) -> list[tuple[int, Converter, object]]:
    """What the ORM's compiler would apply to each of these fields' columns read from table `alias`."""
    converters = []
    for index, field in enumerate(fields):
        column = field.get_col(alias)
        for convert in connection.ops.get_db_converters(column) + field.get_db_converters(connection):
            converters.append((index, convert, column))
    return converters


@cache
def _selected(model: type[models.Model], columns: tuple[str, ...], vendor: str) -> tuple[str, list]:
    """The select list of these fields, table-qualified, and their converters: worked out once per model and
    columns (and database, whose converters differ)."""
    fields = [model._meta.get_field(name) for name in columns]
    selected = ", ".join(qualified_column(model, name) for name in columns)
    return selected, field_converters(fields, model._meta.db_table)
