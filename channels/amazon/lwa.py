"""Login with Amazon: the token endpoint (code exchange, access tokens) and a per-process access-token cache.

python-amazon-sp-api keeps access tokens in a 10-entry cache keyed by refresh token, so a worker serving more
than ten sellers fetches a new token on nearly every call; ours holds every seller until the token expires.
"""

from __future__ import annotations

import hashlib
import threading
import time
from dataclasses import dataclass
from typing import Any

import httpx
from django.conf import settings

from channels.amazon.errors import (
    AmazonError,
    AppCredentialsInvalid,
    AuthorisationRevoked,
    PermanentError,
    Throttled,
    TransientError,
)
from channels.amazon.services import app_credentials_pause

TIMEOUT = httpx.Timeout(20.0, connect=5.0)
# Renew a little early so a token never expires between the cache lookup and Amazon receiving it.
EXPIRY_MARGIN_SECONDS = 60
DEFAULT_THROTTLE_RETRY_SECONDS = 5.0


@dataclass(frozen=True)
class _CachedToken:
    access_token: str
    expires_at: float  # time.monotonic()


_cache: dict[str, _CachedToken] = {}
_cache_lock = threading.Lock()


def request_tokens(form: dict[str, str]) -> dict[str, Any]:
    """POST a grant to the LWA token URL with the app's credentials; raise a classified error on failure."""
    data = {
        **form,
        "client_id": settings.AMAZON_LWA_CLIENT_ID,
        "client_secret": settings.AMAZON_LWA_CLIENT_SECRET,
    }
    try:
        response = httpx.post(settings.AMAZON_LWA_TOKEN_URL, data=data, timeout=TIMEOUT)
    except httpx.TransportError as error:  # timeouts, refused connections, protocol errors
        raise TransientError() from error
    if response.status_code != 200:
        raise _lwa_error(response)
    try:
        return response.json()
    except ValueError as error:  # a proxy's HTML page with a 200: not Amazon's answer
        raise TransientError(status=response.status_code) from error


def access_token(refresh_token: str) -> str:
    """A valid access token for this refresh token, from the cache when it has one."""
    key = _cache_key(refresh_token)
    cached = _cache.get(key)
    if cached is not None and cached.expires_at > time.monotonic():
        return cached.access_token
    tokens = request_tokens({"grant_type": "refresh_token", "refresh_token": refresh_token})
    if not tokens.get("access_token"):
        raise PermanentError("Amazon's login service answered without an access token.")
    expires_in = float(tokens.get("expires_in") or 3600)
    _store(key, _CachedToken(tokens["access_token"], time.monotonic() + expires_in - EXPIRY_MARGIN_SECONDS))
    return tokens["access_token"]


def forget_access_token(refresh_token: str) -> None:
    """Drop the cached access token so the next call fetches a fresh one (after a 403)."""
    with _cache_lock:
        _cache.pop(_cache_key(refresh_token), None)


def forget_all_access_tokens() -> None:
    """Drop every cached access token (a new Amazon, such as a fresh simulator, knows none of them)."""
    with _cache_lock:
        _cache.clear()


def _store(key: str, token: _CachedToken) -> None:
    now = time.monotonic()
    with _cache_lock:
        for stale in [k for k, v in _cache.items() if v.expires_at <= now]:
            del _cache[stale]
        _cache[key] = token


def _cache_key(refresh_token: str) -> str:
    # Hashed so the secret is never a dict key someone might log; the client id keeps tokens of
    # rotated app credentials apart.
    return hashlib.sha256(f"{settings.AMAZON_LWA_CLIENT_ID}\0{refresh_token}".encode()).hexdigest()


def _lwa_error(response: httpx.Response) -> AmazonError:
    code = _error_code(response)
    status = response.status_code
    if code == "invalid_grant":
        return AuthorisationRevoked(status=status, code=code)
    if code in ("invalid_client", "unauthorized_client"):
        app_credentials_pause(problem=f"LWA answered {status} {code}")
        return AppCredentialsInvalid(status=status, code=code)
    if status == 429:
        return Throttled(retry_after=_retry_after(response), status=status, code=code)
    if status >= 500:
        return TransientError(status=status, code=code)
    return PermanentError("Amazon's login service rejected the request.", status=status, code=code)


def _error_code(response: httpx.Response) -> str | None:
    try:
        body = response.json()
    except ValueError:  # an HTML error page from a proxy or load balancer
        return None
    return body.get("error") if isinstance(body, dict) else None


def _retry_after(response: httpx.Response) -> float:
    try:
        return float(response.headers.get("Retry-After", DEFAULT_THROTTLE_RETRY_SECONDS))
    except ValueError:
        return DEFAULT_THROTTLE_RETRY_SECONDS
