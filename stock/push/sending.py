"""Sending pending listings to Amazon: the fast lane (patchListingsItem for drops to 0) and the bulk lane (feeds).

Each lane is held while its sender lives (channels.holding), and rows are claimed before they are sent, so two
workers never send the same listing and each integration has one feed in flight. What a killed sender left
claimed is found by the next holder of its lane and sent again; a feed it may have created is asked of Amazon.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Max, Min, Q
from django.utils import timezone

from activity.models import Run
from activity.services import run_record
from bulk.update import bulk_update_rows
from channels.amazon.errors import AmazonError
from channels.amazon.gateway import JSON_LISTINGS_FEED, AmazonGateway, gateway_for
from channels.amazon.outcomes import Cause, outcome_of
from channels.eligibility import Work, eligible, may
from channels.holding import hold
from channels.models import Integration
from stock.push import feeds, planning, tracking
from stock.push.lanes import BULK_LANE, FAST_LANE, lanes_stopped_record
from stock.push.models import ListingPush, PushFeed, PushLane
from stock.push.trail import run_record_push

logger = logging.getLogger(__name__)

FINISHED_FEED_STATUSES = {"DONE", "CANCELLED", "FATAL"}


@dataclass
class PushResult:
    """What one pass over an integration did; summed by push_stock and the benchmark."""

    integration_id: int
    patches: int = 0
    feeds_submitted: int = 0
    messages: int = 0
    collapsed: int = 0
    feeds_finished: int = 0
    feed_in_flight: bool = False
    retry_after: float | None = None
    stopped: str = ""  # why nothing more can be sent now (authorisation, app credentials)
    recorded: tracking.Recorded = field(default_factory=tracking.Recorded)

    def add(self, other: PushResult) -> None:
        self.patches += other.patches
        self.feeds_submitted += other.feeds_submitted
        self.messages += other.messages
        self.collapsed += other.collapsed
        self.feeds_finished += other.feeds_finished
        self.feed_in_flight = other.feed_in_flight
        self.retry_after = other.retry_after
        self.stopped = other.stopped or self.stopped
        self.recorded.add(other.recorded)


def _due() -> Q:
    return Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=timezone.now())


def _claimable(integration_id: int):
    return ListingPush.objects.for_integration(integration_id).pending().idle().filter(_due())


def _collapse(rows: list[ListingPush]) -> tuple[list[ListingPush], list[ListingPush]]:
    """Split claimed rows into those to send and those Amazon already shows (changes that cancelled out)."""
    to_send, settled = [], []
    for row in rows:
        if planning.needs_sending(
            desired_quantity=row.desired_quantity,
            desired_price=row.desired_price,
            accepted_quantity=row.accepted_quantity,
            accepted_price=row.accepted_price,
        ):
            to_send.append(row)
        else:
            row.pending, row.pending_since, row.accepted_version = False, None, row.version
            settled.append(row)
    if settled:
        bulk_update_rows(ListingPush, settled, ["pending", "pending_since", "accepted_version"])
    return to_send, settled


# --- fast lane ---------------------------------------------------------------------------------------------------


def fast_lane_send(*, integration_id: int, wait_for_rate_limit: bool = False) -> PushResult:
    """Patch every pending listing that goes to 0, one patchListingsItem each (5 per second per seller)."""
    result = PushResult(integration_id)
    integration = Integration.objects.filter(pk=integration_id).first()
    if integration is None or not may(integration, Work.STOCK):
        return result
    with hold(integration_id, FAST_LANE) as held:
        if held:  # else a live sender is patching this integration's drops to 0 now
            tracking.orphaned_patches_release(integration_id=integration_id)  # a killed sender's claims
            _fast_lane_pass(integration, wait_for_rate_limit=wait_for_rate_limit, result=result)
    if result.stopped:
        lanes_stopped_record(integration_id=integration_id)
    return result


def _fast_lane_pass(integration: Integration, *, wait_for_rate_limit: bool, result: PushResult) -> None:
    integration_id = integration.pk
    now = timezone.now()
    with transaction.atomic():
        # A feed in flight does not hold a drop to 0 back; recording the feed later sorts out the order.
        rows = list(
            ListingPush.objects.for_integration(integration_id)
            .pending()
            .filter(_due(), patch_version__isnull=True, desired_quantity=0)
            .filter(Q(feed__isnull=True) | Q(feed_version__lt=F("version")))
            .exclude(accepted_quantity=0)
            .order_by("pk")
            .select_for_update(skip_locked=True)[: settings.STOCK_PUSH_FAST_LANE_BATCH]
        )
        rows, settled = _collapse(rows)
        result.collapsed += len(settled)
        for row in rows:
            row.patch_version, row.patch_started_at = row.version, now
        bulk_update_rows(ListingPush, rows, ["patch_version", "patch_started_at"])
    if not rows:
        return
    with run_record(integration_id=integration_id, kind=Run.Kind.STOCK_PUSH, lane=Run.Lane.FAST) as run:
        try:
            with gateway_for(integration, wait_for_rate_limit=wait_for_rate_limit) as gateway:
                _patch_rows(rows, integration=integration, gateway=gateway, result=result)
        except Exception:
            # E.g. a deadlock recording a result: free what is still claimed now, so the task's retry or the next
            # drain sends those drops to 0 at once.
            tracking.patch_release(
                row_ids=[row.pk for row in rows], only_versions={row.pk: row.version for row in rows}
            )
            raise
        run_record_push(run, result)


# Amazon takes 5 patches a second per seller: their answers are recorded a second's worth at a time, each batch in one
# transaction. A sender killed in between leaves those few claimed, and the next holder of the lane sends them again.
PATCH_ANSWERS_PER_RECORD = 5


def _patch_rows(
    rows: list[ListingPush], *, integration: Integration, gateway: AmazonGateway, result: PushResult
) -> None:
    marketplace = integration.marketplace
    answers: list[tracking.PatchAnswer] = []
    for index, row in enumerate(rows):
        if len(answers) == PATCH_ANSWERS_PER_RECORD:
            tracking.patch_answers_record(answers)
            answers = []
        # The quantity alone: a price Amazon rejects must never hold a drop to 0 back (the feed sends the price).
        patches = feeds.listing_patches(quantity=row.desired_quantity, price=None, marketplace=marketplace)
        try:
            submission = gateway.patch_listings_item(sku=row.channel_sku, patches=patches)
        except AmazonError as error:
            outcome = outcome_of(error, integration_id=integration.pk)
            if outcome.deferred or outcome.stopped:
                # Not sent: the rest of the batch goes later (throttled) or once someone acts (stopped).
                tracking.patch_answers_record(answers)
                tracking.patch_release(
                    row_ids=[r.pk for r in rows[index:]], error="" if outcome.deferred else outcome.message
                )
                result.retry_after = outcome.retry_after
                result.stopped = outcome.message if outcome.stopped else ""
                return
            # Amazon did not take it (unavailable, or refused): the row goes again after a backoff.
            answers.append(
                tracking.PatchAnswer(
                    row_id=row.pk,
                    version=row.version,
                    quantity=0,
                    accepted=False,
                    code=error.code or str(error.status or "ERROR"),
                    message=outcome.message,
                    feed_id_at_claim=row.feed_id,
                    transient=outcome.cause is Cause.UNAVAILABLE,
                )
            )
            result.recorded.failed += 1
            result.recorded.errors.append(f"{row.channel_sku}: {outcome.message}")
            continue
        result.patches += 1
        accepted = submission.status == "ACCEPTED"
        issue = next((i for i in submission.issues if i.severity == "ERROR"), None)
        answers.append(
            tracking.PatchAnswer(
                row_id=row.pk,
                version=row.version,
                quantity=row.desired_quantity,
                accepted=accepted,
                code=issue.code if issue else "",
                message=issue.message if issue else ("" if accepted else "Amazon did not accept the change."),
                feed_id_at_claim=row.feed_id,
            )
        )
        if accepted:
            result.recorded.accepted += 1
        else:
            result.recorded.failed += 1
            result.recorded.errors.append(f"{row.channel_sku}: {issue.message if issue else 'not accepted'}")
    tracking.patch_answers_record(answers)


# --- bulk lane ---------------------------------------------------------------------------------------------------


def _feed_in_flight(integration_id: int) -> PushFeed | None:
    return (
        PushFeed.objects.filter(
            integration_id=integration_id, state__in=[PushFeed.State.PREPARING, PushFeed.State.SUBMITTED]
        )
        .order_by("pk")
        .first()
    )


def feed_follow(*, feed: PushFeed, gateway: AmazonGateway) -> PushResult:
    """Ask Amazon how the feed is doing; record its report once it has finished."""
    result = PushResult(feed.integration_id)
    status = gateway.get_feed(feed.amazon_feed_id)
    if status.status not in FINISHED_FEED_STATUSES:
        if status.status != feed.amazon_status:
            PushFeed.objects.filter(pk=feed.pk).update(amazon_status=status.status)
        result.feed_in_flight = True
        return result
    result.feeds_finished = 1
    if status.status == "DONE":
        report = gateway.get_feed_report(status.result_feed_document_id) if status.result_feed_document_id else None
        result.recorded = tracking.feed_record_report(feed_id=feed.pk, amazon_status=status.status, report=report)
    else:
        result.recorded = tracking.feed_record_failure(
            feed_id=feed.pk,
            amazon_status=status.status,
            error=f"Amazon could not process the stock feed ({status.status}); it will be sent again.",
        )
    return result


def feed_prepare(*, integration: Integration) -> tuple[PushFeed | None, list[dict], int]:
    """Claim up to one feed's worth of pending listings and number them as its messages."""
    marketplace = integration.marketplace
    with transaction.atomic():
        rows = list(
            _claimable(integration.pk)
            .order_by("pk")
            .select_for_update(skip_locked=True)[: settings.STOCK_PUSH_FEED_MAX_MESSAGES]
        )
        rows, settled = _collapse(rows)
        if not rows:
            return None, [], len(settled)
        feed = PushFeed.objects.create(integration=integration, message_count=len(rows))
        messages = []
        for message_id, row in enumerate(rows, start=1):
            row.feed, row.feed_message_id, row.feed_version = feed, message_id, row.version
            row.feed_quantity, row.feed_price = row.desired_quantity, row.desired_price
            messages.append(
                feeds.feed_message(
                    message_id=message_id,
                    sku=row.channel_sku,
                    quantity=row.desired_quantity,
                    price=row.desired_price,
                    marketplace=marketplace,
                )
            )
        bulk_update_rows(ListingPush, rows, ["feed", "feed_message_id", "feed_version", "feed_quantity", "feed_price"])
    return feed, messages, len(settled)


def feed_submit(*, feed: PushFeed, messages: list[dict], gateway: AmazonGateway) -> PushResult:
    result = PushResult(feed.integration_id)
    try:
        amazon_feed_id = gateway.submit_json_listings_feed(messages)
    except AmazonError as error:
        outcome = outcome_of(error, integration_id=feed.integration_id)
        if outcome.deferred or outcome.stopped:
            # Never reached Amazon: not an attempt that counts against the listings.
            tracking.feed_record_failure(feed_id=feed.pk, error=outcome.message, count_attempt=False)
            result.retry_after = outcome.retry_after
            result.stopped = outcome.message if outcome.stopped else ""
        else:
            result.recorded = tracking.feed_record_failure(
                feed_id=feed.pk, error=outcome.message, transient=outcome.cause is Cause.UNAVAILABLE
            )
        return result
    PushFeed.objects.filter(pk=feed.pk).update(
        state=PushFeed.State.SUBMITTED, amazon_feed_id=amazon_feed_id, submitted_at=timezone.now()
    )
    result.feeds_submitted, result.messages, result.feed_in_flight = 1, len(messages), True
    return result


# How far before our record of an orphaned feed Amazon's createdTime may be (clocks differ a little).
ORPHAN_CLOCK_MARGIN = timedelta(minutes=2)


def orphan_reconcile(*, feed: PushFeed, gateway: AmazonGateway) -> PushFeed | None:
    """A feed prepared by a sender killed before it recorded Amazon's feed id: ask Amazon, never guess.

    1. List this seller's JSON_LISTINGS_FEEDs created since the orphan was prepared that we do not know.
    2. If any is unfinished, wait (the feed stays PREPARING): a new feed sent now could be processed before it,
       and an older value would land last.
    3. All finished: the newest unknown one is the orphan (one sender per integration, one feed at a time);
       adopt it, so its report is read and recorded as any other. None: it never reached Amazon; its
       listings go in the next feed.
    """
    known = set(
        PushFeed.objects.filter(integration_id=feed.integration_id)
        .exclude(amazon_feed_id="")
        .values_list("amazon_feed_id", flat=True)
    )
    recent = gateway.get_feeds(created_since=feed.created_at - ORPHAN_CLOCK_MARGIN, feed_types=[JSON_LISTINGS_FEED])
    unknown = [amazon_feed for amazon_feed in recent if amazon_feed.feed_id not in known]
    if any(amazon_feed.status not in FINISHED_FEED_STATUSES for amazon_feed in unknown):
        return feed
    if not unknown:
        tracking.feed_record_failure(
            feed_id=feed.pk, error="The feed was prepared but never reached Amazon; sending again.", count_attempt=False
        )
        return None
    PushFeed.objects.filter(pk=feed.pk, state=PushFeed.State.PREPARING).update(
        state=PushFeed.State.SUBMITTED, amazon_feed_id=unknown[0].feed_id, submitted_at=timezone.now()
    )
    feed.refresh_from_db()
    return feed


def feed_due(*, integration_id: int, interval: float, quiet: float) -> bool:
    """Whether to send the next feed now, so that changes still streaming in collapse into one message each.

    1. Not within `interval` of the previous feed (Amazon allows 5 feeds per 5 minutes per region).
    2. Then as soon as the changes have been quiet for `quiet` seconds, or the oldest has waited `interval`.
    With `interval` 0 (push_stock) a feed is always due.
    """
    if interval <= 0:
        return True
    now = timezone.now()
    if PushFeed.objects.filter(
        integration_id=integration_id, submitted_at__gt=now - timedelta(seconds=interval)
    ).exists():
        return False
    span = _claimable(integration_id).aggregate(oldest=Min("pending_since"), newest=Max("updated_at"))
    if span["newest"] is None:
        return False
    oldest = span["oldest"] or span["newest"]
    return oldest <= now - timedelta(seconds=interval) or span["newest"] <= now - timedelta(seconds=quiet)


def bulk_lane_step(*, integration: Integration, gateway: AmazonGateway, feed_interval: float = 0) -> PushResult:
    """Follow the feed in flight; when there is none and one is due, send the next one.

    Waiting lets changes collapse into the next feed; drops to 0 do not wait (the fast lane).
    """
    result = PushResult(integration.pk)
    tracking.lost_feeds_release(integration_id=integration.pk)
    feed = _feed_in_flight(integration.pk)
    if feed is not None and feed.state == PushFeed.State.PREPARING:
        # We hold the lane, so its sender is dead: it may have created the feed without recording its id.
        feed = orphan_reconcile(feed=feed, gateway=gateway)
        if feed is not None and feed.state == PushFeed.State.PREPARING:
            result.feed_in_flight = True  # Amazon is still processing feeds created since: wait for them
            return result
    if feed is not None:
        result.add(feed_follow(feed=feed, gateway=gateway))
        if result.feed_in_flight:
            return result
    if not feed_due(
        integration_id=integration.pk, interval=feed_interval, quiet=settings.STOCK_PUSH_FEED_QUIET_SECONDS
    ):
        return result
    feed, messages, collapsed = feed_prepare(integration=integration)
    result.collapsed += collapsed
    if feed is not None:
        result.add(feed_submit(feed=feed, messages=messages, gateway=gateway))
    return result


def integration_push(
    *, integration_id: int, wait_for_rate_limit: bool = False, feed_interval: float | None = None
) -> PushResult:
    """One pass for one integration: the fast lane, then the bulk lane (if no other worker holds it)."""
    result = PushResult(integration_id)
    integration = Integration.objects.filter(pk=integration_id).first()
    if integration is None or not may(integration, Work.STOCK):
        return result
    try:
        result.add(fast_lane_send(integration_id=integration_id, wait_for_rate_limit=wait_for_rate_limit))
        if result.stopped:
            return result
        with hold(integration_id, BULK_LANE) as held:
            if not held:  # a live sender has the feeds in hand
                result.feed_in_flight = True
                return result
            PushLane.objects.update_or_create(integration_id=integration_id, defaults={"last_run_at": timezone.now()})
            with gateway_for(integration, wait_for_rate_limit=wait_for_rate_limit) as gateway:
                interval = settings.STOCK_PUSH_FEED_INTERVAL_SECONDS if feed_interval is None else feed_interval
                result.add(bulk_lane_step(integration=integration, gateway=gateway, feed_interval=interval))
    except AmazonError as error:
        outcome = outcome_of(error, integration_id=integration_id)
        if outcome.deferred:
            result.retry_after = outcome.retry_after
        elif outcome.stopped:
            result.stopped = outcome.message
        else:
            # Following a feed failed (Amazon unreachable): the drain asks again later.
            logger.warning("stock push for integration %s: %s", integration_id, outcome.message)
            result.recorded.errors.append(outcome.message)
    if result.stopped:
        # Amazon revoked the authorisation: re-authorising will count as coming back and re-send everything.
        lanes_stopped_record(integration_id=integration_id)
    return result


def integrations_with_work(*, among: list[int] | None = None) -> list[int]:
    """Pushing integrations (of `among`, else all) with something pending or a feed in flight: one query, for the
    drain's fan-out and push_stock."""
    live = eligible(Work.STOCK)
    if among is not None:
        live = live.filter(pk__in=among)
    pending = ListingPush.objects.filter(pending=True, integration__in=live).values("integration_id")
    in_flight = PushFeed.objects.filter(
        state__in=[PushFeed.State.PREPARING, PushFeed.State.SUBMITTED], integration__in=live
    ).values("integration_id")
    stuck = ListingPush.objects.filter(patch_version__isnull=False, integration__in=live).values("integration_id")
    return sorted(live.filter(Q(pk__in=pending) | Q(pk__in=in_flight) | Q(pk__in=stuck)).values_list("pk", flat=True))


def work_left(*, integration_id: int) -> bool:
    """Something is sendable now (due), or a patch is still out."""
    return (
        _claimable(integration_id).exists()
        or ListingPush.objects.for_integration(integration_id).filter(patch_version__isnull=False).exists()
    )


def integration_push_until_settled(
    *, integration_id: int, timeout: float, poll_seconds: float
) -> tuple[PushResult, bool]:
    """Synchronously: push, follow feeds to the end, push again, until nothing is due (push_stock, tests, bench).

    Returns the summed result and whether it timed out.
    """
    total = PushResult(integration_id)
    deadline = time.monotonic() + timeout
    while True:
        result = integration_push(integration_id=integration_id, wait_for_rate_limit=True, feed_interval=0)
        total.add(result)
        if result.stopped:
            return total, False
        if not (result.feed_in_flight or result.retry_after is not None or work_left(integration_id=integration_id)):
            return total, False
        if time.monotonic() > deadline:
            return total, True
        wait = result.retry_after if result.retry_after is not None else poll_seconds
        time.sleep(max(0.0, min(wait, deadline - time.monotonic())))
