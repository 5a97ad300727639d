"""The consent page and Login with Amazon, over real HTTP."""

from __future__ import annotations

import httpx

from channels.amazon.simulator import config
from channels.amazon.simulator.consent import CONSENT_LABEL
from channels.amazon.simulator.testing import REDIRECT_URI, authorise, consent, sp_api_client, token_request

PARTICIPATIONS = "/sellers/v1/marketplaceParticipations"


def consent_params(**overrides: str) -> dict[str, str]:
    return {"application_id": config.SP_APP_ID, "state": "s-123", "redirect_uri": REDIRECT_URI, **overrides}


def test_consent_page_shows_the_checkbox_and_the_demo_seller(amazon_simulator):
    response = httpx.get(amazon_simulator.base_url + "/apps/authorize/consent", params=consent_params(version="beta"))

    assert response.status_code == 200
    assert CONSENT_LABEL in response.text
    assert "Avasam Simulator access to my Selling Partner account and related data" in response.text
    assert 'value="A2SIMDEMOSELLER"' in response.text
    assert "Confirm" in response.text


def test_consent_page_is_a_styled_page_that_fits_a_phone(amazon_simulator):
    response = httpx.get(amazon_simulator.base_url + "/apps/authorize/consent", params=consent_params())

    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in response.text
    assert "<style>" in response.text and '<main class="card">' in response.text
    assert '<label class="field" for="selling_partner_id">Seller id' in response.text


def test_consent_page_refuses_an_unknown_application(amazon_simulator):
    response = httpx.get(
        amazon_simulator.base_url + "/apps/authorize/consent", params=consent_params(application_id="amzn1.sp.other")
    )

    assert response.status_code == 400
    assert "could not be found" in response.text


def test_confirm_without_the_tick_shows_the_page_again_with_an_error(amazon_simulator):
    response = httpx.post(
        amazon_simulator.base_url + "/apps/authorize/consent",
        data={**consent_params(), "selling_partner_id": "A2SIMDEMOSELLER"},
    )

    assert response.status_code == 200
    assert "Tick the box" in response.text


def test_confirm_redirects_with_code_state_and_seller_id(amazon_simulator):
    query = consent(amazon_simulator.base_url, state="echo-me")

    assert query["state"] == "echo-me"
    assert query["selling_partner_id"] == "A2SIMDEMOSELLER"
    assert query["spapi_oauth_code"]


def test_confirm_for_an_unknown_seller_creates_it(amazon_simulator):
    consent(amazon_simulator.base_url, "ANEWSELLER1")

    assert "A1F83G8C2ARO7P" in amazon_simulator.state.seller("ANEWSELLER1").marketplace_ids


def test_authorization_code_grant_returns_lwa_tokens(amazon_simulator):
    tokens = authorise(amazon_simulator.base_url)

    assert tokens["token_type"] == "bearer"
    assert tokens["expires_in"] == 3600
    assert tokens["access_token"].startswith("Atza|")
    assert tokens["refresh_token"].startswith("Atzr|")


def test_an_authorization_code_works_once(amazon_simulator):
    code = consent(amazon_simulator.base_url)["spapi_oauth_code"]
    token_request(amazon_simulator.base_url, grant_type="authorization_code", code=code)

    response = token_request(amazon_simulator.base_url, grant_type="authorization_code", code=code)

    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant"


def test_an_authorization_code_expires_after_five_minutes(amazon_simulator):
    code = consent(amazon_simulator.base_url)["spapi_oauth_code"]
    amazon_simulator.state.advance_clock(5 * 60 + 1)

    response = token_request(amazon_simulator.base_url, grant_type="authorization_code", code=code)

    assert response.status_code == 400
    assert response.json() == {"error": "invalid_grant", "error_description": "The authorization code has expired."}


def test_wrong_client_secret_is_invalid_client(amazon_simulator):
    code = consent(amazon_simulator.base_url)["spapi_oauth_code"]

    response = token_request(
        amazon_simulator.base_url, grant_type="authorization_code", code=code, client_secret="rotated"
    )

    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"


def test_refresh_token_grant_returns_a_working_access_token(amazon_simulator):
    refresh_token = authorise(amazon_simulator.base_url)["refresh_token"]

    response = token_request(amazon_simulator.base_url, grant_type="refresh_token", refresh_token=refresh_token)
    participations = httpx.get(
        amazon_simulator.base_url + PARTICIPATIONS, headers={"x-amz-access-token": response.json()["access_token"]}
    )

    assert response.status_code == 200
    assert participations.status_code == 200


def test_revocation_makes_refresh_invalid_grant_and_access_tokens_403(amazon_simulator):
    tokens = authorise(amazon_simulator.base_url)
    amazon_simulator.state.revoke("A2SIMDEMOSELLER")

    refresh = token_request(
        amazon_simulator.base_url, grant_type="refresh_token", refresh_token=tokens["refresh_token"]
    )
    call = httpx.get(amazon_simulator.base_url + PARTICIPATIONS, headers={"x-amz-access-token": tokens["access_token"]})

    assert refresh.status_code == 400
    assert refresh.json()["error"] == "invalid_grant"
    assert call.status_code == 403
    assert call.json()["errors"][0]["code"] == "Unauthorized"


def test_reauthorising_after_revocation_works_again(amazon_simulator):
    authorise(amazon_simulator.base_url)
    amazon_simulator.state.revoke("A2SIMDEMOSELLER")

    with sp_api_client(amazon_simulator.base_url) as client:
        assert client.get(PARTICIPATIONS).status_code == 200


def test_sp_api_without_an_access_token_is_403_with_errors(amazon_simulator):
    response = httpx.get(amazon_simulator.base_url + PARTICIPATIONS)

    assert response.status_code == 403
    assert response.json()["errors"][0]["message"] == "Access to requested resource is denied."


def test_invalid_client_fault_rejects_good_credentials(amazon_simulator):
    refresh_token = authorise(amazon_simulator.base_url)["refresh_token"]
    amazon_simulator.state.inject_fault("token", "invalid_client", count=None)

    response = token_request(amazon_simulator.base_url, grant_type="refresh_token", refresh_token=refresh_token)

    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"
