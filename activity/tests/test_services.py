"""Recording runs, the 90-day retention of the log, and marking lapsed authorisations on the day."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from activity.models import ListingSend, Run
from activity.services import (
    SendAnswer,
    authorisations_lapse,
    listing_sends_record,
    run_finish,
    run_record,
    run_start,
    runs_purge_old,
)
from activity.tasks import activity_purge_old_runs
from channels.amazon.errors import AuthorisationRevoked, Throttled, TransientError
from channels.models import Integration
from channels.tests.factories import IntegrationFactory

from .factories import ListingSendFactory, RunFactory

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


def test_listing_sends_are_recorded_per_listing():
    integration = IntegrationFactory()
    listing_sends_record(
        integration_id=integration.pk,
        lane=Run.Lane.FAST,
        answers=[
            SendAnswer("A", 3, 0, None, accepted=True),
            SendAnswer("B", 4, 0, None, accepted=False, error_code="8541", error="Bad value."),
            SendAnswer("C", 5, 9, None, accepted=False, processed=False, error="The feed never ran."),
        ],
        sent_at=timezone.now(),
    )
    assert dict(ListingSend.objects.values_list("channel_sku", "outcome")) == {
        "A": "accepted",
        "B": "rejected",
        "C": "not_processed",
    }


# --- retention --------------------------------------------------------------------------------------------------

NOW = datetime(2026, 11, 27, 3, 45, tzinfo=UTC)


def test_runs_older_than_90_days_are_deleted_and_younger_ones_kept():
    integration = IntegrationFactory()
    old = RunFactory(integration=integration, started_at=NOW - timedelta(days=90, seconds=1))
    older = RunFactory(integration=integration, started_at=NOW - timedelta(days=200))
    kept = RunFactory(integration=integration, started_at=NOW - timedelta(days=89, hours=23))
    old_send = ListingSendFactory(integration=integration, answered_at=NOW - timedelta(days=91))
    kept_send = ListingSendFactory(integration=integration, answered_at=NOW - timedelta(days=1))

    assert runs_purge_old(now=NOW) == 2

    assert list(Run.objects.values_list("pk", flat=True)) == [kept.pk]
    assert list(ListingSend.objects.values_list("pk", flat=True)) == [kept_send.pk]
    assert not Run.objects.filter(pk__in=[old.pk, older.pk]).exists()
    assert not ListingSend.objects.filter(pk=old_send.pk).exists()


def test_the_daily_task_purges_with_the_current_time():
    RunFactory(started_at=timezone.now() - timedelta(days=120))
    RunFactory(started_at=timezone.now() - timedelta(days=1))
    assert activity_purge_old_runs() == 1
    assert Run.objects.count() == 1


def test_the_purge_is_scheduled_daily_by_beat():
    from avasam import celery_config

    entries = {entry["task"] for entry in celery_config.beat_schedule.values()}
    assert {"activity.tasks.activity_purge_old_runs", "activity.tasks.authorisations_mark_lapsed"} <= entries


# --- the 365-day lapse ------------------------------------------------------------------------------------------

AUTHORISED_ON = datetime(2026, 1, 10, 15, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("now", "marked"),
    [
        (datetime(2027, 1, 9, 23, 59, tzinfo=UTC), False),  # the day before
        (datetime(2027, 1, 10, 0, 5, tzinfo=UTC), True),  # the day itself, when beat runs
        (datetime(2027, 3, 1, 0, 5, tzinfo=UTC), True),  # long after (beat was down)
    ],
)
def test_an_authorisation_is_marked_as_needing_reauthorisation_on_the_day_it_lapses(now, marked):
    integration = IntegrationFactory(authorised_at=AUTHORISED_ON)

    assert authorisations_lapse(now=now) == ([integration.pk] if marked else [])

    integration.refresh_from_db()
    if marked:
        assert integration.authorisation_state == Integration.AuthorisationState.NEEDS_REAUTHORISATION
        assert "lapsed on 10 January 2027" in integration.authorisation_problem
    else:
        assert integration.authorisation_state == Integration.AuthorisationState.AUTHORISED


def test_lapse_marking_leaves_removed_and_already_flagged_integrations_alone():
    removed = IntegrationFactory(authorised_at=AUTHORISED_ON, removed_at=AUTHORISED_ON + timedelta(days=3))
    flagged = IntegrationFactory(
        authorised_at=AUTHORISED_ON,
        authorisation_state=Integration.AuthorisationState.NEEDS_REAUTHORISATION,
        authorisation_problem="Revoked in Seller Central.",
    )
    assert authorisations_lapse(now=datetime(2027, 2, 1, tzinfo=UTC)) == []
    flagged.refresh_from_db()
    removed.refresh_from_db()
    assert flagged.authorisation_problem == "Revoked in Seller Central."
    assert removed.authorisation_state == Integration.AuthorisationState.AUTHORISED
