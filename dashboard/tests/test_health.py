"""The health function: one plain sentence with its fixing action per failure kind, and the 365-day lapse warnings."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from channels.amazon.lapse import lapse_warning, reauthorisation_lapse_date
from dashboard.health import Action, HealthFacts, RunFact, integration_health

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
AUTHORISED = NOW - timedelta(days=10)


def facts(**overrides) -> HealthFacts:
    """A healthy integration: authorised 10 days ago, downloading and pushing fine."""
    values = {
        "name": "Amazon UK",
        "authorised_at": AUTHORISED,
        "last_download": RunFact(NOW - timedelta(minutes=3), NOW - timedelta(minutes=2), "succeeded", orders_brought=4),
        "last_download_success": RunFact(
            NOW - timedelta(minutes=3), NOW - timedelta(minutes=2), "succeeded", orders_brought=4
        ),
        "last_push": RunFact(NOW - timedelta(minutes=9), NOW - timedelta(minutes=8), "succeeded", listings_changed=7),
        "last_push_success": RunFact(
            NOW - timedelta(minutes=9), NOW - timedelta(minutes=8), "succeeded", listings_changed=7
        ),
    }
    return HealthFacts(**{**values, **overrides})


def problems(health) -> dict[str, tuple[str, str, str]]:
    return {problem.kind: (problem.severity, problem.sentence, problem.action) for problem in health.problems}


def only_problem(**overrides):
    health = integration_health(facts(**overrides), now=NOW)
    assert len(health.problems) == 1, health.problems
    return health.problems[0]


def test_a_healthy_integration_has_no_problems():
    health = integration_health(facts(), now=NOW)
    assert health.problems == []
    assert health.ok and health.worst == "success"
    assert health.authorisation_age_days == 10
    assert health.lapse_date == date(2027, 11, 17)


def test_a_rejected_authorisation_says_click_reauthorise_and_why():
    problem = only_problem(authorisation_state="needs_reauthorisation", authorisation_problem="Access was revoked.")
    assert problem.kind == "authorisation_rejected" and problem.severity == "danger"
    assert problem.sentence.startswith("Amazon rejected the authorisation — click Reauthorise.")
    assert "Access was revoked." in problem.sentence
    assert problem.action == Action.REAUTHORISE


def test_a_rejected_authorisation_does_not_also_complain_that_orders_stopped():
    stale = RunFact(NOW - timedelta(days=2), NOW - timedelta(days=2), "succeeded", orders_brought=1)
    health = integration_health(
        facts(authorisation_state="needs_reauthorisation", last_download=stale, last_download_success=stale), now=NOW
    )
    assert list(problems(health)) == ["authorisation_rejected"]


def test_an_integration_never_authorised_asks_to_authorise():
    problem = only_problem(authorisation_state="awaiting", authorised_at=None, last_download=None)
    assert problem.kind == "not_authorised" and problem.action == Action.REAUTHORISE
    assert "not authorised yet — click Authorise" in problem.sentence


def test_failing_downloads_count_the_failures_since_the_last_success_and_give_amazons_reason():
    failed = RunFact(
        NOW - timedelta(minutes=1), NOW, "failed", error="Amazon is not answering right now.", error_count=1
    )
    problem = only_problem(last_download=failed, download_failures_since_success=3)
    assert problem.kind == "download_failing" and problem.severity == "danger"
    assert problem.sentence == (
        "Order download failed 3 times since the last successful one on 27 Nov 2026, 11:58 UTC: Amazon is "
        "not answering right now. If it keeps failing, click Verify to check the authorisation."
    )
    assert problem.action == Action.VERIFY


def test_a_first_download_that_failed_says_none_has_succeeded():
    failed = RunFact(NOW, NOW, "failed", error="Amazon refused the request.")
    problem = only_problem(last_download=failed, last_download_success=None, download_failures_since_success=1)
    assert "failed once and none has succeeded yet" in problem.sentence


def test_orders_that_stopped_arriving_are_reported_after_an_hour_of_silence():
    stale = RunFact(NOW - timedelta(hours=2), NOW - timedelta(hours=2), "succeeded", orders_brought=1)
    problem = only_problem(last_download=stale, last_download_success=stale)
    assert problem.kind == "downloads_stopped"
    assert problem.sentence.startswith("No orders have been downloaded since 27 Nov 2026, 10:00 UTC")
    assert problem.action == Action.VERIFY
    recent = RunFact(NOW - timedelta(minutes=50), NOW - timedelta(minutes=50), "succeeded")
    assert integration_health(facts(last_download=recent, last_download_success=recent), now=NOW).problems == []


def test_a_disabled_integration_is_not_told_its_orders_stopped():
    stale = RunFact(NOW - timedelta(hours=5), NOW - timedelta(hours=5), "succeeded")
    problem = only_problem(enabled=False, last_download=stale, last_download_success=stale)
    assert problem.kind == "disabled" and problem.action == Action.ENABLE


def test_stock_updates_off_warn_of_overselling():
    problem = only_problem(stock_updates_enabled=False)
    assert problem.kind == "stock_updates_off" and problem.action == Action.SETTINGS
    assert "may oversell" in problem.sentence


def test_a_failing_push_says_what_is_sent_again():
    failed = RunFact(
        NOW, NOW, "failed", error="Amazon could not process the stock feed (FATAL); it will be sent again."
    )
    problem = only_problem(last_push=failed, push_failures_since_success=2)
    assert problem.kind == "push_failing"
    assert problem.sentence.startswith("Sending stock to Amazon failed 2 times since the last success: Amazon could")
    assert "sent again automatically, except those Amazon does not know" in problem.sentence


def test_rejected_and_unknown_listings_point_to_the_mappings_page():
    health = integration_health(facts(listings_rejected=2, listings_unknown=1), now=NOW)
    found = problems(health)
    assert found["listings_rejected"][1].startswith("Amazon rejected the last update of 2 listings")
    assert found["unknown_skus"][1].startswith("Amazon does not know 1 mapped listing on this site")
    assert {found["listings_rejected"][2], found["unknown_skus"][2]} == {Action.MAPPINGS}


def test_listings_waiting_long_are_a_backlog_but_fresh_ones_are_not():
    assert integration_health(facts(listings_waiting=5, waiting_since=NOW - timedelta(minutes=5)), now=NOW).ok
    problem = only_problem(listings_waiting=5, waiting_since=NOW - timedelta(hours=1))
    assert problem.kind == "push_backlog"
    assert problem.sentence.startswith("5 listings have been waiting since 27 Nov 2026, 11:00 UTC")


def test_app_credentials_paused_tells_the_seller_there_is_nothing_to_do():
    problem = only_problem(app_credentials_paused=True)
    assert problem.kind == "app_paused" and "nothing for you to do" in problem.sentence


def test_problems_come_worst_first():
    health = integration_health(
        facts(
            stock_updates_enabled=False,
            authorisation_state="needs_reauthorisation",
            enabled=False,
        ),
        now=NOW,
    )
    assert [problem.severity for problem in health.problems] == ["danger", "warning", "info"]
    assert health.worst == "danger" and not health.ok


def test_a_removed_integration_has_no_problems():
    assert integration_health(facts(removed=True, authorisation_state="needs_reauthorisation"), now=NOW).problems == []


# --- the 365-day lapse ---------------------------------------------------------------------------------------------

AUTHORISED_ON = datetime(2026, 1, 10, 15, 30, tzinfo=UTC)
LAPSES_ON = date(2027, 1, 10)


def on(day: date, hour: int = 9) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def test_the_authorisation_lapses_365_days_after_it_was_given():
    assert reauthorisation_lapse_date(AUTHORISED_ON) == LAPSES_ON


@pytest.mark.parametrize(
    ("days_before", "threshold"),
    [(60, None), (31, None), (30, 30), (29, 30), (8, 30), (7, 7), (2, 7), (1, 1), (0, 0), (-3, 0)],
)
def test_lapse_warnings_start_30_7_and_1_days_before(days_before, threshold):
    warning = lapse_warning(authorised_at=AUTHORISED_ON, now=on(LAPSES_ON - timedelta(days=days_before)))
    assert (warning.threshold if warning else None) == threshold
    if warning:
        assert warning.days_left == days_before and warning.lapse_date == LAPSES_ON


@pytest.mark.parametrize(
    ("days_before", "severity", "sentence"),
    [
        (30, "info", "Amazon's authorisation lapses in 30 days, on 10 Jan 2027, 00:00 UTC"),
        (7, "warning", "Amazon's authorisation lapses in 7 days, on 10 Jan 2027, 00:00 UTC"),
        (1, "danger", "Amazon's authorisation lapses tomorrow, on 10 Jan 2027, 00:00 UTC"),
        (0, "danger", "Amazon's authorisation lapsed on 10 Jan 2027, 00:00 UTC"),
    ],
)
def test_the_lapse_warning_names_the_date_and_says_click_reauthorise(days_before, severity, sentence):
    now = on(LAPSES_ON - timedelta(days=days_before))
    recent = RunFact(now - timedelta(minutes=2), now - timedelta(minutes=1), "succeeded")
    health = integration_health(
        facts(authorised_at=AUTHORISED_ON, last_download=recent, last_download_success=recent), now=now
    )
    [problem] = health.problems
    assert problem.severity == severity and problem.action == Action.REAUTHORISE
    assert problem.sentence.startswith(sentence)
    assert "click Reauthorise" in problem.sentence


def test_no_lapse_warning_31_days_before():
    now = on(LAPSES_ON - timedelta(days=31))
    recent = RunFact(now - timedelta(minutes=2), now - timedelta(minutes=1), "succeeded")
    health = integration_health(
        facts(authorised_at=AUTHORISED_ON, last_download=recent, last_download_success=recent), now=now
    )
    assert health.problems == []


def test_failures_caused_by_a_rejected_authorisation_are_not_repeated():
    failed = RunFact(NOW, NOW, "failed", error="Amazon no longer accepts this authorisation.")
    health = integration_health(
        facts(
            authorisation_state="needs_reauthorisation",
            last_download=failed,
            download_failures_since_success=1,
            last_push=failed,
            push_failures_since_success=1,
        ),
        now=NOW,
    )
    assert list(problems(health)) == ["authorisation_rejected"]


def test_a_download_that_failed_before_the_seller_reauthorised_is_no_longer_a_current_problem():
    reauthorised = NOW - timedelta(minutes=5)
    failed = RunFact(
        reauthorised - timedelta(minutes=20),
        reauthorised - timedelta(minutes=20),
        "failed",
        error="Amazon no longer accepts this authorisation — click Reauthorise.",
    )
    old_success = RunFact(NOW - timedelta(days=2), NOW - timedelta(days=2), "succeeded", orders_brought=1)
    health = integration_health(
        facts(
            authorised_at=reauthorised,
            last_download=failed,
            last_download_success=old_success,
            download_failures_since_success=3,
            last_push=failed,
            last_push_success=old_success,
            push_failures_since_success=1,
        ),
        now=NOW,
    )
    assert health.problems == []

    failed_again = RunFact(NOW - timedelta(minutes=1), NOW, "failed", error="Amazon is not answering.")
    health = integration_health(
        facts(
            authorised_at=reauthorised,
            last_download=failed_again,
            last_download_success=old_success,
            download_failures_since_success=4,
        ),
        now=NOW,
    )
    assert list(problems(health)) == ["download_failing"]


def test_orders_due_to_ship_today_not_shipped_are_a_warning():
    problem = only_problem(orders_due_today_unshipped=2)
    assert (problem.kind, problem.severity) == ("unshipped_due_today", "warning")
    assert problem.sentence.startswith("2 orders due to ship today have not been shipped")


def test_sentences_give_times_in_the_sellers_zone_naming_it():
    stale = RunFact(NOW - timedelta(hours=2), NOW - timedelta(hours=2), "succeeded", orders_brought=1)
    now = on(LAPSES_ON - timedelta(days=7))
    recent = RunFact(now - timedelta(minutes=2), now - timedelta(minutes=1), "succeeded")
    with timezone.override(ZoneInfo("Europe/Paris")):
        stopped = only_problem(last_download=stale, last_download_success=stale)
        [lapse] = integration_health(
            facts(authorised_at=AUTHORISED_ON, last_download=recent, last_download_success=recent), now=now
        ).problems
    assert stopped.sentence.startswith("No orders have been downloaded since 27 Nov 2026, 11:00 CET")
    assert lapse.sentence.startswith("Amazon's authorisation lapses in 7 days, on 10 Jan 2027, 01:00 CET")
