"""`|when`: how every page shows a moment, in the seller's zone."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from django.utils import timezone

from accounts.templatetags.seller_time import when


def test_a_moment_reads_as_day_month_year_and_clock_in_the_sellers_zone():
    with timezone.override(ZoneInfo("Europe/London")):
        assert when(datetime(2026, 7, 1, 12, 5, 9, tzinfo=UTC)) == "1 Jul 2026, 13:05 BST"
        assert when(datetime(2026, 12, 6, 14, 5, 9, tzinfo=UTC), "s") == "6 Dec 2026, 14:05:09 GMT"
        assert when(None) == ""


def test_every_month_reads_as_strftime_writes_it():
    with timezone.override(ZoneInfo("Europe/Berlin")):
        for month in range(1, 13):
            moment = datetime(2027, month, 28, 23, 59, 1, tzinfo=UTC)
            local = timezone.localtime(moment)
            assert when(moment) == f"{local.day} {local:%b %Y}, {local:%H:%M} {local.tzname()}"
            assert when(moment, "s") == f"{local.day} {local:%b %Y}, {local:%H:%M:%S} {local.tzname()}"
