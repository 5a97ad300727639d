"""Daily: integrations whose 365-day Amazon authorisation ends today need re-authorisation."""

from __future__ import annotations

from celery import shared_task

from channels.amazon.lapse import authorisations_lapse


@shared_task
def authorisations_mark_lapsed() -> int:
    """Beat, daily: integrations whose 365-day authorisation ends today need re-authorisation."""
    return len(authorisations_lapse())
