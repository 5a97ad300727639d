"""With a real Celery worker on Redis: the fast lane after commit, and the beat drain following a feed to the end."""

from __future__ import annotations

import time

import pytest
from celery.contrib.testing.worker import start_worker
from celery.signals import task_postrun
from django.db import connections, transaction

from avasam.celery import app
from stock.push import drain, sending
from stock.push.models import ListingPush

from .conftest import SELLER, UK

pytestmark = [pytest.mark.redis, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def wait_for(condition, timeout=15.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


def close_thread_connections(**_) -> None:
    connections.close_all()


@pytest.fixture
def worker(redis_client, settings):
    app.conf.task_always_eager = False
    app.control.purge()
    # Its threads end with the test: their connections must not outlive them (a worker process keeps its own).
    task_postrun.connect(close_thread_connections)
    try:
        with start_worker(app, pool="threads", concurrency=2, perform_ping_check=False, shutdown_timeout=20):
            yield
    finally:
        task_postrun.disconnect(close_thread_connections)
        app.conf.task_always_eager = True


def quantity_on_amazon(sim, sku):
    return sim.state.listing(SELLER, UK, sku).quantity


def test_a_worker_sends_a_drop_to_zero_as_soon_as_the_change_commits(sim, connect, listing, supply, worker):
    integration = connect()
    sim.state.set_listing(SELLER, UK, "AMZ-1", quantity=0)
    mapping = listing(integration, "AMZ-1", quantity=20)
    sending.integration_push_until_settled(integration_id=integration.pk, timeout=20, poll_seconds=0.05)
    assert quantity_on_amazon(sim, "AMZ-1") == 20

    started = time.monotonic()
    with transaction.atomic():
        supply({mapping.product.sku: 1})

    assert wait_for(lambda: quantity_on_amazon(sim, "AMZ-1") == 0)
    assert time.monotonic() - started < 5
    assert wait_for(lambda: ListingPush.objects.get(channel_sku="AMZ-1").accepted_quantity == 0)


def test_the_drain_on_a_worker_follows_feeds_until_amazon_shows_every_value(sim, connect, listing, worker):
    integration = connect()
    for number in range(1, 6):
        sim.state.set_listing(SELLER, UK, f"AMZ-{number}", quantity=0)
        listing(integration, f"AMZ-{number}", quantity=10 * number)

    def beat_then_check(condition):
        def tick():
            drain.stock_push_drain.delay()  # as beat does, every STOCK_PUSH_DRAIN_SECONDS
            time.sleep(0.3)
            return condition()

        return wait_for(tick)

    assert beat_then_check(lambda: [quantity_on_amazon(sim, f"AMZ-{n}") for n in range(1, 6)] == [10, 20, 30, 40, 50])
    assert beat_then_check(lambda: not ListingPush.objects.filter(pending=True).exists())
