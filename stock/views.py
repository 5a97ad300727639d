"""Settings → an integration's listing mappings: list and search, add, remove, CSV upload and download, auto-map;
and why a mapped listing shows its quantity."""

from __future__ import annotations

import csv
from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.template.backends.utils import csrf_input
from django.template.defaultfilters import pluralize
from django.urls import reverse

from accounts.csv_cells import csv_cells_protected
from accounts.jinja2_pages import page_part
from accounts.tenancy import get_for_seller_or_404
from channels.decorators import integration_view
from channels.listings import channel_skus_seen
from channels.models import Integration
from stock import selectors, services, tasks
from stock.forms import MappingForm, MappingUploadForm
from stock.models import ListingMapping, MappingUpload
from stock.push import explain
from stock.push.selectors import listing_push_statuses_and_errors

PAGE_SIZE = 100
PUSH_ERRORS_SHOWN = 50


def _list_url(integration: Integration) -> str:
    return reverse("mappings:list", args=[integration.pk])


# The mappings table's columns: a page shows a hundred rows, read as plain values rather than three model instances
# each, and a template reads a dictionary's keys several times faster than attributes through relations.
_ROW_COLUMNS = {
    "pk": "pk",
    "channel_sku": "channel_sku",
    "price": "price",
    "product_sku": "product__sku",
    "title": "product__title",
    "supplier": "product__supplier__name",
    "quantity": "product__quantity",
    "quantity_as_of": "product__quantity_as_of",
    "product_price": "product__price",
}


def _links(name: str, integration: Integration) -> Callable[[int], str]:
    """`reverse(name, args=[integration.pk, mapping_id])` for a page of mapping ids: reversed once, each id put in
    place of the 0 (reversing each of a page's two hundred links took longer than rendering their rows)."""
    prefix, suffix = reverse(name, args=[integration.pk, 0]).rsplit("/0/", 1)
    return lambda mapping_id: f"{prefix}/{mapping_id}/{suffix}"


def _rows(mappings, integration: Integration, statuses: dict) -> list[dict]:
    """The mappings table's rows, with each one's push status and links."""
    explain_url, remove_url = _links("mappings:explain", integration), _links("mappings:remove", integration)
    rows = []
    for values in mappings:
        row = {name: values[column] for name, column in _ROW_COLUMNS.items()}
        row["advertised"] = selectors.quantity_to_advertise_on(
            integration=integration, product_quantity=row["quantity"]
        )
        status = statuses.get(row["channel_sku"])
        row["status"] = status and {
            "sentence": status.sentence,
            "problem": status.unknown_sku or bool(status.error),
            "limited_by": status.limited_by,
        }
        row["explain_url"], row["remove_url"] = explain_url(row["pk"]), remove_url(row["pk"])
        rows.append(row)
    return rows


def _render_list(
    request: HttpRequest,
    integration: Integration,
    *,
    form: MappingForm | None = None,
    upload_form: MappingUploadForm | None = None,
    csv_errors: list[services.RowError] | None = None,
    status: int = 200,
) -> HttpResponse:
    search = request.GET.get("q", "")
    mappings = selectors.mappings_search(integration=integration, search=search).values(*_ROW_COLUMNS.values())
    page = Paginator(mappings, PAGE_SIZE).get_page(request.GET.get("page"))
    statuses, push_errors = listing_push_statuses_and_errors(
        integration=integration, channel_skus=[mapping["channel_sku"] for mapping in page.object_list]
    )
    rows_html = page_part(
        "stock/_mapping_rows.html",
        {
            "rows": _rows(page.object_list, integration, statuses),
            "stock_updates_enabled": integration.stock_updates_enabled,
            "currency": integration.marketplace.currency,
            # Every row's remove form carries the same hidden CSRF field: made once rather than in each row.
            "csrf_input": csrf_input(request),
        },
    )
    context = {
        "integration": integration,
        "page": page,
        "rows_html": rows_html,
        "push_errors": push_errors[:PUSH_ERRORS_SHOWN],
        "push_errors_count": len(push_errors),
        "search": search,
        "currency": integration.marketplace.currency,
        # "Map this SKU" on an order links here with ?channel_sku=: the add form starts with it.
        "form": form or MappingForm(initial={"channel_sku": request.GET.get("channel_sku", "")[:200]}),
        "upload_form": upload_form or MappingUploadForm(),
        "csv_errors": csv_errors or [],
        "upload": selectors.mapping_upload_latest(integration=integration),
    }
    return render(request, "stock/mapping_list.html", context, status=status)


@integration_view("GET")
def mapping_list(request: HttpRequest, integration: Integration) -> HttpResponse:
    return _render_list(request, integration)


@integration_view("POST")
def mapping_add(request: HttpRequest, integration: Integration) -> HttpResponse:
    form = MappingForm(request.POST)
    if form.is_valid():
        try:
            mapping = services.mapping_create(
                integration=integration,
                channel_sku=form.cleaned_data["channel_sku"],
                product=form.cleaned_data["product_sku"],
                price=form.cleaned_data["price"],
            )
        except ValidationError as error:
            form.add_error("channel_sku", error)
        else:
            messages.success(request, f"{mapping.channel_sku} is now mapped to {mapping.product.sku}.")
            return redirect(_list_url(integration))
    return _render_list(request, integration, form=form, status=400)


@integration_view("POST")
def mapping_remove(request: HttpRequest, integration: Integration, mapping_id: int) -> HttpResponse:
    mapping = get_for_seller_or_404(
        request, ListingMapping.objects.for_integration(integration).select_related("integration"), pk=mapping_id
    )
    services.mapping_remove(mapping=mapping)
    messages.info(request, f"{mapping.channel_sku} is no longer mapped.")
    return redirect(_list_url(integration))


@integration_view("POST")
def mapping_upload(request: HttpRequest, integration: Integration) -> HttpResponse:
    form = MappingUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _render_list(request, integration, upload_form=form, status=400)
    upload = form.cleaned_data["file"]
    try:
        outcome = services.mappings_upload(integration=integration, data=upload.read(), file_name=upload.name)
    except services.CsvInvalid as invalid:
        messages.error(request, "Nothing was imported: fix the rows listed below and upload the whole file again.")
        return _render_list(request, integration, upload_form=form, csv_errors=invalid.errors, status=400)
    except services.UploadInProgress as busy:
        messages.error(
            request,
            f"Nothing was imported: “{busy.upload.file_name}” is still being applied "
            f"({busy.upload.rows_applied:,} of {busy.upload.rows_total:,} rows). Upload again once it has finished.",
        )
        return _render_list(request, integration, upload_form=form, status=409)
    if isinstance(outcome, MappingUpload):
        tasks.apply_mapping_upload.delay_on_commit(outcome.pk)
        messages.info(
            request,
            f"“{outcome.file_name}” passed the checks. Its {outcome.rows_total:,} rows are being applied now; "
            "this page shows how far it has got.",
        )
    else:
        messages.success(
            request,
            f"Imported: {outcome.created} new mapping{pluralize(outcome.created)}, {outcome.changed} changed, "
            f"{outcome.unchanged} already so.",
        )
    return redirect(_list_url(integration))


@integration_view("GET")
def mapping_upload_status(request: HttpRequest, integration: Integration) -> JsonResponse:
    """Polled by the mappings page while a large upload is being applied."""
    upload = selectors.mapping_upload_latest(integration=integration)
    if upload is None:
        return JsonResponse({"active": False})
    return JsonResponse(
        {
            "active": upload.is_active,
            "status": upload.status,
            "rows_total": upload.rows_total,
            "rows_applied": upload.rows_applied,
            "percent": upload.percent_applied,
        }
    )


class _Echo:
    def write(self, value: str) -> str:
        return value


@integration_view("GET")
def mapping_download(request: HttpRequest, integration: Integration) -> StreamingHttpResponse:
    writer = csv.writer(_Echo())
    rows = (writer.writerow(csv_cells_protected(row)) for row in selectors.mappings_csv_rows(integration=integration))
    response = StreamingHttpResponse(rows, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="mappings-{integration.pk}.csv"'
    return response


@integration_view("GET", "POST")
def auto_map(request: HttpRequest, integration: Integration) -> HttpResponse:
    if request.method == "POST":
        try:
            created = services.mappings_auto_map_apply(
                integration=integration, fingerprint=request.POST.get("fingerprint", "")
            )
        except services.AutoMapChanged:
            messages.warning(request, "The listings to map changed since you looked; check the new list and confirm.")
            return redirect(reverse("mappings:auto_map", args=[integration.pk]))
        messages.success(request, f"Auto-map created {created} mapping{pluralize(created)}.")
        return redirect(_list_url(integration))
    candidates = selectors.auto_map_candidates(integration=integration)
    context = {
        "integration": integration,
        "candidates": candidates,
        "fingerprint": selectors.auto_map_fingerprint(candidates),
        # Before the first download there is nothing to look at: say so rather than "nothing to auto-map".
        "orders_seen": bool(candidates) or bool(channel_skus_seen(integration_id=integration.pk)),
    }
    return render(request, "stock/auto_map.html", context)


@integration_view("GET")
def listing_explain(request: HttpRequest, integration: Integration, mapping_id: int) -> HttpResponse:
    mappings = ListingMapping.objects.for_integration(integration).select_related("product__supplier")
    mapping = get_for_seller_or_404(request, mappings, pk=mapping_id)
    mapping.integration = integration
    return render(
        request,
        "stock/listing_explain.html",
        {
            "integration": integration,
            "mapping": mapping,
            "chain": explain.quantity_chain(mapping=mapping),
            "price": explain.price_in_force(mapping),
        },
    )
