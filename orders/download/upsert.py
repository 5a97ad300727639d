"""INSERT ... ON CONFLICT DO UPDATE of many rows in one statement."""

from __future__ import annotations

from django.db import connection


def upsert(model, rows: list[tuple], *, columns, conflict, update, returning=(), unless_newer="") -> list[tuple]:
    """INSERT ... ON CONFLICT DO UPDATE of many rows in one statement (PostgreSQL and SQLite 3.35+).

    Django's bulk_create(update_conflicts=True) does the same but spends most of a page's time compiling it,
    and cannot skip rows that hold a newer version.
    """
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
                f"VALUES {', '.join([one_row] * len(chunk))} "
                f"ON CONFLICT ({', '.join(map(quote, conflict))}) "
                f"DO UPDATE SET {', '.join(f'{quote(column)} = excluded.{quote(column)}' for column in update)}"
            )
            if unless_newer:  # a row already holding a newer version stays as it is (and is not returned)
                table, column = quote(model._meta.db_table), quote(unless_newer)
                sql += f" WHERE {table}.{column} <= excluded.{column}"
            if returning:
                sql += f" RETURNING {', '.join(map(quote, returning))}"
            cursor.execute(sql, [value for row in chunk for value in row])
            if returning:
                returned.extend(cursor.fetchall())
    return returned
