"""One UPDATE for many rows with different values each.

Django's bulk_update writes a CASE per column whose cost grows with the square of the rows on PostgreSQL; a join
on a VALUES list is linear. Other databases keep bulk_update.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import connection, models


def bulk_update_rows(
    model: type[models.Model], rows: Sequence, field_names: list[str], *, batch_size: int = 2000
) -> None:
    """Write `field_names` of each row (a `model` instance, or any object with its `pk` and those attributes)."""
    if not rows:
        return
    fields = [model._meta.get_field(name) for name in field_names]
    if connection.vendor != "postgresql":
        instances = [
            model(pk=row.pk, **{field.attname: getattr(row, field.attname) for field in fields}) for row in rows
        ]
        model.objects.bulk_update(instances, field_names, batch_size=min(batch_size, 500))
        return
    table = model._meta.db_table
    columns = ", ".join(connection.ops.quote_name(field.column) for field in fields)
    assignments = ", ".join(
        f"{connection.ops.quote_name(field.column)} = v.{connection.ops.quote_name(field.column)}" for field in fields
    )
    casts = ", ".join(f"%s::{field.db_type(connection)}" for field in fields)
    for start in range(0, len(rows), batch_size):
        batch = rows[start : start + batch_size]
        values = ", ".join([f"(%s::bigint, {casts})"] * len(batch))
        params: list = []
        for row in batch:
            params.append(row.pk)
            # Plain ints, strings, booleans, Decimals and aware datetimes: psycopg2 adapts them as they are.
            params.extend(getattr(row, field.attname) for field in fields)
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {connection.ops.quote_name(table)} AS t SET {assignments} "  # noqa: S608
                f"FROM (VALUES {values}) AS v(id, {columns}) WHERE t.id = v.id",
                params,
            )
