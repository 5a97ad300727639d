"""The rule "is this supplier update newer than what we hold" (stock.rules.stock_update_outcome), shared by stock
updates and product upserts: from a table, and as properties over thousands of examples."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stock.rules import StockOutcome, stock_update_outcome

T0 = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)
APPLY, REPLAY, OUT_OF_ORDER = StockOutcome.APPLY, StockOutcome.REPLAY, StockOutcome.OUT_OF_ORDER


@pytest.mark.parametrize(
    ("quantity", "as_of", "held_quantity", "held_as_of", "outcome"),
    [
        pytest.param(7, T0, None, None, APPLY, id="first-ever"),
        pytest.param(7, T0, 5, T0 - timedelta(seconds=1), APPLY, id="newer"),
        pytest.param(5, T0, 5, T0 - timedelta(seconds=1), APPLY, id="newer-same-quantity"),
        pytest.param(7, T0, 7, T0, REPLAY, id="replay"),
        pytest.param(8, T0, 7, T0, OUT_OF_ORDER, id="same-moment-other-quantity"),
        pytest.param(7, T0 - timedelta(seconds=1), 5, T0, OUT_OF_ORDER, id="older"),
        pytest.param(5, T0 - timedelta(seconds=1), 5, T0, OUT_OF_ORDER, id="older-same-quantity"),
    ],
)
def test_the_outcome_of_an_update(quantity, as_of, held_quantity, held_as_of, outcome):
    assert stock_update_outcome(quantity=quantity, as_of=as_of, held_quantity=held_quantity, held_as_of=held_as_of) is (
        outcome
    )


MANY = settings(max_examples=2000, deadline=None)
quantities = st.integers(min_value=0, max_value=2_147_483_647)
zones = st.integers(min_value=-14 * 60, max_value=14 * 60).map(lambda minutes: timezone(timedelta(minutes=minutes)))
moments = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
)  # aware instants


def apply(held: tuple[int | None, datetime | None], update: tuple[int, datetime]) -> tuple:
    """Fold one update into the held (quantity, as_of), as both services do."""
    outcome = stock_update_outcome(quantity=update[0], as_of=update[1], held_quantity=held[0], held_as_of=held[1])
    return update if outcome is APPLY else held


@MANY
@given(quantity=quantities, as_of=moments)
def test_a_replay_changes_nothing(quantity, as_of):
    assert stock_update_outcome(quantity=quantity, as_of=as_of, held_quantity=quantity, held_as_of=as_of) is REPLAY


@MANY
@given(
    quantity=quantities,
    held_quantity=quantities,
    as_of=moments,
    earlier=st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=3650)),
)
def test_an_update_not_newer_than_the_held_one_never_applies(quantity, held_quantity, as_of, earlier):
    outcome = stock_update_outcome(
        quantity=quantity, as_of=as_of - earlier, held_quantity=held_quantity, held_as_of=as_of
    )
    assert outcome is not APPLY


@MANY
@given(
    quantity=quantities,
    held_quantity=st.none() | quantities,
    as_of=moments,
    later=st.timedeltas(min_value=timedelta(microseconds=1), max_value=timedelta(days=3650)),
)
def test_a_newer_update_always_applies(quantity, held_quantity, as_of, later):
    assert (
        stock_update_outcome(quantity=quantity, as_of=as_of + later, held_quantity=held_quantity, held_as_of=as_of)
        is APPLY
    )


@MANY
@given(quantity=quantities, held_quantity=quantities, as_of=moments, held_as_of=moments, zone=zones, held_zone=zones)
def test_the_outcome_depends_on_instants_not_on_the_time_zones_they_are_written_in(
    quantity, held_quantity, as_of, held_as_of, zone, held_zone
):
    in_utc = stock_update_outcome(quantity=quantity, as_of=as_of, held_quantity=held_quantity, held_as_of=held_as_of)
    elsewhere = stock_update_outcome(
        quantity=quantity,
        as_of=as_of.astimezone(zone),
        held_quantity=held_quantity,
        held_as_of=held_as_of.astimezone(held_zone),
    )
    assert in_utc is elsewhere


@MANY
@given(updates=st.lists(st.tuples(quantities, moments), min_size=1, max_size=6, unique_by=lambda update: update[1]))
def test_updates_arriving_in_any_order_leave_the_newest(updates):
    newest = max(updates, key=lambda update: update[1])
    for order in itertools.islice(itertools.permutations(updates), 50):
        held = (None, None)
        for update in order:
            held = apply(held, update)
        assert held == newest


@MANY
@given(updates=st.lists(st.tuples(quantities, moments), min_size=1, max_size=8))
def test_sending_a_batch_twice_changes_nothing_the_second_time(updates):
    held = (None, None)
    for update in updates:
        held = apply(held, update)
    again = held
    for update in updates:
        again = apply(again, update)
    assert again == held
