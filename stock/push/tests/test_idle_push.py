"""Idle stock work costs next to nothing per integration: push_stock and the drain find the busy ones in one query."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from stock.push import sending
from stock.push.drain import stock_push_drain

pytestmark = pytest.mark.django_db


def _settled(connect, listing, count: int, start: int) -> list:
    integrations = []
    for index in range(start, start + count):
        integration = connect(selling_partner_id=f"AIDLE{index:09d}")
        listing(integration, "AMZ-1")
        sending.integration_push_until_settled(integration_id=integration.pk, timeout=20, poll_seconds=0.02)
        integrations.append(integration)
    return integrations


def _queries(call) -> int:
    with CaptureQueriesContext(connection) as queries:
        call()
    return len(queries)


def test_push_stock_spends_at_most_two_queries_per_integration_with_nothing_pending(sim, connect, listing):
    integrations = _settled(connect, listing, 2, start=0)
    few = _queries(lambda: call_command("push_stock"))
    integrations += _settled(connect, listing, 4, start=2)

    many = _queries(lambda: call_command("push_stock"))

    assert sending.integrations_with_work(among=[each.pk for each in integrations]) == []
    assert (many - few) / 4 <= 2, (few, many)


def test_the_drain_costs_the_same_however_many_integrations_are_idle(sim, connect, listing):
    _settled(connect, listing, 1, start=10)
    few = _queries(stock_push_drain)
    _settled(connect, listing, 3, start=11)

    assert _queries(stock_push_drain) == few
