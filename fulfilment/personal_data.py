"""Amazon's Data Protection Policy: a recipient's name, address and phone go once the dispatch is closed."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings

from fulfilment.models import Dispatch


def personal_data_wipe(*, now) -> str:
    """Wipe the recipient of dispatches shipped or cancelled FULFILMENT_PERSONAL_DATA_DAYS ago (0 = all closed)."""
    days = settings.FULFILMENT_PERSONAL_DATA_DAYS
    wiped = Dispatch.objects.filter(
        closed_at__lte=now - timedelta(days=days), personal_data_wiped_at__isnull=True
    ).update(recipient_data="", personal_data_wiped_at=now, updated_at=now)
    return f"Wiped the recipient's personal data of {wiped} dispatches shipped or cancelled over {days} days ago."
