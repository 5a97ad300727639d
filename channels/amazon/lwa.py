"""Login with Amazon: the token endpoint (code exchange, access tokens) and the access tokens every process shares.

An access token lasts an hour. Each process keeps the ones it has used; behind that, every process shares them
(Redis when REDIS_URL is set, else the database), encrypted at rest like refresh tokens, so a seller's token is
asked of LWA once per hour, by whichever process needs it first, however many workers and runs use it.
"""

from __future__ import annotations

import hashlib
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx
import redis
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from channels.amazon import http
from channels.amazon.errors import (
    AmazonError,
    AppCredentialsInvalid,
    AuthorisationRevoked,
    PermanentError,
    Throttled,
    TransientError,
)
from channels.amazon.models import AccessToken
from channels.amazon.services import app_credentials_pause
from channels.encryption import DecryptionFailed, decrypt, encrypt

TIMEOUT = httpx.Timeout(20.0, connect=5.0)
# Renew a little early so a token never expires between the lookup and Amazon receiving it.
EXPIRY_MARGIN_SECONDS = 60
DEFAULT_THROTTLE_RETRY_SECONDS = 5.0
REDIS_PREFIX = "amazon:lwa"
# How long a process refreshing a seller's token keeps others waiting for it (an LWA call takes far less).
REFRESH_LOCK_SECONDS = 25


@dataclass(frozen=True)
class _Token:
    access_token: str
    expires_at: float  # time.time()


_memory: dict[str, _Token] = {}
_memory_lock = threading.Lock()
_memory_swept_at = 0.0
MEMORY_SWEEP_SECONDS = 60


def _token_endpoint(form: dict[str, str]) -> dict[str, Any]:
    """POST a grant to the LWA token URL with the app's credentials; raise a classified error on failure."""
    data = {
        **form,
        "client_id": settings.AMAZON_LWA_CLIENT_ID,
        "client_secret": settings.AMAZON_LWA_CLIENT_SECRET,
    }
    try:
        response = http.client().post(settings.AMAZON_LWA_TOKEN_URL, data=data, timeout=TIMEOUT)
    except httpx.TransportError as error:  # timeouts, refused connections, protocol errors
        raise TransientError() from error
    if response.status_code != 200:
        raise _lwa_error(response)
    try:
        return response.json()
    except ValueError as error:  # a proxy's HTML page with a 200: not Amazon's answer
        raise TransientError(status=response.status_code) from error


def access_token(refresh_token: str) -> str:
    """A valid access token for this refresh token: this process's, else the shared one, else a new one from LWA
    (asked by one process at a time per seller; the others wait for it)."""
    key = _cache_key(refresh_token)
    token = _memory_get(key)
    if token is None:
        token = _shared().get(key) or _refreshed(key, refresh_token)
        _memory_put(key, token)
    return token.access_token


def forget_access_token(refresh_token: str) -> None:
    """Drop the token everywhere so the next call fetches a fresh one (after a 403, or for Verify)."""
    key = _cache_key(refresh_token)
    with _memory_lock:
        _memory.pop(key, None)
    _shared().forget(key)


def forget_all_access_tokens() -> None:
    """Drop this process's tokens (a new Amazon, such as a fresh simulator, knows none of them)."""
    with _memory_lock:
        _memory.clear()


def _refreshed(key: str, refresh_token: str) -> _Token:
    try:
        with _shared().refreshing(key):
            token = _shared().get(key) or _fetch(refresh_token)
            _shared().put(key, token)
    except AppCredentialsInvalid as error:
        # Paused here, once the refresh lock (a transaction, with the database store) is released: a pause written
        # inside it would be rolled back with it, and every later call would ask LWA again.
        app_credentials_pause(problem=f"LWA answered {error.status} {error.code}")
        raise
    return token


def request_tokens(form: dict[str, str]) -> dict[str, Any]:
    """POST to LWA's token endpoint; pauses every Amazon call when LWA rejects the app's own credentials."""
    try:
        return _token_endpoint(form)
    except AppCredentialsInvalid as error:
        app_credentials_pause(problem=f"LWA answered {error.status} {error.code}")
        raise


def _fetch(refresh_token: str) -> _Token:
    tokens = _token_endpoint({"grant_type": "refresh_token", "refresh_token": refresh_token})
    if not tokens.get("access_token"):
        raise PermanentError("Amazon's login service answered without an access token.")
    expires_in = float(tokens.get("expires_in") or 3600)
    return _Token(tokens["access_token"], time.time() + expires_in - EXPIRY_MARGIN_SECONDS)


def _memory_get(key: str) -> _Token | None:
    token = _memory.get(key)
    return token if token is not None and token.expires_at > time.time() else None


def _memory_put(key: str, token: _Token) -> None:
    global _memory_swept_at
    now = time.time()
    with _memory_lock:
        # Expired tokens go once a minute, not on every put: with ten thousand sellers a sweep per put is the
        # biggest cost of an idle poll.
        if now - _memory_swept_at >= MEMORY_SWEEP_SECONDS:
            for stale in [k for k, v in _memory.items() if v.expires_at <= now]:
                del _memory[stale]
            _memory_swept_at = now
        _memory[key] = token


def _cache_key(refresh_token: str) -> str:
    # Hashed so the secret is never a key someone might log; the client id keeps tokens of rotated app
    # credentials apart.
    return hashlib.sha256(f"{settings.AMAZON_LWA_CLIENT_ID}\0{refresh_token}".encode()).hexdigest()


# --- the shared store --------------------------------------------------------------------------------------------


class RedisTokens:
    def __init__(self, client: redis.Redis) -> None:
        self.client = client

    def get(self, key: str) -> _Token | None:
        stored = self.client.get(f"{REDIS_PREFIX}:{key}")
        return _decrypted(stored.decode()) if stored else None

    def put(self, key: str, token: _Token) -> None:
        seconds = int(token.expires_at - time.time())
        if seconds > 0:
            self.client.set(f"{REDIS_PREFIX}:{key}", _encrypted(token), ex=seconds)

    def forget(self, key: str) -> None:
        self.client.delete(f"{REDIS_PREFIX}:{key}")

    @contextmanager
    def refreshing(self, key: str):
        """One process at a time asks LWA for this seller (a waiter past the wait asks too rather than fail)."""
        lock = self.client.lock(
            f"{REDIS_PREFIX}:refreshing:{key}", timeout=REFRESH_LOCK_SECONDS, blocking_timeout=REFRESH_LOCK_SECONDS
        )
        acquired = lock.acquire()
        try:
            yield
        finally:
            if acquired:
                lock.release()


class DatabaseTokens:
    def get(self, key: str) -> _Token | None:
        row = AccessToken.objects.filter(key=key, expires_at__gt=timezone.now()).values_list("token", "expires_at")
        try:
            found = row.first()
        except DecryptionFailed:  # encrypted with a key no longer configured: fetch a new one
            return None
        return _Token(found[0], found[1].timestamp()) if found else None

    def put(self, key: str, token: _Token) -> None:
        expires_at = timezone.now() + timedelta(seconds=token.expires_at - time.time())
        AccessToken.objects.update_or_create(key=key, defaults={"token": token.access_token, "expires_at": expires_at})

    def forget(self, key: str) -> None:
        AccessToken.objects.filter(key=key).delete()

    @contextmanager
    def refreshing(self, key: str):
        """The seller's row, locked: other processes wait on it while one asks LWA."""
        with transaction.atomic():
            try:
                with transaction.atomic():
                    AccessToken.objects.get_or_create(
                        key=key, defaults={"token": "", "expires_at": timezone.now() - timedelta(seconds=1)}
                    )
            except IntegrityError:  # created by a concurrent process between our get and create
                pass
            list(AccessToken.objects.select_for_update().filter(key=key).values_list("pk"))
            yield


def _encrypted(token: _Token) -> str:
    return f"{token.expires_at:.0f}:{encrypt(token.access_token)}"


def _decrypted(stored: str) -> _Token | None:
    expires_at, _, ciphertext = stored.partition(":")
    try:
        token = _Token(decrypt(ciphertext), float(expires_at))
    except (DecryptionFailed, ValueError):
        return None
    return token if token.expires_at > time.time() else None


_redis_clients: dict[str, redis.Redis] = {}


def _shared() -> RedisTokens | DatabaseTokens:
    if not settings.REDIS_URL:
        return DatabaseTokens()
    client = _redis_clients.get(settings.REDIS_URL)
    if client is None:
        client = _redis_clients.setdefault(settings.REDIS_URL, redis.Redis.from_url(settings.REDIS_URL))
    return RedisTokens(client)


# --- LWA's errors --------------------------------------------------------------------------------------------------


def _lwa_error(response: httpx.Response) -> AmazonError:
    code = _error_code(response)
    status = response.status_code
    if code == "invalid_grant":
        return AuthorisationRevoked(status=status, code=code)
    if code in ("invalid_client", "unauthorized_client"):
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
