"""A column of a batch as one PostgreSQL array parameter, unpacked in SQL by `unnest` or `= ANY`.

psycopg2 writes each parameter into the statement's text on its own: for a page of a hundred orders (1,300 values)
that took longer than PostgreSQL took to store them, and PostgreSQL then parsed each value as a constant of its own.
As one array literal per column, the same statement costs about half on each side.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime
from functools import cache

from django.db import connection, models


def array_literal(values: Iterable) -> str:
    """PostgreSQL's text form of an array of these values, None as NULL: sent as an ordinary string parameter.

    Each element is double-quoted and escaped. Elements are written with str(), which PostgreSQL reads back as the
    same value for the types the bulk functions are given: ints, strings, Decimals, booleans, dates and aware
    datetimes.
    """
    texts = _texts(list(values))
    if texts and None not in texts:
        # A downloaded page's arrays hold thousands of values: joined and escaped in a few C calls, not one by one.
        # NUL cannot be in PostgreSQL text, so it can stand between elements; a value holding one (refused by the
        # database either way) would shift the count, and goes the element-by-element way.
        joined = "\0".join(texts)
        if joined.count("\0") == len(texts) - 1:
            return '{"' + _escaped(joined).replace("\0", '","') + '"}'
    return "{" + ",".join("NULL" if text is None else f'"{_escaped(text)}"' for text in texts) + "}"


def _texts(values: list) -> list[str | None]:
    """str() of each value, None kept. A column of datetimes is written once per distinct moment: most of a page's
    datetime columns hold one (when the page was stored), and writing an aware datetime costs as much as writing
    thirty ints. Equal moments are the same timestamptz, whatever their time zones."""
    first = next((value for value in values if value is not None), None)
    if isinstance(first, datetime):
        text = {value: str(value) for value in set(values) - {None}}
        return [text.get(value) for value in values]
    if None in values:
        return [None if value is None else str(value) for value in values]
    return list(map(str, values))


def _escaped(text: str) -> str:
    """Backslashes and double quotes, the only characters special inside a double-quoted array element."""
    return text.replace("\\", "\\\\").replace('"', '\\"')


@cache
def array_type(model: type[models.Model], name: str) -> str:
    """The array type for a column of `model` (field name or attname): its type without length or precision, so a
    value too long for the column fails when stored, as with plain parameters, instead of being cut short by a cast.
    Only PostgreSQL calls this, so it is worked out once per column."""
    return re.sub(r"\(.*\)", "", model._meta.get_field(name).db_type(connection)) + "[]"
