"""Background order work: beat fans out one download per integration, and purges expired orders daily."""

from __future__ import annotations

import logging

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.db import transaction
from django.utils import timezone

from channels.amazon.errors import AmazonError
from channels.amazon.outcomes import outcome_of
from channels.amazon.selectors import app_credentials_paused
from channels.coalesce import enqueue_once, queued_clear
from channels.eligibility import Work, eligible
from orders.download import download_finished, downloads_swept, downloads_to_sweep, orders_download
from orders.services import orders_purge_expired
from orders.signals import orders_purging

logger = logging.getLogger(__name__)
DOWNLOAD_LANE = "orders"


@shared_task
def download_orders_for_all_integrations() -> int:
    """Beat: one download task per integration that may download orders now and has none queued yet."""
    if app_credentials_paused():  # ops are fixing the app's own credentials: no integration can call Amazon
        return 0
    integration_ids = list(eligible(Work.ORDERS).values_list("pk", flat=True))
    transaction.on_commit(lambda: enqueue_once(download_orders, integration_ids, lane=DOWNLOAD_LANE))
    return len(integration_ids)


@shared_task
def sweep_order_downloads() -> int:
    """Beat, every 15 s: downloads left unfinished or overdue by a dead worker go to a live one, once each.

    Not Redis's redelivery: it waits out the visibility timeout, and lowering that would duplicate every task
    waiting on a countdown.
    """
    if app_credentials_paused():
        return 0
    now = timezone.now()
    integration_ids = downloads_to_sweep(now=now)
    downloads_swept(integration_ids=integration_ids, now=now)
    # Not coalesced: a dead worker's prefetched message keeps its "queued" marker until that expires.
    for integration_id in integration_ids:
        download_orders.delay_on_commit(integration_id)
    return len(integration_ids)


@shared_task(bind=True, max_retries=None)
def download_orders(self, integration_id: int, failures: int = 0) -> str:
    """Download one integration's orders; when Amazon says "later", the task retries itself, never sleeps."""
    if not self.request.retries:
        queued_clear(integration_id=integration_id, lane=DOWNLOAD_LANE)
    try:
        return orders_download(integration_id=integration_id).summary()
    except SoftTimeLimitExceeded:  # a long first download: every page so far is committed, carry on at once
        countdown = 1.0
    except AmazonError as error:
        outcome = outcome_of(error, integration_id=integration_id, failures=failures)
        if not outcome.retries:
            download_finished(integration_id=integration_id, problem=outcome.message)
            logger.warning("Order download of integration %s gave up: %s", integration_id, outcome.message)
            return f"integration {integration_id}: gave up: {outcome.message}"
        countdown, failures = outcome.retry_after, outcome.failures
    # The hold ended with the attempt: while this retry waits its countdown, nothing keeps others out.
    raise self.retry(countdown=countdown, kwargs={"integration_id": integration_id, "failures": failures})


@shared_task
def purge_expired_orders() -> int:
    """Beat, daily: delete non-Avasam orders past their retention, and what other apps purge with orders."""
    deleted = orders_purge_expired()
    for _, sentence in orders_purging.send(sender=None, now=timezone.now()):
        logger.info("purge_orders: %s", sentence)
    return deleted
