"""Recording what Amazon did with what we sent: feed reports and patch results, per-SKU errors, retries with backoff.

A value is recorded as on Amazon only here, from Amazon's own answer, and only when its version is
newer than the one already recorded.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from bulk.update import bulk_update_rows
from stock.push import planning
from stock.push.models import ListingPush, PushFeed
from stock.push.trail import listing_patches_recorded, push_feed_recorded

_FEED_FIELDS = ["feed", "feed_message_id", "feed_version", "feed_quantity", "feed_price"]
_RESULT_FIELDS = [
    "accepted_quantity",
    "accepted_price",
    "accepted_version",
    "accepted_at",
    "pending",
    "pending_since",
    "next_attempt_at",
    "attempts",
    "last_error",
    "last_error_code",
    "last_error_at",
    "unknown_sku",
    "updated_at",
]


@dataclass
class Recorded:
    accepted: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)  # "SKU: message", for summaries

    def add(self, other: Recorded) -> None:
        self.accepted += other.accepted
        self.failed += other.failed
        self.errors.extend(other.errors)


def _backoff(attempts: int) -> timedelta:
    seconds = planning.backoff_seconds(
        attempts, base=settings.STOCK_PUSH_BACKOFF_SECONDS, cap=settings.STOCK_PUSH_BACKOFF_MAX_SECONDS
    )
    return timedelta(seconds=seconds)


def _accept(row: ListingPush, *, version: int, quantity: int, price: Decimal | None, now) -> None:
    if version >= row.accepted_version:
        # (Equal: the same version went out both ways, e.g. a feed and a patch; same values, nothing changes.)
        row.accepted_quantity, row.accepted_version, row.accepted_at = quantity, version, now
        if price is not None:
            row.accepted_price = price
        row.last_error, row.last_error_code, row.last_error_at = "", "", None
        row.attempts, row.next_attempt_at = 0, None
    else:
        # Amazon accepted a newer value (the fast lane) while this older one was still queued, and may
        # have applied this one last: we no longer know what it shows, so the current value goes again.
        row.accepted_quantity = None
    _settle(row, now)


def _fail(row: ListingPush, *, version: int, code: str, message: str, now, transient: bool = False) -> None:
    """Amazon rejected the value (doubling backoff), or was unreachable (`transient`: 5xx, timeouts; then the
    retry never waits longer than STOCK_PUSH_BACKOFF_SECONDS, so an outage does not hold listings back for hours
    once Amazon answers again)."""
    row.attempts += 1
    row.last_error, row.last_error_code, row.last_error_at = message, code[:40], now
    if planning.is_unknown_sku(code, message):
        row.unknown_sku = True
        row.pending, row.pending_since, row.next_attempt_at = False, None, None
        return
    row.pending, row.pending_since = True, row.pending_since or now
    # A newer value is already waiting: it is a different message, so it goes without waiting out the backoff.
    backoff = _backoff(row.attempts)
    if transient:
        backoff = min(backoff, timedelta(seconds=settings.STOCK_PUSH_BACKOFF_SECONDS))
    row.next_attempt_at = now + backoff if version >= row.version else None


def _settle(row: ListingPush, now) -> None:
    row.pending = row.version > row.accepted_version or planning.needs_sending(
        desired_quantity=row.desired_quantity,
        desired_price=row.desired_price,
        accepted_quantity=row.accepted_quantity,
        accepted_price=row.accepted_price,
    )
    row.pending_since = (row.pending_since or now) if row.pending else None
    row.updated_at = now


def _clear_feed(row: ListingPush) -> None:
    row.feed_id = row.feed_message_id = row.feed_version = row.feed_quantity = row.feed_price = None


def feed_record_report(*, feed_id: int, amazon_status: str, report) -> Recorded:
    """Amazon finished the feed: each message without an ERROR issue was accepted, the others failed."""
    now = timezone.now()
    recorded = Recorded()
    with transaction.atomic():
        feed = PushFeed.objects.select_for_update().get(pk=feed_id)
        if feed.state != PushFeed.State.SUBMITTED:
            return recorded  # someone recorded it already
        errors: dict[int, tuple[str, str]] = {}
        for issue in report.issues if report else []:
            if issue.severity == "ERROR" and issue.message_id is not None and issue.message_id not in errors:
                errors[issue.message_id] = (issue.code or "", issue.message or "")
        rows = list(ListingPush.objects.filter(feed_id=feed_id).order_by("pk").select_for_update())
        push_feed_recorded(feed=feed, rows=rows, message_errors=errors)  # the activity log, before the rows change
        for row in rows:
            if row.feed_message_id in errors:
                code, message = errors[row.feed_message_id]
                _fail(row, version=row.feed_version, code=code, message=message, now=now)
                recorded.failed += 1
                recorded.errors.append(f"{row.channel_sku}: {message}")
            else:
                _accept(row, version=row.feed_version, quantity=row.feed_quantity, price=row.feed_price, now=now)
                recorded.accepted += 1
            _clear_feed(row)
        bulk_update_rows(ListingPush, rows, _RESULT_FIELDS + _FEED_FIELDS)
        feed.state, feed.amazon_status, feed.finished_at = PushFeed.State.DONE, amazon_status, now
        if report is not None:
            feed.messages_accepted, feed.messages_invalid = report.messages_accepted, report.messages_invalid
        feed.save(update_fields=["state", "amazon_status", "finished_at", "messages_accepted", "messages_invalid"])
    return recorded


def feed_record_failure(
    *, feed_id: int, error: str, amazon_status: str = "", count_attempt: bool = True, transient: bool = False
) -> Recorded:
    """The feed never ran (not submitted, FATAL, CANCELLED, or lost): its listings go again, after a backoff."""
    now = timezone.now()
    recorded = Recorded()
    with transaction.atomic():
        feed = PushFeed.objects.select_for_update().get(pk=feed_id)
        if feed.state in (PushFeed.State.DONE, PushFeed.State.FAILED):
            return recorded
        rows = list(ListingPush.objects.filter(feed_id=feed_id).order_by("pk").select_for_update())
        push_feed_recorded(feed=feed, rows=rows, message_errors=None, error=error, deferred=not count_attempt)
        for row in rows:
            if count_attempt:
                _fail(
                    row,
                    version=row.feed_version,
                    code=amazon_status or "FEED",
                    message=error,
                    now=now,
                    transient=transient,
                )
                recorded.failed += 1
            _clear_feed(row)
            row.updated_at = now
        bulk_update_rows(ListingPush, rows, _RESULT_FIELDS + _FEED_FIELDS)
        feed.state, feed.error, feed.amazon_status, feed.finished_at = PushFeed.State.FAILED, error, amazon_status, now
        feed.save(update_fields=["state", "error", "amazon_status", "finished_at"])
    if count_attempt and rows:
        recorded.errors.append(error)
    return recorded


@dataclass(frozen=True)
class PatchAnswer:
    """Amazon's answer to one fast-lane patch of a claimed row (`version`: the claim's)."""

    row_id: int
    version: int
    quantity: int
    accepted: bool
    code: str = ""
    message: str = ""
    feed_id_at_claim: int | None = None
    transient: bool = False  # not answered (unavailable): retried without the doubling backoff


def patch_answers_record(answers: list[PatchAnswer]) -> None:
    """The fast lane's patches came back: record Amazon's acceptance (or the error) of each and free the rows, in one
    transaction of three statements however many.

    If an older feed carrying a listing finished while its patch was out, Amazon may have applied the feed last:
    then what it shows is unknown and the current value goes again.
    """
    if not answers:
        return
    now = timezone.now()
    with transaction.atomic():
        rows = ListingPush.objects.select_for_update().filter(pk__in=[answer.row_id for answer in answers])
        claimed = {row.pk: row for row in rows.order_by("pk")}
        recorded: list[tuple[ListingPush, PatchAnswer]] = []
        for answer in answers:
            row = claimed.get(answer.row_id)
            if row is None or row.patch_version != answer.version:
                continue  # released as stale meanwhile; the drain sends it again
            if answer.accepted:
                _accept(row, version=answer.version, quantity=answer.quantity, price=None, now=now)
                if answer.feed_id_at_claim is not None and row.feed_id != answer.feed_id_at_claim:
                    row.accepted_quantity = None
                    _settle(row, now)
            else:
                _fail(
                    row,
                    version=answer.version,
                    code=answer.code,
                    message=answer.message,
                    now=now,
                    transient=answer.transient,
                )
            recorded.append((row, answer))
        listing_patches_recorded(recorded)
        for row, _ in recorded:
            row.patch_version = row.patch_started_at = None
        bulk_update_rows(
            ListingPush, [row for row, _ in recorded], [*_RESULT_FIELDS, "patch_version", "patch_started_at"]
        )


def patch_release(*, row_ids: list[int], error: str = "", only_versions: dict[int, int] | None = None) -> None:
    """The patch was not sent (throttled, Amazon unreachable): free the rows, still pending.

    With `only_versions` ({row id: claimed version}), only rows still claimed with that version are freed.
    """
    updates = {"patch_version": None, "patch_started_at": None, "updated_at": timezone.now()}
    if error:
        updates["last_error"] = error
    if only_versions is None:
        ListingPush.objects.filter(pk__in=row_ids).update(**updates)
        return
    for row_id in row_ids:
        if row_id in only_versions:
            ListingPush.objects.filter(pk=row_id, patch_version=only_versions[row_id]).update(**updates)


def orphaned_patches_release(*, integration_id: int) -> int:
    """Patches claimed by a fast lane that is no longer alive (we hold the lane now): they go again at once."""
    return (
        ListingPush.objects.for_integration(integration_id)
        .filter(patch_version__isnull=False)
        .update(patch_version=None, patch_started_at=None)
    )


def lost_feeds_release(*, integration_id: int | None = None) -> int:
    """Feeds Amazon has not finished after STOCK_PUSH_FEED_TIMEOUT_SECONDS: their listings go again."""
    cutoff = timezone.now() - timedelta(seconds=settings.STOCK_PUSH_FEED_TIMEOUT_SECONDS)
    lost = PushFeed.objects.filter(state=PushFeed.State.SUBMITTED, submitted_at__lt=cutoff)
    if integration_id is not None:
        lost = lost.filter(integration_id=integration_id)
    released = 0
    for feed_id in lost.values_list("pk", flat=True):
        feed_record_failure(
            feed_id=feed_id,
            error="Amazon did not finish processing the feed in time; sending again.",
            amazon_status="TIMEOUT",
        )
        released += 1
    return released


def feeds_purge() -> int:
    """Finished feeds are kept STOCK_PUSH_FEED_HISTORY_DAYS for ops to look at, then deleted."""
    cutoff = timezone.now() - timedelta(days=settings.STOCK_PUSH_FEED_HISTORY_DAYS)
    finished = PushFeed.objects.filter(state__in=[PushFeed.State.DONE, PushFeed.State.FAILED], created_at__lt=cutoff)
    deleted, _ = finished.delete()
    return deleted
