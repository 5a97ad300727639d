"""The seller's orders: the list with filters, one order, and the CSV export."""

from __future__ import annotations

import csv

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils.functional import cached_property
from django.views.decorators.http import require_GET

from accounts.csv_cells import csv_cells_protected
from accounts.jinja2_pages import page_part
from accounts.tenancy import get_for_seller_or_404, seller_required
from channels.models import Integration
from orders import extensions, selectors
from orders.forms import OrderFilterForm
from orders.models import Order

ORDERS_PER_PAGE = 50


class _OrderPaginator(Paginator):
    """Pages of orders with their line counts, counted without them."""

    def __init__(self, object_list, per_page, *, counted):
        super().__init__(object_list, per_page)
        self.counted = counted

    @cached_property
    def count(self) -> int:
        return self.counted.count()


@seller_required
@require_GET
def order_list(request: HttpRequest) -> HttpResponse:
    account = request.seller_account
    form = OrderFilterForm(request.GET or None, account=account, statuses=selectors.order_statuses(account=account))
    # A filter that makes no sense shows nothing rather than every order, which would look like its answer.
    filters_invalid = form.is_bound and not form.is_valid()
    orders = Order.objects.none() if filters_invalid else selectors.order_list(account=account, filters=form.filters())
    paginator = _OrderPaginator(selectors.with_line_counts(orders), ORDERS_PER_PAGE, counted=orders)
    page = paginator.get_page(request.GET.get("page"))
    amazon_orders = page.paginator.count and selectors.amazon_order_count(orders)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "orders/order_list.html",
        {
            "form": form,
            "filters_invalid": filters_invalid,
            "page": page,
            "rows_html": page_part("orders/_order_rows.html", {"orders": page.object_list}),
            "amazon_orders": amazon_orders,
            "query": query.urlencode(),
            "export_query": _export_query(form),
        },
    )


def _export_query(form: OrderFilterForm) -> str:
    integration_id = form.filters().integration_id
    return f"?integration={integration_id}" if integration_id else ""


@seller_required
def order_detail(request: HttpRequest, order_id: int) -> HttpResponse:
    order = get_for_seller_or_404(request, Order.objects.select_related("integration"), pk=order_id)
    if request.method != "GET":
        return HttpResponse(status=405, headers={"Allow": "GET"})
    context = {"order": order, "lines": selectors.order_lines(order=order)}
    extension = extensions.extension()
    if extension:
        context["extension_template"], context["extension"] = extension.detail(order)
    return render(request, "orders/order_detail.html", context)


class _Echo:
    def write(self, value: str) -> str:
        return value


@seller_required
@require_GET
def order_export(request: HttpRequest) -> StreamingHttpResponse:
    """One CSV row per order line, streamed; `?integration=<id>` limits it to one of the seller's integrations."""
    integration_id = None
    if request.GET.get("integration"):
        if not request.GET["integration"].isdigit():
            raise Http404
        integrations = Integration.objects.only("pk")
        integration_id = get_for_seller_or_404(request, integrations, pk=int(request.GET["integration"])).pk
    writer = csv.writer(_Echo(), lineterminator="\n")
    rows = selectors.order_export_rows(account=request.seller_account, integration_id=integration_id)

    def stream():
        yield writer.writerow(selectors.EXPORT_HEADER)
        for row in rows:
            yield writer.writerow(csv_cells_protected(row))

    response = StreamingHttpResponse(stream(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="orders.csv"'
    return response
