"""A whole Celery worker SIGKILLed mid-download (a real worker on your Redis database): another worker, with
beat's sweeper, finishes the download within 60 s of the kill, without Redis's redelivery (which would wait out
the 3,600 s visibility timeout). The push's twin is in stock/push/tests/test_crash_recovery.py."""

from __future__ import annotations

import time

import pytest
from django.conf import settings

from channels.tests.processes import celery_worker, empty_celery_queues, kill, send_task, stop, wait_for
from orders.models import Order, OrderDownload
from orders.tests.simulated import connected_integration, expected, place_orders, stored

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.django_db(transaction=True)]

RECOVERY_SECONDS = 60


@pytest.fixture
def broker(redis_client):
    """Your Redis database, emptied of Celery's queue and unacknowledged messages before and after."""

    empty_celery_queues(redis_client)
    yield settings.REDIS_URL
    empty_celery_queues(redis_client)


def test_a_worker_killed_mid_download_is_replaced_by_another_within_60_seconds(amazon_simulator, broker, tmp_path):
    amazon_simulator.state.speedup = 1000
    integration = connected_integration(amazon_simulator)
    placed = place_orders(amazon_simulator, integration, 60)
    amazon_simulator.state.inject_fault("searchOrders", "slow", count=None, delay=0.5)
    env = {"ORDER_DOWNLOAD_PAGE_SIZE": "10"}
    first = celery_worker(amazon_simulator, broker, "first", tmp_path, with_beat=False, **env)
    second = None
    try:
        send_task(broker, "orders.tasks.download_orders", integration.pk)
        two_pages = OrderDownload.objects.filter(integration=integration, pages_done__gte=2)
        wait_for(two_pages.exists, first, timeout=60)
        killed_at = kill(first)
        amazon_simulator.state.faults.clear()

        second = celery_worker(amazon_simulator, broker, "second", tmp_path, with_beat=True, **env)
        wait_for(lambda: stored(integration) == expected(placed), second, timeout=RECOVERY_SECONDS + 15)
        took = time.monotonic() - killed_at
    finally:
        stop(first, second)

    assert took < RECOVERY_SECONDS
    assert not OrderDownload.objects.get(integration=integration).window_in_progress
    assert Order.objects.filter(integration=integration).count() == 60
