"""`{{ moment|when }}`: the one way pages show a date and time ("6 Dec 2026, 14:05 BST"), in the seller's zone."""

from __future__ import annotations

from datetime import datetime

from django import template
from django.utils import timezone

register = template.Library()


@register.filter
def when(moment: datetime | None, precision: str = "") -> str:
    """`|when`, or `|when:"s"` with seconds; the zone is the one the request activated (the seller's)."""
    if moment is None:
        return ""
    local = timezone.localtime(moment)
    clock = "%H:%M:%S" if precision == "s" else "%H:%M"
    return f"{local.day} {local:%b %Y}, {local.strftime(clock)} {local.tzname()}"
