"""One eligibility rule, read two ways: the reason for one integration, and the database filter beat uses."""

from __future__ import annotations

import pytest
from django.utils import timezone

from channels.eligibility import Work, eligible, may, why_not
from channels.models import Integration
from channels.tests.factories import IntegrationFactory

pytestmark = pytest.mark.django_db

AWAITING = Integration.AuthorisationState.AWAITING
NEEDS = Integration.AuthorisationState.NEEDS_REAUTHORISATION

# (integration fields, why it may not download orders, why it may not send stock); None: it may.
TABLE = [
    ({}, None, None),
    ({"removed_at": "now"}, "the integration was removed", "the integration was removed"),
    ({"authorisation_state": NEEDS}, "it needs re-authorisation", "it needs re-authorisation"),
    ({"authorisation_state": AWAITING}, "it is not authorised yet", "it is not authorised yet"),
    ({"enabled": False}, "it is disabled", "it is disabled"),
    ({"stock_updates_enabled": False}, None, "stock updates are switched off"),
    ({"enabled": False, "stock_updates_enabled": False}, "it is disabled", "it is disabled"),
    ({"removed_at": "now", "authorisation_state": NEEDS}, "the integration was removed", "the integration was removed"),
    ({"authorisation_state": NEEDS, "enabled": False}, "it needs re-authorisation", "it needs re-authorisation"),
]


def _integration(fields: dict) -> Integration:
    values = {name: timezone.now() if value == "now" else value for name, value in fields.items()}
    return IntegrationFactory(**values)


@pytest.mark.parametrize(("fields", "orders", "stock"), TABLE, ids=[str(row[0]) or "fine" for row in TABLE])
def test_the_reason_says_why_an_integration_may_not_do_the_work(fields, orders, stock):
    integration = _integration(fields)
    for work, expected in ((Work.ORDERS, orders), (Work.STOCK, stock)):
        reason = why_not(integration, work)
        if expected is None:
            assert reason is None and may(integration, work)
        else:
            assert reason.startswith(expected) and not may(integration, work)


def test_the_database_filter_picks_exactly_the_integrations_the_reasons_let_through():
    integrations = [_integration(fields) for fields, _, _ in TABLE]
    for work in Work:
        expected = {integration.pk for integration in integrations if may(integration, work)}
        assert set(eligible(work).values_list("pk", flat=True)) == expected


def test_the_filter_narrows_a_given_queryset():
    mine, other = IntegrationFactory(), IntegrationFactory()
    assert list(eligible(Work.ORDERS, among=Integration.objects.filter(pk=mine.pk))) == [mine]
    assert other in eligible(Work.ORDERS)
