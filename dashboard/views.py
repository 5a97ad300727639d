"""Seller pages that read across the apps: an integration's activity log with its health."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from activity.selectors import runs_for_integration
from channels.decorators import integration_view
from channels.models import Integration
from dashboard import selectors

RUNS_PER_PAGE = 25


@integration_view("GET")
def integration_activity(request: HttpRequest, integration: Integration) -> HttpResponse:
    health = selectors.integration_health_for(integration=integration)
    runs = Paginator(runs_for_integration(integration_id=integration.pk), RUNS_PER_PAGE)
    return render(
        request,
        "dashboard/integration_activity.html",
        {"integration": integration, "health": health, "page": runs.get_page(request.GET.get("page"))},
    )
