"""What can go wrong when talking to Amazon, classified by what the caller should do next."""

from __future__ import annotations


class AmazonError(Exception):
    """Base class; `.message` is a plain sentence a seller or an operator can act on."""

    default_message = "Amazon could not complete the request."

    def __init__(self, message: str | None = None, *, status: int | None = None, code: str | None = None) -> None:
        self.message = message or self.default_message
        self.status = status
        self.code = code
        super().__init__(self.message)


class Throttled(AmazonError):
    """Amazon (a 429) or our own rate limit says: not now. Retry after `retry_after` seconds."""

    def __init__(
        self,
        message: str | None = None,
        *,
        retry_after: float,
        status: int | None = None,
        code: str | None = None,
        rate_limit: float | None = None,
    ) -> None:
        self.retry_after = max(0.0, retry_after)
        # Amazon's x-amzn-RateLimit-Limit on the 429, when sent: the rate to slow down to.
        self.rate_limit = rate_limit
        default = f"Amazon asked us to slow down; we will try again in {self.retry_after:.0f} seconds."
        super().__init__(message or default, status=status, code=code)


class TransientError(AmazonError):
    """5xx, timeouts and connection errors: worth retrying later with backoff."""

    default_message = "Amazon is not answering properly at the moment; we will try again shortly."


class AuthorisationRevoked(AmazonError):
    """The seller's authorisation no longer works: nothing retries until the seller re-authorises."""

    default_message = (
        "Amazon no longer accepts this integration's authorisation: click Reauthorise on the integration's page "
        "to connect it again."
    )


class AppCredentialsInvalid(AmazonError):
    """Amazon rejected the app's own LWA credentials: every integration is paused until ops fix them."""

    default_message = (
        "Avasam's connection to Amazon is paused while we fix a problem on our side. You do not need to do anything."
    )


class PermanentError(AmazonError):
    """Any other 4xx: the request itself is wrong; retrying it unchanged will not help."""


class AccessDenied(AmazonError):
    """A 403 from SP-API. The gateway refreshes the access token once; if it persists it is AuthorisationRevoked."""

    default_message = "Amazon refused access to this seller account."


def error_for_status(
    status: int, *, code: str | None = None, detail: str | None = None, rate_limit: float | None = None
) -> AmazonError:
    """Classify an SP-API error response by its HTTP status (and Amazon's error code, if any)."""
    if status == 429:
        # The gateway replaces retry_after with its own full-jitter backoff.
        return Throttled(retry_after=0, status=status, code=code, rate_limit=rate_limit)
    if status >= 500:
        return TransientError(status=status, code=code)
    if status in (401, 403):
        return AccessDenied(status=status, code=code)
    return PermanentError(_rejected_message(detail), status=status, code=code)


def error_for_document_status(status: int) -> AmazonError:
    """Classify a failed upload/download of a feed document (a presigned S3 URL, not SP-API)."""
    if status == 429 or status >= 500:
        return TransientError(status=status)
    # A 403 here means the presigned URL expired, not that the seller's authorisation is gone.
    return PermanentError(_rejected_message("the feed document could not be transferred"), status=status)


def _rejected_message(detail: str | None) -> str:
    if detail:
        return f"Amazon rejected the request: {detail.rstrip('.')}."
    return "Amazon rejected the request."
