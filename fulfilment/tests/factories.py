"""Dispatches (due to ship, or with a refused parcel) for tests that need fulfilment rows without a download."""

from __future__ import annotations

from django.utils import timezone

from fulfilment.models import Dispatch, DispatchLine, Parcel, ParcelLine, ParcelState
from stock.tests.factories import ProductFactory


def dispatch_of(order, *, product, **fields) -> Dispatch:
    """A dispatch of `order` (an orders.Order) to `product`'s supplier, in the order's seller's account."""
    return Dispatch.objects.create(
        account_id=order.integration.account_id,
        amazon_order_id=order.amazon_order_id,
        supplier=product.supplier,
        order=order,
        marketplace_id=order.marketplace_id,
        ordered_at=order.purchased_at,
        updated_at=timezone.now(),
        **fields,
    )


def dispatch_to_ship(order, *, ship_by, shipped: int = 0) -> Dispatch:
    """A dispatch of `order` due by `ship_by`, with one line of two units, `shipped` of them already shipped."""
    product = ProductFactory()
    dispatch = dispatch_of(order, product=product, ship_by=ship_by)
    DispatchLine.objects.create(
        dispatch=dispatch, order_item_id="1", product=product, sku=product.sku, quantity=2, quantity_shipped=shipped
    )
    return dispatch


def refused_parcel(order, *, product=None) -> Parcel:
    """A parcel of `order` (an orders.Order) that Amazon refused, on a dispatch of the order's seller."""
    product = product or ProductFactory()
    now = timezone.now()
    dispatch = dispatch_of(order, product=product, status="shipped", closed_at=now)
    line = DispatchLine.objects.create(
        dispatch=dispatch, order_item_id="1", product=product, sku=product.sku, quantity=1, quantity_shipped=1
    )
    parcel = Parcel.objects.create(
        dispatch=dispatch,
        carrier="DPD",
        carrier_code="DPD",
        tracking_number="T1",
        ship_date=now,
        state=ParcelState.REFUSED,
        refusal_reason="Amazon rejected the request.",
    )
    ParcelLine.objects.create(parcel=parcel, dispatch_line=line, quantity=1)
    return parcel
