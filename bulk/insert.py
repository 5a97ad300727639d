"""Many rows in one statement: INSERT ... ON CONFLICT DO UPDATE, or a plain INSERT; ids returned.

Django's bulk_create does the same but spends most of a page's time preparing each field of each model instance,
and cannot skip rows that hold a newer version.
"""

from __future__ import annotations

from collections.abc import Iterator

from django.db import connection

from bulk.arrays import array_literal, array_type


def upsert(model, rows: list[tuple], *, columns, conflict, update, returning=(), unless_newer="") -> list[tuple]:
    """INSERT ... ON CONFLICT DO UPDATE of many rows in one statement (PostgreSQL and SQLite 3.35+)."""
    quote = connection.ops.quote_name
    on_conflict = (
        f"ON CONFLICT ({', '.join(map(quote, conflict))}) "
        f"DO UPDATE SET {', '.join(f'{quote(column)} = excluded.{quote(column)}' for column in update)}"
    )
    if unless_newer:  # a row already holding a newer version stays as it is (and is not returned)
        table, column = quote(model._meta.db_table), quote(unless_newer)
        on_conflict += f" WHERE {table}.{column} <= excluded.{column}"
    return _insert(model, rows, columns=columns, tail=on_conflict, returning=returning)


def insert(model, rows: list[tuple], *, columns, returning=()) -> list[tuple]:
    """A plain INSERT of many rows: a row that breaks a constraint raises IntegrityError, as bulk_create would."""
    return _insert(model, rows, columns=columns, tail="", returning=returning)


def _insert(model, rows: list[tuple], *, columns, tail: str, returning) -> list[tuple]:
    quote = connection.ops.quote_name
    # Only identifiers from our own model metadata are interpolated; every value is a parameter.
    head = f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(map(quote, columns))})"
    if returning:
        tail += f" RETURNING {', '.join(map(quote, returning))}"
    returned: list[tuple] = []
    with connection.cursor() as cursor:
        for source, params in _sources(model, rows, columns):
            cursor.execute(f"{head} {source} {tail}", params)
            if returning:
                returned.extend(cursor.fetchall())
    return returned


def _sources(model, rows: list[tuple], columns) -> Iterator[tuple[str, list]]:
    """The rows as the INSERT's source: on PostgreSQL, one statement unnesting an array per column; elsewhere VALUES
    lists, in batches of as many rows as the database takes parameters for."""
    if not rows:
        return
    if connection.vendor == "postgresql":
        arrays = ", ".join(f"%s::{array_type(model, column)}" for column in columns)
        columns_as_arrays = [array_literal(values) for values in zip(*rows, strict=True)]
        yield f"SELECT * FROM unnest({arrays})", columns_as_arrays  # noqa: S608 (type names and placeholders)
        return
    one_row = "(" + ", ".join(["%s"] * len(columns)) + ")"
    batch = connection.ops.bulk_batch_size(columns, rows) or len(rows)
    for start in range(0, len(rows), batch):
        chunk = rows[start : start + batch]
        yield f"VALUES {', '.join([one_row] * len(chunk))}", [value for row in chunk for value in row]
