"""Which orders are Avasam orders, and what the integration's additional settings do with them.

Pure: no ORM, so the table in the order download issue can be tested row by row.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

AVASAM = "avasam"
NON_AVASAM = "non_avasam"
MIXED = "mixed"


@dataclass(frozen=True)
class Classification:
    """What to do with one order: its kind, and which of its lines (by index) to keep."""

    kind: str
    imported: bool
    kept_lines: tuple[int, ...]


def order_kind(*, fulfilled_by_amazon: bool, lines_mapped: Sequence[bool]) -> str:
    """Avasam when every line is mapped, non-Avasam when none is, mixed otherwise; FBA is never Avasam."""
    if fulfilled_by_amazon or not any(lines_mapped):
        return NON_AVASAM
    return AVASAM if all(lines_mapped) else MIXED


def classify_order(
    *,
    fulfilled_by_amazon: bool,
    lines_mapped: Sequence[bool],
    exclude_non_avasam_orders: bool,
    split_orders_with_unknown_skus: bool,
) -> Classification:
    """Apply the additional settings to one order.

    1. Kind from the lines (FBA orders count as having no mapped line).
    2. Exclude non-Avasam orders: only Avasam orders are imported.
    3. Split orders with unknown SKUs: a mixed order keeps only its mapped lines, which makes it Avasam.
    4. Otherwise the order is imported whole.
    """
    if exclude_non_avasam_orders and split_orders_with_unknown_skus:
        raise ValueError("Exclude non-Avasam orders and split orders with unknown SKUs cannot both be on.")
    every_line = tuple(range(len(lines_mapped)))
    kind = order_kind(fulfilled_by_amazon=fulfilled_by_amazon, lines_mapped=lines_mapped)
    if exclude_non_avasam_orders and kind != AVASAM:
        return Classification(kind=kind, imported=False, kept_lines=())
    if split_orders_with_unknown_skus and kind == MIXED:
        mapped = tuple(index for index, is_mapped in enumerate(lines_mapped) if is_mapped)
        return Classification(kind=AVASAM, imported=True, kept_lines=mapped)
    return Classification(kind=kind, imported=True, kept_lines=every_line)
