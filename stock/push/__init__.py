"""Pushing stock and prices to Amazon: marking listings pending, planning, the bulk and fast lanes, tracking."""
