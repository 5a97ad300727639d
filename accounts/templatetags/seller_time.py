"""`{{ moment|when }}`: the one way pages show a date and time ("6 Dec 2026, 14:05 BST"), in the seller's zone."""

from __future__ import annotations

from datetime import datetime

from django import template
from django.utils import timezone

register = template.Library()

# strftime's %b in the C locale, which Python keeps unless told otherwise. Formatted by hand: a page shows a hundred
# of these, and strftime parsing its format each time was half of the filter's cost.
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@register.filter
def when(moment: datetime | None, precision: str = "") -> str:
    """`|when`, or `|when:"s"` with seconds; the zone is the one the request activated (the seller's)."""
    if moment is None:
        return ""
    local = timezone.localtime(moment)
    seconds = f":{local.second:02d}" if precision == "s" else ""
    clock = f"{local.hour:02d}:{local.minute:02d}{seconds}"
    return f"{local.day} {_MONTHS[local.month - 1]} {local.year}, {clock} {local.tzname()}"
