"""The gateway's operations and error classification, against respx."""

from __future__ import annotations

import gzip
import json
import logging
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import httpx
import pytest

from channels.amazon.errors import (
    AppCredentialsInvalid,
    AuthorisationRevoked,
    PermanentError,
    Throttled,
    TransientError,
)
from channels.amazon.gateway import AmazonGateway, SellingPartner, gateway_for
from channels.amazon.models import AppCredentialsPause, RateLimitBucket
from channels.amazon.outcomes import outcome_of
from channels.amazon.ratelimit import BACKOFF_CAP_SECONDS
from channels.amazon.selectors import app_credentials_paused
from channels.amazon.services import app_credentials_resume
from channels.amazon.tests.conftest import LWA_TOKEN_URL, SP_API, UK, new_partner
from channels.models import Integration
from channels.tests.factories import IntegrationFactory

SPAPI_FILES = Path(__file__).parent / "spapi"
ORDERS = f"{SP_API}/orders/2026-01-01/orders"
PARTICIPATIONS = f"{SP_API}/sellers/v1/marketplaceParticipations"
SINCE = datetime(2026, 11, 1, 9, 30, tzinfo=UTC)


def _orders_model() -> dict:
    return json.loads((SPAPI_FILES / "orders_2026-01-01.json").read_text())


def _sandbox_examples(path: str) -> list[dict]:
    operation = _orders_model()["paths"][path]["get"]
    return [case["response"] for case in operation["responses"]["200"]["x-amzn-api-sandbox"]["static"]]


def _listing_path(partner: SellingPartner, sku: str) -> str:
    return f"{SP_API}/listings/2021-08-01/items/{partner.selling_partner_id}/{sku}"


# Operations


def test_search_orders_asks_for_status_money_recipient_and_cancellations_in_the_partners_marketplace(amazon, gateway):
    uk_example = _sandbox_examples("/orders/2026-01-01/orders")[1]
    route = amazon.get(ORDERS).respond(json=uk_example)

    page = gateway.search_orders(last_updated_after=SINCE, max_results=50)

    params = route.calls.last.request.url.params
    assert params["includedData"] == "FULFILLMENT,PROCEEDS,RECIPIENT,CANCELLATION"
    assert params["marketplaceIds"] == UK
    assert params["lastUpdatedAfter"] == "2026-11-01T09:30:00Z"
    assert params["maxResultsPerPage"] == "50"
    assert "createdAfter" not in params
    [order] = page.orders
    assert (order.amazon_order_id, order.status, order.fulfilled_by) == ("202-7654321-1098765", "SHIPPED", "MERCHANT")
    assert (order.total, order.currency, order.marketplace_id) == (Decimal("34.99"), "GBP", UK)
    assert order.created_at == datetime(2024, 12, 24, 14, 20, tzinfo=UTC)
    [line] = order.lines
    assert (line.seller_sku, line.quantity, line.unit_price) == ("ECHO-DOT-4-UK-CHARCOAL-SINGLE", 1, Decimal("34.99"))
    assert page.next_token is None


def test_search_orders_passes_the_pagination_token_and_returns_the_next_one(amazon, gateway):
    first_example = _sandbox_examples("/orders/2026-01-01/orders")[0]
    route = amazon.get(ORDERS).respond(json=first_example)

    page = gateway.search_orders(created_after=SINCE, pagination_token="page-2")

    assert route.calls.last.request.url.params["paginationToken"] == "page-2"
    assert page.next_token == "2YgYW55IGNhcm5hbCBwbGVhc3VyZS4"


def test_search_orders_needs_exactly_one_starting_point(gateway):
    with pytest.raises(ValueError):
        gateway.search_orders()
    with pytest.raises(ValueError):
        gateway.search_orders(created_after=SINCE, last_updated_after=SINCE)


def test_every_amazon_sandbox_order_example_parses_into_our_types(amazon, gateway):
    search_examples = _sandbox_examples("/orders/2026-01-01/orders")
    get_examples = _sandbox_examples("/orders/2026-01-01/orders/{orderId}")
    amazon.get(ORDERS).mock(side_effect=[httpx.Response(200, json=example) for example in search_examples])
    for example in get_examples:
        order_id = example["order"]["orderId"]
        amazon.get(f"{ORDERS}/{order_id}").respond(json=example)

    searched = [order for _ in search_examples for order in gateway.search_orders(created_after=SINCE).orders]
    fetched = [gateway.get_order(example["order"]["orderId"]) for example in get_examples]

    expected_ids = [order["orderId"] for example in search_examples for order in example["orders"]]
    assert [order.amazon_order_id for order in searched] == expected_ids
    for order in searched + fetched:
        assert order.status in {"PENDING", "UNSHIPPED", "PARTIALLY_SHIPPED", "SHIPPED", "CANCELLED"}
        assert order.fulfilled_by in {"MERCHANT", "AMAZON"}
        assert order.created_at.tzinfo is not None and order.last_updated_at >= order.created_at
        assert isinstance(order.total, Decimal) and order.currency
        assert order.lines and all(line.quantity > 0 and line.seller_sku for line in order.lines)


def test_get_order_asks_for_status_money_recipient_and_cancellations(amazon, gateway):
    example = _sandbox_examples("/orders/2026-01-01/orders/{orderId}")[1]
    order_id = example["order"]["orderId"]
    route = amazon.get(f"{ORDERS}/{order_id}").respond(json=example)

    order = gateway.get_order(order_id)

    assert route.calls.last.request.url.params["includedData"] == "FULFILLMENT,PROCEEDS,RECIPIENT,CANCELLATION"
    assert order.amazon_order_id == order_id


def test_marketplace_participations(amazon, gateway):
    amazon.get(PARTICIPATIONS).respond(
        json={
            "payload": [
                {
                    "marketplace": {
                        "id": UK,
                        "name": "Amazon.co.uk",
                        "countryCode": "GB",
                        "defaultCurrencyCode": "GBP",
                        "defaultLanguageCode": "en_GB",
                        "domainName": "www.amazon.co.uk",
                    },
                    "participation": {"isParticipating": True, "hasSuspendedListings": False},
                    "storeName": "Demo",
                }
            ]
        }
    )

    [participation] = gateway.get_marketplace_participations()

    assert participation.marketplace_id == UK
    assert (participation.country_code, participation.name) == ("GB", "Amazon.co.uk")
    assert participation.is_participating and not participation.has_suspended_listings


def test_get_feed(amazon, gateway):
    amazon.get(f"{SP_API}/feeds/2021-06-30/feeds/feed-1").respond(
        json={
            "feedId": "feed-1",
            "feedType": "JSON_LISTINGS_FEED",
            "createdTime": "2026-11-27T10:00:00Z",
            "processingStatus": "DONE",
            "resultFeedDocumentId": "result-1",
        }
    )

    feed = gateway.get_feed("feed-1")

    assert (feed.feed_id, feed.status, feed.result_feed_document_id) == ("feed-1", "DONE", "result-1")


@pytest.mark.parametrize("compressed", [True, False])
def test_feed_report_is_downloaded_unzipped_and_parsed(amazon, gateway, compressed):
    report = (SPAPI_FILES / "listings-feed-processing-report-schema-v2.example.json").read_bytes()
    document = {"feedDocumentId": "result-1", "url": "https://s3.test/result-1?signature=x"}
    if compressed:
        document["compressionAlgorithm"] = "GZIP"
    amazon.get(f"{SP_API}/feeds/2021-06-30/documents/result-1").respond(json=document)
    amazon.get(document["url"]).respond(content=gzip.compress(report) if compressed else report)

    processing = gateway.get_feed_report("result-1")

    assert (processing.messages_processed, processing.messages_accepted, processing.messages_invalid) == (4, 2, 2)
    assert [(issue.message_id, issue.sku, issue.code) for issue in processing.issues] == [
        (4, "My-SKU-B", "90220"),
        (4, "My-SKU-B", "90220"),
        (5, "My-SKU-C", "99022"),
    ]
    assert processing.issues[0].severity == "ERROR"


def test_patch_listings_item_sends_the_patches_for_the_partners_marketplace(amazon, gateway, partner):
    route = amazon.patch(_listing_path(partner, "SKU/1 A")).respond(
        json={
            "sku": "SKU/1 A",
            "status": "INVALID",
            "submissionId": "sub-1",
            "issues": [{"code": "90220", "message": "quantity is invalid", "severity": "ERROR", "categories": []}],
        }
    )
    patches = [
        {
            "op": "replace",
            "path": "/attributes/fulfillment_availability",
            "value": [{"fulfillment_channel_code": "DEFAULT", "quantity": 7}],
        }
    ]

    submission = gateway.patch_listings_item(sku="SKU/1 A", patches=patches)

    request = route.calls.last.request
    assert json.loads(request.content) == {"productType": "PRODUCT", "patches": patches}
    assert request.url.params["marketplaceIds"] == UK
    assert (submission.sku, submission.status) == ("SKU/1 A", "INVALID")
    assert [(issue.code, issue.severity) for issue in submission.issues] == [("90220", "ERROR")]


def test_patch_listings_item_asks_for_issues_in_the_sites_language(amazon):
    partner = new_partner(marketplace_id="A1VC38T7YXB528")  # Japan
    route = amazon.patch(_listing_path(partner, "SKU-1")).respond(
        json={"sku": "SKU-1", "status": "ACCEPTED", "submissionId": "sub-1", "issues": []}
    )

    with AmazonGateway(partner) as gateway:
        gateway.patch_listings_item(sku="SKU-1", patches=[{"op": "delete", "path": "/attributes/item_name"}])

    assert route.calls.last.request.url.params["issueLocale"] == "ja_JP"


def test_get_listings_item_reads_merchant_quantity_and_marketplace_price(amazon, gateway, partner):
    route = amazon.get(_listing_path(partner, "SKU-1")).respond(
        json={
            "sku": "SKU-1",
            "offers": [
                {
                    "marketplaceId": "A1PA6795UKMFR9",
                    "offerType": "B2C",
                    "price": {"amount": "11.00", "currencyCode": "EUR"},
                },
                {"marketplaceId": UK, "offerType": "B2C", "price": {"amount": "9.99", "currencyCode": "GBP"}},
            ],
            "fulfillmentAvailability": [
                {"fulfillmentChannelCode": "AMAZON_EU", "quantity": 40},
                {"fulfillmentChannelCode": "DEFAULT", "quantity": 12},
            ],
        }
    )

    item = gateway.get_listings_item(sku="SKU-1")

    assert route.calls.last.request.url.params["includedData"] == "offers,fulfillmentAvailability"
    assert (item.sku, item.quantity, item.price) == ("SKU-1", 12, Decimal("9.99"))


# Error classification


def test_a_429_is_throttled_with_a_jittered_backoff_and_holds_off_every_worker(amazon, gateway, partner):
    route = amazon.get(ORDERS).respond(429, json={"errors": [{"code": "QuotaExceeded", "message": "Too many"}]})

    with pytest.raises(Throttled) as raised:
        gateway.search_orders(created_after=SINCE)
    with pytest.raises(Throttled):
        AmazonGateway(partner).search_orders(created_after=SINCE)

    assert 0 <= raised.value.retry_after <= BACKOFF_CAP_SECONDS
    assert raised.value.code == "QuotaExceeded"
    assert route.call_count == 1, "the emptied bucket stops the second call before it reaches Amazon"


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_server_errors_are_transient(amazon, gateway, status):
    amazon.get(ORDERS).respond(status, json={"errors": [{"code": "InternalFailure", "message": "oops"}]})

    with pytest.raises(TransientError) as raised:
        gateway.search_orders(created_after=SINCE)

    assert raised.value.status == status


@pytest.mark.parametrize("failure", [httpx.ReadTimeout("slow"), httpx.ConnectError("refused")])
def test_timeouts_and_connection_errors_are_transient(amazon, gateway, failure):
    amazon.get(ORDERS).mock(side_effect=failure)

    with pytest.raises(TransientError):
        gateway.search_orders(created_after=SINCE)


def test_an_lwa_outage_is_transient(amazon, gateway):
    amazon.post(LWA_TOKEN_URL, name="lwa").respond(503, html="<html>down</html>")

    with pytest.raises(TransientError):
        gateway.get_marketplace_participations()


@pytest.mark.parametrize("status", [400, 404, 409, 413])
def test_other_client_errors_are_permanent_and_say_what_amazon_said(amazon, gateway, status):
    amazon.get(ORDERS).respond(status, json={"errors": [{"code": "InvalidInput", "message": "Bad date."}]})

    with pytest.raises(PermanentError) as raised:
        gateway.search_orders(created_after=SINCE)

    assert (raised.value.status, raised.value.code) == (status, "InvalidInput")
    assert raised.value.message == "Amazon rejected the request: Bad date."


def test_a_403_is_retried_once_with_a_fresh_access_token(amazon, gateway):
    route = amazon.get(PARTICIPATIONS).mock(
        side_effect=[httpx.Response(403, json={"errors": [{"code": "Unauthorized"}]}), httpx.Response(200, json={})]
    )

    assert gateway.get_marketplace_participations() == []

    assert route.call_count == 2
    assert amazon.routes["lwa"].call_count == 2


@pytest.fixture
def integration(db):
    return IntegrationFactory()


def test_a_403_that_persists_after_a_token_refresh_revokes_the_integration(amazon, integration):
    route = amazon.get(PARTICIPATIONS).respond(403, json={"errors": [{"code": "Unauthorized"}]})

    with pytest.raises(AuthorisationRevoked) as revoked:
        gateway_for(integration).get_marketplace_participations()
    outcome_of(revoked.value, integration_id=integration.pk)  # what every caller does with it

    assert route.call_count == 2
    integration.refresh_from_db()
    assert integration.authorisation_state == Integration.AuthorisationState.NEEDS_REAUTHORISATION
    assert "click Reauthorise" in integration.authorisation_problem


def test_invalid_grant_revokes_the_integration_without_calling_sp_api(amazon, integration):
    amazon.post(LWA_TOKEN_URL, name="lwa").respond(400, json={"error": "invalid_grant", "error_description": "revoked"})
    route = amazon.get(PARTICIPATIONS).respond(json={})

    with pytest.raises(AuthorisationRevoked) as revoked:
        gateway_for(integration).get_marketplace_participations()
    outcome_of(revoked.value, integration_id=integration.pk)

    assert not route.called
    integration.refresh_from_db()
    assert integration.authorisation_state == Integration.AuthorisationState.NEEDS_REAUTHORISATION


def test_invalid_client_pauses_every_integration_with_one_critical_log(amazon, partner, caplog):
    amazon.post(LWA_TOKEN_URL, name="lwa").respond(401, json={"error": "invalid_client"})
    route = amazon.get(PARTICIPATIONS).respond(json={})
    other_seller = SellingPartner(selling_partner_id="AOTHER", refresh_token="Atzr|other", marketplace_id=UK)

    for seller in (partner, partner, other_seller):
        with pytest.raises(AppCredentialsInvalid):
            AmazonGateway(seller).get_marketplace_participations()

    assert amazon.routes["lwa"].call_count == 1, "paused: nothing else reaches Amazon"
    assert not route.called
    assert app_credentials_paused()
    assert [record.levelno for record in caplog.records].count(logging.CRITICAL) == 1


def test_calls_resume_once_ops_clear_the_pause(amazon, gateway):
    AppCredentialsPause.objects.create(problem="LWA answered 401 invalid_client")
    amazon.get(PARTICIPATIONS).respond(json={})

    with pytest.raises(AppCredentialsInvalid):
        gateway.get_marketplace_participations()
    app_credentials_resume()

    assert gateway.get_marketplace_participations() == []


def test_the_rate_limit_header_sets_the_buckets_rate(amazon, gateway, partner):
    amazon.get(f"{ORDERS}/1").respond(
        json=_sandbox_examples("/orders/2026-01-01/orders/{orderId}")[0], headers={"x-amzn-RateLimit-Limit": "2.5"}
    )

    gateway.get_order("1")

    bucket = RateLimitBucket.objects.get(selling_partner_id=partner.selling_partner_id, operation="getOrder")
    assert bucket.rate == 2.5


def test_the_rate_limit_header_on_a_429_sets_the_buckets_rate(amazon, gateway, partner):
    amazon.get(ORDERS).respond(
        429, json={"errors": [{"code": "QuotaExceeded"}]}, headers={"x-amzn-RateLimit-Limit": "40"}
    )

    with pytest.raises(Throttled):
        gateway.search_orders(created_after=SINCE)

    bucket = RateLimitBucket.objects.get(selling_partner_id=partner.selling_partner_id, operation="searchOrders")
    assert bucket.rate == 40


def test_a_200_that_is_not_json_is_transient(amazon, gateway):
    amazon.get(PARTICIPATIONS).respond(200, html="<html>captive portal</html>")

    with pytest.raises(TransientError):
        gateway.get_marketplace_participations()
