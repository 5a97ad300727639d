"""Parcels reported by suppliers (API or admin): all or nothing, each new parcel confirmed to Amazon once.

A parcel is identified by its dispatch and tracking number: the same parcel again is `unchanged`; the same
dispatch and tracking number with other lines or another carrier is refused (it was reported differently).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from fulfilment.dispatches import dispatch_status
from fulfilment.models import CLOSED_STATUSES, Dispatch, DispatchLine, Parcel, ParcelLine, ParcelState
from fulfilment.schemas import ShipmentIn
from fulfilment.tasks import confirm_shipments_of_integration
from stock.batches import Batch, ItemError, SupplierRequestInvalid
from stock.models import Supplier

UNKNOWN_DISPATCH = "unknown dispatch: no dispatch of yours has this dispatch_id."
LINE_CANCELLED = "the line is cancelled: {sku} was cancelled on Amazon, do not ship it."
NOT_ON_DISPATCH = "the SKU {sku} is not on this dispatch."
TOO_MANY = "more than the quantity still to ship of {sku}: {left} left to ship."
SKU_TWICE = "the SKU {sku} is in the parcel more than once; send each line once with its quantity."
REPORTED_DIFFERENTLY = (
    "the parcel was already reported differently: this dispatch and tracking number were sent before with other "
    "lines or another carrier."
)
SAME_PARCEL_TWICE = "this dispatch and tracking number are in the request more than once."


@dataclass
class ShipmentsResult:
    received: int
    created: int = 0
    unchanged: int = 0

    def as_dict(self) -> dict[str, int]:
        return {"received": self.received, "created": self.created, "unchanged": self.unchanged}


def shipments_record(*, supplier: Supplier, shipments: Batch[ShipmentIn] | list[Any]) -> ShipmentsResult:
    """Record a batch of parcels all-or-nothing, and have the new ones confirmed to Amazon after the commit.

    1. Validate every item (unless the API already has); collect every error.
    2. Lock the supplier's dispatches of the batch, in primary-key order (queued, never deadlocked), with lines.
    3. Check each parcel against its dispatch: known, lines on it and not cancelled, quantities still to ship
       (counting the batch's earlier parcels), and an already reported parcel the same.
    4. Insert the parcels and their lines, update the dispatch lines and the dispatches' status.
    """
    batch = shipments if isinstance(shipments, Batch) else Batch.of(ShipmentIn, shipments, noun="shipments")
    errors = [ItemError(error.index, _dispatch_id(batch.raw[error.index]), error.reason) for error in batch.errors]
    result = ShipmentsResult(received=len(batch))
    with transaction.atomic():
        dispatch_ids = {item.dispatch_id for _, item in batch.valid}
        dispatches = Dispatch.objects.filter(supplier=supplier, pk__in=dispatch_ids).order_by("pk")
        dispatches = {
            dispatch.pk: dispatch for dispatch in dispatches.select_related("order").select_for_update(of=("self",))
        }
        lines = _lines_by_dispatch(dispatches)
        held = _parcels_held(dispatches)
        seen: set[tuple[int, str]] = set()
        new: list[tuple[ShipmentIn, Dispatch]] = []
        for index, item in batch.valid:
            reasons = _reasons(item, dispatches, lines, held, seen)
            errors.extend(ItemError(index, item.dispatch_id, reason) for reason in reasons)
            if reasons:
                continue
            if (item.dispatch_id, item.tracking_number) in held:
                result.unchanged += 1
            else:
                new.append((item, dispatches[item.dispatch_id]))
                for line in item.lines:  # later parcels of the batch see these units as shipped
                    lines[item.dispatch_id][line.sku].quantity_shipped += line.quantity
        if errors:
            raise SupplierRequestInvalid(errors, key_name="dispatch_id")
        if new:
            _save(new, lines)
            integration_ids = {dispatch.order.integration_id for _, dispatch in new if dispatch.order_id}
            transaction.on_commit(lambda: _confirm_soon(integration_ids))
            result.created = len(new)
    return result


def _dispatch_id(raw: Any) -> int | None:
    value = raw.get("dispatch_id") if isinstance(raw, dict) else None
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _lines_by_dispatch(dispatches: dict[int, Dispatch]) -> dict[int, dict[str, DispatchLine]]:
    lines: dict[int, dict[str, DispatchLine]] = {pk: {} for pk in dispatches}
    for line in DispatchLine.objects.filter(dispatch_id__in=dispatches):
        lines[line.dispatch_id][line.sku] = line
    return lines


def _parcels_held(dispatches: dict[int, Dispatch]) -> dict[tuple[int, str], tuple[str, dict[str, int]]]:
    """(dispatch, tracking number) -> (carrier, {sku: quantity}) of the parcels already reported."""
    held: dict[tuple[int, str], tuple[str, dict[str, int]]] = {}
    parcel_lines = ParcelLine.objects.filter(parcel__dispatch_id__in=dispatches).values_list(
        "parcel__dispatch_id", "parcel__tracking_number", "parcel__carrier", "dispatch_line__sku", "quantity"
    )
    for dispatch_id, tracking, carrier, sku, quantity in parcel_lines:
        held.setdefault((dispatch_id, tracking), (carrier, {}))[1][sku] = quantity
    return held


def _reasons(item: ShipmentIn, dispatches, lines, held, seen) -> list[str]:
    if item.dispatch_id not in dispatches:
        return [UNKNOWN_DISPATCH]  # another supplier's dispatch gets the very same answer
    key = (item.dispatch_id, item.tracking_number)
    if key in seen:
        return [SAME_PARCEL_TWICE]
    seen.add(key)
    sent = Counter()
    for line in item.lines:
        sent[line.sku] += 1
    repeated = [SKU_TWICE.format(sku=sku) for sku, times in sent.items() if times > 1]
    if repeated:
        return repeated
    if key in held:
        carrier, quantities = held[key]
        same = carrier == item.carrier and quantities == {line.sku: line.quantity for line in item.lines}
        return [] if same else [REPORTED_DIFFERENTLY]
    reasons = []
    on_dispatch = lines[item.dispatch_id]
    for line in item.lines:
        held_line = on_dispatch.get(line.sku)
        if held_line is None:
            reasons.append(NOT_ON_DISPATCH.format(sku=line.sku))
        elif held_line.quantity_cancelled >= held_line.quantity:
            reasons.append(LINE_CANCELLED.format(sku=line.sku))
        elif line.quantity > held_line.quantity_to_ship:
            reasons.append(TOO_MANY.format(sku=line.sku, left=held_line.quantity_to_ship))
    return reasons


def _save(new: list[tuple[ShipmentIn, Dispatch]], lines: dict[int, dict[str, DispatchLine]]) -> None:
    now = timezone.now()
    parcels = Parcel.objects.bulk_create(
        [
            Parcel(
                dispatch=dispatch,
                carrier=item.carrier,
                tracking_number=item.tracking_number,
                ship_date=item.ship_date,
                shipping_method=item.shipping_method or "",
                next_attempt_at=now,
            )
            for item, dispatch in new
        ]
    )
    ParcelLine.objects.bulk_create(
        [
            ParcelLine(parcel=parcel, dispatch_line=lines[item.dispatch_id][line.sku], quantity=line.quantity)
            for parcel, (item, _) in zip(parcels, new, strict=True)
            for line in item.lines
        ]
    )
    touched = {dispatch.pk: dispatch for _, dispatch in new}
    changed_lines = [line for pk in touched for line in lines[pk].values()]
    DispatchLine.objects.bulk_update(changed_lines, ["quantity_shipped"])
    for dispatch in touched.values():
        dispatch.status = dispatch_status(lines[dispatch.pk].values())
        dispatch.closed_at = (dispatch.closed_at or now) if dispatch.status in CLOSED_STATUSES else None
        dispatch.updated_at = now
    Dispatch.objects.bulk_update(list(touched.values()), ["status", "closed_at", "updated_at"])


def _confirm_soon(integration_ids: set[int]) -> None:
    for integration_id in integration_ids:
        confirm_shipments_of_integration.delay(integration_id)


def parcel_retry(*, parcel: Parcel) -> None:
    """The seller's Retry of a refused parcel: pending again, confirmed at the next pass (enqueued after commit)."""
    updated = Parcel.objects.filter(pk=parcel.pk, state=ParcelState.REFUSED).update(
        state=ParcelState.PENDING, next_attempt_at=timezone.now(), failures=0
    )
    integration_id = parcel.dispatch.order.integration_id if parcel.dispatch.order_id else None
    if updated and integration_id:
        transaction.on_commit(lambda: confirm_shipments_of_integration.delay(integration_id))
