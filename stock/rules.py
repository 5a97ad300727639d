"""The stock rules: what a listing advertises on Amazon, and whether a supplier's update is newer. No ORM."""

from __future__ import annotations

from datetime import datetime
from enum import Enum


def quantity_to_advertise(
    available_quantity: int | None, *, stock_threshold: int, max_quantity_to_advertise: int
) -> int:
    """0 at or below the threshold or when unknown; else the quantity, capped by the maximum when it is on."""
    if available_quantity is None or available_quantity <= stock_threshold or available_quantity <= 0:
        return 0
    if max_quantity_to_advertise > 0:
        return min(available_quantity, max_quantity_to_advertise)
    return available_quantity


class StockOutcome(Enum):
    """What a supplier's stock level does to the one we hold for its SKU."""

    APPLY = "apply"  # newer than what we hold (or the first we hear): it becomes the held quantity
    REPLAY = "replay"  # the very update we hold, sent again: nothing to do
    OUT_OF_ORDER = "out_of_order"  # not newer than what we hold: ignored, so a late arrival never wins


def stock_update_outcome(
    *, quantity: int, as_of: datetime, held_quantity: int | None, held_as_of: datetime | None
) -> StockOutcome:
    """Whether a stock level sent for `as_of` is newer than the one held; instants compare, whatever their zones.

    A different quantity for the very moment held loses too: the first one told for a moment stays.
    """
    if held_as_of is None or as_of > held_as_of:
        return StockOutcome.APPLY
    if as_of == held_as_of and quantity == held_quantity:
        return StockOutcome.REPLAY
    return StockOutcome.OUT_OF_ORDER
