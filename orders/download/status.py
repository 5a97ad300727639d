"""Each integration's download row: created on first use, stamped when a download starts and when it ends.

Who downloads now is not here: the download holds the integration's "orders" lane (channels/holding.py) while
its process lives.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from channels.eligibility import Work, eligible
from channels.holding import unheld
from orders.models import OrderDownload

ORDERS_LANE = "orders"


def download_row(*, integration_id: int) -> OrderDownload:
    try:
        with transaction.atomic():
            return OrderDownload.objects.get_or_create(integration_id=integration_id)[0]
    except IntegrityError:  # created by a concurrent download between our get and create
        return OrderDownload.objects.get(integration_id=integration_id)


def download_finished(*, integration_id: int, problem: str = "", succeeded: bool = False) -> None:
    OrderDownload.objects.filter(integration_id=integration_id).update(
        **download_finished_fields(problem=problem, succeeded=succeeded)
    )


def download_finished_fields(*, problem: str = "", succeeded: bool = False) -> dict:
    """The columns that stamp a download finished: written alone, or with a download's last page."""
    now = timezone.now()
    fields = {"last_finished_at": now, "last_problem": problem[:500]}
    if succeeded:
        fields["last_succeeded_at"] = now
    return fields


# A download the sweeper enqueued that has not started after this is enqueued again (its message was lost).
SWEEP_REENQUEUE_SECONDS = 120


def downloads_to_sweep(*, now: datetime) -> list[int]:
    """Integrations whose download is unfinished (a window in progress) or overdue, that no live process holds
    and that the sweeper has not just enqueued: a killed worker's, whose task Redis would give back only after
    its visibility timeout. Two queries."""
    overdue = now - timedelta(seconds=2 * settings.ORDER_DOWNLOAD_INTERVAL_SECONDS)
    not_just_swept = (
        Q(swept_at__isnull=True)
        | Q(swept_at__lt=now - timedelta(seconds=SWEEP_REENQUEUE_SECONDS))
        | Q(last_started_at__gt=F("swept_at"))
    )
    candidates = (
        OrderDownload.objects.filter(integration__in=eligible(Work.ORDERS))
        .filter(Q(window_until__isnull=False) | Q(last_started_at__lt=overdue))
        .filter(not_just_swept)
        .values_list("integration_id", flat=True)
    )
    return unheld(ORDERS_LANE, candidates)


def downloads_swept(*, integration_ids: list[int], now: datetime) -> None:
    OrderDownload.objects.filter(integration_id__in=integration_ids).update(swept_at=now)
