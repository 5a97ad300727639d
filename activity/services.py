"""Writes to the activity log: recording runs and listing sends, retention, and the 365-day authorisation lapse."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from django.utils import timezone

from activity.health import AUTHORISATION_LIFETIME
from activity.models import ListingSend, PurgedOrdersDay, Run

logger = logging.getLogger(__name__)

# The activity log keeps 90 days; beat deletes older runs daily.
RETENTION_DAYS = 90
GENERIC_ERROR = "Something went wrong on our side; we have been alerted and will try again."


def run_start(*, integration_id: int, kind: str, lane: str = "", started_at: datetime | None = None) -> Run:
    """Open a run (outcome "running") for work that finishes later, e.g. in another task."""
    return Run.objects.create(
        integration_id=integration_id, kind=kind, lane=lane, started_at=started_at or timezone.now()
    )


def run_finish(
    *,
    run: Run,
    outcome: str | None = None,
    orders_brought: int | None = None,
    listings_changed: int | None = None,
    error_count: int | None = None,
    error: str | None = None,
    finished_at: datetime | None = None,
) -> Run:
    """Close a run. Without an explicit outcome: failed with an error and nothing done, partial with some, else ok."""
    for name, value in (
        ("orders_brought", orders_brought),
        ("listings_changed", listings_changed),
        ("error_count", error_count),
        ("error", error),
    ):
        if value is not None:
            setattr(run, name, value)
    if outcome is None:
        failed = bool(run.error) or run.error_count > 0
        did_something = run.orders_brought or run.listings_changed
        outcome = (Run.Outcome.PARTIAL if did_something else Run.Outcome.FAILED) if failed else Run.Outcome.SUCCEEDED
    if run.error and run.error_count == 0 and outcome in (Run.Outcome.FAILED, Run.Outcome.PARTIAL):
        run.error_count = 1
    run.outcome = outcome
    run.finished_at = finished_at or timezone.now()
    run.save(update_fields=["outcome", "finished_at", "orders_brought", "listings_changed", "error_count", "error"])
    return run


class RunRecorder:
    """What the body of `run_record` fills in; `discard()` drops a run that turned out to be no run (skipped)."""

    def __init__(self, run: Run) -> None:
        self.run = run
        self.outcome: str | None = None
        self.orders_brought = 0
        self.listings_changed = 0
        self.error_count = 0
        self.error = ""
        self.discarded = False

    def discard(self) -> None:
        self.discarded = True

    def fail(self, error: str, *, deferred: bool = False) -> None:
        self.error = error
        self.outcome = Run.Outcome.DEFERRED if deferred else None


@contextmanager
def run_record(*, integration_id: int, kind: str, lane: str = "") -> Iterator[RunRecorder]:
    """Record the enclosed work as one run; an exception marks it failed (in plain words) and propagates.

    with run_record(integration_id=..., kind=Run.Kind.ORDER_DOWNLOAD) as run:
        result = ...
        run.orders_brought = result.orders_created
    """
    recorder = RunRecorder(run_start(integration_id=integration_id, kind=kind, lane=lane))
    try:
        yield recorder
    except BaseException as exc:
        from channels.amazon.errors import AmazonError, Throttled

        deferred = isinstance(exc, Throttled)
        message = exc.message if isinstance(exc, AmazonError) else GENERIC_ERROR
        run_finish(
            run=recorder.run,
            outcome=Run.Outcome.DEFERRED if deferred else Run.Outcome.FAILED,
            orders_brought=recorder.orders_brought,
            listings_changed=recorder.listings_changed,
            error_count=recorder.error_count if deferred else max(recorder.error_count, 1),
            error=message,
        )
        raise
    if recorder.discarded:
        Run.objects.filter(pk=recorder.run.pk).delete()
        return
    run_finish(
        run=recorder.run,
        outcome=recorder.outcome,
        orders_brought=recorder.orders_brought,
        listings_changed=recorder.listings_changed,
        error_count=recorder.error_count,
        error=recorder.error,
    )


def run_record_download(recorder: RunRecorder, result) -> None:
    """Fill a download's run from orders.download.DownloadResult (skipped downloads are not runs)."""
    if result.outcome == "skipped":
        recorder.discard()
        return
    recorder.orders_brought = result.orders_created
    if result.failed:
        recorder.fail(result.problem or GENERIC_ERROR)


# --- the stock push's trail -------------------------------------------------------------------------------------


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
        ListingSend(
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


def orders_count_before_purge(*, order_ids: Iterable[int]) -> int:
    """Keep the daily counts of non-Avasam orders about to be purged, so analytics still show them."""
    from django.db.models import Count, Sum
    from django.db.models.functions import TruncDate

    from orders.models import Order

    rows = (
        Order.objects.filter(pk__in=list(order_ids))
        .exclude(status="CANCELLED")
        .annotate(day=TruncDate("purchased_at", tzinfo=UTC))
        .values("integration_id", "day", "currency")
        .annotate(orders=Count("pk"), revenue=Sum("total"))
        .order_by()
    )
    tallies = [
        PurgedOrdersDay(
            integration_id=row["integration_id"],
            day=row["day"],
            currency=row["currency"],
            orders=row["orders"],
            revenue=row["revenue"] or 0,
        )
        for row in rows
    ]
    PurgedOrdersDay.objects.bulk_create(tallies)
    return sum(tally.orders for tally in tallies)


# --- housekeeping -----------------------------------------------------------------------------------------------


def runs_purge_old(*, now: datetime | None = None) -> int:
    """Delete runs and listing sends older than RETENTION_DAYS; returns how many runs went."""
    cutoff = (now or timezone.now()) - timedelta(days=RETENTION_DAYS)
    deleted = 0
    while True:
        batch = list(Run.objects.filter(started_at__lt=cutoff).order_by("pk").values_list("pk", flat=True)[:5000])
        if not batch:
            break
        deleted += Run.objects.filter(pk__in=batch).delete()[0]
    while True:
        batch = list(
            ListingSend.objects.filter(answered_at__lt=cutoff).order_by("pk").values_list("pk", flat=True)[:5000]
        )
        if not batch:
            break
        ListingSend.objects.filter(pk__in=batch).delete()
    return deleted


def authorisations_lapse(*, now: datetime | None = None) -> list[int]:
    """Mark as needing re-authorisation every authorised integration whose 365 days are up (on the day itself)."""
    from channels.models import Integration
    from channels.services import integration_mark_needs_reauthorisation

    now = now or timezone.now()
    # Lapsed on the UTC date authorised_at + 365 days, at any time that day.
    start_of_tomorrow = datetime.combine(now.date() + timedelta(days=1), datetime.min.time(), tzinfo=now.tzinfo)
    lapsed = (
        Integration.objects.active()
        .filter(
            authorisation_state=Integration.AuthorisationState.AUTHORISED,
            authorised_at__lt=start_of_tomorrow - AUTHORISATION_LIFETIME,
        )
        .values_list("pk", "authorised_at")
    )
    marked = []
    for integration_id, authorised_at in lapsed:
        lapse_day = (authorised_at + AUTHORISATION_LIFETIME).date()
        integration_mark_needs_reauthorisation(
            integration_id=integration_id,
            problem=f"The authorisation lapsed on {lapse_day.day} {lapse_day:%B %Y}: Amazon wants it every 365 days.",
        )
        logger.info("integration %s: authorisation lapsed after 365 days", integration_id)
        marked.append(integration_id)
    return marked


def listing_patch_recorded(
    *, row, version: int, quantity: int | None, price: Decimal | None, accepted: bool, code: str = "", message: str = ""
) -> None:
    """A fast-lane patch came back (called by stock.push.tracking with the ListingPush row still claimed)."""
    listing_sends_record(
        integration_id=row.integration_id,
        lane=Run.Lane.FAST,
        answers=[SendAnswer(row.channel_sku, version, quantity, price, accepted, code, message)],
        sent_at=row.patch_started_at,
    )
