"""Parcels confirmed to Amazon with confirmShipment, exactly once, through the order's live integration.

Exactly once under crashes: an integration's parcels are confirmed by one process at a time, which holds the
integration's confirmation lane while it lives (channels.holding), and a parcel is marked `sending` in a committed
row before the call. So a parcel found `sending` by the next holder was left by a dead one (or its answer was
lost): it, like one whose earlier attempt got no clear answer, is first looked for among the packages Amazon
holds for the order (getOrder with PACKAGES); only when it is not there is it sent again.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from channels.amazon.carriers import carrier_for
from channels.amazon.errors import AmazonError
from channels.amazon.gateway import AmazonGateway, gateway_for
from channels.amazon.outcomes import outcome_of
from channels.amazon.types import ShipmentConfirmation, ShipmentLine
from channels.holding import hold, unheld
from channels.models import Integration
from fulfilment.models import Parcel, ParcelState

logger = logging.getLogger(__name__)

CONFIRM_LANE = "fulfilment-confirm"


@dataclass
class ConfirmRun:
    """What one pass over an integration's parcels did."""

    confirmed: int = 0
    refused: int = 0
    waiting: int = 0  # to be tried again later (throttled, Amazon unavailable)
    retry_after: float | None = None  # the soonest a waiting parcel is due
    problems: list[str] = field(default_factory=list)

    def summary(self, integration: Integration) -> str:
        counts = f"{self.confirmed} confirmed, {self.refused} refused, {self.waiting} waiting"
        text = f"{integration} ({integration.pk}): {counts}"
        return text + (f" ({self.problems[-1]})" if self.problems else "")


def parcels_due(*, integration_id: int, now=None, include_waiting: bool = False):
    """The integration's parcels to confirm now, for the holder of its confirmation lane: pending ones whose time
    has come, and `sending` ones (only a holder sends, so those were left by a dead one)."""
    now = now or timezone.now()
    due = Q(state=ParcelState.PENDING) if include_waiting else Q(state=ParcelState.PENDING, next_attempt_at__lte=now)
    return Parcel.objects.filter(due | Q(state=ParcelState.SENDING)).filter(
        dispatch__order__integration_id=integration_id
    )


def integration_ids_with_parcels_due(now=None) -> list[int]:
    """Integrations with parcels due that no live process is confirming (a dead one's `sending` parcels count)."""
    now = now or timezone.now()
    due = Q(state=ParcelState.PENDING, next_attempt_at__lte=now) | Q(state=ParcelState.SENDING)
    integration_ids = sorted(
        set(
            Parcel.objects.filter(due)
            .exclude(dispatch__order__isnull=True)
            .values_list("dispatch__order__integration_id", flat=True)
        )
    )
    return unheld(CONFIRM_LANE, integration_ids)


def parcels_confirm(
    *, integration: Integration, include_waiting: bool = False, wait: bool = False, wait_for_holder: float = 0.0
) -> ConfirmRun:
    """Confirm the integration's due parcels, one call each; stops at the first throttling (the rest wait). Nothing
    when a live process is confirming them (after waiting up to `wait_for_holder` seconds for it)."""
    with hold(integration.pk, CONFIRM_LANE, wait=wait_for_holder) as held:
        if not held:
            return ConfirmRun()
        return _parcels_confirm(integration=integration, include_waiting=include_waiting, wait=wait)


def _parcels_confirm(*, integration: Integration, include_waiting: bool, wait: bool) -> ConfirmRun:
    run = ConfirmRun()
    parcel_ids = list(
        parcels_due(integration_id=integration.pk, include_waiting=include_waiting)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    if not parcel_ids:
        return run
    with gateway_for(integration, wait_for_rate_limit=wait) as gateway:
        for parcel_id in parcel_ids:
            outcome = parcel_confirm(parcel_id=parcel_id, integration=integration, gateway=gateway)
            if outcome is None:
                continue
            if outcome.state == ParcelState.CONFIRMED:
                run.confirmed += 1
            elif outcome.state == ParcelState.REFUSED:
                run.refused += 1
                run.problems.append(outcome.message)
            else:
                run.waiting += 1
                run.problems.append(outcome.message)
                run.retry_after = min(run.retry_after or outcome.retry_after, outcome.retry_after)
                if outcome.stop:
                    run.waiting += len(parcel_ids) - parcel_ids.index(parcel_id) - 1
                    break
    return run


@dataclass(frozen=True)
class ParcelOutcome:
    state: str
    message: str = ""
    retry_after: float = 0.0
    stop: bool = False  # nothing more should be sent to this seller now (throttled, authorisation, ...)


def parcel_confirm(*, parcel_id: int, integration: Integration, gateway: AmazonGateway) -> ParcelOutcome | None:
    """Confirm one parcel (None when another worker holds it or it is no longer due)."""
    parcel = _claim(parcel_id)
    if parcel is None:
        return None
    amazon_order_id = parcel.dispatch.amazon_order_id
    try:
        if parcel.attempts > 1 and str(parcel.pk) in gateway.order_package_reference_ids(amazon_order_id):
            logger.info("Parcel %s was already on Amazon (an earlier attempt's answer was lost)", parcel.pk)
        else:
            gateway.confirm_shipment(amazon_order_id, shipment_confirmation(parcel))
    except AmazonError as error:
        return _failed(parcel, integration, error)
    _record(parcel, state=ParcelState.CONFIRMED, confirmed_at=timezone.now(), refusal_reason="", failures=0)
    return ParcelOutcome(ParcelState.CONFIRMED)


def _claim(parcel_id: int) -> Parcel | None:
    """Mark the parcel `sending` and commit, so a crash from here on is found and checked before any re-send."""
    now = timezone.now()
    with transaction.atomic():
        parcel = (
            Parcel.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("dispatch")
            .filter(pk=parcel_id, state__in=[ParcelState.PENDING, ParcelState.SENDING])
            .first()
        )
        if parcel is None:
            return None
        parcel.state, parcel.sending_since, parcel.attempts = ParcelState.SENDING, now, parcel.attempts + 1
        parcel.save(update_fields=["state", "sending_since", "attempts"])
    return parcel


def shipment_confirmation(parcel: Parcel) -> ShipmentConfirmation:
    carrier_code, carrier_name = carrier_for(parcel.carrier)
    lines = parcel.lines.select_related("dispatch_line").order_by("pk")
    return ShipmentConfirmation(
        package_reference_id=str(parcel.pk),
        carrier_code=carrier_code,
        carrier_name=carrier_name,
        tracking_number=parcel.tracking_number,
        ship_date=parcel.ship_date,
        shipping_method=parcel.shipping_method or None,
        lines=tuple(ShipmentLine(line.dispatch_line.order_item_id, line.quantity) for line in lines),
    )


def _failed(parcel: Parcel, integration: Integration, error: AmazonError) -> ParcelOutcome:
    outcome = outcome_of(error, integration_id=integration.pk, failures=parcel.failures)
    if outcome.retries:
        # Throttled: Amazon did nothing, the parcel is simply pending again. Unavailable: the answer is unknown,
        # so the next attempt (attempts > 1) asks Amazon for its packages first.
        _record(
            parcel,
            state=ParcelState.PENDING,
            next_attempt_at=timezone.now() + timedelta(seconds=outcome.retry_after),
            failures=outcome.failures,
            attempts=parcel.attempts - 1 if outcome.deferred else parcel.attempts,
        )
        return ParcelOutcome(ParcelState.PENDING, outcome.message, outcome.retry_after, stop=outcome.deferred)
    if outcome.stopped:  # the seller must re-authorise (or ops fix the app): the parcel waits for that
        _record(parcel, state=ParcelState.PENDING, next_attempt_at=timezone.now() + timedelta(hours=1))
        return ParcelOutcome(ParcelState.PENDING, outcome.message, 3600.0, stop=True)
    _record(parcel, state=ParcelState.REFUSED, refusal_reason=outcome.message[:1000])
    logger.warning("Amazon refused parcel %s of integration %s: %s", parcel.pk, integration.pk, outcome.message)
    return ParcelOutcome(ParcelState.REFUSED, outcome.message)


def _record(parcel: Parcel, **values) -> None:
    for name, value in values.items():
        setattr(parcel, name, value)
    parcel.save(update_fields=list(values))
