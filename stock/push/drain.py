"""Beat's drain of the stock push: recovers what dead workers left, then fans out one task per integration with
anything pending or in flight. Nothing depends on a Celery message arriving: the drain finds all pending work."""

from __future__ import annotations

from celery import shared_task
from django.db import transaction

from channels.coalesce import enqueue_once
from channels.holding import unheld
from stock.push import marking, sending, tracking
from stock.push.lanes import BULK_LANE, lanes_stopped_record
from stock.push.tasks import stock_push_integration
from stock.push.trail import listing_sends_purge_old


@shared_task
def stock_push_drain() -> int:
    """Beat, every STOCK_PUSH_DRAIN_SECONDS: one task per integration with anything pending or in flight (and
    none queued yet)."""
    tracking.lost_feeds_release()
    tracking.feeds_purge()
    lanes_stopped_record()
    with transaction.atomic():
        marking.region_limits_refresh()
    # One already held by a live sender is being worked on: it needs no second task (a dead one holds nothing).
    integration_ids = unheld(BULK_LANE, sending.integrations_with_work())
    enqueue_once(stock_push_integration, integration_ids, lane=BULK_LANE)
    return len(integration_ids)


@shared_task
def listing_sends_purge() -> int:
    """Beat, daily: forget values sent more than 90 days ago (as the activity log does its runs)."""
    return listing_sends_purge_old()
