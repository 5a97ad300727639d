"""One download per integration at a time: the claim on its OrderDownload row."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError
from django.db.models import Q
from django.utils import timezone

from orders.models import OrderDownload


class ClaimLost(Exception):
    """Our claim expired and another download took the integration over; stop without committing more."""


def download_row(*, integration_id: int) -> OrderDownload:
    try:
        return OrderDownload.objects.get_or_create(integration_id=integration_id)[0]
    except IntegrityError:  # created by a concurrent download between our get and create
        return OrderDownload.objects.get(integration_id=integration_id)


def download_claim(*, integration_id: int, claimed_by: str, now: datetime | None = None) -> bool:
    """Take the integration's download claim (free, expired, or already ours); True when we hold it."""
    now = now or timezone.now()
    free = Q(claimed_until__isnull=True) | Q(claimed_until__lt=now) | Q(claimed_by=claimed_by)
    claim = OrderDownload.objects.filter(free, integration_id=integration_id)
    fields = {
        "claimed_by": claimed_by,
        "claimed_until": now + timedelta(seconds=settings.ORDER_DOWNLOAD_CLAIM_SECONDS),
        "last_started_at": now,
    }
    if claim.update(**fields) == 1:  # one query on every download but an integration's first
        return True
    download_row(integration_id=integration_id)
    return claim.update(**fields) == 1


def download_release_fields(*, problem: str = "", succeeded: bool = False) -> dict:
    """The columns that release a claim: written alone, or with a download's last page."""
    now = timezone.now()
    fields = {"claimed_by": "", "claimed_until": None, "last_finished_at": now, "last_problem": problem[:500]}
    if succeeded:
        fields["last_succeeded_at"] = now
    return fields


def download_keep_claim(*, integration_id: int, claimed_by: str, seconds: float, problem: str = "") -> None:
    """Hold the claim for `seconds` more (a retry is scheduled), so other downloads keep skipping."""
    OrderDownload.objects.filter(integration_id=integration_id, claimed_by=claimed_by).update(
        claimed_until=timezone.now() + timedelta(seconds=seconds + settings.ORDER_DOWNLOAD_CLAIM_SECONDS),
        last_problem=problem[:500],
    )


def download_release(*, integration_id: int, claimed_by: str, problem: str = "", succeeded: bool = False) -> None:
    OrderDownload.objects.filter(integration_id=integration_id, claimed_by=claimed_by).update(
        **download_release_fields(problem=problem, succeeded=succeeded)
    )
