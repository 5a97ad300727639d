"""What to do after Amazon said no: the one place an Amazon error becomes an outcome.

Downloads, pushes, Verify and the commands all ask `outcome_of(error)` and act on the answer: wait and try
again (throttled), retry with backoff (Amazon unavailable), stop until a person acts (the seller's
authorisation or our app credentials), or give up on this request with Amazon's reason. A revoked
authorisation flags the integration here, so the seller sees "click Reauthorise" whoever noticed.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from channels.amazon.errors import (
    AmazonError,
    AppCredentialsInvalid,
    AuthorisationRevoked,
    Throttled,
    TransientError,
)
from channels.amazon.ratelimit import full_jitter
from channels.services import integration_mark_needs_reauthorisation

# A task retries an unavailable Amazon this many times (with growing waits, about half an hour in all).
TRANSIENT_RETRIES = 6
BACKOFF_BASE_SECONDS = 30
BACKOFF_CAP_SECONDS = 900


class Cause(StrEnum):
    THROTTLED = "throttled"  # Amazon asked us to slow down: not a failure
    UNAVAILABLE = "unavailable"  # 5xx, timeouts, refused connections: worth retrying with backoff
    REVOKED = "revoked"  # the seller's authorisation no longer works
    APP_PAUSED = "app_paused"  # Amazon refused our own app credentials: every integration waits for ops
    REJECTED = "rejected"  # Amazon refused this request; sending it again unchanged will not help


@dataclass(frozen=True)
class Outcome:
    cause: Cause
    message: str  # a plain sentence for the seller or operator
    retry_after: float | None = None  # seconds until trying again is worthwhile; None: not by itself
    failures: int = 0  # unavailable answers so far, this one included (for the next backoff)

    @property
    def deferred(self) -> bool:
        """Throttling postpones the work; it is not a failure."""
        return self.cause is Cause.THROTTLED

    @property
    def stopped(self) -> bool:
        """Nothing more can be sent until the seller re-authorises or ops fix the app credentials."""
        return self.cause in (Cause.REVOKED, Cause.APP_PAUSED)

    @property
    def retries(self) -> bool:
        return self.retry_after is not None


def backoff_seconds(failures: int) -> float:
    """Full-jitter exponential backoff: up to 30 s, 60 s, 120 s, ... capped at 15 minutes (at least 1 s)."""
    return max(1.0, full_jitter(failures + 1, base=BACKOFF_BASE_SECONDS, cap=BACKOFF_CAP_SECONDS))


def outcome_of(error: AmazonError, *, integration_id: int | None = None, failures: int = 0) -> Outcome:
    """Classify `error`; `failures` counts the unavailable answers before this one (a task's retries).

    A revoked authorisation marks the integration as needing re-authorisation (idempotent).
    """
    if isinstance(error, Throttled):
        return Outcome(Cause.THROTTLED, error.message, retry_after=max(1.0, error.retry_after), failures=failures)
    if isinstance(error, TransientError):
        if failures >= TRANSIENT_RETRIES:
            message = f"{error.message.rstrip('.')} (gave up after {failures} retries)."
            return Outcome(Cause.UNAVAILABLE, message, failures=failures)
        return Outcome(Cause.UNAVAILABLE, error.message, retry_after=backoff_seconds(failures), failures=failures + 1)
    if isinstance(error, AuthorisationRevoked):
        if integration_id is not None:
            integration_mark_needs_reauthorisation(integration_id=integration_id, problem=error.message)
        return Outcome(Cause.REVOKED, error.message)
    if isinstance(error, AppCredentialsInvalid):
        return Outcome(Cause.APP_PAUSED, error.message)
    return Outcome(Cause.REJECTED, error.message)
