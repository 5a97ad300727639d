"""Recording runs, and the 90-day retention of the log."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from activity.models import Run
from activity.services import run_finish, run_record, run_start, runs_purge_old
from activity.tasks import activity_purge_old_runs
from avasam import celery_config
from channels.amazon.errors import AuthorisationRevoked, Throttled, TransientError
from channels.tests.factories import IntegrationFactory

from .factories import RunFactory

pytestmark = pytest.mark.django_db


def test_run_record_keeps_a_successful_run_with_its_counts():
    integration = IntegrationFactory()
    with run_record(integration_id=integration.pk, kind=Run.Kind.ORDER_DOWNLOAD) as run:
        assert Run.objects.get().outcome == Run.Outcome.RUNNING  # visible while it runs
        run.orders_brought = 12
    run = Run.objects.get()
    assert (run.outcome, run.orders_brought, run.error_count, run.error) == (Run.Outcome.SUCCEEDED, 12, 0, "")
    assert run.finished_at >= run.started_at


def test_run_record_marks_an_amazon_error_failed_in_plain_words_and_lets_it_through():
    integration = IntegrationFactory()
    with pytest.raises(TransientError), run_record(integration_id=integration.pk, kind=Run.Kind.ORDER_DOWNLOAD):
        raise TransientError("Amazon is not answering right now; we will try again shortly.")
    run = Run.objects.get()
    assert (run.outcome, run.error_count) == (Run.Outcome.FAILED, 1)
    assert run.error == "Amazon is not answering right now; we will try again shortly."


def test_run_record_never_shows_a_programming_error_to_the_seller():
    integration = IntegrationFactory()
    with pytest.raises(KeyError), run_record(integration_id=integration.pk, kind=Run.Kind.STOCK_PUSH):
        raise KeyError("secret internals")
    run = Run.objects.get()
    assert run.outcome == Run.Outcome.FAILED
    assert "secret" not in run.error and "try again" in run.error


def test_a_throttled_run_is_postponed_not_failed():
    integration = IntegrationFactory()
    with pytest.raises(Throttled), run_record(integration_id=integration.pk, kind=Run.Kind.ORDER_DOWNLOAD):
        raise Throttled("Amazon asked us to slow down.", retry_after=3)
    run = Run.objects.get()
    assert (run.outcome, run.error_count) == (Run.Outcome.DEFERRED, 0)


def test_a_failure_the_body_reports_is_recorded_without_an_exception():
    integration = IntegrationFactory()
    with run_record(integration_id=integration.pk, kind=Run.Kind.ORDER_DOWNLOAD) as run:
        run.fail(AuthorisationRevoked("Amazon no longer accepts this authorisation.").message)
    run = Run.objects.get()
    assert (run.outcome, run.error_count, run.error) == (
        Run.Outcome.FAILED,
        1,
        "Amazon no longer accepts this authorisation.",
    )


def test_a_discarded_run_leaves_no_row():
    integration = IntegrationFactory()
    with run_record(integration_id=integration.pk, kind=Run.Kind.ORDER_DOWNLOAD) as run:
        run.discard()
    assert not Run.objects.exists()


def test_a_start_finish_pair_with_some_errors_is_partial():
    integration = IntegrationFactory()
    run = run_start(integration_id=integration.pk, kind=Run.Kind.STOCK_PUSH, lane=Run.Lane.BULK)
    run_finish(run=run, listings_changed=8, error_count=2, error="Amazon rejected 2 of 10 listings.")
    run.refresh_from_db()
    assert (run.outcome, run.listings_changed, run.error_count) == (Run.Outcome.PARTIAL, 8, 2)


# --- retention --------------------------------------------------------------------------------------------------

NOW = datetime(2026, 11, 27, 3, 45, tzinfo=UTC)


def test_runs_older_than_90_days_are_deleted_and_younger_ones_kept():
    integration = IntegrationFactory()
    old = RunFactory(integration=integration, started_at=NOW - timedelta(days=90, seconds=1))
    older = RunFactory(integration=integration, started_at=NOW - timedelta(days=200))
    kept = RunFactory(integration=integration, started_at=NOW - timedelta(days=89, hours=23))

    assert runs_purge_old(now=NOW) == 2

    assert list(Run.objects.values_list("pk", flat=True)) == [kept.pk]
    assert not Run.objects.filter(pk__in=[old.pk, older.pk]).exists()


def test_the_daily_task_purges_with_the_current_time():
    RunFactory(started_at=timezone.now() - timedelta(days=120))
    RunFactory(started_at=timezone.now() - timedelta(days=1))
    assert activity_purge_old_runs() == 1
    assert Run.objects.count() == 1


def test_the_purge_and_the_lapse_marking_are_scheduled_daily_by_beat():
    entries = {entry["task"] for entry in celery_config.beat_schedule.values()}
    assert {
        "activity.tasks.activity_purge_old_runs",
        "stock.push.drain.listing_sends_purge",
        "channels.amazon.tasks.authorisations_mark_lapsed",
    } <= entries
