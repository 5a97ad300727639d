"""The stock push's trail: each value sent for a listing with Amazon's answer (behind "why this quantity"), and
one activity-log run per feed and per fast-lane batch."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.utils import timezone

from activity.models import Run
from activity.services import RETENTION_DAYS, RunRecorder, run_finish
from stock.push.models import ListingSend


@dataclass(frozen=True)
class SendAnswer:
    """One listing's value as sent, and what Amazon made of it."""

    channel_sku: str
    version: int
    quantity: int | None
    price: Decimal | None
    accepted: bool
    error_code: str = ""
    error: str = ""
    processed: bool = True  # False: the feed never ran, the value goes again


def _send(
    *,
    integration_id: int,
    lane: str,
    answer: SendAnswer,
    sent_at: datetime | None,
    answered_at: datetime,
    amazon_feed_id: str = "",
) -> ListingSend:
    return ListingSend(
        integration_id=integration_id,
        channel_sku=answer.channel_sku,
        lane=lane,
        version=answer.version or 0,
        quantity=answer.quantity,
        price=answer.price,
        sent_at=sent_at,
        answered_at=answered_at,
        outcome=(
            ListingSend.Outcome.ACCEPTED
            if answer.accepted
            else ListingSend.Outcome.REJECTED
            if answer.processed
            else ListingSend.Outcome.NOT_PROCESSED
        ),
        error_code=(answer.error_code or "")[:40],
        error=answer.error or "",
        amazon_feed_id=amazon_feed_id,
    )


def listing_sends_record(
    *,
    integration_id: int,
    lane: str,
    answers: Iterable[SendAnswer],
    sent_at: datetime | None,
    amazon_feed_id: str = "",
    answered_at: datetime | None = None,
) -> int:
    """Keep what each listing was sent and Amazon's answer, for the "why this quantity" page."""
    answered_at = answered_at or timezone.now()
    rows = [
        _send(
            integration_id=integration_id,
            lane=lane,
            answer=answer,
            sent_at=sent_at,
            answered_at=answered_at,
            amazon_feed_id=amazon_feed_id,
        )
        for answer in answers
    ]
    ListingSend.objects.bulk_create(rows, batch_size=1000)
    return len(rows)


def push_feed_recorded(
    *,
    feed,
    rows: Iterable,
    message_errors: dict[int, tuple[str, str]] | None,
    error: str = "",
    deferred: bool = False,
) -> Run:
    """A feed finished or failed: one run for it, and one send per listing it carried (if it was sent).

    Called by stock.push.tracking before it clears the rows' feed fields. `rows` are the ListingPush rows the
    feed carried; `message_errors` maps a feed message id to Amazon's (code, message) for the messages it
    rejected, or is None when the feed never ran (then `error` says why, and `deferred` when it was not
    counted as an attempt: throttled, or stopped before it reached Amazon).
    """
    now = timezone.now()
    rows = list(rows)
    processed = message_errors is not None
    message_errors = message_errors or {}
    if feed.submitted_at is not None:
        listing_sends_record(
            integration_id=feed.integration_id,
            lane=Run.Lane.BULK,
            answers=[
                SendAnswer(
                    channel_sku=row.channel_sku,
                    version=row.feed_version,
                    quantity=row.feed_quantity,
                    price=row.feed_price,
                    accepted=processed and row.feed_message_id not in message_errors,
                    error_code=message_errors.get(row.feed_message_id, ("", ""))[0],
                    error=message_errors.get(row.feed_message_id, ("", error))[1],
                    processed=processed,
                )
                for row in rows
            ],
            sent_at=feed.submitted_at,
            amazon_feed_id=feed.amazon_feed_id,
            answered_at=now,
        )
    rejected = sum(1 for row in rows if row.feed_message_id in message_errors)
    if processed and rejected:
        error = f"Amazon rejected {rejected} of {len(rows)} listings; each error is shown on the Mappings page."
    run = Run.objects.create(
        integration_id=feed.integration_id,
        kind=Run.Kind.STOCK_PUSH,
        lane=Run.Lane.BULK,
        started_at=feed.created_at,
        amazon_feed_id=feed.amazon_feed_id,
    )
    return run_finish(
        run=run,
        outcome=Run.Outcome.DEFERRED if deferred else None,
        listings_changed=len(rows) - rejected if processed else 0,
        error_count=rejected if processed else (0 if deferred else 1),
        error=error,
        finished_at=now,
    )


def run_record_push(recorder: RunRecorder, result) -> None:
    """Fill a fast-lane run from stock.push.sending.PushResult."""
    recorded = result.recorded
    recorder.listings_changed = recorded.accepted
    recorder.error_count = recorded.failed
    if result.stopped:
        recorder.fail(result.stopped)
    elif recorded.failed:
        shown = "; ".join(recorded.errors[:3]) + ("; …" if len(recorded.errors) > 3 else "")
        recorder.error = (
            f"Amazon rejected {recorded.failed} listing update{'s' if recorded.failed != 1 else ''}: {shown}"
        )
    elif result.retry_after is not None and not result.patches:
        recorder.fail(f"Amazon asked us to slow down; we try again in {result.retry_after:.0f} seconds.", deferred=True)


def listing_patches_recorded(recorded: list[tuple]) -> None:
    """Fast-lane patches came back (called by stock.push.tracking with each ListingPush row still claimed, beside
    Amazon's answer to it): one INSERT."""
    answered_at = timezone.now()
    ListingSend.objects.bulk_create(
        _send(
            integration_id=row.integration_id,
            lane=Run.Lane.FAST,
            answer=SendAnswer(
                row.channel_sku, answer.version, answer.quantity, None, answer.accepted, answer.code, answer.message
            ),
            sent_at=row.patch_started_at,
            answered_at=answered_at,
        )
        for row, answer in recorded
    )


def listing_sends_purge_old(*, now: datetime | None = None) -> int:
    """Sends are kept as long as the activity log's runs (RETENTION_DAYS); returns how many went."""
    cutoff = (now or timezone.now()) - timedelta(days=RETENTION_DAYS)
    deleted = 0
    while True:
        batch = list(
            ListingSend.objects.filter(answered_at__lt=cutoff).order_by("pk").values_list("pk", flat=True)[:5000]
        )
        if not batch:
            return deleted
        deleted += ListingSend.objects.filter(pk__in=batch).delete()[0]
