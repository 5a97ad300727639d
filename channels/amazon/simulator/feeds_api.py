"""Feeds API 2021-06-30, plus the pre-signed document URLs (PUT to upload, GET to download) Amazon hands out."""

from __future__ import annotations

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
