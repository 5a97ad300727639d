"""Writes for integrations."""

from __future__ import annotations

from channels.models import Integration


def integration_mark_needs_reauthorisation(*, integration_id: int, problem: str) -> None:
    """Amazon no longer accepts this integration's authorisation: stop calling until the seller re-authorises."""
    Integration.objects.filter(pk=integration_id).update(
        authorisation_state=Integration.AuthorisationState.NEEDS_REAUTHORISATION,
        authorisation_problem=problem[:300],
    )
