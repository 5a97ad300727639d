"""Each python-amazon-sp-api 2.1.35 trap the issue lists, shown handled at the HTTP boundary."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from urllib.parse import parse_qs

import httpx
import pytest

from channels.amazon.errors import AppCredentialsInvalid, Throttled, TransientError
from channels.amazon.gateway import AmazonGateway
from channels.amazon.tests.conftest import ACCESS_TOKEN, SP_API, UK, new_partner

PARTICIPATIONS = f"{SP_API}/sellers/v1/marketplaceParticipations"
ORDERS = f"{SP_API}/orders/2026-01-01/orders"
EMPTY_ORDERS = {"orders": []}


def test_calls_go_to_the_configured_endpoint(amazon, gateway):
    route = amazon.get(ORDERS).respond(json=EMPTY_ORDERS)

    gateway.search_orders(created_after=_moment())

    assert route.call_count == 1


def test_without_an_endpoint_calls_go_to_the_marketplaces_regional_host(amazon, settings, partner):
    settings.AMAZON_SP_API_ENDPOINT = None
    route = amazon.get("https://sellingpartnerapi-eu.amazon.com/orders/2026-01-01/orders").respond(json=EMPTY_ORDERS)

    AmazonGateway(partner).search_orders(created_after=_moment())

    assert route.call_count == 1


def test_host_header_is_right_for_an_http_endpoint(amazon, settings, partner):
    # The library sends endpoint[8:], i.e. "27.0.0.1:8100" for http://127.0.0.1:8100.
    settings.AMAZON_SP_API_ENDPOINT = "http://127.0.0.1:8100"
    route = amazon.get("http://127.0.0.1:8100/orders/2026-01-01/orders").respond(json=EMPTY_ORDERS)

    AmazonGateway(partner).search_orders(created_after=_moment())

    assert route.calls.last.request.headers["host"] == "127.0.0.1:8100"


def test_access_tokens_come_from_the_configured_lwa_url_with_the_apps_credentials(amazon, gateway, partner, settings):
    sp_api = amazon.get(ORDERS).respond(json=EMPTY_ORDERS)

    gateway.search_orders(created_after=_moment())

    form = parse_qs(amazon.routes["lwa"].calls.last.request.content.decode())
    assert form == {
        "grant_type": ["refresh_token"],
        "refresh_token": [partner.refresh_token],
        "client_id": [settings.AMAZON_LWA_CLIENT_ID],
        "client_secret": [settings.AMAZON_LWA_CLIENT_SECRET],
    }
    assert sp_api.calls.last.request.headers["x-amz-access-token"] == ACCESS_TOKEN


def test_access_tokens_stay_cached_for_more_than_ten_sellers(amazon):
    amazon.get(PARTICIPATIONS).respond(json={"payload": []})
    gateways = [AmazonGateway(new_partner()) for _ in range(15)]

    for _round in range(2):
        for gateway in gateways:
            gateway.get_marketplace_participations()

    assert amazon.routes["lwa"].call_count == 15


def test_sp_api_default_marketplace_in_the_environment_changes_nothing(amazon, settings, partner, monkeypatch):
    monkeypatch.setenv("SP_API_DEFAULT_MARKETPLACE", "US")
    settings.AMAZON_SP_API_ENDPOINT = None
    route = amazon.get("https://sellingpartnerapi-eu.amazon.com/orders/2026-01-01/orders").respond(json=EMPTY_ORDERS)

    AmazonGateway(partner).search_orders(created_after=_moment())

    assert route.calls.last.request.url.params["marketplaceIds"] == UK


def test_credentials_never_come_from_environment_variables(amazon, settings, partner, monkeypatch):
    monkeypatch.setenv("LWA_APP_ID", "amzn1.application-oa2-client.from-env")
    monkeypatch.setenv("LWA_CLIENT_SECRET", "secret-from-env")
    settings.AMAZON_LWA_CLIENT_ID = ""
    route = amazon.get(ORDERS).respond(json=EMPTY_ORDERS)

    with pytest.raises(AppCredentialsInvalid):
        AmazonGateway(partner).search_orders(created_after=_moment())

    assert not route.called
    assert not amazon.routes["lwa"].called


def test_an_empty_429_is_throttled(amazon, gateway):
    amazon.get(ORDERS).respond(429)

    with pytest.raises(Throttled):
        gateway.search_orders(created_after=_moment())


def test_an_html_503_is_a_transient_error(amazon, gateway):
    amazon.get(ORDERS).respond(503, html="<html><body>Service Unavailable</body></html>")

    with pytest.raises(TransientError) as raised:
        gateway.search_orders(created_after=_moment())

    assert raised.value.status == 503


def test_feed_bodies_are_uploaded_as_utf8_bytes_and_bodies_hold_only_amazons_fields(amazon, gateway):
    upload_url = "https://s3.test/upload?signature=abc"
    documents = amazon.post(f"{SP_API}/feeds/2021-06-30/documents").respond(
        json={"feedDocumentId": "doc-1", "url": upload_url}
    )
    upload = amazon.put(upload_url).respond(200)
    feeds = amazon.post(f"{SP_API}/feeds/2021-06-30/feeds").respond(202, json={"feedId": "feed-1"})
    message = {"messageId": 1, "sku": "CAFÉ-£5", "operationType": "PATCH", "productType": "PRODUCT", "patches": []}

    feed_id = gateway.submit_json_listings_feed([message])

    assert feed_id == "feed-1"
    uploaded = upload.calls.last.request
    assert json.loads(uploaded.content.decode("utf-8"))["messages"] == [message]
    assert uploaded.headers["content-type"] == "application/json; charset=UTF-8"
    assert json.loads(documents.calls.last.request.content) == {"contentType": "application/json; charset=UTF-8"}
    assert json.loads(feeds.calls.last.request.content) == {
        "feedType": "JSON_LISTINGS_FEED",
        "marketplaceIds": [UK],
        "inputFeedDocumentId": "doc-1",
    }


def test_tokens_never_reach_the_logs(amazon, gateway, partner, caplog):
    caplog.set_level(logging.DEBUG)
    amazon.get(ORDERS).mock(side_effect=[httpx.Response(200, json=EMPTY_ORDERS), httpx.Response(500)])

    gateway.search_orders(created_after=_moment())
    with pytest.raises(TransientError):
        gateway.search_orders(created_after=_moment())

    assert caplog.records, "the gateway logs its calls"
    assert ACCESS_TOKEN not in caplog.text
    assert partner.refresh_token not in caplog.text
    assert partner.refresh_token not in repr(partner)


def _moment() -> datetime:
    return datetime(2026, 11, 1, tzinfo=UTC)
