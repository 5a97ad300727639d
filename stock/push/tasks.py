"""Celery tasks sending one integration's stock: thin wrappers that take ids and retry when Amazon says "later".

The drain (stock.push.drain) fans these out; marking enqueues the fast lane when a listing drops to 0.
"""

from __future__ import annotations

from celery import shared_task

from channels.coalesce import queued_clear
from stock.push import sending

BULK_LANE, FAST_LANE = "stock", "stock-fast"


@shared_task(bind=True, max_retries=None)
def stock_push_integration(self, integration_id: int) -> None:
    """One pass (fast lane, then follow or send a feed). A feed in flight is asked about again by the next drain."""
    if not self.request.retries:
        queued_clear(integration_id=integration_id, lane=BULK_LANE)
    result = sending.integration_push(integration_id=integration_id)
    if result.retry_after is not None:
        raise self.retry(countdown=result.retry_after)


@shared_task(bind=True, max_retries=None)
def stock_push_fast_lane(self, integration_id: int) -> None:
    """A listing went to 0: patch it now rather than waiting for the next feed."""
    if not self.request.retries:
        queued_clear(integration_id=integration_id, lane=FAST_LANE)
    result = sending.fast_lane_send(integration_id=integration_id)
    if result.retry_after is not None:
        raise self.retry(countdown=result.retry_after)
