"""The supplier API's schemas for dispatches and shipments: they validate and they document."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Annotated, Any, ClassVar

from pydantic import BaseModel, Field, PlainValidator, WithJsonSchema

from bulk.limits import INTEGER_MAX
from stock.batches import Batch, BatchBody, BatchItem, refusal
from stock.schemas import AS_OF_EXAMPLE, SKU_PATTERN, TITLE_PATTERN, Sku, timestamp_parse

SHIP_DATE_EXAMPLE = AS_OF_EXAMPLE


def _ship_date_parse(raw: Any) -> datetime:
    value = timestamp_parse(raw, name="ship_date", in_the_future="send the time the parcel left.")
    if value.year < 2000:
        raise refusal("ship_date is too far in the past: send the time the parcel left.")
    return value.astimezone(UTC)


def _text(name: str, max_length: int, example: str, description: str) -> Any:
    """A short text field: its check and its JSON Schema written side by side."""
    return Annotated[
        str,
        PlainValidator(_text_check(name, max_length)),
        WithJsonSchema(
            {
                "type": "string",
                "minLength": 1,
                "maxLength": max_length,
                "pattern": SKU_PATTERN,
                "description": description,
                "examples": [example],
            }
        ),
    ]


def _text_check(name: str, max_length: int):
    pattern = re.compile(SKU_PATTERN)

    def check(value: Any) -> str:
        if not isinstance(value, str) or not value:
            raise refusal(f"{name} is missing: send it as a non-empty string.")
        if len(value) > max_length:
            raise refusal(f"{name} is longer than {max_length} characters.")
        if not pattern.match(value):
            raise refusal(f"{name} must not start or end with spaces or hold control characters such as NUL.")
        return value

    return check


Carrier = _text("carrier", 100, "Royal Mail", "The carrier's name as you know it (e.g. Royal Mail, DPD).")
TrackingNumber = _text("tracking_number", 100, "JD014600003828570123", "The parcel's tracking number.")
ShippingMethod = _text("shipping_method", 100, "Tracked 24", "The carrier's service, if you want Amazon to show it.")

ShipDate = Annotated[
    datetime,
    PlainValidator(_ship_date_parse),
    WithJsonSchema(
        {
            "type": "string",
            "format": "date-time",
            "description": "When the parcel left: ISO 8601 with a time zone, not in the future.",
            "examples": [SHIP_DATE_EXAMPLE],
        }
    ),
]


class ShipmentLineIn(BatchItem):
    """Units of one line of the dispatch in this parcel."""

    sku: Sku
    quantity: int = Field(strict=True, ge=1, le=INTEGER_MAX, description="Units in the parcel.", examples=[1])


class ShipmentIn(BatchItem):
    """One parcel: a dispatch, the carrier and tracking number, when it left, and what is in it."""

    key_field: ClassVar[str] = "dispatch_id"

    dispatch_id: int = Field(strict=True, ge=1, le=INTEGER_MAX, description="The dispatch's id.", examples=[42])
    carrier: Carrier
    tracking_number: TrackingNumber
    ship_date: ShipDate
    lines: list[ShipmentLineIn] = Field(min_length=1, max_length=500, description="At least one line.")
    shipping_method: ShippingMethod | None = None


class ShipmentsIn(BatchBody):
    shipments: Batch[ShipmentIn] = Field(description="At most 5,000 (SUPPLIER_API_MAX_ITEMS) per request.")


class ShipmentsOut(BaseModel):
    received: int = Field(description="Parcels in the request.")
    created: int = Field(description="New parcels, each to be confirmed on Amazon once.")
    unchanged: int = Field(description="Parcels already reported exactly so.")


class DispatchItemError(BaseModel):
    index: int = Field(description="The item's position in the request's list, from 0.")
    dispatch_id: int | None = Field(description="The item's dispatch_id as sent, when it is a whole number.")
    reason: str = Field(description="What is wrong with the item, as a sentence.")


class ShipmentsBatchError(BaseModel):
    error: str = Field(description="A summary; nothing of the request was applied.")
    errors: list[DispatchItemError] = Field(
        description="Every problem of every bad item; empty when the body is wrong."
    )


# --- dispatches (answers) ------------------------------------------------------------------------------------------


class RecipientOut(BaseModel):
    name: str | None
    address_lines: list[str]
    city: str | None
    region: str | None
    postal_code: str | None
    country_code: str | None
    phone: str | None


class DispatchLineOut(BaseModel):
    sku: str = Field(description="Your product's SKU.", json_schema_extra={"pattern": SKU_PATTERN})
    title: str = Field(json_schema_extra={"pattern": TITLE_PATTERN})
    quantity: int
    quantity_shipped: int
    quantity_cancelled: int


class DispatchOut(BaseModel):
    id: int
    amazon_order_id: str
    marketplace_id: str
    seller: str = Field(description="The seller's company.")
    ordered_at: datetime
    ship_by: datetime | None = Field(description="Amazon's latest ship date (shipByWindow), UTC.")
    status: str = Field(description="open, partially_shipped, shipped or cancelled.")
    updated_at: datetime
    recipient: RecipientOut | None = Field(description="null once the personal data has been wiped.")
    lines: list[DispatchLineOut]


class DispatchesOut(BaseModel):
    dispatches: list[DispatchOut]
    next_cursor: str | None = Field(description="Send it as `cursor` for the next page; null on the last page.")
