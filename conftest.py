"""Project-wide fixtures: the cast of users, and the real services the suite runs against."""

from __future__ import annotations

import os

import pytest
from django.conf import settings

from accounts.tests.factories import SellerUserFactory

IN_CI = os.environ.get("CI", "").lower() == "true"


def skip_or_fail(reason: str) -> None:
    """On a laptop a missing service skips the test; in CI it is a failure, never a skip."""
    if IN_CI:
        pytest.fail(f"CI=true but {reason}")
    pytest.skip(reason)


def pytest_runtest_setup(item):
    if (
        item.get_closest_marker("postgres")
        and settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql"
    ):
        skip_or_fail("this test needs PostgreSQL: set DATABASE_URL=postgres://...")
    if item.get_closest_marker("redis") and not settings.REDIS_URL:
        skip_or_fail("this test needs Redis: set REDIS_URL=redis://...")


@pytest.fixture(autouse=True)
def _no_queued_markers():
    """Markers of tasks queued by an earlier test (or run, whose ids repeat) must not hold this test's back."""
    if settings.REDIS_URL:
        import redis

        from channels.coalesce import KEY_PREFIX

        client = redis.Redis.from_url(settings.REDIS_URL)
        for key in client.scan_iter(f"{KEY_PREFIX}:*"):
            client.delete(key)


@pytest.fixture(autouse=True)
def _app_credentials_pause_unseen():
    """A test's rolled-back pause must not linger in the process's brief cache of it."""
    from channels.amazon.selectors import app_credentials_pause_forget

    app_credentials_pause_forget()
    yield
    app_credentials_pause_forget()


@pytest.fixture
def redis_client():
    import redis

    if not settings.REDIS_URL:
        skip_or_fail("this test needs Redis: set REDIS_URL=redis://...")
    client = redis.Redis.from_url(settings.REDIS_URL)
    try:
        client.ping()
    except redis.RedisError as error:
        skip_or_fail(f"Redis at REDIS_URL is unreachable: {error}")
    return client


@pytest.fixture
def owner(db):
    """A seller's owner user."""
    return SellerUserFactory(membership__account__company="Owner Ltd")


@pytest.fixture
def outsider(db):
    """A user of another seller account, who must never see the owner's rows."""
    return SellerUserFactory(membership__account__company="Outsider Ltd")


@pytest.fixture
def account(owner):
    return owner.membership.account


@pytest.fixture
def seller_client(client, owner):
    client.force_login(owner)
    return client


@pytest.fixture
def outsider_client(client, outsider):
    client.force_login(outsider)
    return client


@pytest.fixture
def amazon_simulator(settings):
    """A fresh Amazon simulator on a free port, with the app's three AMAZON_* endpoints pointed at it."""
    from channels.amazon.simulator import AmazonSimulator

    _forget_amazon_state(settings)
    simulator = AmazonSimulator()
    base_url = simulator.start(port=0)
    settings.AMAZON_SP_API_ENDPOINT = base_url
    settings.AMAZON_LWA_TOKEN_URL = f"{base_url}/auth/o2/token"
    settings.AMAZON_SELLER_CENTRAL_URL = base_url
    yield simulator
    simulator.stop()


def _forget_amazon_state(settings) -> None:
    """Access tokens and rate-limit buckets in Redis outlive a test; a fresh simulator must not inherit them."""
    from channels.amazon import lwa, ratelimit

    lwa.forget_all_access_tokens()
    ratelimit.forget_known_rates()
    if settings.REDIS_URL:
        import redis

        client = redis.Redis.from_url(settings.REDIS_URL)
        for prefix in (ratelimit.KEY_PREFIX, lwa.REDIS_PREFIX):
            for key in client.scan_iter(f"{prefix}:*"):
                client.delete(key)
