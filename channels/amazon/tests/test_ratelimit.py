"""Token buckets shared across processes, on Redis and on the database."""

from __future__ import annotations

import multiprocessing
import time
import uuid

import pytest
from django.db import connections

from channels.amazon import ratelimit
from channels.amazon.errors import Throttled
from channels.amazon.ratelimit import BACKOFF_CAP_SECONDS, PUBLISHED_LIMITS, full_jitter_backoff

FAST = "patchListingsItem"  # 5 per second, burst 5


@pytest.fixture(params=["database", "redis"])
def store(request, settings):
    """Run the test once with buckets in the database and once in Redis."""
    if request.param == "redis":
        client = request.getfixturevalue("redis_client")
        yield request.param
        for key in client.scan_iter(f"{ratelimit.KEY_PREFIX}:TEST*"):
            client.delete(key)
    else:
        request.getfixturevalue("transactional_db")
        settings.REDIS_URL = None
        yield request.param


def _seller() -> str:
    return f"TEST{uuid.uuid4().hex[:10].upper()}"


def test_a_full_bucket_allows_the_published_burst_less_a_margin_then_says_when_to_come_back(store):
    seller = _seller()
    for _ in range(ratelimit.our_burst(PUBLISHED_LIMITS[FAST].burst)):
        ratelimit.acquire(seller, FAST, wait=False)

    with pytest.raises(Throttled) as raised:
        ratelimit.acquire(seller, FAST, wait=False)

    assert 0 < raised.value.retry_after <= 1 / (PUBLISHED_LIMITS[FAST].rate * ratelimit.RATE_SAFETY)


def test_waiting_for_a_token_sleeps_until_one_is_there(store):
    seller = _seller()
    for _ in range(ratelimit.our_burst(PUBLISHED_LIMITS[FAST].burst)):
        ratelimit.acquire(seller, FAST, wait=False)

    started = time.monotonic()
    ratelimit.acquire(seller, FAST, wait=True)

    assert time.monotonic() - started >= 0.8 / PUBLISHED_LIMITS[FAST].rate


def test_buckets_are_per_seller_and_operation(store):
    seller = _seller()
    for _ in range(ratelimit.our_burst(PUBLISHED_LIMITS[FAST].burst)):
        ratelimit.acquire(seller, FAST, wait=False)

    ratelimit.acquire(_seller(), FAST, wait=False)
    ratelimit.acquire(seller, "getListingsItem", wait=False)


def test_amazons_reported_rate_replaces_the_published_one(store):
    seller = _seller()
    ratelimit.observe_rate(seller, FAST, 0.5)
    for _ in range(ratelimit.our_burst(PUBLISHED_LIMITS[FAST].burst)):
        ratelimit.acquire(seller, FAST, wait=False)

    with pytest.raises(Throttled) as raised:
        ratelimit.acquire(seller, FAST, wait=False)

    assert raised.value.retry_after > 1 / PUBLISHED_LIMITS[FAST].rate
    assert raised.value.retry_after <= 2 / ratelimit.RATE_SAFETY


def test_a_429_empties_the_bucket_for_every_worker(store):
    seller = _seller()

    ratelimit.throttled_by_amazon(seller, FAST)

    with pytest.raises(Throttled):
        ratelimit.acquire(seller, FAST, wait=False)


def test_backoff_after_429s_grows_with_full_jitter_up_to_the_cap():
    rate = PUBLISHED_LIMITS["getOrder"].rate  # one token every 2 seconds: the base
    first = [full_jitter_backoff(1, rate=rate) for _ in range(500)]
    fifth = [full_jitter_backoff(5, rate=rate) for _ in range(500)]
    twentieth = [full_jitter_backoff(20, rate=rate) for _ in range(500)]

    assert all(0 <= delay <= 2 for delay in first)
    assert all(0 <= delay <= 32 for delay in fifth) and max(fifth) > 2
    assert all(0 <= delay <= BACKOFF_CAP_SECONDS for delay in twentieth) and max(twentieth) > 32
    assert min(fifth) < 8, "full jitter spreads retries down to zero"


def test_consecutive_429s_back_off_further(store):
    seller = _seller()
    operation = "getOrder"

    first_streak = [ratelimit.throttled_by_amazon(seller, operation) for _ in range(8)]

    assert first_streak[0] <= 2
    assert max(first_streak[4:]) > 2


# Several processes sharing one bucket


def _take_tokens(seller: str, operation: str, seconds: float, granted) -> None:
    deadline = time.monotonic() + seconds
    taken = 0
    while time.monotonic() < deadline:
        try:
            ratelimit.acquire(seller, operation, wait=False)
            taken += 1
        except Throttled as throttled:
            time.sleep(min(throttled.retry_after, 0.02))
    with granted.get_lock():
        granted.value += taken
    connections.close_all()


def _run_processes(seller: str, operation: str, *, processes: int, seconds: float) -> tuple[int, float]:
    context = multiprocessing.get_context("fork")
    granted = context.Value("i", 0)
    # Forked children must open their own database connections, never share the parent's socket.
    connections.close_all()
    started = time.monotonic()
    workers = [
        context.Process(target=_take_tokens, args=(seller, operation, seconds, granted)) for _ in range(processes)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=seconds + 30)
        assert worker.exitcode == 0
    return granted.value, time.monotonic() - started


def _assert_bucket_held(granted: int, elapsed: float, operation: str, seconds: float) -> None:
    limit = PUBLISHED_LIMITS[operation]
    assert granted <= limit.burst + limit.rate * elapsed + 1
    # And the processes did get (nearly) everything the bucket offered.
    assert granted >= ratelimit.our_burst(limit.burst) + limit.rate * seconds * 0.8


@pytest.mark.redis
def test_several_processes_share_one_redis_bucket(redis_client, settings):
    operation = "getListingsItem"  # 5 per second, burst 10
    seller = _seller()

    granted, elapsed = _run_processes(seller, operation, processes=4, seconds=2.0)

    _assert_bucket_held(granted, elapsed, operation, 2.0)
    redis_client.delete(f"{ratelimit.KEY_PREFIX}:{seller}:{operation}")


@pytest.mark.postgres
def test_several_processes_share_one_database_bucket(transactional_db, settings):
    settings.REDIS_URL = None
    operation = "getListingsItem"
    seller = _seller()

    granted, elapsed = _run_processes(seller, operation, processes=4, seconds=2.0)

    _assert_bucket_held(granted, elapsed, operation, 2.0)
