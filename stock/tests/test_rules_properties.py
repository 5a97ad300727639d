"""Properties of the stock rule (stock.rules.quantity_to_advertise), checked over thousands of examples."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from stock.rules import quantity_to_advertise

quantities = st.one_of(st.none(), st.integers(min_value=-(10**9), max_value=10**9))
thresholds = st.integers(min_value=0, max_value=10**6)
maximums = st.integers(min_value=0, max_value=10**6)
MANY = settings(max_examples=3000, deadline=None)


@MANY
@given(quantity=quantities, threshold=thresholds, maximum=maximums)
def test_it_never_advertises_a_negative_quantity(quantity, threshold, maximum):
    assert quantity_to_advertise(quantity, stock_threshold=threshold, max_quantity_to_advertise=maximum) >= 0


@MANY
@given(threshold=thresholds, maximum=maximums)
def test_an_unknown_quantity_advertises_zero(threshold, maximum):
    assert quantity_to_advertise(None, stock_threshold=threshold, max_quantity_to_advertise=maximum) == 0


@MANY
@given(data=st.data(), threshold=thresholds, maximum=maximums)
def test_at_or_below_the_threshold_it_advertises_zero(data, threshold, maximum):
    quantity = data.draw(st.integers(min_value=-(10**6), max_value=threshold))
    assert quantity_to_advertise(quantity, stock_threshold=threshold, max_quantity_to_advertise=maximum) == 0


@MANY
@given(data=st.data(), threshold=thresholds)
def test_above_the_threshold_without_a_maximum_it_advertises_the_quantity(data, threshold):
    quantity = data.draw(st.integers(min_value=threshold + 1, max_value=10**9))
    assert quantity_to_advertise(quantity, stock_threshold=threshold, max_quantity_to_advertise=0) == quantity


@MANY
@given(data=st.data(), threshold=thresholds, maximum=st.integers(min_value=1, max_value=10**6))
def test_above_the_threshold_with_a_maximum_it_advertises_the_quantity_capped(data, threshold, maximum):
    quantity = data.draw(st.integers(min_value=threshold + 1, max_value=10**9))
    assert quantity_to_advertise(quantity, stock_threshold=threshold, max_quantity_to_advertise=maximum) == min(
        quantity, maximum
    )


@MANY
@given(quantity=quantities, threshold=thresholds, maximum=maximums)
def test_it_never_advertises_more_than_is_available_or_than_the_maximum(quantity, threshold, maximum):
    advertised = quantity_to_advertise(quantity, stock_threshold=threshold, max_quantity_to_advertise=maximum)
    assert advertised <= max(quantity or 0, 0)
    if maximum > 0:
        assert advertised <= maximum


@MANY
@given(
    quantity=st.integers(min_value=0, max_value=10**6),
    more=st.integers(min_value=0, max_value=10**6),
    threshold=thresholds,
    maximum=maximums,
)
def test_more_stock_never_advertises_less(quantity, more, threshold, maximum):
    rule = {"stock_threshold": threshold, "max_quantity_to_advertise": maximum}
    assert quantity_to_advertise(quantity + more, **rule) >= quantity_to_advertise(quantity, **rule)
