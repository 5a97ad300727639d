"""The fulfilment operations: suppliers list their dispatches and report the parcels they shipped."""

from __future__ import annotations

import base64
import binascii
from datetime import datetime

from django.db.models import Q
from ninja import Query, Router, Status
from pydantic import BaseModel, ConfigDict, Field

from fulfilment.models import Dispatch, DispatchStatus
from fulfilment.schemas import DispatchesOut, ShipmentsBatchError, ShipmentsIn, ShipmentsOut
from fulfilment.shipments import shipments_record
from stock.api.errors import ErrorOut, operation_details

router = Router(tags=["fulfilment"])

PAGE_SIZE = 100
STATUSES = [status.value for status in DispatchStatus]
SHIPMENTS_RESPONSES = {200: ShipmentsOut, 400: ShipmentsBatchError, 401: ErrorOut, 413: ErrorOut, 429: ErrorOut}
SHIPMENTS_EXAMPLE = {
    "shipments": [
        {
            "dispatch_id": 42,
            "carrier": "Royal Mail",
            "tracking_number": "JD014600003828570123",
            "ship_date": "2026-11-27T10:00:00Z",
            "lines": [{"sku": "MUG-RED-350", "quantity": 1}],
        }
    ]
}
DISPATCHES_RESPONSES = {200: DispatchesOut, 400: ErrorOut, 401: ErrorOut, 429: ErrorOut}


class DispatchFilters(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: str | None = Field(None, description=f"Comma-separated, among {', '.join(STATUSES)}; default all.")
    updated_since: str | None = Field(None, description="ISO 8601 with a time zone: dispatches changed since.")
    cursor: str | None = Field(None, description="The previous page's next_cursor.")


@router.get(
    "/dispatches",
    response=DISPATCHES_RESPONSES,
    operation_id="dispatches_list",
    summary="List what you must ship",
    openapi_extra={"responses": {400: {"description": "A filter or the cursor is not valid."}}},
)
def dispatches(request, filters: Query[DispatchFilters]):
    """Your dispatches, oldest `updated_at` first, 100 a page: each with its lines, recipient and ship-by.

    Poll with `updated_since` (the last `updated_at` you saw) to get new dispatches and changes such as
    cancellations (a line's `quantity_cancelled`).
    """
    unknown = sorted(set(request.GET) - set(DispatchFilters.model_fields))
    if unknown:
        listed = ", ".join(unknown)
        return Status(
            400, {"error": f"Unknown query parameter(s): {listed}; this call takes status, updated_since, cursor."}
        )
    queryset = Dispatch.objects.filter(supplier=request.auth.supplier)
    try:
        queryset = _filtered(queryset, filters)
    except ValueError as problem:
        return Status(400, {"error": str(problem)})
    page = list(
        queryset.select_related("account").prefetch_related("lines").order_by("updated_at", "pk")[: PAGE_SIZE + 1]
    )
    more = len(page) > PAGE_SIZE
    page = page[:PAGE_SIZE]
    return {
        "dispatches": [_dispatch_out(dispatch) for dispatch in page],
        "next_cursor": _cursor_of(page[-1]) if more else None,
    }


def _filtered(queryset, filters: DispatchFilters):
    if filters.status:
        statuses = [status.strip() for status in filters.status.split(",")]
        wrong = [status for status in statuses if status not in STATUSES]
        if wrong:
            raise ValueError(f"status must be among {', '.join(STATUSES)} (comma-separated), not {wrong[0]!r}.")
        queryset = queryset.filter(status__in=statuses)
    if filters.updated_since:
        queryset = queryset.filter(updated_at__gte=_aware(filters.updated_since, "updated_since"))
    if filters.cursor:
        updated_at, pk = _cursor_parse(filters.cursor)
        queryset = queryset.filter(Q(updated_at__gt=updated_at) | Q(updated_at=updated_at, pk__gt=pk))
    return queryset


def _aware(text: str, name: str) -> datetime:
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{name} must be ISO 8601 with a time zone, e.g. 2026-11-27T10:00:00Z.") from None
    if value.tzinfo is None:
        raise ValueError(f"{name} must include a time zone (e.g. a trailing Z for UTC).")
    return value


def _cursor_of(dispatch: Dispatch) -> str:
    return base64.urlsafe_b64encode(f"{dispatch.updated_at.isoformat()}|{dispatch.pk}".encode()).decode()


def _cursor_parse(cursor: str) -> tuple[datetime, int]:
    try:
        updated_at, pk = base64.urlsafe_b64decode(cursor.encode()).decode().split("|")
        return _aware(updated_at, "cursor"), int(pk)
    except (ValueError, binascii.Error, UnicodeError):
        raise ValueError("cursor is not one this API gave: send next_cursor as it came, or leave it out.") from None


def _dispatch_out(dispatch: Dispatch) -> dict:
    return {
        "id": dispatch.pk,
        "amazon_order_id": dispatch.amazon_order_id,
        "marketplace_id": dispatch.marketplace_id,
        "seller": dispatch.account.company,
        "ordered_at": dispatch.ordered_at,
        "ship_by": dispatch.ship_by,
        "status": dispatch.status,
        "updated_at": dispatch.updated_at,
        "recipient": dispatch.recipient,
        "lines": [
            {
                "sku": line.sku,
                "title": line.title,
                "quantity": line.quantity,
                "quantity_shipped": line.quantity_shipped,
                "quantity_cancelled": line.quantity_cancelled,
            }
            for line in dispatch.lines.all()
        ],
    }


@router.post(
    "/shipments",
    response=SHIPMENTS_RESPONSES,
    operation_id="shipments_report",
    summary="Report the parcels you shipped",
    openapi_extra=operation_details(example=SHIPMENTS_EXAMPLE, responses=SHIPMENTS_RESPONSES),
)
def shipments(request, body: ShipmentsIn) -> dict[str, int]:
    """All or nothing: every parcel is checked first, and one bad parcel means a 400 listing every problem.

    A parcel is its dispatch and tracking number: sent again the same, it is `unchanged` (never confirmed to
    Amazon twice); sent again with other lines or another carrier, it is refused. Each new parcel is confirmed
    to Amazon once, in the background.
    """
    return shipments_record(supplier=request.auth.supplier, shipments=body.shipments).as_dict()
