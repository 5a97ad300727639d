"""One UPDATE for many rows with different values each.

Django's bulk_update writes a CASE per column whose cost grows with the square of the rows on PostgreSQL; a join
on the rows' values, one array per column, is linear. Other databases keep bulk_update.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import connection, models

from bulk.arrays import array_literal, array_type


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
    quote = connection.ops.quote_name
    columns = [quote(field.column) for field in fields]
    assignments = ", ".join(f"{column} = v.{column}" for column in columns)
    arrays = ", ".join(f"%s::{array_type(model, name)}" for name in [model._meta.pk.name, *field_names])
    # Only identifiers from our own model metadata are interpolated; every value is a parameter.
    sql = (
        f"UPDATE {quote(model._meta.db_table)} AS t SET {assignments} "  # noqa: S608
        f"FROM unnest({arrays}) AS v(id, {', '.join(columns)}) WHERE t.id = v.id"
    )
    with connection.cursor() as cursor:
        for start in range(0, len(rows), batch_size):
            batch = rows[start : start + batch_size]
            params = [array_literal(row.pk for row in batch)]
            params.extend(array_literal(getattr(row, field.attname) for row in batch) for field in fields)
            cursor.execute(sql, params)
