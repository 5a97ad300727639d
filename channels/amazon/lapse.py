"""Amazon wants a seller to re-authorise an app every 365 days: when that is, the warnings before it, and
marking the integrations whose day has come."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.utils import timezone

from channels.models import Integration
from channels.services import integration_mark_needs_reauthorisation

logger = logging.getLogger(__name__)

AUTHORISATION_LIFETIME = timedelta(days=365)
# Warn from these many days before the lapse (each threshold is a step up in urgency).
LAPSE_WARNING_DAYS = (30, 7, 1)


@dataclass(frozen=True)
class LapseWarning:
    lapse_date: date
    days_left: int  # 0 or less: lapsed
    threshold: int  # the warning step reached: 30, 7, 1, or 0 when lapsed


def reauthorisation_lapse_date(authorised_at: datetime) -> date:
    """The day Amazon stops accepting an authorisation given at `authorised_at` (UTC dates)."""
    return (authorised_at + AUTHORISATION_LIFETIME).date()


def lapse_warning(*, authorised_at: datetime | None, now: datetime) -> LapseWarning | None:
    """The warning due today, if any: from 30, 7 and 1 days before the lapse, and on or after the day itself."""
    if authorised_at is None:
        return None
    lapse_date = reauthorisation_lapse_date(authorised_at)
    days_left = (lapse_date - now.date()).days
    if days_left <= 0:
        return LapseWarning(lapse_date, days_left, 0)
    reached = [days for days in LAPSE_WARNING_DAYS if days_left <= days]
    if not reached:
        return None
    return LapseWarning(lapse_date, days_left, min(reached))


def authorisations_lapse(*, now: datetime | None = None) -> list[int]:
    """Mark as needing re-authorisation every authorised integration whose 365 days are up (on the day itself)."""
    now = now or timezone.now()
    # Lapsed on the UTC date authorised_at + 365 days, at any time that day.
    start_of_tomorrow = datetime.combine(now.date() + timedelta(days=1), datetime.min.time(), tzinfo=now.tzinfo)
    lapsed = (
        Integration.objects.active()
        .filter(
            authorisation_state=Integration.AuthorisationState.AUTHORISED,
            authorised_at__lt=start_of_tomorrow - AUTHORISATION_LIFETIME,
        )
        .values_list("pk", "authorised_at")
    )
    marked = []
    for integration_id, authorised_at in lapsed:
        lapse_day = reauthorisation_lapse_date(authorised_at)
        integration_mark_needs_reauthorisation(
            integration_id=integration_id,
            problem=f"The authorisation lapsed on {lapse_day.day} {lapse_day:%B %Y}: Amazon wants it every 365 days.",
        )
        logger.info("integration %s: authorisation lapsed after 365 days", integration_id)
        marked.append(integration_id)
    return marked
