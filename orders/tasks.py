"""Background order work: beat fans out one download per integration, and purges expired orders daily."""

from __future__ import annotations

import logging

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.db import transaction

from channels.amazon.errors import AmazonError
from channels.amazon.outcomes import outcome_of
from channels.amazon.selectors import app_credentials_paused
from channels.coalesce import enqueue_once, queued_clear
from channels.eligibility import Work, eligible
from orders.download import download_keep_claim, download_release, orders_download
from orders.services import orders_purge_expired

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


@shared_task(bind=True, max_retries=None)
def download_orders(self, integration_id: int, failures: int = 0) -> str:
    """Download one integration's orders; when Amazon says "later", the task retries itself, never sleeps."""
    if not self.request.retries:
        queued_clear(integration_id=integration_id, lane=DOWNLOAD_LANE)
    claimed_by = f"task:{self.request.id}"  # a retry keeps its task id, and so its claim
    try:
        return orders_download(integration_id=integration_id, claimed_by=claimed_by).summary()
    except SoftTimeLimitExceeded:  # a long first download: every page so far is committed, carry on at once
        countdown, problem = 1.0, ""
    except AmazonError as error:
        outcome = outcome_of(error, integration_id=integration_id, failures=failures)
        if not outcome.retries:
            download_release(integration_id=integration_id, claimed_by=claimed_by, problem=outcome.message)
            logger.warning("Order download of integration %s gave up: %s", integration_id, outcome.message)
            return f"integration {integration_id}: gave up: {outcome.message}"
        countdown, failures, problem = outcome.retry_after, outcome.failures, outcome.message
    download_keep_claim(integration_id=integration_id, claimed_by=claimed_by, seconds=countdown, problem=problem)
    raise self.retry(countdown=countdown, kwargs={"integration_id": integration_id, "failures": failures})


@shared_task
def purge_expired_orders() -> int:
    """Beat, daily: delete non-Avasam orders past their retention."""
    return orders_purge_expired()
