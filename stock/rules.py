"""The stock rule: what a listing advertises on Amazon. Pure arithmetic, no ORM."""

from __future__ import annotations


def quantity_to_advertise(
    available_quantity: int | None, *, stock_threshold: int, max_quantity_to_advertise: int
) -> int:
    """0 at or below the threshold or when unknown; else the quantity, capped by the maximum when it is on."""
    if available_quantity is None or available_quantity <= stock_threshold or available_quantity <= 0:
        return 0
    if max_quantity_to_advertise > 0:
        return min(available_quantity, max_quantity_to_advertise)
    return available_quantity
