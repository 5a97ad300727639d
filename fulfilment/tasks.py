"""Background confirmation: beat finds integrations with parcels due and queues one task each (at most one queued
per integration); a task Amazon throttles comes back when Amazon allows, rather than at beat's next pass; nothing
sleeps."""

from __future__ import annotations

import logging

from celery import shared_task
from django.db import IntegrityError, transaction

from channels.amazon.errors import AmazonError
from channels.amazon.outcomes import outcome_of
from channels.amazon.selectors import app_credentials_paused
from channels.coalesce import enqueue_once, queued_again, queued_clear
from channels.eligibility import Work, eligible, may
from channels.models import Integration
from fulfilment.confirmation import CONFIRM_LANE, integration_ids_with_parcels_due, parcels_confirm
from fulfilment.remapped import remapped_order_dispatch

logger = logging.getLogger(__name__)


@shared_task
def confirm_shipments_for_all_integrations() -> int:
    """Beat: one confirmation task per integration with parcels due (new, retried, or left `sending`)."""
    if app_credentials_paused():
        return 0
    due = integration_ids_with_parcels_due()
    integration_ids = list(eligible(Work.ORDERS).filter(pk__in=due).values_list("pk", flat=True))
    transaction.on_commit(lambda: enqueue_once(confirm_shipments_of_integration, integration_ids, lane=CONFIRM_LANE))
    return len(integration_ids)


@shared_task(bind=True, max_retries=None)
def confirm_shipments_of_integration(self, integration_id: int) -> str:
    """Confirm one integration's due parcels; when Amazon says "later" the task retries itself after that long."""
    queued_clear(integration_id=integration_id, lane=CONFIRM_LANE)
    integration = Integration.objects.filter(pk=integration_id).first()
    if integration is None or not may(integration, Work.ORDERS):
        return f"integration {integration_id}: may not call Amazon now"
    run = parcels_confirm(integration=integration)
    # Without this a seller's parcels beyond Amazon's burst would each wait for beat's next pass.
    if run.retry_after is not None and queued_again(
        integration_id=integration_id, lane=CONFIRM_LANE, seconds=run.retry_after
    ):
        raise self.retry(countdown=max(run.retry_after, 0.5))
    return run.summary(integration)


@shared_task(bind=True, max_retries=None)
def dispatch_remapped_order(self, order_id: int, integration_id: int, failures: int = 0) -> str:
    """Dispatch an order whose SKUs were mapped after its download; when Amazon says "later", retry, never sleep."""
    try:
        changed = remapped_order_dispatch(order_id=order_id)
    except IntegrityError:  # a download made the dispatch at the same moment: the next attempt finds it
        countdown = 1.0
    except AmazonError as error:
        outcome = outcome_of(error, integration_id=integration_id, failures=failures)
        if not outcome.retries:
            logger.warning("Dispatching remapped order %s gave up: %s", order_id, outcome.message)
            return f"order {order_id}: gave up: {outcome.message}"
        countdown, failures = outcome.retry_after, outcome.failures
    else:
        return f"order {order_id}: {changed} dispatch(es) made or updated"
    kwargs = {"order_id": order_id, "integration_id": integration_id, "failures": failures}
    raise self.retry(countdown=countdown, kwargs=kwargs)
