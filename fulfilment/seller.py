"""The seller's view of fulfilment on the order pages: each line's state, the filter, the at-risk and late marks.

A line is cancelled (all its units), refused by Amazon (a parcel of it), waiting for the supplier (units still
to ship), confirmed on Amazon (every parcel of it), or shipped (a parcel not yet confirmed). An order matches a
state when any of its lines is in it. At risk: ship-by within 24 hours and a line still to ship; late: past it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone

from fulfilment.models import DispatchLine, Parcel, ParcelState
from orders.extensions import OrderPagesExtension
from orders.models import Order

AT_RISK_WITHIN = timedelta(hours=24)

STATES = [
    ("waiting", "Waiting for the supplier"),
    ("shipped", "Shipped"),
    ("confirmed", "Confirmed on Amazon"),
    ("refused", "Refused by Amazon"),
    ("cancelled", "Cancelled"),
    ("at_risk", "At risk"),
    ("late", "Late"),
]

_TO_SHIP = Q(quantity__gt=F("quantity_cancelled") + F("quantity_shipped"))
_UNCONFIRMED = Q(parcel_lines__parcel__state__in=[ParcelState.PENDING, ParcelState.SENDING])


def _line_conditions(now) -> dict[str, Q]:
    return {
        "waiting": _TO_SHIP,
        "shipped": _UNCONFIRMED,
        "confirmed": Q(parcel_lines__parcel__state=ParcelState.CONFIRMED),
        "refused": Q(parcel_lines__parcel__state=ParcelState.REFUSED),
        "cancelled": Q(quantity_cancelled__gte=F("quantity")),
        "at_risk": _TO_SHIP & Q(dispatch__ship_by__gte=now, dispatch__ship_by__lt=now + AT_RISK_WITHIN),
        "late": _TO_SHIP & Q(dispatch__ship_by__lt=now),
    }


def _lines_of_order():
    """The dispatch lines of the outer order's Amazon order, in its seller's account."""
    return DispatchLine.objects.filter(
        dispatch__account_id=OuterRef("integration__account_id"),
        dispatch__amazon_order_id=OuterRef("amazon_order_id"),
    )


def orders_in_state(orders: QuerySet, state: str) -> QuerySet:
    return orders.filter(Exists(_lines_of_order().filter(_line_conditions(timezone.now())[state])))


def orders_with_ship_marks(orders: QuerySet) -> QuerySet:
    conditions = _line_conditions(timezone.now())
    return orders.annotate(
        ship_late=Exists(_lines_of_order().filter(conditions["late"])),
        ship_at_risk=Exists(_lines_of_order().filter(conditions["at_risk"])),
    )


def shipping_deadline_counts(orders: QuerySet) -> dict[str, int]:
    """How many of `orders` are at risk and late, each Amazon order once: one query (the seller's home page)."""
    marked = orders_with_ship_marks(orders.order_by())
    return marked.aggregate(
        at_risk=Count("amazon_order_id", distinct=True, filter=Q(ship_at_risk=True)),
        late=Count("amazon_order_id", distinct=True, filter=Q(ship_late=True)),
    )


@dataclass(frozen=True)
class LineFulfilment:
    state: str
    label: str
    line: DispatchLine
    parcels: list[Parcel]


def line_state(line: DispatchLine, parcels: list[Parcel]) -> str:
    if line.quantity_cancelled >= line.quantity:
        return "cancelled"
    if any(parcel.state == ParcelState.REFUSED for parcel in parcels):
        return "refused"
    if line.quantity_to_ship:
        return "waiting"
    if parcels and all(parcel.state == ParcelState.CONFIRMED for parcel in parcels):
        return "confirmed"
    return "shipped"


def order_fulfilment(order: Order) -> tuple[str, dict]:
    """The order page's fulfilment part: per Amazon order item id, its line's state and parcels; the recipient.

    Three queries whatever the order's size: the dispatch lines with their dispatch, the parcels, their lines.
    """
    lines = list(
        DispatchLine.objects.filter(
            dispatch__account_id=order.integration.account_id, dispatch__amazon_order_id=order.amazon_order_id
        ).select_related("dispatch", "dispatch__supplier")
    )
    parcels_by_line: dict[int, list[Parcel]] = {line.pk: [] for line in lines}
    parcels = Parcel.objects.filter(dispatch_id__in={line.dispatch_id for line in lines}).prefetch_related("lines")
    for parcel in parcels:
        for parcel_line in parcel.lines.all():
            parcels_by_line.get(parcel_line.dispatch_line_id, []).append(parcel)
    labels = dict(STATES)
    by_item = {}
    for line in lines:
        state = line_state(line, parcels_by_line[line.pk])
        by_item[line.order_item_id] = LineFulfilment(state, labels[state], line, parcels_by_line[line.pk])
    dispatches = {line.dispatch_id: line.dispatch for line in lines}
    recipient = next((dispatch.recipient for dispatch in dispatches.values() if dispatch.recipient), None)
    return "fulfilment/order_fulfilment.html", {
        "lines": [by_item[item] for item in sorted(by_item)],
        "recipient": recipient,
        "dispatches": list(dispatches.values()),
        "personal_data_days": settings.FULFILMENT_PERSONAL_DATA_DAYS,
    }


EXTENSION = OrderPagesExtension(
    filter_name="fulfilment",
    filter_label="Fulfilment",
    filter_choices=STATES,
    filter=orders_in_state,
    annotate=orders_with_ship_marks,
    detail=order_fulfilment,
)
