"""Every Amazon error becomes one outcome: wait, retry with backoff, stop until someone acts, or give up."""

from __future__ import annotations

import pytest

from channels.amazon.errors import (
    AppCredentialsInvalid,
    AuthorisationRevoked,
    PermanentError,
    Throttled,
    TransientError,
)
from channels.amazon.outcomes import TRANSIENT_RETRIES, Cause, backoff_seconds, outcome_of
from channels.models import Integration
from channels.tests.factories import IntegrationFactory


@pytest.mark.parametrize(
    ("error", "cause", "retries", "deferred", "stopped"),
    [
        (Throttled(retry_after=7.5), Cause.THROTTLED, True, True, False),
        (TransientError(status=503), Cause.UNAVAILABLE, True, False, False),
        (AuthorisationRevoked(), Cause.REVOKED, False, False, True),
        (AppCredentialsInvalid(), Cause.APP_PAUSED, False, False, True),
        (PermanentError("Amazon rejected the request: bad SKU."), Cause.REJECTED, False, False, False),
    ],
    ids=["throttled", "unavailable", "revoked", "app-paused", "rejected"],
)
def test_each_error_has_one_outcome(error, cause, retries, deferred, stopped):
    outcome = outcome_of(error)
    assert (outcome.cause, outcome.retries, outcome.deferred, outcome.stopped) == (cause, retries, deferred, stopped)
    assert outcome.message == error.message


def test_throttling_waits_what_amazon_asked_and_counts_no_failure():
    outcome = outcome_of(Throttled(retry_after=7.5), failures=3)
    assert (outcome.retry_after, outcome.failures) == (7.5, 3)
    assert outcome_of(Throttled(retry_after=0)).retry_after == 1  # never a busy loop


def test_an_unavailable_amazon_is_retried_with_growing_jittered_waits_then_given_up():
    waits = [outcome_of(TransientError(), failures=failures) for failures in range(TRANSIENT_RETRIES)]
    assert [outcome.failures for outcome in waits] == list(range(1, TRANSIENT_RETRIES + 1))
    assert all(1 <= outcome.retry_after <= min(900, 30 * 2**n) for n, outcome in enumerate(waits))

    given_up = outcome_of(TransientError(), failures=TRANSIENT_RETRIES)
    assert not given_up.retries and f"gave up after {TRANSIENT_RETRIES} retries" in given_up.message


def test_the_backoff_is_capped_at_15_minutes():
    assert max(backoff_seconds(20) for _ in range(200)) <= 900


@pytest.mark.django_db
def test_a_revoked_authorisation_flags_the_integration_for_the_seller():
    integration = IntegrationFactory()
    outcome_of(AuthorisationRevoked(), integration_id=integration.pk)
    integration.refresh_from_db()
    assert integration.authorisation_state == Integration.AuthorisationState.NEEDS_REAUTHORISATION
    assert "click Reauthorise" in integration.authorisation_problem
