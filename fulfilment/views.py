"""The seller's Retry of a parcel Amazon refused (from the order page)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from accounts.tenancy import get_for_seller_or_404, seller_required
from fulfilment.models import Parcel, ParcelState
from fulfilment.shipments import parcel_retry
from orders.models import Order


@seller_required
def parcel_retry_view(request: HttpRequest, order_id: int, parcel_id: int) -> HttpResponse:
    order = get_for_seller_or_404(request, Order, pk=order_id)
    parcel = get_for_seller_or_404(
        request,
        Parcel.objects.select_related("dispatch__order"),
        pk=parcel_id,
        dispatch__amazon_order_id=order.amazon_order_id,
    )
    if request.method != "POST":  # after the lookups: another seller's parcel is a 404 whatever the method
        return HttpResponse(status=405, headers={"Allow": "POST"})
    if parcel.state == ParcelState.REFUSED:
        parcel_retry(parcel=parcel)
        messages.success(request, f"Parcel {parcel.tracking_number} will be confirmed on Amazon again shortly.")
    return redirect("orders:detail", order_id=order.pk)
