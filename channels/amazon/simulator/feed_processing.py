"""Processing a JSON_LISTINGS_FEED document into listing changes and a processing report (schema v2)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from channels.amazon.simulator.listing_changes import (
    INVALID_MESSAGE,
    Issue,
    apply_patches,
    merge_attributes,
    sku_not_found,
)
from channels.amazon.simulator.models import Feed, Listing, Seller

OPERATION_TYPES = ("UPDATE", "PARTIAL_UPDATE", "PATCH", "DELETE")


class FeedRejected(Exception):
    """The document as a whole cannot be processed: the feed ends FATAL."""


def process_feed(seller: Seller, feed: Feed, body: bytes | None, now: datetime) -> tuple[str, dict[str, Any]]:
    """Apply the feed's messages to the seller's listings; return (final processing status, report)."""
    try:
        messages = _messages(seller, body)
    except FeedRejected as rejection:
        issue = {"code": INVALID_MESSAGE, "severity": "ERROR", "message": str(rejection)}
        return "FATAL", _report(seller, feed, [issue], processed=0, invalid=0)
    issues: list[dict[str, Any]] = []
    invalid = 0
    for message in messages:
        message_issues = [
            _report_issue(message, issue)
            for marketplace_id in feed.marketplace_ids
            for issue in _apply_message(seller, marketplace_id, message, now)
        ]
        invalid += any(issue["severity"] == "ERROR" for issue in message_issues)
        issues += message_issues
    return "DONE", _report(seller, feed, issues, processed=len(messages), invalid=invalid)


def _messages(seller: Seller, body: bytes | None) -> list[dict[str, Any]]:
    if body is None:
        raise FeedRejected("The feed document was never uploaded.")
    try:
        document = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise FeedRejected(f"The feed document is not valid UTF-8 JSON: {error}.") from None
    header = document.get("header") if isinstance(document, dict) else None
    if not isinstance(header, dict) or header.get("version") != "2.0":
        raise FeedRejected('The feed header is missing or its version is not "2.0".')
    if header.get("sellerId") != seller.selling_partner_id:
        raise FeedRejected(f"The feed header's sellerId does not match {seller.selling_partner_id}.")
    messages = document.get("messages")
    if not isinstance(messages, list) or not all(isinstance(message, dict) for message in messages):
        raise FeedRejected("The feed has no list of messages.")
    return messages


def _apply_message(seller: Seller, marketplace_id: str, message: dict[str, Any], now: datetime) -> list[Issue]:
    sku, operation = message.get("sku"), message.get("operationType")
    if not isinstance(sku, str) or not sku or operation not in OPERATION_TYPES:
        return [
            Issue(INVALID_MESSAGE, f"The message needs a sku and an operationType of {', '.join(OPERATION_TYPES)}.")
        ]
    listing = seller.listings.get((marketplace_id, sku))
    if operation == "UPDATE":
        return _update(seller, marketplace_id, message, listing, now)
    if listing is None:
        return [sku_not_found(sku, marketplace_id)]
    if operation == "DELETE":
        del seller.listings[(marketplace_id, sku)]
        return []
    if operation == "PATCH":
        attributes, issues = apply_patches(listing.attributes, message.get("patches") or [])
    else:
        attributes, issues = merge_attributes(listing.attributes, message.get("attributes") or {})
    if not issues:
        listing.attributes, listing.updated_at = attributes, now
    return issues


def _update(
    seller: Seller, marketplace_id: str, message: dict[str, Any], listing: Listing | None, now: datetime
) -> list[Issue]:
    """UPDATE replaces every attribute, creating the listing when it is new."""
    product_type = message.get("productType")
    if not product_type:
        return [Issue(INVALID_MESSAGE, "An UPDATE message needs a productType.")]
    attributes, issues = merge_attributes({}, message.get("attributes") or {})
    if issues:
        return issues
    if listing is None:
        seller.listings[(marketplace_id, message["sku"])] = Listing.create(
            sku=message["sku"], marketplace_id=marketplace_id, product_type=product_type, attributes=attributes, now=now
        )
    else:
        listing.attributes, listing.product_type, listing.updated_at = attributes, product_type, now
    return []


def _report_issue(message: dict[str, Any], issue: Issue) -> dict[str, Any]:
    entry: dict[str, Any] = {"code": issue.code, "severity": issue.severity, "message": issue.message}
    if isinstance(message.get("messageId"), int):
        entry["messageId"] = message["messageId"]
    if isinstance(message.get("sku"), str) and message["sku"]:
        entry["sku"] = message["sku"]
    if issue.attribute_name:
        entry["attributeName"] = issue.attribute_name
    return entry


def _report(seller: Seller, feed: Feed, issues: list[dict[str, Any]], *, processed: int, invalid: int) -> dict:
    return {
        "header": {"sellerId": seller.selling_partner_id, "version": "2.0", "feedId": feed.feed_id},
        "issues": issues,
        "summary": {
            "errors": sum(issue["severity"] == "ERROR" for issue in issues),
            "warnings": sum(issue["severity"] == "WARNING" for issue in issues),
            "messagesProcessed": processed,
            "messagesAccepted": processed - invalid,
            "messagesInvalid": invalid,
        },
    }
