"""Seller authorisation: state, consent URL and the code exchange."""

from __future__ import annotations

import time
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.sessions.backends.db import SessionStore

from channels.amazon.authorisation import (
    InvalidState,
    consent_url,
    consume_state,
    exchange_authorization_code,
    issue_state,
    redirect_uri,
)
from channels.amazon.errors import AppCredentialsInvalid, AuthorisationRevoked, TransientError
from channels.amazon.marketplaces import marketplace_by_id
from channels.amazon.selectors import app_credentials_paused
from channels.amazon.tests.conftest import LWA_TOKEN_URL

GERMANY = marketplace_by_id("A1PA6795UKMFR9")
CANADA = marketplace_by_id("A2EUQ1WTGCTBG2")


@pytest.fixture
def session():
    return SessionStore()


def test_state_carries_at_least_256_random_bits(session):
    states = {issue_state(session, integration_id=1) for _ in range(50)}

    assert len(states) == 50
    # token_urlsafe: 6 bits per character
    assert all(len(state) * 6 >= 256 for state in states)


def test_state_returns_the_integration_it_was_issued_for(session):
    first = issue_state(session, integration_id=7)
    second = issue_state(session, integration_id=8)

    assert consume_state(session, second) == 8
    assert consume_state(session, first) == 7


def test_state_is_single_use(session):
    state = issue_state(session, integration_id=7)
    consume_state(session, state)

    with pytest.raises(InvalidState) as raised:
        consume_state(session, state)

    assert raised.value.reason == "reused"
    assert "start the authorisation again" in raised.value.message


def test_state_is_bound_to_the_session_that_asked_for_it(session):
    state = issue_state(session, integration_id=7)

    with pytest.raises(InvalidState) as raised:
        consume_state(SessionStore(), state)

    assert raised.value.reason == "unknown"


@pytest.mark.parametrize("state", [None, ""])
def test_a_missing_state_is_refused(session, state):
    with pytest.raises(InvalidState) as raised:
        consume_state(session, state)

    assert raised.value.reason == "missing"


def test_state_expires_after_ten_minutes(session, monkeypatch):
    state = issue_state(session, integration_id=7)
    issued = time.time()
    monkeypatch.setattr(time, "time", lambda: issued + 10 * 60 + 1)

    with pytest.raises(InvalidState) as raised:
        consume_state(session, state)

    assert raised.value.reason == "expired"


def test_state_is_still_good_just_before_ten_minutes(session, monkeypatch):
    state = issue_state(session, integration_id=7)
    issued = time.time()
    monkeypatch.setattr(time, "time", lambda: issued + 10 * 60 - 5)

    assert consume_state(session, state) == 7


def test_consent_url_goes_to_the_sites_seller_central(settings):
    settings.AMAZON_SELLER_CENTRAL_URL = None
    settings.AMAZON_SP_APP_DRAFT = False
    settings.SITE_URL = "https://app.example.com"

    url = urlsplit(consent_url(marketplace=CANADA, state="s t/ate"))

    assert f"{url.scheme}://{url.netloc}{url.path}" == "https://sellercentral.amazon.ca/apps/authorize/consent"
    assert parse_qs(url.query) == {
        "application_id": [settings.AMAZON_SP_APP_ID],
        "state": ["s t/ate"],
        "redirect_uri": ["https://app.example.com/channels/amazon/callback/"],
    }


def test_consent_url_uses_the_configured_seller_central_and_beta_for_a_draft_app(settings):
    settings.AMAZON_SELLER_CENTRAL_URL = "http://127.0.0.1:8100/"
    settings.AMAZON_SP_APP_DRAFT = True

    url = urlsplit(consent_url(marketplace=GERMANY, state="abc"))

    assert url.netloc == "127.0.0.1:8100" and url.path == "/apps/authorize/consent"
    assert parse_qs(url.query)["version"] == ["beta"]


def test_redirect_uri_is_under_the_site_url(settings):
    settings.SITE_URL = "http://127.0.0.1:8000"

    assert redirect_uri() == "http://127.0.0.1:8000/channels/amazon/callback/"


def test_the_code_is_exchanged_for_a_refresh_token(amazon, settings):
    route = amazon.post(LWA_TOKEN_URL, name="lwa").respond(
        json={"access_token": "Atza|a", "refresh_token": "Atzr|new", "token_type": "bearer", "expires_in": 3600}
    )

    assert exchange_authorization_code("code-123") == "Atzr|new"

    form = parse_qs(route.calls.last.request.content.decode())
    assert form["grant_type"] == ["authorization_code"]
    assert form["code"] == ["code-123"]
    assert form["client_id"] == [settings.AMAZON_LWA_CLIENT_ID]
    assert form["client_secret"] == [settings.AMAZON_LWA_CLIENT_SECRET]


def test_a_used_or_expired_code_is_revoked_authorisation(amazon):
    amazon.post(LWA_TOKEN_URL, name="lwa").respond(400, json={"error": "invalid_grant"})

    with pytest.raises(AuthorisationRevoked):
        exchange_authorization_code("old-code")


def test_invalid_app_credentials_pause_everything(amazon):
    amazon.post(LWA_TOKEN_URL, name="lwa").respond(401, json={"error": "invalid_client"})

    with pytest.raises(AppCredentialsInvalid):
        exchange_authorization_code("code-123")

    assert app_credentials_paused()


def test_an_lwa_html_error_page_is_transient(amazon):
    amazon.post(LWA_TOKEN_URL, name="lwa").respond(502, html="<html>Bad gateway</html>")

    with pytest.raises(TransientError):
        exchange_authorization_code("code-123")
