"""Seller pages: analytics of one integration's orders, and of all the seller's integrations together."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import render
from django.utils import timezone

from accounts.tenancy import seller_required
from channels.decorators import integration_view
from channels.models import Integration
from orders import charts
from orders.analytics import analytics_for
from orders.forms import PeriodForm
from orders.models import OrderKind

KIND_LABELS = {kind.value: kind.label for kind in OrderKind}


def _analytics_context(request: HttpRequest, integrations) -> dict:
    form = PeriodForm(request.GET or None)
    start, end = form.period(timezone.now().date())
    analytics = analytics_for(integrations=integrations, start=start, end=end)
    many = len(analytics.series) > 1
    # Each integration keeps one colour on every chart, whichever currencies it sells in.
    colour = {s.integration_id: charts.colour_for(position) for position, s in enumerate(analytics.series)}
    if many:
        order_lines = [(s.label, s.orders) for s in analytics.series] + [("All integrations", analytics.orders)]
        order_colours = [colour[s.integration_id] for s in analytics.series] + [charts.TOTAL_COLOUR]
    else:
        # One integration: the legend still names it, as its revenue chart does.
        label = analytics.series[0].label if analytics.series else "Orders"
        order_lines, order_colours = [(label, analytics.orders)], None
    revenue_charts = []
    for currency, values in analytics.revenue.items():
        selling = [s for s in analytics.series if currency in s.revenue]
        lines = [(s.label, s.revenue[currency]) for s in selling]
        colours = [colour[s.integration_id] for s in selling]
        if len(lines) > 1:
            lines.append(("All integrations", values))
            colours.append(charts.TOTAL_COLOUR)
        title = f"Revenue per day ({currency})"
        chart = charts.line_chart(days=analytics.days, series=lines, title=title, money=True, colours=colours)
        revenue_charts.append((currency, chart))
    shares = analytics.shares
    return {
        "form": form,
        "analytics": analytics,
        "orders_chart": charts.line_chart(
            days=analytics.days, series=order_lines, title="Orders per day", colours=order_colours
        ),
        "revenue_charts": revenue_charts,
        "share_chart": charts.share_bar(shares, KIND_LABELS),
        "shares": [(KIND_LABELS[kind], analytics.kinds[kind], shares[kind]) for kind in shares],
    }


@integration_view("GET")
def integration_analytics(request: HttpRequest, integration: Integration) -> HttpResponse:
    context = _analytics_context(request, [integration])
    return render(request, "orders/analytics.html", {**context, "integration": integration})


@seller_required
def analytics_total(request: HttpRequest) -> HttpResponse:
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET"])
    # Removed integrations too: each keeps its own series (a re-created one is a new integration, a new series).
    integrations = Integration.objects.for_account(request.seller_account).defer("refresh_token").order_by("pk")
    return render(request, "orders/analytics.html", _analytics_context(request, integrations))
