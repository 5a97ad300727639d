"""Background order work: beat fans out one download per integration, and purges expired orders daily."""

from __future__ import annotations

import logging
import random

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded

from channels.amazon.errors import Throttled, TransientError
from channels.amazon.selectors import app_credentials_paused
from channels.models import Integration
from orders.download import download_keep_claim, download_release, orders_download
from orders.services import orders_purge_expired

logger = logging.getLogger(__name__)

TRANSIENT_RETRIES = 6


def transient_backoff(failures: int) -> float:
    """Full-jitter exponential backoff: up to 30 s, 60 s, 120 s, ... capped at 15 minutes."""
    return random.uniform(1, min(900, 30 * 2**failures))


@shared_task
def download_orders_for_all_integrations() -> int:
    """Beat: one download task per integration that may talk to Amazon now."""
    if app_credentials_paused():  # ops are fixing the app's own credentials: no integration can call Amazon
        return 0
    integration_ids = list(Integration.objects.syncable().values_list("pk", flat=True))
    for integration_id in integration_ids:
        download_orders.delay_on_commit(integration_id)
    return len(integration_ids)


@shared_task(bind=True, max_retries=None)
def download_orders(self, integration_id: int, failures: int = 0) -> str:
    """Download one integration's orders; throttling and transient errors re-schedule this task, never sleep."""
    claimed_by = f"task:{self.request.id}"  # a retry keeps its task id, and so its claim
    try:
        return orders_download(integration_id=integration_id, claimed_by=claimed_by).summary()
    except Throttled as error:
        countdown, problem = max(1.0, error.retry_after), error.message
    except SoftTimeLimitExceeded:  # a long first download: every page so far is committed, carry on at once
        countdown, problem = 1.0, ""
    except TransientError as error:
        if failures >= TRANSIENT_RETRIES:
            download_release(integration_id=integration_id, claimed_by=claimed_by, problem=error.message)
            logger.warning("Order download of integration %s gave up: %s", integration_id, error.message)
            return f"integration {integration_id}: gave up after {failures} retries"
        countdown, failures, problem = transient_backoff(failures), failures + 1, error.message
    download_keep_claim(integration_id=integration_id, claimed_by=claimed_by, seconds=countdown, problem=problem)
    raise self.retry(countdown=countdown, kwargs={"integration_id": integration_id, "failures": failures})


@shared_task
def purge_expired_orders() -> int:
    """Beat, daily: delete non-Avasam orders past their retention."""
    return orders_purge_expired()
