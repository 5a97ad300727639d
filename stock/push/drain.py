"""Beat's drain of the stock push: recovers what dead workers left, then fans out one task per integration with
anything pending or in flight. Nothing depends on a Celery message arriving: the drain finds all pending work."""

from __future__ import annotations

from celery import shared_task
from django.db import transaction

from channels.coalesce import enqueue_once
from stock.push import marking, sending, tracking
from stock.push.lanes import lanes_stopped_record
from stock.push.tasks import BULK_LANE, stock_push_integration
from stock.push.trail import listing_sends_purge_old


@shared_task
def stock_push_drain() -> int:
    """Beat, every STOCK_PUSH_DRAIN_SECONDS: one task per integration with anything pending or in flight (and
    none queued yet)."""
    tracking.stale_work_release()
    tracking.feeds_purge()
    lanes_stopped_record()
    with transaction.atomic():
        marking.region_limits_refresh()
    integration_ids = sending.integrations_with_work()
    enqueue_once(stock_push_integration, integration_ids, lane=BULK_LANE)
    return len(integration_ids)


@shared_task
def listing_sends_purge() -> int:
    """Beat, daily: forget values sent more than 90 days ago (as the activity log does its runs)."""
    return listing_sends_purge_old()
