"""The supplier API's request and response schemas for products and stock: they validate and they document.

Each field's JSON Schema (in the OpenAPI document) and its check are written side by side, from the same
pattern or bounds, so what the document promises is what the API accepts.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, Field, PlainValidator, WithJsonSchema

from bulk.limits import INTEGER_MAX
from stock.batches import Batch, BatchBody, BatchItem, refusal
from stock.models import Product

MAX_SKU_LENGTH = Product._meta.get_field("sku").max_length
MAX_TITLE_LENGTH = Product._meta.get_field("title").max_length
MAX_PRICE = Decimal("9999999999.99")
# A supplier clock a little ahead of ours is fine; a timestamp far in the future would freeze the SKU.
ALLOWED_CLOCK_SKEW = timedelta(hours=1)
AS_OF_EXAMPLE = "2026-11-27T10:00:00Z"

# No control characters (NUL above all: PostgreSQL cannot store it), no spaces at either end.
SKU_PATTERN = r"^[^\x00-\x20\x7f](?:[^\x00-\x1f\x7f]*[^\x00-\x20\x7f])?$"
# Anything but NUL, with at least one character that is neither a space nor a control character.
TITLE_PATTERN = r"^[^\x00]*[^\s\x00-\x1f\x7f][^\x00]*$"


def _matching(pattern: str, sentence: str) -> Callable[[str], str]:
    compiled = re.compile(pattern)

    def check(value: str) -> str:
        if not compiled.match(value):
            raise refusal(sentence)
        return value

    return check


def timestamp_parse(raw: Any, *, name: str, in_the_future: str) -> datetime:
    """A supplier's ISO 8601 time with a time zone, at most ALLOWED_CLOCK_SKEW ahead (else `in_the_future`)."""
    if not isinstance(raw, str):
        raise refusal(f"{name} must be an ISO 8601 string, e.g. {AS_OF_EXAMPLE}.")
    try:
        value = datetime.fromisoformat(raw)
    except ValueError:
        raise refusal(f"{name} is not a valid ISO 8601 timestamp, e.g. {AS_OF_EXAMPLE}.") from None
    if value.tzinfo is None:
        raise refusal(f"{name} must include a time zone (e.g. a trailing Z for UTC).")
    if value > datetime.now(UTC) + ALLOWED_CLOCK_SKEW:
        raise refusal(f"{name} is in the future: {in_the_future}")
    return value


def _as_of_parse(raw: Any) -> datetime:
    return timestamp_parse(raw, name="as_of", in_the_future="send the time the quantity was true.")


Sku = Annotated[
    str,
    Field(
        strict=True,
        min_length=1,
        max_length=MAX_SKU_LENGTH,
        json_schema_extra={"pattern": SKU_PATTERN},
        description="Your product's SKU: no spaces at either end, no control characters.",
        examples=["MUG-RED-350"],
    ),
    AfterValidator(
        _matching(SKU_PATTERN, "sku must not start or end with spaces or hold control characters such as NUL.")
    ),
]

Title = Annotated[
    str,
    Field(
        strict=True,
        min_length=1,
        max_length=MAX_TITLE_LENGTH,
        json_schema_extra={"pattern": TITLE_PATTERN},
        description="The product's title (spaces at either end are removed).",
        examples=["Red mug, 350 ml"],
    ),
    AfterValidator(
        _matching(TITLE_PATTERN, "title must be a non-empty string (not only spaces), without NUL characters.")
    ),
    AfterValidator(str.strip),
]

Quantity = Annotated[
    int,
    Field(strict=True, ge=0, le=INTEGER_MAX, description="Units available to sell: a whole number.", examples=[12]),
]

Price = Annotated[
    Decimal,
    Field(
        ge=0,
        le=MAX_PRICE,
        decimal_places=2,
        description='A decimal with at most two decimal places, best sent as a string ("9.99").',
        examples=["9.99"],
    ),
    AfterValidator(lambda price: price.quantize(Decimal("0.01"))),
]

AsOf = Annotated[
    datetime,
    PlainValidator(_as_of_parse),
    WithJsonSchema(
        {
            "type": "string",
            "format": "date-time",
            "description": "When the quantity was true: ISO 8601 with a time zone, at most an hour ahead of ours. "
            "An update older than the one held for the SKU is ignored.",
            "examples": [AS_OF_EXAMPLE],
        }
    ),
]


# --- stock -------------------------------------------------------------------------------------------------------


class StockUpdateIn(BatchItem):
    """A stock level for one of your products, as it was at `as_of`."""

    sku: Sku
    quantity: Quantity
    as_of: AsOf


class StockUpdatesIn(BatchBody):
    updates: Batch[StockUpdateIn] = Field(description="At most 5,000 (SUPPLIER_API_MAX_ITEMS) per request.")


class StockUpdatesOut(BaseModel):
    received: int = Field(description="Items in the request.")
    updated: int = Field(description="Quantities that changed.")
    unchanged: int = Field(description="Replays, and newer updates with the quantity already held.")
    ignored_out_of_order: int = Field(description="Updates not newer than the one held for the SKU.")


# --- products ----------------------------------------------------------------------------------------------------


class ProductIn(BatchItem):
    """One of your products; a new SKU needs a title. Fields left out (or null) keep their value."""

    sku: Sku
    title: Title | None = None
    price: Price | None = None
    quantity: Quantity | None = None
    as_of: AsOf | None = Field(default=None, description="When the quantity was true; default: now.")


class ProductsIn(BatchBody):
    products: Batch[ProductIn] = Field(description="At most 5,000 (SUPPLIER_API_MAX_ITEMS) per request.")


class ProductsOut(BaseModel):
    received: int = Field(description="Items in the request.")
    created: int
    updated: int = Field(description="Products of which anything changed.")
    unchanged: int
    ignored_out_of_order: int = Field(description="Quantities not newer than the one held (nothing else changed).")
