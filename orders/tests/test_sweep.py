"""The sweeper: a download a dead worker left goes to a live worker once, never one a live process holds."""

from __future__ import annotations

from datetime import timedelta
from unittest import mock

import pytest
from django.utils import timezone

from channels.tests.live_holder import live_holder
from orders.download import ORDERS_LANE
from orders.models import OrderDownload
from orders.tasks import download_orders, sweep_order_downloads
from orders.tests.simulated import connected_integration, expected, place_orders, stored

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def simulator(amazon_simulator, settings):
    amazon_simulator.state.speedup = 1000
    settings.ORDER_DOWNLOAD_PAGE_SIZE = 10
    return amazon_simulator


def _left_half_done(simulator, **fields):
    """An integration whose download a killed worker left in the middle of its window."""
    integration = connected_integration(simulator, **fields)
    placed = place_orders(simulator, integration, 5)
    now = timezone.now()
    OrderDownload.objects.create(
        integration=integration, window_created_after=now - timedelta(days=30), window_until=now, last_started_at=now
    )
    return integration, placed


def test_a_download_left_unfinished_is_enqueued_once_and_finished(simulator):
    integration, placed = _left_half_done(simulator)
    _left_half_done(simulator, enabled=False)
    idle = connected_integration(simulator)
    OrderDownload.objects.create(integration=idle, cursor=timezone.now(), last_started_at=timezone.now())

    # The task's message stays in the queue (no worker yet): the next sweeps do not enqueue it again.
    with mock.patch.object(download_orders, "delay_on_commit") as enqueue:
        assert [sweep_order_downloads.apply().get() for _ in range(3)] == [1, 0, 0]
    enqueue.assert_called_once_with(integration.pk)

    download_orders.apply(args=[integration.pk])
    assert stored(integration) == expected(placed)
    assert not OrderDownload.objects.get(integration=integration).window_in_progress


def test_a_download_a_live_process_holds_is_left_to_it(simulator):
    integration, _ = _left_half_done(simulator)
    with mock.patch.object(download_orders, "delay_on_commit") as enqueue:
        with live_holder(integration.pk, ORDERS_LANE):
            assert sweep_order_downloads.apply().get() == 0
        assert sweep_order_downloads.apply().get() == 1  # its holder is gone
    enqueue.assert_called_once_with(integration.pk)
