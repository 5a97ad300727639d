"""One HTTP client per process, and access tokens shared by every process (Redis, else the database)."""

from __future__ import annotations

import os
import ssl
import threading
import time
from datetime import UTC, datetime

import httpx
import pytest
from django.db import connection

from channels.amazon import http, lwa
from channels.amazon.gateway import AmazonGateway
from channels.amazon.models import AccessToken
from channels.amazon.tests.conftest import ACCESS_TOKEN, SP_API, new_partner
from channels.amazon.types import FeedDocument

PARTICIPATIONS = f"{SP_API}/sellers/v1/marketplaceParticipations"
ORDERS = f"{SP_API}/orders/2026-01-01/orders"


@pytest.fixture
def tls_contexts_built(monkeypatch):
    """Counts TLS contexts built from now on (each one loads the CA bundle: the cost this design removes)."""
    http.client()  # this process's one client, built before counting starts
    built = []
    real = ssl.create_default_context

    def counting(*args, **kwargs):
        built.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(ssl, "create_default_context", counting)
    return built


@pytest.fixture
def shared_in_redis(settings, redis_client, amazon):
    """Tokens shared through Redis, as in production (the `amazon` fixture turns Redis off)."""
    settings.REDIS_URL = os.environ["REDIS_URL"]
    for key in redis_client.scan_iter(f"{lwa.REDIS_PREFIX}:*"):
        redis_client.delete(key)
    return redis_client


def test_calls_for_many_integrations_build_no_new_tls_context(amazon, tls_contexts_built):
    amazon.get(PARTICIPATIONS).respond(json={"payload": []})
    amazon.get(ORDERS).respond(json={"orders": []})

    for _ in range(5):
        with AmazonGateway(new_partner()) as gateway:
            gateway.get_marketplace_participations()
            gateway.search_orders(created_after=datetime(2026, 11, 1, tzinfo=UTC))

    assert amazon.routes["lwa"].call_count == 5
    assert tls_contexts_built == []


def test_feed_documents_travel_on_the_same_client(amazon, tls_contexts_built):
    upload = amazon.put("https://feeds.test/doc").respond(200)

    document = FeedDocument("doc-1", "https://feeds.test/doc", content_type="application/json")

    with AmazonGateway(new_partner()) as gateway:
        gateway.upload_feed_document(document, b"{}")

    assert upload.called
    assert tls_contexts_built == []


def test_another_process_reuses_a_token_from_the_database(amazon):
    partner = new_partner()
    amazon.get(PARTICIPATIONS).respond(json={"payload": []})
    AmazonGateway(partner).get_marketplace_participations()

    lwa.forget_all_access_tokens()  # what a second process starts with: nothing in memory
    AmazonGateway(partner).get_marketplace_participations()

    assert amazon.routes["lwa"].call_count == 1
    assert AccessToken.objects.count() == 1


def test_a_token_in_the_database_is_encrypted_at_rest(amazon):
    amazon.get(PARTICIPATIONS).respond(json={"payload": []})

    AmazonGateway(new_partner()).get_marketplace_participations()

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT token FROM {AccessToken._meta.db_table}")
        stored = cursor.fetchone()[0]
    assert ACCESS_TOKEN not in stored
    assert "access-token" not in stored


def test_an_expired_token_in_the_database_is_asked_again(amazon):
    partner = new_partner()
    amazon.get(PARTICIPATIONS).respond(json={"payload": []})
    AmazonGateway(partner).get_marketplace_participations()
    AccessToken.objects.update(expires_at=datetime(2026, 1, 1, tzinfo=UTC))

    lwa.forget_all_access_tokens()
    AmazonGateway(partner).get_marketplace_participations()

    assert amazon.routes["lwa"].call_count == 2


@pytest.mark.redis
def test_another_process_reuses_a_token_from_redis(shared_in_redis, amazon):
    partner = new_partner()
    amazon.get(PARTICIPATIONS).respond(json={"payload": []})
    AmazonGateway(partner).get_marketplace_participations()

    lwa.forget_all_access_tokens()
    AmazonGateway(partner).get_marketplace_participations()

    assert amazon.routes["lwa"].call_count == 1
    assert AccessToken.objects.count() == 0
    stored = [shared_in_redis.get(key) for key in shared_in_redis.scan_iter(f"{lwa.REDIS_PREFIX}:*")]
    assert len(stored) == 1
    assert ACCESS_TOKEN.encode() not in stored[0]


@pytest.mark.redis
def test_a_token_revoked_by_a_403_is_forgotten_everywhere(shared_in_redis, amazon):
    partner = new_partner()
    amazon.get(PARTICIPATIONS).respond(json={"payload": []})
    AmazonGateway(partner).get_marketplace_participations()

    lwa.forget_access_token(partner.refresh_token)
    lwa.forget_all_access_tokens()
    AmazonGateway(partner).get_marketplace_participations()

    assert amazon.routes["lwa"].call_count == 2


@pytest.mark.redis
def test_sellers_token_is_asked_of_lwa_once_when_many_threads_need_it_at_once(shared_in_redis, amazon):
    def slow_lwa(request):
        time.sleep(0.3)
        return httpx.Response(200, json={"access_token": ACCESS_TOKEN, "expires_in": 3600})

    amazon.routes["lwa"].side_effect = slow_lwa
    partner = new_partner()
    tokens: list[str] = []

    def ask() -> None:
        tokens.append(lwa.access_token(partner.refresh_token))

    threads = [threading.Thread(target=ask) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert tokens == [ACCESS_TOKEN] * 8
    assert amazon.routes["lwa"].call_count == 1
