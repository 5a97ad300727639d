"""Celery tasks of the stock push: thin wrappers that take ids, claim work and reschedule when throttled."""

from __future__ import annotations

from celery import shared_task
from django.db import transaction

from stock.push import marking, sending, tracking


@shared_task
def stock_push_drain() -> int:
    """Beat, every STOCK_PUSH_DRAIN_SECONDS: one task per integration with anything pending or in flight."""
    tracking.stale_work_release()
    tracking.feeds_purge()
    marking.lanes_stopped_record()
    with transaction.atomic():
        marking.region_limits_refresh()
    integration_ids = sending.integrations_with_work()
    for integration_id in integration_ids:
        stock_push_integration.delay(integration_id)
    return len(integration_ids)


@shared_task
def stock_push_integration(integration_id: int) -> None:
    """One pass (fast lane, then follow or send a feed). A feed in flight is asked about again by the next drain."""
    result = sending.integration_push(integration_id=integration_id)
    if result.retry_after is not None and not stock_push_integration.app.conf.task_always_eager:
        stock_push_integration.apply_async((integration_id,), countdown=max(result.retry_after, 0.2))


@shared_task
def stock_push_fast_lane(integration_id: int) -> None:
    """A listing went to 0: patch it now rather than waiting for the next feed."""
    result = sending.fast_lane_send(integration_id=integration_id)
    if result.retry_after is not None and not stock_push_fast_lane.app.conf.task_always_eager:
        stock_push_fast_lane.apply_async((integration_id,), countdown=max(result.retry_after, 0.2))
