"""Per-token rate limit (429 with Retry-After, shared through Redis or the database) and each token's last use."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from stock.api import ratelimit
from stock.models import SupplierToken
from stock.services import supplier_token_issue
from stock.tests.factories import SupplierFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def token():
    return supplier_token_issue(supplier=SupplierFactory(name="Acme"))


@pytest.fixture(params=["redis", "database"])
def limit_store(request, settings):
    """The rate limit kept in Redis (as with REDIS_URL set) and in the database (without it)."""
    if request.param == "redis":
        request.getfixturevalue("redis_client")
    else:
        settings.REDIS_URL = None
    return request.param


def post_stock(client, token: str):
    return client.post(
        "/api/v1/stock", data='{"updates": []}', content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}"
    )


def test_a_token_over_its_rate_gets_429_with_retry_after_after_a_burst_of_twice_the_rate(
    client, token, settings, limit_store
):
    settings.SUPPLIER_API_RATE_LIMIT = 2  # a burst of 4

    statuses = [post_stock(client, token).status_code for _ in range(6)]

    assert statuses[:4] == [200] * 4
    assert 429 in statuses[4:]
    refused = post_stock(client, token)
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) >= 1
    assert "wait" in refused.json()["error"]


def test_each_token_has_its_own_limit(client, token, settings, limit_store):
    settings.SUPPLIER_API_RATE_LIMIT = 1
    other = supplier_token_issue(supplier=SupplierFactory(name="Other"))
    while post_stock(client, token).status_code == 200:
        pass

    assert post_stock(client, other).status_code == 200


def test_a_rate_limit_of_zero_is_off(client, token, settings, limit_store):
    settings.SUPPLIER_API_RATE_LIMIT = 0

    assert {post_stock(client, token).status_code for _ in range(30)} == {200}


def test_the_database_limit_admits_again_once_the_interval_has_passed(token, settings, monkeypatch):
    settings.REDIS_URL = None
    settings.SUPPLIER_API_RATE_LIMIT = 1
    stored = SupplierToken.objects.get()
    clock = [1_000_000.0]
    monkeypatch.setattr(ratelimit.time, "time", lambda: clock[0])

    waits = [ratelimit.supplier_token_admit(token=stored) for _ in range(3)]
    clock[0] += 1.0
    after_a_second = ratelimit.supplier_token_admit(token=stored)

    assert waits == [0.0, 0.0, 1.0]  # a burst of 2, then one a second
    assert after_a_second == 0.0


def test_a_tokens_last_use_is_recorded_and_shown_in_the_admin(client, admin_client, token):
    stored = SupplierToken.objects.get()
    assert stored.last_used_at is None

    before = timezone.now()
    post_stock(client, token)

    stored.refresh_from_db()
    assert stored.last_used_at >= before
    page = admin_client.get("/admin/stock/suppliertoken/").content.decode()
    assert "last used" in page.lower()
    assert admin_client.get("/admin/stock/suppliertoken/").context["cl"].result_list[0].last_used_at is not None


def test_a_token_used_again_within_the_minute_is_not_written_again_and_is_after_it(client, token):
    post_stock(client, token)
    first_use = SupplierToken.objects.get().last_used_at

    with CaptureQueriesContext(connection) as queries:
        assert post_stock(client, token).status_code == 200
    assert not [query for query in queries if 'SET "last_used_at"' in query["sql"]]
    assert SupplierToken.objects.get().last_used_at == first_use

    SupplierToken.objects.update(last_used_at=first_use - timedelta(minutes=2))
    post_stock(client, token)
    assert SupplierToken.objects.get().last_used_at > first_use
