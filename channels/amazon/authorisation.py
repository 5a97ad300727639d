"""Seller authorisation (OAuth): the consent URL, its `state`, the code-for-refresh-token exchange, and proving
with Amazon whose authorisation it is."""

from __future__ import annotations

import hashlib
import re
import secrets
import time
from typing import Literal
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase

from channels.amazon import lwa
from channels.amazon.errors import PermanentError
from channels.amazon.gateway import AmazonGateway, SellingPartner
from channels.amazon.marketplaces import Marketplace

STATE_LIFETIME_SECONDS = 10 * 60
# 32 bytes = 256 random bits, the minimum the issue asks for.
STATE_BYTES = 32
PENDING_KEY = "amazon_oauth_states"
USED_KEY = "amazon_oauth_used_states"
# Enough to tell "reused" from "unknown" for recent attempts without growing the session forever.
USED_STATES_KEPT = 20
# Amazon's seller ids (merchant tokens) are letters and digits; our column holds 40.
SELLER_ID = re.compile(r"[A-Za-z0-9]{1,40}")

InvalidStateReason = Literal["missing", "unknown", "reused", "expired"]

_MESSAGES: dict[InvalidStateReason, str] = {
    "missing": "Amazon did not send back the authorisation details. Please start the authorisation again.",
    "unknown": (
        "This authorisation link was not started from your current session. "
        "Please start the authorisation again from the integration's page."
    ),
    "reused": "This authorisation link has already been used. Please start the authorisation again.",
    "expired": "This authorisation link expired after 10 minutes. Please start the authorisation again.",
}


class InvalidState(Exception):
    """`integration_id` is known for a reused or expired state, so the waiting tab can be told too."""

    def __init__(self, reason: InvalidStateReason, *, integration_id: int | None = None) -> None:
        self.reason = reason
        self.integration_id = integration_id
        self.message = _MESSAGES[reason]
        super().__init__(self.message)


def issue_state(session: SessionBase, *, integration_id: int) -> str:
    """A fresh single-use state bound to this session and this integration."""
    state = secrets.token_urlsafe(STATE_BYTES)
    now = time.time()
    pending = {key: entry for key, entry in session.get(PENDING_KEY, {}).items() if entry["expires_at"] > now}
    pending[_digest(state)] = {"integration_id": integration_id, "expires_at": now + STATE_LIFETIME_SECONDS}
    session[PENDING_KEY] = pending
    return state


def consume_state(session: SessionBase, state: str | None) -> int:
    """The integration id the state was issued for; the state can never be used again."""
    if not state:
        raise InvalidState("missing")
    digest = _digest(state)
    pending = dict(session.get(PENDING_KEY, {}))
    entry = pending.pop(digest, None)
    used = dict(session.get(USED_KEY, []))
    if entry is None:
        if digest in used:
            raise InvalidState("reused", integration_id=used[digest])
        raise InvalidState("unknown")
    session[PENDING_KEY] = pending
    session[USED_KEY] = [*session.get(USED_KEY, []), (digest, entry["integration_id"])][-USED_STATES_KEPT:]
    if entry["expires_at"] <= time.time():
        raise InvalidState("expired", integration_id=entry["integration_id"])
    return entry["integration_id"]


def consent_url(*, marketplace: Marketplace, state: str) -> str:
    """Seller Central's consent page for this site (or AMAZON_SELLER_CENTRAL_URL, e.g. the simulator)."""
    base = (settings.AMAZON_SELLER_CENTRAL_URL or marketplace.seller_central).rstrip("/")
    params = {"application_id": settings.AMAZON_SP_APP_ID, "state": state, "redirect_uri": redirect_uri()}
    if settings.AMAZON_SP_APP_DRAFT:
        # An app not yet published on the Appstore can only be authorised in its beta version.
        params["version"] = "beta"
    return f"{base}/apps/authorize/consent?{urlencode(params)}"


def redirect_uri() -> str:
    return f"{settings.SITE_URL}/channels/amazon/callback/"


def exchange_authorization_code(code: str) -> str:
    """Swap the `spapi_oauth_code` Amazon sent to the callback for the seller's refresh token."""
    tokens = lwa.request_tokens({"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri()})
    if not tokens.get("refresh_token"):
        raise PermanentError("Amazon's login service answered without a refresh token.")
    return tokens["refresh_token"]


def _digest(state: str) -> str:
    # The session stores only a hash: reading a session row is not enough to forge a callback.
    return hashlib.sha256(state.encode()).hexdigest()


def seller_id_well_formed(selling_partner_id: str) -> bool:
    return SELLER_ID.fullmatch(selling_partner_id) is not None


def seller_id_proven(*, selling_partner_id: str, refresh_token: str, marketplace_id: str) -> bool:
    """Whether Amazon accepts `selling_partner_id` with this authorisation.

    The callback's seller id comes from the browser's redirect URL, which anyone can edit; only Amazon can say
    whose authorisation this is. Raises AmazonError when Amazon could not be asked.
    """
    partner = SellingPartner(
        selling_partner_id=selling_partner_id, refresh_token=refresh_token, marketplace_id=marketplace_id
    )
    # A seller is waiting on the page: wait out our own rate limit (a fraction of a second) rather than fail.
    with AmazonGateway(partner, wait_for_rate_limit=True) as gateway:
        return gateway.seller_id_accepted()
