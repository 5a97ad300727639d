"""What the stock push does when an integration changes (connected in StockConfig.ready)."""

from __future__ import annotations

from django.db import transaction
from django.dispatch import receiver

from channels.eligibility import Work
from channels.models import Integration
from channels.signals import integration_listings_changed, work_requested
from stock.push.marking import integration_listings_mark_pending
from stock.push.tasks import stock_push_integration


@receiver(integration_listings_changed)
def recompute_integration_listings(*, integration: Integration, **kwargs) -> None:
    """Its settings, enabled state or authorisation changed: recompute its listings in the same transaction."""
    integration_listings_mark_pending(integration_id=integration.pk)


@receiver(work_requested)
def push_stock_now(*, integration_ids: list[int], work: Work, **kwargs) -> None:
    """Ops asked for a push now: every listing's current values go again."""
    if work is not Work.STOCK:
        return
    with transaction.atomic():
        for integration_id in integration_ids:
            integration_listings_mark_pending(integration_id=integration_id)
            stock_push_integration.delay_on_commit(integration_id)
