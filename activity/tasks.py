"""Daily housekeeping for the activity log and the 365-day authorisation lapse."""

from __future__ import annotations

from celery import shared_task

from activity.services import authorisations_lapse, runs_purge_old


@shared_task
def activity_purge_old_runs() -> int:
    """Beat, daily: delete runs older than 90 days."""
    return runs_purge_old()


@shared_task
def authorisations_mark_lapsed() -> int:
    """Beat, daily: integrations whose 365-day authorisation ends today need re-authorisation."""
    return len(authorisations_lapse())
