"""Daily housekeeping of the activity log."""

from __future__ import annotations

from celery import shared_task

from activity.services import runs_purge_old


@shared_task
def activity_purge_old_runs() -> int:
    """Beat, daily: delete runs older than 90 days."""
    return runs_purge_old()
