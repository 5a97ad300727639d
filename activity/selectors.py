"""Reads of the activity log."""

from __future__ import annotations

from activity.models import Run, RunQuerySet


def runs_for_integration(*, integration_id: int) -> RunQuerySet:
    """The integration's runs, newest first (paginated by the view)."""
    return Run.objects.for_integration(integration_id).order_by("-started_at", "-pk")
