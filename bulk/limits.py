"""What PostgreSQL's columns hold, which input is held to on every database: SQLite (the demo's) would hold more."""

from __future__ import annotations

INTEGER_MAX = 2_147_483_647  # an integer column's largest value
