"""Seller pages that read across the apps: the home page (the seller's day) and an integration's activity log."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from accounts.tenancy import seller_required
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


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """`/`: a seller's day; ops staff without a seller account go to the admin."""
    user = request.user
    if user.is_authenticated and user.is_staff and getattr(request, "seller_account", None) is None:
        return redirect("admin:index")
    return _seller_home(request)


@seller_required
def _seller_home(request: HttpRequest) -> HttpResponse:
    day = selectors.seller_day(account=request.seller_account)
    return render(request, "dashboard/home.html", {"day": day})
