"""SP-API wire JSON -> our dataclasses. Pure functions, so fixtures (and Amazon's sandbox examples) test them."""

from __future__ import annotations

import gzip
import json
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from channels.amazon.types import (
    AmazonOrder,
    AmazonOrderLine,
    AmazonRecipient,
    Feed,
    FeedDocument,
    ListingIssue,
    ListingItem,
    ListingSubmission,
    OrdersPage,
    Participation,
    ProcessingReport,
    ReportIssue,
)

Json = dict[str, Any]


def orders_page(body: Json) -> OrdersPage:
    orders = [order(raw) for raw in body.get("orders") or []]
    return OrdersPage(orders=orders, next_token=(body.get("pagination") or {}).get("nextToken"))


def order(raw: Json) -> AmazonOrder:
    fulfillment = raw.get("fulfillment") or {}
    grand_total = (raw.get("proceeds") or {}).get("grandTotal") or {}
    order_cancelled = fulfillment.get("fulfillmentStatus") == "CANCELLED"
    lines = [order_line(item, order_cancelled=order_cancelled) for item in raw.get("orderItems") or []]
    ship_by = (fulfillment.get("shipByWindow") or {}).get("latestDateTime")
    return AmazonOrder(
        amazon_order_id=raw["orderId"],
        marketplace_id=(raw.get("salesChannel") or {}).get("marketplaceId"),
        status=fulfillment.get("fulfillmentStatus"),
        fulfilled_by=fulfillment.get("fulfilledBy"),
        created_at=timestamp(raw["createdTime"]),
        last_updated_at=timestamp(raw["lastUpdatedTime"]),
        currency=grand_total.get("currencyCode") or _first_line_currency(raw),
        total=decimal(grand_total.get("amount")),
        lines=lines,
        ship_by=timestamp(ship_by) if ship_by else None,
        recipient=recipient(raw["recipient"]) if raw.get("recipient") else None,
    )


def order_line(raw: Json, *, order_cancelled: bool = False) -> AmazonOrderLine:
    product = raw.get("product") or {}
    unit_price = (product.get("price") or {}).get("unitPrice") or {}
    quantity = int(raw["quantityOrdered"])
    shipped = int((raw.get("fulfillment") or {}).get("quantityFulfilled") or 0)
    # Amazon gives no cancelled quantity: once a cancellation is executed (for the item, or the whole order is
    # CANCELLED) nothing more of the item ships, so every unit not yet shipped is cancelled. A cancellation
    # that is only requested (by the buyer) waits for the seller and cancels nothing yet.
    cancelled = order_cancelled or bool((raw.get("cancellation") or {}).get("cancellationExecution"))
    return AmazonOrderLine(
        order_item_id=raw["orderItemId"],
        seller_sku=product.get("sellerSku"),
        asin=product.get("asin"),
        title=product.get("title"),
        quantity=quantity,
        unit_price=decimal(unit_price.get("amount")),
        quantity_shipped=shipped,
        quantity_cancelled=max(0, quantity - shipped) if cancelled else 0,
    )


def recipient(raw: Json) -> AmazonRecipient:
    address = raw.get("deliveryAddress") or {}
    lines = (address.get(key) for key in ("addressLine1", "addressLine2", "addressLine3"))
    return AmazonRecipient(
        name=address.get("name"),
        address_lines=tuple(line for line in lines if line),
        city=address.get("city"),
        region=address.get("stateOrRegion"),
        postal_code=address.get("postalCode"),
        country_code=address.get("countryCode"),
        phone=address.get("phone"),
    )


def package_reference_ids(body: Json) -> set[str]:
    """The packages Amazon holds for an order (getOrder with includedData=PACKAGES)."""
    return {package["packageReferenceId"] for package in (body.get("order") or {}).get("packages") or []}


def participations(body: Json) -> list[Participation]:
    return [
        Participation(
            marketplace_id=item["marketplace"]["id"],
            country_code=item["marketplace"]["countryCode"],
            name=item["marketplace"]["name"],
            is_participating=bool(item["participation"]["isParticipating"]),
            has_suspended_listings=bool(item["participation"]["hasSuspendedListings"]),
        )
        for item in body.get("payload") or []
    ]


def feed_document(body: Json, *, content_type: str | None = None) -> FeedDocument:
    return FeedDocument(
        feed_document_id=body["feedDocumentId"],
        url=body["url"],
        compression_algorithm=body.get("compressionAlgorithm"),
        content_type=content_type,
    )


def feed(body: Json) -> Feed:
    return Feed(
        feed_id=body["feedId"],
        status=body["processingStatus"],
        result_feed_document_id=body.get("resultFeedDocumentId"),
        created_at=timestamp(body["createdTime"]) if body.get("createdTime") else None,
    )


def document_content(content: bytes, *, compression_algorithm: str | None) -> bytes:
    return gzip.decompress(content) if compression_algorithm == "GZIP" else content


def processing_report(content: bytes) -> ProcessingReport:
    """A JSON_LISTINGS_FEED processing report (listings-feed-processing-report-schema-v2)."""
    report = json.loads(content.decode("utf-8"))
    summary = report.get("summary") or {}
    return ProcessingReport(
        messages_processed=int(summary.get("messagesProcessed") or 0),
        messages_accepted=int(summary.get("messagesAccepted") or 0),
        messages_invalid=int(summary.get("messagesInvalid") or 0),
        issues=[
            ReportIssue(
                message_id=issue.get("messageId"),
                sku=issue.get("sku"),
                code=str(issue.get("code", "")),
                message=issue.get("message", ""),
                severity=issue.get("severity", ""),
            )
            for issue in report.get("issues") or []
        ],
    )


def listing_submission(body: Json) -> ListingSubmission:
    return ListingSubmission(
        sku=body["sku"],
        status=body["status"],
        issues=[listing_issue(issue) for issue in body.get("issues") or []],
    )


def listing_issue(raw: Json) -> ListingIssue:
    return ListingIssue(code=str(raw.get("code", "")), message=raw.get("message", ""), severity=raw.get("severity", ""))


def listing_item(body: Json, *, marketplace_id: str) -> ListingItem:
    return ListingItem(
        sku=body["sku"],
        quantity=_merchant_quantity(body),
        price=_offer_price(body, marketplace_id=marketplace_id),
    )


def _merchant_quantity(body: Json) -> int | None:
    # DEFAULT is the merchant-fulfilled channel, the only one whose quantity the seller (and we) set.
    for availability in body.get("fulfillmentAvailability") or []:
        if availability.get("fulfillmentChannelCode") == "DEFAULT" and availability.get("quantity") is not None:
            return int(availability["quantity"])
    return None


def _offer_price(body: Json, *, marketplace_id: str) -> Decimal | None:
    for offer in body.get("offers") or []:
        if offer.get("marketplaceId") == marketplace_id and offer.get("offerType", "B2C") == "B2C":
            return decimal((offer.get("price") or {}).get("amount"))
    return None


def timestamp(value: str) -> datetime:
    # fromisoformat reads "Z" from Python 3.11 on; Amazon always sends UTC.
    return datetime.fromisoformat(value)


def decimal(value: Any) -> Decimal | None:
    if value is None:
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def _first_line_currency(raw: Json) -> str | None:
    for item in raw.get("orderItems") or []:
        currency = (((item.get("product") or {}).get("price") or {}).get("unitPrice") or {}).get("currencyCode")
        if currency:
            return currency
    return None
