"""Writes to the activity log: recording runs, and its 90-day retention."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

from django.utils import timezone

from activity.models import Run
from channels.amazon.errors import AmazonError
from channels.amazon.outcomes import outcome_of

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
    orders_not_imported: int | None = None,
    listings_changed: int | None = None,
    error_count: int | None = None,
    error: str | None = None,
    finished_at: datetime | None = None,
) -> Run:
    """Close a run. Without an explicit outcome: failed with an error and nothing done, partial with some, else ok."""
    for name, value in (
        ("orders_brought", orders_brought),
        ("orders_not_imported", orders_not_imported),
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
    if run.pk is None:  # opened lazily (run_record's open_now=False): written once, finished
        run.save()
        return run
    run.save(
        update_fields=[
            "outcome",
            "finished_at",
            "orders_brought",
            "orders_not_imported",
            "listings_changed",
            "error_count",
            "error",
        ]
    )
    return run


class RunRecorder:
    """What the body of `run_record` fills in; `discard()` drops a run that turned out to be no run (skipped)."""

    def __init__(self, run: Run) -> None:
        self.run = run
        self.outcome: str | None = None
        self.orders_brought = 0
        self.orders_not_imported = 0
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
def run_record(*, integration_id: int, kind: str, lane: str = "", open_now: bool = True) -> Iterator[RunRecorder]:
    """Record the enclosed work as one run; an exception marks it failed (in plain words) and propagates.

    with run_record(integration_id=..., kind=Run.Kind.ORDER_DOWNLOAD) as run:
        result = ...
        run.orders_brought = result.orders_created

    With open_now=False the run is written only when it ends (one insert; nothing at all when discarded), so it is
    not seen "running" meanwhile: for short work that is most often discarded, such as an idle order download.
    """
    run = (
        run_start(integration_id=integration_id, kind=kind, lane=lane)
        if open_now
        else Run(integration_id=integration_id, kind=kind, lane=lane, started_at=timezone.now())
    )
    recorder = RunRecorder(run)
    try:
        yield recorder
    except BaseException as exc:
        outcome = outcome_of(exc) if isinstance(exc, AmazonError) else None
        deferred = bool(outcome and outcome.deferred)
        message = outcome.message if outcome else GENERIC_ERROR
        run_finish(
            run=recorder.run,
            outcome=Run.Outcome.DEFERRED if deferred else Run.Outcome.FAILED,
            orders_brought=recorder.orders_brought,
            orders_not_imported=recorder.orders_not_imported,
            listings_changed=recorder.listings_changed,
            error_count=recorder.error_count if deferred else max(recorder.error_count, 1),
            error=message,
        )
        raise
    if recorder.discarded:
        if recorder.run.pk is not None:
            Run.objects.filter(pk=recorder.run.pk).delete()
        return
    run_finish(
        run=recorder.run,
        outcome=recorder.outcome,
        orders_brought=recorder.orders_brought,
        orders_not_imported=recorder.orders_not_imported,
        listings_changed=recorder.listings_changed,
        error_count=recorder.error_count,
        error=recorder.error,
    )


def runs_purge_old(*, now: datetime | None = None) -> int:
    """Delete runs older than RETENTION_DAYS; returns how many went."""
    cutoff = (now or timezone.now()) - timedelta(days=RETENTION_DAYS)
    deleted = 0
    while True:
        batch = list(Run.objects.filter(started_at__lt=cutoff).order_by("pk").values_list("pk", flat=True)[:5000])
        if not batch:
            return deleted
        deleted += Run.objects.filter(pk__in=batch).delete()[0]
