"""Background confirmation: beat finds integrations with parcels due and queues one task each; nothing sleeps."""

from __future__ import annotations

from celery import shared_task

from channels.amazon.selectors import app_credentials_paused
from channels.eligibility import Work, eligible, may
from channels.models import Integration
from fulfilment.confirmation import integration_ids_with_parcels_due, parcels_confirm


@shared_task
def confirm_shipments_for_all_integrations() -> int:
    """Beat: one confirmation task per integration with parcels due (new, retried, or left `sending`)."""
    if app_credentials_paused():
        return 0
    due = integration_ids_with_parcels_due()
    integration_ids = list(eligible(Work.ORDERS).filter(pk__in=due).values_list("pk", flat=True))
    for integration_id in integration_ids:
        confirm_shipments_of_integration.delay_on_commit(integration_id)
    return len(integration_ids)


@shared_task
def confirm_shipments_of_integration(integration_id: int) -> str:
    """Confirm one integration's due parcels; throttled or unavailable ones wait for beat's next pass."""
    integration = Integration.objects.filter(pk=integration_id).first()
    if integration is None or not may(integration, Work.ORDERS):
        return f"integration {integration_id}: may not call Amazon now"
    run = parcels_confirm(integration=integration)
    return run.summary(integration)
