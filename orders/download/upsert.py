"""Many rows in one statement: INSERT ... ON CONFLICT DO UPDATE, or a plain INSERT; ids returned.

Django's bulk_create does the same but spends most of a page's time preparing each field of each model instance,
and cannot skip rows that hold a newer version.
"""

from __future__ import annotations

from django.db import connection


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
    one_row = "(" + ", ".join(["%s"] * len(columns)) + ")"
    batch = connection.ops.bulk_batch_size(columns, rows) or len(rows)
    returned: list[tuple] = []
    with connection.cursor() as cursor:
        for start in range(0, len(rows), batch):
            chunk = rows[start : start + batch]
            # Only identifiers from our own model metadata are interpolated; every value is a parameter.
            sql = (
                f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(map(quote, columns))}) "  # noqa: S608
                f"VALUES {', '.join([one_row] * len(chunk))} {tail}"
            )
            if returning:
                sql += f" RETURNING {', '.join(map(quote, returning))}"
            cursor.execute(sql, [value for row in chunk for value in row])
            if returning:
                returned.extend(cursor.fetchall())
    return returned
