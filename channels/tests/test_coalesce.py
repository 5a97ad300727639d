"""At most one queued task per integration and lane (Redis markers), whoever enqueues it and however often."""

from __future__ import annotations

import base64
import json

import pytest

from avasam.celery import app
from channels.coalesce import enqueue_once, queued_again, queued_clear
from orders.tasks import DOWNLOAD_LANE, download_orders
from stock.push.lanes import FAST_LANE
from stock.push.tasks import stock_push_fast_lane

pytestmark = [pytest.mark.redis, pytest.mark.django_db]


@pytest.fixture
def broker(redis_client):
    """A real Redis queue with no worker: what beat's fan-out leaves behind when the workers are behind."""
    app.conf.task_always_eager = False
    app.control.purge()
    try:
        yield redis_client
    finally:
        app.control.purge()
        app.conf.task_always_eager = True


def test_a_second_fan_out_queues_nothing_for_integrations_still_waiting(broker):
    assert enqueue_once(download_orders, [101, 102], lane=DOWNLOAD_LANE) == 2
    assert enqueue_once(download_orders, [101, 102, 103], lane=DOWNLOAD_LANE) == 1

    assert broker.llen("celery") == 3


def test_a_fan_out_larger_than_one_pipelined_batch_queues_each_integration_once(broker):
    integration_ids = range(1, 2_502)

    assert enqueue_once(download_orders, integration_ids, lane=DOWNLOAD_LANE) == 2_501

    bodies = [json.loads(base64.b64decode(json.loads(raw)["body"])) for raw in broker.lrange("celery", 0, -1)]
    assert sorted(args[0] for args, _kwargs, _embed in bodies) == list(integration_ids)


def test_the_fast_lane_is_queued_on_its_own_queue(broker):
    assert enqueue_once(stock_push_fast_lane, [101, 102], lane=FAST_LANE) == 2

    assert (broker.llen("stock-fast"), broker.llen("celery")) == (2, 0)


def test_a_task_that_starts_lets_the_next_change_enqueue_again(broker):
    enqueue_once(download_orders, [101], lane=DOWNLOAD_LANE)
    queued_clear(integration_id=101, lane=DOWNLOAD_LANE)

    assert enqueue_once(download_orders, [101], lane=DOWNLOAD_LANE) == 1
    assert broker.llen("celery") == 2


def test_lanes_coalesce_apart(broker):
    enqueue_once(download_orders, [101], lane=DOWNLOAD_LANE)

    assert enqueue_once(download_orders, [101], lane="another lane") == 1


def test_the_download_task_clears_its_marker_when_it_starts(broker):
    enqueue_once(download_orders, [999_999], lane=DOWNLOAD_LANE)

    download_orders.apply(args=(999_999,))  # runs here; there is no such integration, so it is skipped

    assert enqueue_once(download_orders, [999_999], lane=DOWNLOAD_LANE) == 1


def test_a_retry_is_the_integrations_queued_task_so_no_new_one_joins_it(broker):
    enqueue_once(download_orders, [101], lane=DOWNLOAD_LANE)
    queued_clear(integration_id=101, lane=DOWNLOAD_LANE)  # the task started

    assert queued_again(integration_id=101, lane=DOWNLOAD_LANE, seconds=5)
    assert enqueue_once(download_orders, [101], lane=DOWNLOAD_LANE) == 0


def test_no_retry_when_a_new_task_was_queued_meanwhile(broker):
    enqueue_once(download_orders, [101], lane=DOWNLOAD_LANE)
    queued_clear(integration_id=101, lane=DOWNLOAD_LANE)  # the task started
    enqueue_once(download_orders, [101], lane=DOWNLOAD_LANE)  # a change while it ran

    assert not queued_again(integration_id=101, lane=DOWNLOAD_LANE, seconds=5)
