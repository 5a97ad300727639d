"""Each integration's download row: created on first use, stamped when a download starts and when it ends.

Who downloads now is not here: the download holds the integration's "orders" lane (channels/holding.py) while
its process lives.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone

from orders.models import OrderDownload

ORDERS_LANE = "orders"


def download_row(*, integration_id: int) -> OrderDownload:
    try:
        with transaction.atomic():
            return OrderDownload.objects.get_or_create(integration_id=integration_id)[0]
    except IntegrityError:  # created by a concurrent download between our get and create
        return OrderDownload.objects.get(integration_id=integration_id)


def download_started(*, integration_id: int) -> OrderDownload:
    row = download_row(integration_id=integration_id)
    row.last_started_at = timezone.now()
    OrderDownload.objects.filter(pk=row.pk).update(last_started_at=row.last_started_at)
    return row


def download_finished(*, integration_id: int, problem: str = "", succeeded: bool = False) -> None:
    now = timezone.now()
    fields = {"last_finished_at": now, "last_problem": problem[:500]}
    if succeeded:
        fields["last_succeeded_at"] = now
    OrderDownload.objects.filter(integration_id=integration_id).update(**fields)
