"""Feeds API 2021-06-30, plus the pre-signed document URLs (PUT to upload, GET to download) Amazon hands out."""

from __future__ import annotations

import base64
import binascii
import json
from datetime import datetime
from typing import Any

from channels.amazon.simulator.models import Feed
from channels.amazon.simulator.routing import (
    BadRequest,
    Exchange,
    Response,
    Router,
    errors_response,
    iso,
    json_response,
)

BASE = "/feeds/2021-06-30"
# Where document URLs point. Like S3's pre-signed URLs they need no access token: the unguessable id is the key.
DOCUMENT_URL_PATH = "/feed-documents/{feedDocumentId}"
SUPPORTED_FEED_TYPES = ("JSON_LISTINGS_FEED",)


def register(router: Router) -> None:
    router.add("POST", BASE + "/documents", create_feed_document, operation="createFeedDocument", sp_api=True)
    router.add("POST", BASE + "/feeds", create_feed, operation="createFeed", sp_api=True)
    router.add("GET", BASE + "/feeds", get_feeds, operation="getFeeds", sp_api=True)
    router.add("GET", BASE + "/feeds/{feedId}", get_feed, operation="getFeed", sp_api=True)
    router.add("GET", BASE + "/documents/{feedDocumentId}", get_feed_document, operation="getFeedDocument", sp_api=True)
    router.add("PUT", DOCUMENT_URL_PATH, upload_document, operation="uploadFeedDocument")
    router.add("GET", DOCUMENT_URL_PATH, download_document, operation="downloadFeedDocument")


def create_feed_document(exchange: Exchange) -> Response:
    body = _object_body(exchange)
    content_type = body.get("contentType")
    if not isinstance(content_type, str) or not content_type:
        raise BadRequest("contentType is required.")
    document = exchange.state.create_feed_document(exchange.selling_partner_id or "", content_type)
    return json_response(
        201, {"feedDocumentId": document.feed_document_id, "url": _url(exchange, document.feed_document_id)}
    )


def create_feed(exchange: Exchange) -> Response:
    body = _object_body(exchange)
    feed_type, marketplace_ids, document_id = (
        body.get("feedType"),
        body.get("marketplaceIds"),
        body.get("inputFeedDocumentId"),
    )
    if feed_type not in SUPPORTED_FEED_TYPES:
        raise BadRequest(f"Feed type {feed_type!r} is not supported by the simulator; use JSON_LISTINGS_FEED.")
    if not isinstance(marketplace_ids, list) or not marketplace_ids:
        raise BadRequest("marketplaceIds must list at least one marketplace.")
    seller = exchange.state.seller(exchange.selling_partner_id or "")
    unknown = [marketplace_id for marketplace_id in marketplace_ids if marketplace_id not in seller.marketplace_ids]
    if unknown:
        raise BadRequest(f"The seller does not sell on marketplace(s) {', '.join(map(str, unknown))}.")
    document = exchange.state.feed_document(str(document_id))
    if document is None or document.selling_partner_id != seller.selling_partner_id:
        raise BadRequest(f"Feed document {document_id} was not found.")
    feed = exchange.state.create_feed(
        seller.selling_partner_id,
        feed_type=feed_type,
        marketplace_ids=marketplace_ids,
        input_feed_document_id=document_id,
    )
    return json_response(202, {"feedId": feed.feed_id})


def get_feed(exchange: Exchange) -> Response:
    feed = exchange.state.feed(exchange.selling_partner_id or "", exchange.path_params["feedId"])
    if feed is None:
        return errors_response(404, "NotFound", "The requested feed was not found.")
    return json_response(200, feed_json(feed))


PROCESSING_STATUSES = ("CANCELLED", "DONE", "FATAL", "IN_PROGRESS", "IN_QUEUE")
GET_FEEDS_FILTERS = ("feedTypes", "marketplaceIds", "pageSize", "processingStatuses", "createdSince", "createdUntil")


def get_feeds(exchange: Exchange) -> Response:
    """getFeeds, strict as the model: feedTypes or nextToken (alone) required, lists of 1 to 10, pageSize 1 to 100,
    known statuses, ISO 8601 times. Newest first."""
    request = exchange.request
    token = request.param("nextToken")
    if token is not None:
        if any(request.query.get(name) for name in GET_FEEDS_FILTERS):
            raise BadRequest("nextToken must be the only parameter.")
        query, offset = _decode_feeds_token(token)
    else:
        query, offset = _feeds_query(request), 0
    since, until = (_time(query[name], name) if query[name] else None for name in ("createdSince", "createdUntil"))
    feeds = [
        feed
        for feed in exchange.state.feeds_of(exchange.selling_partner_id or "")
        if feed.feed_type in query["feedTypes"]
        and (not query["marketplaceIds"] or set(feed.marketplace_ids) & set(query["marketplaceIds"]))
        and (not query["processingStatuses"] or feed.processing_status in query["processingStatuses"])
        and (since is None or feed.created_at >= since)
        and (until is None or feed.created_at <= until)
    ]
    page = feeds[offset : offset + query["pageSize"]]
    body: dict[str, Any] = {"feeds": [feed_json(feed) for feed in page]}
    if offset + len(page) < len(feeds):
        body["nextToken"] = _encode_feeds_token(query, offset + len(page))
    return json_response(200, body)


def _feeds_query(request) -> dict[str, Any]:
    feed_types, marketplace_ids = request.params("feedTypes"), request.params("marketplaceIds")
    statuses = request.params("processingStatuses")
    if not feed_types:
        raise BadRequest("Either feedTypes or nextToken is required.")
    for name, values in (("feedTypes", feed_types), ("marketplaceIds", marketplace_ids)):
        if len(values) > 10 or (name in request.query and not values):
            raise BadRequest(f"{name} must list 1 to 10 values.")
    if "processingStatuses" in request.query and not statuses:
        raise BadRequest("processingStatuses must list at least one status.")
    unknown = [status for status in statuses if status not in PROCESSING_STATUSES]
    if unknown:
        raise BadRequest(f"Unknown processingStatuses: {', '.join(unknown)}.")
    page_size = request.param("pageSize") or "10"
    if not page_size.isdigit() or not 1 <= int(page_size) <= 100:
        raise BadRequest("pageSize must be an integer from 1 to 100.")
    query = {
        "feedTypes": feed_types,
        "marketplaceIds": marketplace_ids,
        "processingStatuses": statuses,
        "pageSize": int(page_size),
        "createdSince": request.param("createdSince"),
        "createdUntil": request.param("createdUntil"),
    }
    for name in ("createdSince", "createdUntil"):
        if query[name]:
            _time(query[name], name)
    return query


def _time(value: str, name: str) -> datetime:
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise BadRequest(f"{name} must be an ISO 8601 date-time.") from None
    if moment.tzinfo is None:
        raise BadRequest(f"{name} must be an ISO 8601 date-time with a time zone.")
    return moment


def _encode_feeds_token(query: dict[str, Any], offset: int) -> str:
    return base64.urlsafe_b64encode(json.dumps({"query": query, "offset": offset}).encode()).decode()


def _decode_feeds_token(token: str) -> tuple[dict[str, Any], int]:
    try:
        decoded = json.loads(base64.urlsafe_b64decode(token.encode()))
        return decoded["query"], int(decoded["offset"])
    except (binascii.Error, ValueError, KeyError, TypeError):
        raise BadRequest("The nextToken is not valid.") from None


def get_feed_document(exchange: Exchange) -> Response:
    document_id = exchange.path_params["feedDocumentId"]
    document = exchange.state.feed_document(document_id)
    if document is None or document.selling_partner_id != exchange.selling_partner_id:
        return errors_response(404, "NotFound", "The requested feed document was not found.")
    body = {"feedDocumentId": document_id, "url": _url(exchange, document_id)}
    if document.compressed:
        body["compressionAlgorithm"] = "GZIP"
    return json_response(200, body)


def upload_document(exchange: Exchange) -> Response:
    if not exchange.state.upload_feed_document(exchange.path_params["feedDocumentId"], exchange.request.body):
        return Response(404, b"NoSuchKey", {"Content-Type": "text/plain"})
    return Response(200)


def download_document(exchange: Exchange) -> Response:
    document = exchange.state.feed_document(exchange.path_params["feedDocumentId"])
    if document is None or document.body is None:
        return Response(404, b"NoSuchKey", {"Content-Type": "text/plain"})
    return Response(200, document.body, {"Content-Type": document.content_type})


def feed_json(feed: Feed) -> dict[str, Any]:
    body: dict[str, Any] = {
        "feedId": feed.feed_id,
        "feedType": feed.feed_type,
        "marketplaceIds": feed.marketplace_ids,
        "createdTime": iso(feed.created_at),
        "processingStatus": feed.processing_status,
    }
    if feed.processing_start_time:
        body["processingStartTime"] = iso(feed.processing_start_time)
    if feed.processing_end_time:
        body["processingEndTime"] = iso(feed.processing_end_time)
    if feed.result_feed_document_id:
        body["resultFeedDocumentId"] = feed.result_feed_document_id
    return body


def _object_body(exchange: Exchange) -> dict[str, Any]:
    body = exchange.request.json()
    if not isinstance(body, dict):
        raise BadRequest("The request body must be a JSON object.")
    return body


def _url(exchange: Exchange, document_id: str) -> str:
    return exchange.request.base_url + DOCUMENT_URL_PATH.format(feedDocumentId=document_id)
