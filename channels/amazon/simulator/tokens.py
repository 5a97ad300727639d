"""Login with Amazon's grants: single-use authorisation codes, refresh tokens and access tokens."""

from __future__ import annotations

import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass

from channels.amazon.simulator import config


class InvalidGrant(Exception):
    """The code or refresh token cannot be used; the message is what LWA puts in error_description."""


@dataclass
class _Grant:
    selling_partner_id: str
    expires_at: float | None = None
    used: bool = False
    revoked: bool = False


class TokenStore:
    """Issued grants, keyed by their secret value. Revoking a seller kills every grant it was given so far."""

    def __init__(self, clock: Callable[[], float]) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._codes: dict[str, _Grant] = {}
        self._refresh_tokens: dict[str, _Grant] = {}
        self._access_tokens: dict[str, _Grant] = {}

    def issue_authorization_code(self, selling_partner_id: str) -> str:
        code = "ANSim" + secrets.token_urlsafe(24)
        with self._lock:
            self._codes[code] = _Grant(selling_partner_id, expires_at=self._clock() + config.AUTHORIZATION_CODE_SECONDS)
        return code

    def redeem_authorization_code(self, code: str) -> tuple[str, str]:
        """Return (refresh token, access token) for a fresh code, using it up."""
        with self._lock:
            grant = self._codes.get(code)
            if grant is None:
                raise InvalidGrant("The authorization code is invalid.")
            if grant.used:
                raise InvalidGrant("The authorization code has already been used.")
            if grant.expires_at is not None and grant.expires_at < self._clock():
                raise InvalidGrant("The authorization code has expired.")
            grant.used = True
            refresh_token = "Atzr|" + secrets.token_urlsafe(48)
            self._refresh_tokens[refresh_token] = _Grant(grant.selling_partner_id)
            return refresh_token, self._new_access_token(grant.selling_partner_id)

    def refresh(self, refresh_token: str) -> str:
        """Return a new access token for a live refresh token."""
        with self._lock:
            grant = self._refresh_tokens.get(refresh_token)
            if grant is None:
                raise InvalidGrant("The request has an invalid grant parameter : refresh_token")
            if grant.revoked:
                raise InvalidGrant("The request has an invalid grant parameter : refresh_token. User may have revoked.")
            return self._new_access_token(grant.selling_partner_id)

    def seller_for_access_token(self, access_token: str) -> str | None:
        """The seller a live access token was issued for, or None when it is unknown, expired or revoked."""
        with self._lock:
            grant = self._access_tokens.get(access_token)
            if grant is None or grant.revoked or (grant.expires_at or 0) < self._clock():
                return None
            return grant.selling_partner_id

    def seller_for_refresh_token(self, refresh_token: str) -> str | None:
        with self._lock:
            grant = self._refresh_tokens.get(refresh_token)
            return grant.selling_partner_id if grant else None

    def revoke_seller(self, selling_partner_id: str) -> None:
        """What a seller removing the app in Seller Central does: every token so far stops working."""
        with self._lock:
            for grants in (self._refresh_tokens, self._access_tokens):
                for grant in grants.values():
                    if grant.selling_partner_id == selling_partner_id:
                        grant.revoked = True

    def clear(self) -> None:
        with self._lock:
            self._codes.clear()
            self._refresh_tokens.clear()
            self._access_tokens.clear()

    def _new_access_token(self, selling_partner_id: str) -> str:
        access_token = "Atza|" + secrets.token_urlsafe(48)
        self._access_tokens[access_token] = _Grant(
            selling_partner_id, expires_at=self._clock() + config.ACCESS_TOKEN_SECONDS
        )
        return access_token
