"""Everything the product does with Amazon goes through AmazonGateway: typed results, classified errors."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from channels.amazon import parsing, ratelimit
from channels.amazon.client import SpApiClient, SpApiResponse, download_document, upload_document
from channels.amazon.errors import AccessDenied, AmazonError, AppCredentialsInvalid, AuthorisationRevoked, Throttled
from channels.amazon.marketplaces import marketplace_by_id
from channels.amazon.selectors import app_credentials_paused
from channels.amazon.types import (
    AmazonOrder,
    Feed,
    FeedDocument,
    ListingItem,
    ListingSubmission,
    OrdersPage,
    Participation,
    ProcessingReport,
    ShipmentConfirmation,
)

if TYPE_CHECKING:
    from channels.models import Integration

logger = logging.getLogger(__name__)

JSON_CONTENT_TYPE = "application/json; charset=UTF-8"
JSON_LISTINGS_FEED = "JSON_LISTINGS_FEED"
# Without these Amazon sends neither the order's status, its money, where it goes, nor what was cancelled.
ORDER_DATA = ["FULFILLMENT", "PROCEEDS", "RECIPIENT", "CANCELLATION"]


@dataclass(frozen=True)
class SellingPartner:
    selling_partner_id: str
    refresh_token: str = field(repr=False)
    marketplace_id: str


def gateway_for(integration: Integration, *, wait_for_rate_limit: bool = False) -> AmazonGateway:
    """The one way to reach Amazon for an integration: its seller id, authorisation and site."""
    partner = SellingPartner(
        selling_partner_id=integration.selling_partner_id,
        refresh_token=integration.refresh_token,
        marketplace_id=integration.marketplace_id,
    )
    return AmazonGateway(partner, wait_for_rate_limit=wait_for_rate_limit)


class AmazonGateway:
    """One seller on one marketplace.

    Never retries on its own, except one access-token refresh after a 403: callers act on
    channels.amazon.outcomes.outcome_of(error) (re-schedule, stop, or give up with Amazon's reason).
    """

    def __init__(self, partner: SellingPartner, *, wait_for_rate_limit: bool = False) -> None:
        self.partner = partner
        self.wait_for_rate_limit = wait_for_rate_limit
        self._client = SpApiClient(
            refresh_token=partner.refresh_token, marketplace=marketplace_by_id(partner.marketplace_id)
        )

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> AmazonGateway:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # Orders

    def search_orders(
        self,
        *,
        last_updated_after: datetime | None = None,
        created_after: datetime | None = None,
        pagination_token: str | None = None,
        max_results: int = 100,
    ) -> OrdersPage:
        if (last_updated_after is None) == (created_after is None):
            raise ValueError("Give exactly one of last_updated_after and created_after.")
        params: dict[str, Any] = {
            "marketplaceIds": [self.partner.marketplace_id],
            "includedData": ORDER_DATA,
            "maxResultsPerPage": max_results,
        }
        if last_updated_after is not None:
            params["lastUpdatedAfter"] = _iso(last_updated_after)
        if created_after is not None:
            params["createdAfter"] = _iso(created_after)
        if pagination_token:
            params["paginationToken"] = pagination_token
        response = self._call("searchOrders", lambda client: client.search_orders(**params))
        return parsing.orders_page(response.body)

    def get_order(self, amazon_order_id: str) -> AmazonOrder:
        response = self._call(
            "getOrder",
            lambda client: client.get_order(amazon_order_id, includedData=ORDER_DATA),
        )
        return parsing.order(response.body["order"])

    def order_package_reference_ids(self, amazon_order_id: str) -> set[str]:
        """The packageReferenceIds Amazon already holds for the order: asked before re-sending a confirmation."""
        response = self._call("getOrder", lambda client: client.get_order(amazon_order_id, includedData=["PACKAGES"]))
        return parsing.package_reference_ids(response.body)

    def confirm_shipment(self, amazon_order_id: str, confirmation: ShipmentConfirmation) -> None:
        """Tell Amazon one parcel has shipped (Orders v0 confirmShipment, the exact body of its model)."""
        package: dict[str, Any] = {
            "packageReferenceId": confirmation.package_reference_id,
            "carrierCode": confirmation.carrier_code,
            "trackingNumber": confirmation.tracking_number,
            "shipDate": _iso(confirmation.ship_date),
            "orderItems": [
                {"orderItemId": line.order_item_id, "quantity": line.quantity} for line in confirmation.lines
            ],
        }
        if confirmation.carrier_name:
            package["carrierName"] = confirmation.carrier_name
        if confirmation.shipping_method:
            package["shippingMethod"] = confirmation.shipping_method
        body = {"marketplaceId": self.partner.marketplace_id, "packageDetail": package}
        self._call("confirmShipment", lambda client: client.confirm_shipment(amazon_order_id, body=body))

    # Sellers

    def get_marketplace_participations(self) -> list[Participation]:
        response = self._call("getMarketplaceParticipations", lambda client: client.get_marketplace_participations())
        return parsing.participations(response.body)

    # Feeds

    def submit_json_listings_feed(self, messages: list[dict]) -> str:
        """Create, upload and submit a JSON_LISTINGS_FEED for the partner's marketplace; returns the feedId."""
        header = {"sellerId": self.partner.selling_partner_id, "version": "2.0", "issueLocale": self._locale}
        document = {"header": header, "messages": messages}
        feed_document = self.create_feed_document(JSON_CONTENT_TYPE)
        self.upload_feed_document(feed_document, json.dumps(document, ensure_ascii=False).encode("utf-8"))
        return self.create_feed(feed_type=JSON_LISTINGS_FEED, input_feed_document_id=feed_document.feed_document_id)

    def create_feed_document(self, content_type: str) -> FeedDocument:
        response = self._call(
            "createFeedDocument", lambda client: client.create_feed_document(content_type=content_type)
        )
        return parsing.feed_document(response.body, content_type=content_type)

    def upload_feed_document(self, document: FeedDocument, body: bytes) -> None:
        if document.content_type is None:
            raise ValueError("Upload only to a feed document created with create_feed_document.")
        upload_document(document.url, body, content_type=document.content_type)

    def create_feed(self, *, feed_type: str, input_feed_document_id: str) -> str:
        response = self._call(
            "createFeed",
            lambda client: client.create_feed(feed_type=feed_type, input_feed_document_id=input_feed_document_id),
        )
        return response.body["feedId"]

    def get_feeds(
        self, *, created_since: datetime, processing_statuses: list[str] | None = None, feed_types: list[str]
    ) -> list[Feed]:
        """This seller's feeds of these types on the partner's marketplace created since then, newest first (every
        page: after a crash we need them all)."""
        params: dict[str, Any] = {
            "feedTypes": feed_types,
            "marketplaceIds": [self.partner.marketplace_id],
            "createdSince": _iso(created_since),
            "pageSize": 100,
        }
        if processing_statuses:
            params["processingStatuses"] = processing_statuses
        feeds: list[Feed] = []
        while True:
            response = self._call("getFeeds", lambda client, params=params: client.get_feeds(**params))
            feeds += [parsing.feed(body) for body in response.body.get("feeds") or []]
            if not response.body.get("nextToken"):
                return feeds
            params = {"nextToken": response.body["nextToken"]}  # Amazon wants it alone

    def get_feed(self, feed_id: str) -> Feed:
        response = self._call("getFeed", lambda client: client.get_feed(feed_id))
        return parsing.feed(response.body)

    def get_feed_report(self, result_feed_document_id: str) -> ProcessingReport:
        response = self._call("getFeedDocument", lambda client: client.get_feed_document(result_feed_document_id))
        document = parsing.feed_document(response.body)
        content = download_document(document.url)
        return parsing.processing_report(
            parsing.document_content(content, compression_algorithm=document.compression_algorithm)
        )

    # Listings Items

    def patch_listings_item(self, *, sku: str, patches: list[dict], product_type: str = "PRODUCT") -> ListingSubmission:
        response = self._call(
            "patchListingsItem",
            lambda client: client.patch_listings_item(
                seller_id=self.partner.selling_partner_id,
                sku=sku,
                body={"productType": product_type, "patches": patches},
                marketplaceIds=[self.partner.marketplace_id],
                includedData=["issues"],
                issueLocale=self._locale,
            ),
        )
        return parsing.listing_submission(response.body)

    def get_listings_item(self, *, sku: str) -> ListingItem:
        response = self._call(
            "getListingsItem",
            lambda client: client.get_listings_item(
                seller_id=self.partner.selling_partner_id,
                sku=sku,
                marketplaceIds=[self.partner.marketplace_id],
                includedData=["offers", "fulfillmentAvailability"],
            ),
        )
        return parsing.listing_item(response.body, marketplace_id=self.partner.marketplace_id)

    def seller_id_accepted(self) -> bool:
        """Whether Amazon accepts the partner's seller id with this authorisation: a call scoped to that seller id
        (searchListingsItems, one item), which Amazon refuses with a 403 for a seller id not the authorisation's.

        Unlike every other call there is no token refresh on a 403: callers ask with a fresh access token (the
        callback's brand-new authorisation; Verify forgets the cached one and has just used it), so a 403 here
        can only mean the seller id.
        """
        if app_credentials_paused():
            raise AppCredentialsInvalid()
        try:
            self._call_rate_limited(
                "searchListingsItems",
                lambda client: client.search_listings_items(
                    seller_id=self.partner.selling_partner_id,
                    marketplaceIds=[self.partner.marketplace_id],
                    pageSize=1,
                    includedData=["summaries"],
                ),
            )
        except AccessDenied:
            logger.warning("Amazon refused seller id %s with its authorisation", self.partner.selling_partner_id)
            return False
        except AmazonError as error:
            self._log_failure("searchListingsItems", error)
            raise
        return True

    @property
    def _locale(self) -> str:
        """Issues come back in the site's language, as Amazon's own default for the marketplace would have them."""
        return marketplace_by_id(self.partner.marketplace_id).locale

    # The one path every SP-API call takes

    def _call(self, operation: str, request: Callable[[SpApiClient], SpApiResponse]) -> SpApiResponse:
        if app_credentials_paused():
            raise AppCredentialsInvalid()
        try:
            response = self._call_refreshing_once_on_403(operation, request)
        except AmazonError as error:
            self._log_failure(operation, error)
            raise
        logger.debug("Amazon %s for %s: OK", operation, self.partner.selling_partner_id)
        return response

    def _call_refreshing_once_on_403(
        self, operation: str, request: Callable[[SpApiClient], SpApiResponse]
    ) -> SpApiResponse:
        try:
            return self._call_rate_limited(operation, request)
        except AccessDenied:
            # Most often an access token Amazon no longer honours; a fresh one tells us whether the
            # authorisation itself is gone (LWA answers invalid_grant, or the 403 persists).
            self._client.forget_access_token()
        try:
            return self._call_rate_limited(operation, request)
        except AccessDenied as error:
            raise AuthorisationRevoked(status=error.status, code=error.code) from error

    def _call_rate_limited(self, operation: str, request: Callable[[SpApiClient], SpApiResponse]) -> SpApiResponse:
        selling_partner_id = self.partner.selling_partner_id
        ratelimit.acquire(selling_partner_id, operation, wait=self.wait_for_rate_limit)
        try:
            response = request(self._client)
        except Throttled as error:
            # A 429 may carry the rate Amazon wants now; without it we would wait at the published rate.
            ratelimit.observe_rate(selling_partner_id, operation, error.rate_limit)
            retry_after = ratelimit.throttled_by_amazon(selling_partner_id, operation)
            raise Throttled(retry_after=retry_after, status=error.status, code=error.code) from error
        ratelimit.observe_rate(selling_partner_id, operation, response.rate_limit)
        return response

    def _log_failure(self, operation: str, error: AmazonError) -> None:
        # Throttling is routine (tasks re-schedule themselves); everything else deserves a look.
        logger.log(
            logging.INFO if isinstance(error, Throttled) else logging.WARNING,
            "Amazon %s for %s failed: %s (status %s, code %s)",
            operation,
            self.partner.selling_partner_id,
            type(error).__name__,
            error.status,
            error.code,
        )


def _iso(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise ValueError("Amazon needs aware datetimes.")
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")
