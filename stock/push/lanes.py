"""Each integration's push lane: the lease that lets one worker at a time send its feeds, and whether the
integration was sending last time we looked (coming back re-sends everything)."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from channels.eligibility import Work, eligible
from stock.push.models import PushLane


def lane_acquire(*, integration_id: int) -> bool:
    """Lease the integration's bulk lane (a conditional UPDATE that must hit one row)."""
    PushLane.objects.get_or_create(integration_id=integration_id)
    now = timezone.now()
    return bool(
        PushLane.objects.filter(integration_id=integration_id)
        .filter(Q(locked_until__isnull=True) | Q(locked_until__lt=now))
        .update(locked_until=now + timedelta(seconds=settings.STOCK_PUSH_LEASE_SECONDS), last_run_at=now)
    )


def lane_release(*, integration_id: int) -> None:
    PushLane.objects.filter(integration_id=integration_id).update(locked_until=None)


def lanes_stopped_record(*, integration_id: int | None = None) -> int:
    """Integrations that stopped sending outside our hooks (Amazon revoked the authorisation, noticed by any
    call to Amazon; removal): record it, so that re-authorising counts as coming back and re-sends every listing.
    The drain calls it, and the push when Amazon refuses its authorisation."""
    lanes = PushLane.objects.filter(was_pushing=True).exclude(integration__in=eligible(Work.STOCK))
    if integration_id is not None:
        lanes = lanes.filter(integration_id=integration_id)
    return lanes.update(was_pushing=False)
