"""What the gateway returns: our own dataclasses, so raw SP-API JSON never leaves channels.amazon."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal


@dataclass(frozen=True)
class AmazonOrderLine:
    order_item_id: str
    seller_sku: str | None
    asin: str | None
    title: str | None
    quantity: int
    unit_price: Decimal | None
    quantity_shipped: int = 0  # Amazon's fulfillment.quantityFulfilled
    quantity_cancelled: int = 0  # the units Amazon cancelled (none of them shipped)


@dataclass(frozen=True)
class AmazonRecipient:
    """Where the buyer wants the order delivered: personal data, so no field shows in a repr (or a log line)."""

    name: str | None = field(repr=False)
    address_lines: tuple[str, ...] = field(repr=False)
    city: str | None = field(repr=False)
    region: str | None = field(repr=False)  # Amazon's stateOrRegion
    postal_code: str | None = field(repr=False)
    country_code: str | None = field(repr=False)
    phone: str | None = field(repr=False)


@dataclass(frozen=True)
class AmazonOrder:
    amazon_order_id: str
    marketplace_id: str | None
    # Amazon's fulfillment status as received (UNSHIPPED, SHIPPED, CANCELLED, PENDING, ...); None only if
    # Amazon left out the FULFILLMENT data we always ask for.
    status: str | None
    fulfilled_by: str | None  # "MERCHANT" | "AMAZON"
    created_at: datetime
    last_updated_at: datetime
    currency: str | None
    total: Decimal | None
    lines: list[AmazonOrderLine] = field(default_factory=list)
    ship_by: datetime | None = None  # shipByWindow.latestDateTime: shipped later than this, the order is late
    recipient: AmazonRecipient | None = None


@dataclass(frozen=True)
class ShipmentLine:
    order_item_id: str
    quantity: int


@dataclass(frozen=True)
class ShipmentConfirmation:
    """One parcel, as confirmShipment (Orders v0) tells Amazon about it."""

    package_reference_id: str  # our parcel id: Amazon accepts only positive numbers
    carrier_code: str  # one of Amazon's carrier codes, or "Other"
    carrier_name: str | None  # set when carrier_code is "Other"
    tracking_number: str
    ship_date: datetime  # aware
    shipping_method: str | None
    lines: tuple[ShipmentLine, ...]


@dataclass(frozen=True)
class OrdersPage:
    orders: list[AmazonOrder]
    next_token: str | None


@dataclass(frozen=True)
class Participation:
    marketplace_id: str
    country_code: str
    name: str
    is_participating: bool
    has_suspended_listings: bool


@dataclass(frozen=True)
class FeedDocument:
    feed_document_id: str
    url: str = field(repr=False)  # presigned: whoever holds it can read or write the document
    compression_algorithm: str | None = None
    content_type: str | None = None  # known for documents we create, needed again for the upload


@dataclass(frozen=True)
class Feed:
    feed_id: str
    status: str  # IN_QUEUE | IN_PROGRESS | DONE | CANCELLED | FATAL
    result_feed_document_id: str | None
    created_at: datetime | None = None


@dataclass(frozen=True)
class ReportIssue:
    message_id: int | None
    sku: str | None
    code: str
    message: str
    severity: str  # ERROR | WARNING | INFO


@dataclass(frozen=True)
class ProcessingReport:
    messages_processed: int
    messages_accepted: int
    messages_invalid: int
    issues: list[ReportIssue]


@dataclass(frozen=True)
class ListingIssue:
    code: str
    message: str
    severity: str


@dataclass(frozen=True)
class ListingSubmission:
    sku: str
    status: str  # ACCEPTED | INVALID (| VALID for validation-preview mode, which we do not use)
    issues: list[ListingIssue]


@dataclass(frozen=True)
class ListingItem:
    sku: str
    quantity: int | None
    price: Decimal | None
