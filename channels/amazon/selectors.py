"""Reads for Amazon-wide state."""

from __future__ import annotations

import time

from django.conf import settings

from channels.amazon.models import AppCredentialsPause

# (paused, until when this process may trust it): every Amazon call asks, so one query per call adds up at scale.
_pause_seen: tuple[bool, float] = (False, 0.0)


def app_credentials_paused() -> bool:
    """True while ops have not yet cleared an invalid_client pause (as seen at most a few seconds ago)."""
    global _pause_seen
    paused, fresh_until = _pause_seen
    now = time.monotonic()
    if now < fresh_until:
        return paused
    paused = AppCredentialsPause.objects.exists()
    _pause_seen = (paused, now + settings.AMAZON_APP_CREDENTIALS_PAUSE_CHECK_SECONDS)
    return paused


def app_credentials_pause_forget() -> None:
    """Ask the database on the next check (this process paused or resumed the app's credentials)."""
    global _pause_seen
    _pause_seen = (False, 0.0)
