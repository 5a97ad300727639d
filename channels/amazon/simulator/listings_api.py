"""Listings Items API 2021-08-01: patchListingsItem (applied at once), getListingsItem and searchListingsItems.

Each is scoped to the seller id in its path, which must be the one the access token was issued for."""

from __future__ import annotations

import uuid
from typing import Any

from channels.amazon.marketplaces import marketplace_by_id
from channels.amazon.simulator.listing_changes import Issue
from channels.amazon.simulator.models import Listing
from channels.amazon.simulator.routing import (
    BadRequest,
    Exchange,
    Response,
    Router,
    errors_response,
    iso,
    json_response,
)

ITEM_PATH = "/listings/2021-08-01/items/{sellerId}/{sku}"
SEARCH_PATH = "/listings/2021-08-01/items/{sellerId}"
# searchListingsItems: pageSize from 1 to 20, 10 when not given (Amazon's model). Only the first page is served.
MAX_PAGE_SIZE, DEFAULT_PAGE_SIZE = 20, 10
INCLUDED_DATA = (
    "summaries",
    "attributes",
    "issues",
    "offers",
    "fulfillmentAvailability",
    "procurement",
    "relationships",
    "productTypes",
)


def register(router: Router) -> None:
    router.add("PATCH", ITEM_PATH, patch_listings_item, operation="patchListingsItem", sp_api=True)
    router.add("GET", ITEM_PATH, get_listings_item, operation="getListingsItem", sp_api=True)
    router.add("GET", SEARCH_PATH, search_listings_items, operation="searchListingsItems", sp_api=True)


def patch_listings_item(exchange: Exchange) -> Response:
    denied = _other_seller(exchange)
    if denied:
        return denied
    marketplace_id, sku = _marketplace_id(exchange), exchange.path_params["sku"]
    body = exchange.request.json()
    if not isinstance(body, dict) or not body.get("productType") or not isinstance(body.get("patches"), list):
        raise BadRequest("The body needs productType and a list of patches.")
    issues = exchange.state.patch_listing(exchange.selling_partner_id or "", marketplace_id, sku, body["patches"])
    return _submission(sku, issues)


def get_listings_item(exchange: Exchange) -> Response:
    denied = _other_seller(exchange)
    if denied:
        return denied
    marketplace_id, sku = _marketplace_id(exchange), exchange.path_params["sku"]
    included = _included_data(exchange)
    listing = exchange.state.listing(exchange.selling_partner_id or "", marketplace_id, sku)
    if listing is None:
        return errors_response(404, "NOT_FOUND", f"SKU '{sku}' not found in marketplace {marketplace_id}")
    return json_response(200, item_json(listing, included))


def search_listings_items(exchange: Exchange) -> Response:
    denied = _other_seller(exchange)
    if denied:
        return denied
    marketplace_id = _marketplace_id(exchange)
    included = _included_data(exchange)
    try:
        page_size = int(exchange.request.param("pageSize") or DEFAULT_PAGE_SIZE)
    except ValueError:
        raise BadRequest("pageSize must be a whole number.") from None
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        raise BadRequest(f"pageSize must be between 1 and {MAX_PAGE_SIZE}.")
    listings = exchange.state.listings_on(exchange.selling_partner_id or "", marketplace_id)
    body = {
        "numberOfResults": len(listings),
        "items": [item_json(listing, included) for listing in listings[:page_size]],
    }
    return json_response(200, body)


def _included_data(exchange: Exchange) -> set[str]:
    included = exchange.request.params("includedData") or ["summaries"]
    unknown = set(included) - set(INCLUDED_DATA)
    if unknown:
        raise BadRequest(f"Invalid includedData value(s): {', '.join(sorted(unknown))}.")
    return set(included)


def item_json(listing: Listing, included: set[str]) -> dict[str, Any]:
    item: dict[str, Any] = {"sku": listing.sku}
    if "summaries" in included:
        item["summaries"] = [_summary(listing)]
    if "attributes" in included:
        item["attributes"] = listing.attributes
    if "issues" in included:
        item["issues"] = []
    if "offers" in included:
        item["offers"] = _offers(listing)
    if "fulfillmentAvailability" in included:
        item["fulfillmentAvailability"] = [
            {"fulfillmentChannelCode": entry.get("fulfillment_channel_code", "DEFAULT"), "quantity": entry["quantity"]}
            for entry in listing.attributes.get("fulfillment_availability", [])
            if "quantity" in entry
        ]
    return item


def _summary(listing: Listing) -> dict[str, Any]:
    status = ["BUYABLE", "DISCOVERABLE"] if (listing.quantity or 0) > 0 else ["DISCOVERABLE"]
    return {
        "marketplaceId": listing.marketplace_id,
        "asin": listing.asin,
        "productType": listing.product_type,
        "conditionType": "new_new",
        "status": status,
        "itemName": listing.title,
        "createdDate": iso(listing.created_at),
        "lastUpdatedDate": iso(listing.updated_at),
    }


def _offers(listing: Listing) -> list[dict[str, Any]]:
    if listing.price is None:
        return []
    currency = marketplace_by_id(listing.marketplace_id).currency
    return [
        {
            "marketplaceId": listing.marketplace_id,
            "offerType": "B2C",
            "price": {"currencyCode": currency, "amount": str(listing.price)},
            "audience": {"value": "ALL", "displayName": "Sell on Amazon"},
        }
    ]


def _submission(sku: str, issues: list[Issue]) -> Response:
    body = {
        "sku": sku,
        "status": "INVALID" if any(issue.severity == "ERROR" for issue in issues) else "ACCEPTED",
        "submissionId": uuid.uuid4().hex,
        "issues": [_issue_json(issue) for issue in issues],
    }
    return json_response(200, body)


def _issue_json(issue: Issue) -> dict[str, Any]:
    body: dict[str, Any] = {
        "code": issue.code,
        "message": issue.message,
        "severity": issue.severity,
        "categories": list(issue.categories),
    }
    if issue.attribute_name:
        body["attributeNames"] = [issue.attribute_name]
    return body


def _marketplace_id(exchange: Exchange) -> str:
    marketplace_ids = exchange.request.params("marketplaceIds")
    if len(marketplace_ids) != 1:
        raise BadRequest("marketplaceIds must name exactly one marketplace.")
    return marketplace_ids[0]


def _other_seller(exchange: Exchange) -> Response | None:
    """Amazon refuses a sellerId in the path that is not the one the access token was issued for."""
    if exchange.path_params["sellerId"] == exchange.selling_partner_id:
        return None
    return errors_response(
        403, "Unauthorized", "Access to requested resource is denied.", "The sellerId does not match."
    )
