"""Celery tasks sending one integration's stock: thin wrappers that take ids and retry when Amazon says "later".

The drain (stock.push.drain) fans these out; marking enqueues the fast lane when a listing drops to 0.
"""

from __future__ import annotations

from celery import shared_task

from channels.coalesce import queued_again, queued_clear
from stock.push import sending
from stock.push.lanes import BULK_LANE, FAST_LANE


@shared_task(bind=True, max_retries=None)
def stock_push_integration(self, integration_id: int) -> None:
    """One pass (fast lane, then follow or send a feed). A feed in flight is asked about again by the next drain."""
    queued_clear(integration_id=integration_id, lane=BULK_LANE)
    result = sending.integration_push(integration_id=integration_id)
    if result.retry_after is not None and queued_again(
        integration_id=integration_id, lane=BULK_LANE, seconds=result.retry_after
    ):
        raise self.retry(countdown=result.retry_after)


@shared_task(bind=True, max_retries=None)
def stock_push_fast_lane(self, integration_id: int) -> None:
    """A listing went to 0: patch it now rather than waiting for the next feed."""
    queued_clear(integration_id=integration_id, lane=FAST_LANE)
    result = sending.fast_lane_send(integration_id=integration_id)
    # A retry is the integration's one queued fast-lane task; none when a new one was queued meanwhile.
    if result.retry_after is not None and queued_again(
        integration_id=integration_id, lane=FAST_LANE, seconds=result.retry_after
    ):
        raise self.retry(countdown=result.retry_after)
