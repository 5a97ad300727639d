"""Many rows in one statement, with their children: INSERT, or INSERT ... ON CONFLICT DO UPDATE; ids returned.

Django's bulk_create does the same but spends most of a page's time preparing each field of each model instance,
and cannot skip rows that hold a newer version.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from django.db import connection

from bulk.arrays import array_literal, array_type


@dataclass(frozen=True)
class Children:
    """Rows of `model` belonging to rows being inserted: each row is its parent's `key` values, then `columns`' values;
    `parent` is the column that gets the parent's id. With `conflict`, an upsert updating `update`."""

    model: type
    parent: str
    rows: list[tuple]
    columns: Sequence[str]
    conflict: Sequence[str] = ()
    update: Sequence[str] = ()

    @property
    def tail(self) -> str:
        return _on_conflict(self.model, self.conflict, self.update) if self.conflict else ""


def insert(
    model,
    rows: list[tuple],
    *,
    columns,
    key: Sequence[str],
    conflict=(),
    update=(),
    unless_newer="",
    children: Children | None = None,
) -> list[tuple]:
    """Insert the rows, and then any children of those written, linked by `key` (columns that tell this batch's rows
    apart). Returns (key values..., id) of each row written.

    A row that breaks a constraint raises IntegrityError, as bulk_create would; with `conflict`, the row already there
    is updated instead (`update`'s columns), unless it holds a newer `unless_newer`: then it stays as it is, is not
    returned, and its children are not written.

    With children, on PostgreSQL one statement (a data-modifying CTE): a page of orders and their lines, or of
    dispatches and theirs, is one round trip instead of two, each a wait for a core on a busy machine.
    """
    if not rows:
        return []
    tail = _on_conflict(model, conflict, update, unless_newer) if conflict else ""
    if children and children.rows and connection.vendor == "postgresql":
        return _insert_with_children(model, rows, columns=columns, key=key, tail=tail, children=children)
    written = _insert(model, rows, columns=columns, tail=tail, returning=[*key, "id"])
    if children:
        ids = {tuple(row[:-1]): row[-1] for row in written}
        linked = [(ids[row[: len(key)]], *row[len(key) :]) for row in children.rows if row[: len(key)] in ids]
        _insert(children.model, linked, columns=[children.parent, *children.columns], tail=children.tail, returning=())
    return written


def _insert_with_children(model, rows: list[tuple], *, columns, key, tail: str, children: Children) -> list[tuple]:
    quote = connection.ops.quote_name
    source, params = next(_sources(model, rows, columns))
    child_source, child_params = next(
        _sources(children.model, children.rows, [*key, *children.columns], types_from=(model, len(key)))
    )
    keys = [f"key_{index}" for index in range(len(key))]
    values = [f"value_{index}" for index in range(len(children.columns))]
    linked_by = " AND ".join(f"parent.{quote(column)} = child.{name}" for column, name in zip(key, keys, strict=True))
    key_and_id = [quote(column) for column in [*key, "id"]]
    # Only identifiers from our own model metadata are interpolated; every value is a parameter. The children's
    # foreign key to a parent of the same statement is checked at commit (Django makes them deferred).
    sql = (
        f"WITH parent AS ({_head(model, columns)} {source} {tail} RETURNING {', '.join(key_and_id)}), "  # noqa: S608
        f"written_children AS ({_head(children.model, [children.parent, *children.columns])} "
        f"SELECT parent.id, {', '.join(f'child.{name}' for name in values)} "
        f"FROM ({child_source}) AS child({', '.join([*keys, *values])}), parent WHERE {linked_by} {children.tail}) "
        f"SELECT {', '.join(key_and_id)} FROM parent"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, *child_params])
        return cursor.fetchall()


def _on_conflict(model, conflict, update, unless_newer="") -> str:
    """ON CONFLICT ... DO UPDATE (PostgreSQL and SQLite 3.35+)."""
    quote = connection.ops.quote_name
    on_conflict = (
        f"ON CONFLICT ({', '.join(map(quote, conflict))}) "
        f"DO UPDATE SET {', '.join(f'{quote(column)} = excluded.{quote(column)}' for column in update)}"
    )
    if unless_newer:
        table, column = quote(model._meta.db_table), quote(unless_newer)
        on_conflict += f" WHERE {table}.{column} <= excluded.{column}"
    return on_conflict


def _head(model, columns) -> str:
    quote = connection.ops.quote_name
    return f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(map(quote, columns))})"


def _insert(model, rows: list[tuple], *, columns, tail: str, returning) -> list[tuple]:
    quote = connection.ops.quote_name
    # Only identifiers from our own model metadata are interpolated; every value is a parameter.
    head = _head(model, columns)
    if returning:
        tail += f" RETURNING {', '.join(map(quote, returning))}"
    returned: list[tuple] = []
    with connection.cursor() as cursor:
        for source, params in _sources(model, rows, columns):
            cursor.execute(f"{head} {source} {tail}", params)
            if returning:
                returned.extend(cursor.fetchall())
    return returned


def _sources(model, rows: list[tuple], columns, types_from=None) -> Iterator[tuple[str, list]]:
    """The rows as the INSERT's source: on PostgreSQL, one statement unnesting an array per column; elsewhere VALUES
    lists, in batches of as many rows as the database takes parameters for. `types_from` (model, n): the first n
    columns are that model's (a parent's key)."""
    if not rows:
        return
    if connection.vendor == "postgresql":
        owner, owned = types_from or (model, 0)
        types = [array_type(owner if index < owned else model, column) for index, column in enumerate(columns)]
        arrays = ", ".join(f"%s::{array_type_}" for array_type_ in types)
        columns_as_arrays = [array_literal(values) for values in zip(*rows, strict=True)]
        yield f"SELECT * FROM unnest({arrays})", columns_as_arrays  # noqa: S608 (type names and placeholders)
        return
    one_row = "(" + ", ".join(["%s"] * len(columns)) + ")"
    batch = connection.ops.bulk_batch_size(columns, rows) or len(rows)
    for start in range(0, len(rows), batch):
        chunk = rows[start : start + batch]
        yield f"VALUES {', '.join([one_row] * len(chunk))}", [value for row in chunk for value in row]
