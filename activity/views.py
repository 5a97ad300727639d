"""Seller pages: an integration's activity log and health, analytics (its own and the total), "why this quantity"."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import render
from django.utils import timezone

from accounts.tenancy import get_for_seller_or_404, seller_required
from activity import charts, explain, selectors
from activity.analytics import analytics_for
from activity.forms import PeriodForm
from channels.decorators import integration_view
from channels.models import Integration
from orders.models import OrderKind

RUNS_PER_PAGE = 25
KIND_LABELS = {kind.value: kind.label for kind in OrderKind}


@integration_view("GET")
def integration_activity(request: HttpRequest, integration: Integration) -> HttpResponse:
    health = selectors.integration_health_for(integration=integration)
    runs = Paginator(selectors.runs_for_integration(integration_id=integration.pk), RUNS_PER_PAGE)
    return render(
        request,
        "activity/integration_activity.html",
        {"integration": integration, "health": health, "page": runs.get_page(request.GET.get("page"))},
    )


def _analytics_context(request: HttpRequest, integrations) -> dict:
    form = PeriodForm(request.GET or None)
    start, end = form.period(timezone.now().date())
    analytics = analytics_for(integrations=integrations, start=start, end=end)
    many = len(analytics.series) > 1
    order_lines = [(s.label, s.orders) for s in analytics.series] if many else [("Orders", analytics.orders)]
    if many:
        order_lines.append(("All integrations", analytics.orders))
    revenue_charts = []
    for currency, values in analytics.revenue.items():
        lines = [(s.label, s.revenue[currency]) for s in analytics.series if currency in s.revenue]
        if len(lines) > 1:
            lines.append(("All integrations", values))
        revenue_charts.append(
            (
                currency,
                charts.line_chart(days=analytics.days, series=lines, title=f"Revenue per day ({currency})", money=True),
            )
        )
    shares = analytics.shares
    return {
        "form": form,
        "analytics": analytics,
        "orders_chart": charts.line_chart(days=analytics.days, series=order_lines, title="Orders per day"),
        "revenue_charts": revenue_charts,
        "share_chart": charts.share_bar(shares, KIND_LABELS),
        "shares": [(KIND_LABELS[kind], analytics.kinds[kind], shares[kind]) for kind in shares],
    }


@integration_view("GET")
def integration_analytics(request: HttpRequest, integration: Integration) -> HttpResponse:
    context = _analytics_context(request, [integration])
    return render(request, "activity/analytics.html", {**context, "integration": integration})


@seller_required
def analytics_total(request: HttpRequest) -> HttpResponse:
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET"])
    # Removed integrations too: each keeps its own series (a re-created one is a new integration, a new series).
    integrations = Integration.objects.for_account(request.seller_account).defer("refresh_token").order_by("pk")
    return render(request, "activity/analytics.html", _analytics_context(request, integrations))


@integration_view("GET")
def listing_explain(request: HttpRequest, integration: Integration, mapping_id: int) -> HttpResponse:
    from stock.models import ListingMapping

    mappings = ListingMapping.objects.for_integration(integration).select_related("product__supplier")
    mapping = get_for_seller_or_404(request, mappings, pk=mapping_id)
    mapping.integration = integration
    chain = explain.quantity_chain(mapping=mapping)
    return render(
        request,
        "activity/listing_explain.html",
        {
            "integration": integration,
            "mapping": mapping,
            "chain": chain,
            "price": explain.price_in_force(mapping),
        },
    )
