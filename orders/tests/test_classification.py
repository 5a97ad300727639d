"""The order classification and the additional settings' table, row by row and as properties."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from orders.classification import AVASAM, MIXED, NON_AVASAM, classify_order, order_kind

ALL_MAPPED = [True, True]
NONE_MAPPED = [False, False]
SOME_MAPPED = [True, False]


@pytest.mark.parametrize(
    ("exclude", "split", "lines_mapped", "imported", "kind", "kept"),
    [
        # exclude off, split off: everything imported whole
        (False, False, ALL_MAPPED, True, AVASAM, (0, 1)),
        (False, False, NONE_MAPPED, True, NON_AVASAM, (0, 1)),
        (False, False, SOME_MAPPED, True, MIXED, (0, 1)),
        # exclude on: only Avasam orders
        (True, False, ALL_MAPPED, True, AVASAM, (0, 1)),
        (True, False, NONE_MAPPED, False, NON_AVASAM, ()),
        (True, False, SOME_MAPPED, False, MIXED, ()),
        # split on: a mixed order keeps its mapped lines only
        (False, True, ALL_MAPPED, True, AVASAM, (0, 1)),
        (False, True, NONE_MAPPED, True, NON_AVASAM, (0, 1)),
        (False, True, SOME_MAPPED, True, AVASAM, (0,)),
    ],
)
def test_the_additional_settings_table_holds(exclude, split, lines_mapped, imported, kind, kept):
    decision = classify_order(
        fulfilled_by_amazon=False,
        lines_mapped=lines_mapped,
        exclude_non_avasam_orders=exclude,
        split_orders_with_unknown_skus=split,
    )
    assert (decision.imported, decision.kind, decision.kept_lines) == (imported, kind, kept)


def test_split_keeps_the_mapped_lines_wherever_they_are():
    decision = classify_order(
        fulfilled_by_amazon=False,
        lines_mapped=[False, True, False, True],
        exclude_non_avasam_orders=False,
        split_orders_with_unknown_skus=True,
    )
    assert decision.kept_lines == (1, 3)


def test_both_settings_on_is_refused():
    with pytest.raises(ValueError, match="cannot both be on"):
        classify_order(
            fulfilled_by_amazon=False,
            lines_mapped=ALL_MAPPED,
            exclude_non_avasam_orders=True,
            split_orders_with_unknown_skus=True,
        )


@pytest.mark.parametrize(
    ("lines_mapped", "kind"),
    [([True], AVASAM), ([False], NON_AVASAM), ([True, False], MIXED), ([], NON_AVASAM)],
)
def test_order_kind_follows_the_mapped_lines(lines_mapped, kind):
    assert order_kind(fulfilled_by_amazon=False, lines_mapped=lines_mapped) == kind


settings_combinations = st.sampled_from([(False, False), (True, False), (False, True)])


def _classify(lines_mapped, settings, *, fulfilled_by_amazon=False):
    exclude, split = settings
    return classify_order(
        fulfilled_by_amazon=fulfilled_by_amazon,
        lines_mapped=lines_mapped,
        exclude_non_avasam_orders=exclude,
        split_orders_with_unknown_skus=split,
    )


@given(lines_mapped=st.lists(st.booleans(), max_size=8), settings=settings_combinations)
def test_orders_fulfilled_by_amazon_are_never_avasam(lines_mapped, settings):
    exclude, _ = settings
    decision = _classify(lines_mapped, settings, fulfilled_by_amazon=True)
    assert decision.kind == NON_AVASAM
    assert decision.imported is not exclude
    assert decision.kept_lines == (tuple(range(len(lines_mapped))) if decision.imported else ())


@given(lines_mapped=st.lists(st.booleans(), max_size=8), settings=settings_combinations)
def test_an_imported_order_is_avasam_exactly_when_every_kept_line_is_mapped(lines_mapped, settings):
    exclude, split = settings
    decision = _classify(lines_mapped, settings)
    kept = [lines_mapped[index] for index in decision.kept_lines]
    if decision.imported:
        assert (decision.kind == AVASAM) == (bool(kept) and all(kept))
        assert decision.kind == order_kind(fulfilled_by_amazon=False, lines_mapped=kept)
    # Nothing mapped is ever dropped, and nothing is dropped unless splitting.
    dropped = set(range(len(lines_mapped))) - set(decision.kept_lines)
    if decision.imported:
        assert not any(lines_mapped[index] for index in dropped)
        assert not dropped or split
    # Exclusion imports exactly the Avasam orders.
    if exclude:
        assert decision.imported == (bool(lines_mapped) and all(lines_mapped))
