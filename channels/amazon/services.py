"""Writes for Amazon-wide state."""

from __future__ import annotations

import logging

from channels.amazon.models import AppCredentialsPause
from channels.amazon.selectors import app_credentials_pause_forget

logger = logging.getLogger(__name__)


def app_credentials_pause(*, problem: str) -> None:
    """Pause every integration; log one CRITICAL for ops the first time only, not on every worker's call."""
    _pause, created = AppCredentialsPause.objects.get_or_create(singleton=True, defaults={"problem": problem[:300]})
    app_credentials_pause_forget()
    if created:
        logger.critical(
            "Amazon rejected the app's LWA credentials (%s). All Amazon calls are paused: fix AMAZON_LWA_CLIENT_ID / "
            "AMAZON_LWA_CLIENT_SECRET, then delete the 'Amazon app credentials pause' in the admin.",
            problem,
        )


def app_credentials_resume() -> None:
    AppCredentialsPause.objects.all().delete()
    app_credentials_pause_forget()
