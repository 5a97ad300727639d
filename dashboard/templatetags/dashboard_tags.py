"""Template tags for other apps' pages: integration health and recent runs (channels' list and integration page)."""

from __future__ import annotations

from django import template

from activity.selectors import runs_for_integration
from dashboard import selectors

register = template.Library()

RECENT_RUNS = 5


@register.simple_tag
def integrations_health(integrations):
    """{% integrations_health integrations as health %}: health per integration id, in a constant number of queries."""
    return selectors.integrations_health(integrations=integrations)


@register.inclusion_tag("dashboard/_health.html")
def integration_health_panel(integration, health=None):
    """{% integration_health_panel integration %}: the integration's health, with the fixing actions."""
    health = health or selectors.integration_health_for(integration=integration)
    return {"integration": integration, "health": health, "full": True}


# The list's own row already says these (its authorisation and stock-updates warnings, and the switch).
SHOWN_BY_THE_LIST = {"authorisation_rejected", "not_authorised", "stock_updates_off", "disabled"}


@register.inclusion_tag("dashboard/_health_row.html")
def integration_health_row(integration, health_by_id: dict):
    """{% integration_health_row integration health_by_id %}: the facts in one line and the other problems."""
    health = health_by_id.get(integration.pk)
    problems = [p for p in health.problems if p.kind not in SHOWN_BY_THE_LIST] if health else []
    return {"integration": integration, "health": health, "problems": problems}


@register.inclusion_tag("dashboard/_recent_runs.html")
def recent_runs(integration):
    """{% recent_runs integration %}: the last few runs and a link to the full activity log."""
    runs = list(runs_for_integration(integration_id=integration.pk)[:RECENT_RUNS])
    return {"integration": integration, "runs": runs, "compact": True}
