"""The simulator's records: sellers with their listings, orders and feeds, and the calls it received."""

from __future__ import annotations

import secrets
import string
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

DEFAULT_FULFILLMENT_CHANNEL = "DEFAULT"


@dataclass
class Listing:
    """A listing held the way Amazon holds it: product-type attributes keyed by attribute name."""

    sku: str
    marketplace_id: str
    asin: str
    product_type: str
    attributes: dict[str, Any]
    created_at: datetime
    updated_at: datetime

    @classmethod
    def create(
        cls, *, sku: str, marketplace_id: str, product_type: str, attributes: dict[str, Any], now: datetime
    ) -> Listing:
        asin = "B0" + "".join(secrets.choice(string.ascii_uppercase + string.digits) for _ in range(8))
        return cls(sku, marketplace_id, asin, product_type, attributes, created_at=now, updated_at=now)

    @property
    def quantity(self) -> int | None:
        for entry in self.attributes.get("fulfillment_availability", []):
            if entry.get("fulfillment_channel_code", DEFAULT_FULFILLMENT_CHANNEL) == DEFAULT_FULFILLMENT_CHANNEL:
                return entry.get("quantity")
        return None

    @property
    def price(self) -> Decimal | None:
        """The price every buyer sees: our_price of the consumer offer (audience ALL)."""
        for offer in self.attributes.get("purchasable_offer", []):
            if not is_consumer_offer(offer):
                continue
            for our_price in offer.get("our_price", []):
                for schedule in our_price.get("schedule", []):
                    if "value_with_tax" in schedule:
                        return Decimal(str(schedule["value_with_tax"]))
        return None

    @property
    def title(self) -> str:
        names = self.attributes.get("item_name", [])
        return names[0].get("value", self.sku) if names else self.sku


def is_consumer_offer(offer: dict[str, Any]) -> bool:
    """An offer for every buyer on the site; an offer without an audience is one ("Manage purchasable offer")."""
    return offer.get("audience", "ALL") == "ALL"


@dataclass
class OrderLine:
    order_item_id: str
    sku: str
    asin: str
    title: str
    quantity: int
    unit_price: Decimal
    quantity_shipped: int = 0
    quantity_cancelled: int = 0
    cancelled_by: str | None = None  # BUYER | MERCHANT | AMAZON, once a cancellation is executed
    cancel_reason: str | None = None

    @property
    def quantity_unshipped(self) -> int:
        return self.quantity - self.quantity_shipped - self.quantity_cancelled


@dataclass
class Package:
    """A parcel the seller confirmed with confirmShipment (Orders v0)."""

    package_reference_id: str
    carrier_code: str
    carrier_name: str | None
    tracking_number: str
    ship_date: datetime
    shipping_method: str | None
    items: list[tuple[str, int]]  # (orderItemId, quantity)
    created_at: datetime


@dataclass
class Order:
    order_id: str
    selling_partner_id: str
    marketplace_id: str
    currency: str
    status: str
    fulfilled_by: str
    created_at: datetime
    last_updated_at: datetime
    # Amazon makes some orders searchable only a while after they were placed; clients must not lose them.
    visible_at: datetime
    lines: list[OrderLine]
    ship_by: datetime | None = None  # shipByWindow.latestDateTime
    # CustomerAddress fields as Amazon sends them (name, addressLine1, city, postalCode, countryCode, phone, ...).
    recipient: dict[str, str] = field(default_factory=dict)
    packages: list[Package] = field(default_factory=list)

    @property
    def total(self) -> Decimal:
        return sum((line.unit_price * line.quantity for line in self.lines), Decimal("0"))

    def line(self, order_item_id: str) -> OrderLine | None:
        return next((line for line in self.lines if line.order_item_id == order_item_id), None)

    def settle_status(self) -> None:
        """The fulfillment status that follows from what was shipped and cancelled."""
        shipped = any(line.quantity_shipped for line in self.lines)
        if not any(line.quantity_unshipped for line in self.lines):
            self.status = "SHIPPED" if shipped else "CANCELLED"
        elif shipped:
            self.status = "PARTIALLY_SHIPPED"


@dataclass
class FeedDocument:
    feed_document_id: str
    selling_partner_id: str
    content_type: str
    body: bytes | None = None
    compressed: bool = False


@dataclass
class Feed:
    feed_id: str
    selling_partner_id: str
    feed_type: str
    marketplace_ids: list[str]
    input_feed_document_id: str
    created_at: datetime
    # Simulator clock reading at creation; the lifecycle is measured from here, scaled by the speedup.
    created_clock: float
    processing_status: str = "IN_QUEUE"
    processing_start_time: datetime | None = None
    processing_end_time: datetime | None = None
    result_feed_document_id: str | None = None
    report: dict[str, Any] | None = None


@dataclass
class Seller:
    selling_partner_id: str
    marketplace_ids: list[str]
    store_name: str
    listings: dict[tuple[str, str], Listing] = field(default_factory=dict)  # (marketplace id, sku) -> listing
    orders: dict[str, Order] = field(default_factory=dict)
    feeds: dict[str, Feed] = field(default_factory=dict)


@dataclass(frozen=True)
class Call:
    """One request the simulator answered, for tests and the /_sim/state page."""

    at: datetime
    operation: str
    method: str
    path: str
    status: int
    selling_partner_id: str | None
