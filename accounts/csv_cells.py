"""Spreadsheet formula protection for the CSV files sellers download, and for reading them back.

A cell starting with =, +, -, @, a tab or a carriage return is a formula to a spreadsheet (OWASP "CSV
injection"): such a cell is written with a leading apostrophe, which spreadsheets show as text. Cells that
start with apostrophes before one of those characters get one more, so that removing exactly one apostrophe
from every cell that starts with apostrophes before one of them gives back what was written.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

FORMULA_START = re.compile(r"'*[=+\-@\t\r]")
PROTECTED_START = re.compile(r"'+[=+\-@\t\r]")


def csv_cells_protected(row: Iterable[str]) -> list[str]:
    """The row as written to a downloaded CSV file."""
    return [f"'{cell}" if FORMULA_START.match(cell) else cell for cell in row]


def csv_cell_unprotected(cell: str) -> str:
    """A cell of an uploaded CSV file as it was before `csv_cells_protected`."""
    return cell[1:] if PROTECTED_START.match(cell) else cell
