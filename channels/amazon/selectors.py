"""Reads for Amazon-wide state."""

from __future__ import annotations

from channels.amazon.models import AppCredentialsPause


def app_credentials_paused() -> bool:
    """True while ops have not yet cleared an invalid_client pause."""
    return AppCredentialsPause.objects.exists()
