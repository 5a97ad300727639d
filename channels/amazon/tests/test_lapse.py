"""Marking lapsed authorisations on the day Amazon's 365 days are up."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from channels.amazon.lapse import authorisations_lapse
from channels.models import Integration
from channels.tests.factories import IntegrationFactory

pytestmark = pytest.mark.django_db

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
