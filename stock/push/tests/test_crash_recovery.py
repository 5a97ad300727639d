"""push_stock SIGKILLed (its whole process group) at each point of a feed's life; the very next push_stock
converges: Amazon shows every listing's latest value, each sent at most once more than the crash made necessary,
and no older value lands after a newer one. Real processes on PostgreSQL, the simulator in this process."""

from __future__ import annotations

import json
import time

import pytest
from django.conf import settings

from channels.tests.processes import celery_worker, empty_celery_queues, kill, manage_py, send_task, stop, wait_for
from stock.push.models import ListingPush, PushFeed

from .conftest import SELLER, UK, forget_rate_limits

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.django_db(transaction=True)]

LISTINGS = 30


@pytest.fixture
def world(amazon_simulator, connect, listing, supply):
    amazon_simulator.state.speedup = 5  # a feed takes about a second: a crash can land while it is processed
    forget_rate_limits()
    integration = connect()
    mappings = []
    for number in range(LISTINGS):
        amazon_simulator.state.set_listing(SELLER, UK, f"SKU-{number}", quantity=0)
        mappings.append(listing(integration, f"SKU-{number}", quantity=20))
    return amazon_simulator, integration, mappings


def _push_stock(simulator, integration):
    return manage_py(
        simulator,
        "push_stock",
        "--integration",
        str(integration.pk),
        "--timeout",
        "60",
        STOCK_PUSH_FEED_POLL_SECONDS="0.1",
    )


def _sent_values(simulator) -> dict[str, list[int]]:
    """Per SKU, the quantities Amazon received, in the order its feeds were created."""
    sent: dict[str, list[int]] = {}
    for feed in reversed(simulator.state.feeds_of(SELLER)):
        body = json.loads(simulator.state.feed_document(feed.input_feed_document_id).body)
        for message in body["messages"]:
            quantity = message["patches"][0]["value"][0]["quantity"]
            sent.setdefault(message["sku"], []).append(quantity)
    return sent


def _orphan_prepared(simulator, integration) -> bool:
    return PushFeed.objects.filter(integration=integration, state=PushFeed.State.PREPARING).exists()


def _created_on_amazon(simulator, integration) -> bool:
    return bool(simulator.state.feeds_of(SELLER))


def _processed_not_recorded(simulator, integration) -> bool:
    return PushFeed.objects.filter(integration=integration, state=PushFeed.State.SUBMITTED).exists() and any(
        feed.processing_status == "DONE" for feed in simulator.state.feeds_of(SELLER)
    )


KILL_POINTS = {
    # name: (the call held up so the kill lands there, the fault, the moment to kill)
    "between marking and sending": ("createFeedDocument", "slow", _orphan_prepared),
    "between createFeed and recording the feed id": ("createFeed", "slow_answer", _created_on_amazon),
    "between sending and recording the report": ("getFeedDocument", "slow", _processed_not_recorded),
}


@pytest.mark.parametrize("kill_point", list(KILL_POINTS))
def test_push_stock_killed_then_run_again_converges_with_no_older_value_landing_last(world, supply, kill_point):
    simulator, integration, mappings = world
    operation, fault, moment = KILL_POINTS[kill_point]
    simulator.state.inject_fault(operation, fault, count=1, delay=30)
    first = _push_stock(simulator, integration)
    wait_for(lambda: moment(simulator, integration), first)
    kill(first)
    simulator.state.faults.clear()
    supply({mapping.product.sku: 7 for mapping in mappings[:10]})  # newer values, after the crash

    started = time.monotonic()
    second = _push_stock(simulator, integration)
    output, errors = second.communicate(timeout=90)
    took = time.monotonic() - started

    assert second.returncode == 0, (output, errors)
    assert "waiting for another stock push" not in errors  # the dead one holds nothing
    rows = {row.channel_sku: row for row in ListingPush.objects.filter(integration=integration)}
    for number in range(LISTINGS):
        sku, expected = f"SKU-{number}", 7 if number < 10 else 20
        quantity = simulator.state.listing(SELLER, UK, sku).quantity
        assert (quantity, rows[sku].accepted_quantity, rows[sku].pending) == (expected, expected, False), (
            sku,
            output,
            errors,
        )
    for sku, values in _sent_values(simulator).items():
        assert values[-1] == rows[sku].desired_quantity  # the newest value was the last Amazon processed
        assert len(values) <= 3  # the first value, one resend the crash made necessary, the newer value
    assert took < 30, (output, errors)


@pytest.fixture
def broker(redis_client):
    empty_celery_queues(redis_client)
    yield settings.REDIS_URL
    empty_celery_queues(redis_client)


RECOVERY_SECONDS = 60


def test_a_worker_killed_mid_push_is_replaced_by_another_within_60_seconds(
    amazon_simulator, broker, tmp_path, connect, listing
):
    amazon_simulator.state.speedup = 5
    forget_rate_limits()
    integration = connect()
    for number in range(20):
        amazon_simulator.state.set_listing(SELLER, UK, f"SKU-{number}", quantity=0)
        listing(integration, f"SKU-{number}", quantity=20)
    # The feed is processed by Amazon, then the worker dies while reading its report.
    amazon_simulator.state.inject_fault("getFeedDocument", "slow", count=1, delay=30)
    env = {"STOCK_PUSH_FEED_QUIET_SECONDS": "0", "STOCK_PUSH_FEED_INTERVAL_SECONDS": "0"}
    first = celery_worker(amazon_simulator, broker, "first", tmp_path, with_beat=False, **env)
    second = None
    try:
        for _ in range(5):  # as the drain would, while the feed is followed
            send_task(broker, "stock.push.tasks.stock_push_integration", integration.pk)
        wait_for(lambda: _processed_not_recorded(amazon_simulator, integration), first, timeout=60)
        time.sleep(0.5)  # into the slow report read
        killed_at = kill(first)
        amazon_simulator.state.faults.clear()

        second = celery_worker(amazon_simulator, broker, "second", tmp_path, with_beat=True, **env)
        pending = ListingPush.objects.filter(integration=integration, pending=True)
        wait_for(lambda: not pending.exists(), second, timeout=RECOVERY_SECONDS + 15)
        took = time.monotonic() - killed_at
    finally:
        stop(first, second)

    assert took < RECOVERY_SECONDS
    for number in range(20):
        assert amazon_simulator.state.listing(SELLER, UK, f"SKU-{number}").quantity == 20
    assert len([feed for feed in amazon_simulator.state.feeds_of(SELLER)]) == 1  # its report read, not resent
