from __future__ import annotations

import logging
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
import respx
from django.db import IntegrityError, connection
from django.test import Client
from django.utils import timezone

from accounts.tests.factories import SellerUserFactory
from channels.amazon.authorisation import PENDING_KEY
from channels.models import Integration
from channels.tests.factories import AwaitingIntegrationFactory, IntegrationFactory

pytestmark = pytest.mark.django_db

CALLBACK = "/channels/amazon/callback/"
SELLER_ID = "A2SIMDEMOSELLER"
NEW_TOKEN = "Atzr|brand-new-refresh-token"


@pytest.fixture
def lwa(settings):
    """Amazon: LWA hands out a new refresh token, and the Listings API accepts the seller id it is asked about (a
    forged seller id is tested against the simulator, below)."""
    with respx.mock(assert_all_called=False) as mock:
        mock.get(path__regex=r"^/listings/2021-08-01/items/[^/]+$").respond(
            200, json={"numberOfResults": 0, "items": []}
        )
        route = mock.post(settings.AMAZON_LWA_TOKEN_URL).respond(
            200,
            json={
                "access_token": "Atza|access",
                "refresh_token": NEW_TOKEN,
                "token_type": "bearer",
                "expires_in": 3600,
            },
        )
        yield route


def start(client: Client, integration: Integration) -> str:
    response = client.get(f"/settings/channels/{integration.pk}/authorise/start/")
    return parse_qs(urlsplit(response["Location"]).query)["state"][0]


def callback(client: Client, state: str | None, *, code: str = "ANcode", seller_id: str = SELLER_ID):
    params = {"spapi_oauth_code": code, "selling_partner_id": seller_id}
    if state is not None:
        params["state"] = state
    return client.get(CALLBACK, params)


def assert_unchanged(integration: Integration) -> None:
    before = (integration.selling_partner_id, integration.refresh_token, integration.authorisation_state)
    integration.refresh_from_db()
    assert (integration.selling_partner_id, integration.refresh_token, integration.authorisation_state) == before


def test_the_callback_stores_the_authorisation_and_says_to_close_the_tab(seller_client, account, lwa):
    integration = AwaitingIntegrationFactory(account=account)
    response = callback(seller_client, start(seller_client, integration), code="ANfresh")
    assert response.status_code == 200
    page = response.content.decode()
    assert "You can close this tab" in page
    assert NEW_TOKEN not in page
    assert parse_qs(lwa.calls[0].request.content.decode())["code"] == ["ANfresh"]  # then an access token
    integration.refresh_from_db()
    assert integration.selling_partner_id == SELLER_ID
    assert integration.refresh_token == NEW_TOKEN
    assert integration.authorisation_state == Integration.AuthorisationState.AUTHORISED
    assert integration.authorised_at is not None


def test_the_refresh_token_is_stored_encrypted(seller_client, account, lwa):
    integration = AwaitingIntegrationFactory(account=account)
    callback(seller_client, start(seller_client, integration))
    with connection.cursor() as cursor:
        cursor.execute("SELECT refresh_token FROM channels_integration WHERE id = %s", [integration.pk])
        (stored,) = cursor.fetchone()
    assert NEW_TOKEN not in stored
    assert stored.startswith("gAAAA")  # a Fernet token


def test_the_token_never_reaches_the_logs(seller_client, account, lwa, caplog):
    integration = AwaitingIntegrationFactory(account=account)
    with caplog.at_level(logging.DEBUG):
        callback(seller_client, start(seller_client, integration))
    assert NEW_TOKEN not in caplog.text


@pytest.mark.parametrize(
    ("state", "message"),
    [
        (None, "did not send back the authorisation details"),
        ("", "did not send back the authorisation details"),
        ("made-up-state", "was not started from your current session"),
    ],
)
def test_a_missing_or_wrong_state_is_refused_and_changes_nothing(seller_client, account, lwa, state, message):
    integration = AwaitingIntegrationFactory(account=account)
    start(seller_client, integration)
    response = callback(seller_client, state)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not lwa.called
    assert_unchanged(integration)


def test_a_reused_state_is_refused_and_changes_nothing(seller_client, account, lwa):
    integration = AwaitingIntegrationFactory(account=account)
    state = start(seller_client, integration)
    callback(seller_client, state)
    integration.refresh_from_db()
    calls = lwa.call_count
    response = callback(seller_client, state, seller_id="AOTHERSELLER")
    assert response.status_code == 400
    assert "already been used" in response.content.decode()
    assert lwa.call_count == calls
    assert_unchanged(integration)


def test_an_expired_state_is_refused_and_changes_nothing(seller_client, account, lwa):
    integration = AwaitingIntegrationFactory(account=account)
    state = start(seller_client, integration)
    session = seller_client.session
    session[PENDING_KEY] = {key: {**entry, "expires_at": 0} for key, entry in session[PENDING_KEY].items()}
    session.save()
    response = callback(seller_client, state)
    assert response.status_code == 400
    assert "expired" in response.content.decode()
    assert not lwa.called
    assert_unchanged(integration)


def test_an_expired_state_is_also_reported_to_the_waiting_tab(seller_client, account, lwa):
    integration = AwaitingIntegrationFactory(account=account)
    state = start(seller_client, integration)
    session = seller_client.session
    session[PENDING_KEY] = {key: {**entry, "expires_at": 0} for key, entry in session[PENDING_KEY].items()}
    session.save()
    callback(seller_client, state)

    status = seller_client.get(f"/settings/channels/{integration.pk}/authorise/status/").json()

    assert "expired" in status["problem"] and not status["authorised"]


def test_reloading_a_successful_callback_says_nothing_more_is_needed(seller_client, account, lwa):
    integration = AwaitingIntegrationFactory(account=account, name="Amazon UK shop")
    state = start(seller_client, integration)
    callback(seller_client, state)

    response = callback(seller_client, state)

    page = response.content.decode()
    assert response.status_code == 400
    assert "already been used, and “Amazon UK shop” is authorised" in page
    assert lwa.call_count == 1


def test_a_state_issued_to_another_session_is_refused(seller_client, account, outsider, lwa):
    integration = AwaitingIntegrationFactory(account=account)
    state = start(seller_client, integration)
    other = Client()
    other.force_login(outsider)
    response = callback(other, state)
    assert response.status_code == 400
    assert not lwa.called
    assert_unchanged(integration)


def test_an_anonymous_callback_is_refused(client, account, lwa):
    response = callback(client, "whatever")
    assert response.status_code == 400
    assert not lwa.called


def test_the_callback_for_an_integration_removed_meanwhile_changes_nothing(seller_client, account, lwa):
    integration = AwaitingIntegrationFactory(account=account)
    state = start(seller_client, integration)
    Integration.objects.filter(pk=integration.pk).update(removed_at=timezone.now())
    response = callback(seller_client, state)
    assert response.status_code == 404
    assert not lwa.called
    assert_unchanged(integration)


def test_a_callback_without_a_code_is_refused(seller_client, account, lwa):
    integration = AwaitingIntegrationFactory(account=account)
    response = callback(seller_client, start(seller_client, integration), code="")
    assert response.status_code == 400
    assert "Amazon did not send the authorisation back" in response.content.decode()
    assert not lwa.called
    assert_unchanged(integration)


def test_a_code_amazon_refuses_shows_an_error_and_changes_nothing(seller_client, account, lwa):
    lwa.mock(return_value=httpx.Response(400, json={"error": "invalid_grant", "error_description": "used code"}))
    integration = AwaitingIntegrationFactory(account=account)
    response = callback(seller_client, start(seller_client, integration))
    assert response.status_code == 400
    assert "Amazon did not complete the authorisation" in response.content.decode()
    assert_unchanged(integration)


def test_a_seller_id_connected_to_another_seller_account_is_refused(seller_client, account, lwa):
    IntegrationFactory(selling_partner_id=SELLER_ID, marketplace_id="A1PA6795UKMFR9")
    integration = AwaitingIntegrationFactory(account=account)
    response = callback(seller_client, start(seller_client, integration))
    assert response.status_code == 409
    assert "already connected to another Avasam seller account" in response.content.decode()
    assert_unchanged(integration)
    # The waiting tab learns why.
    status = seller_client.get(f"/settings/channels/{integration.pk}/authorise/status/").json()
    assert "already connected to another Avasam seller account" in status["problem"]


def test_a_seller_id_removed_from_another_account_can_be_connected_again(seller_client, account, lwa):
    IntegrationFactory(selling_partner_id=SELLER_ID, removed_at=timezone.now())
    integration = AwaitingIntegrationFactory(account=account)
    assert callback(seller_client, start(seller_client, integration)).status_code == 200
    integration.refresh_from_db()
    assert integration.authorisation_state == Integration.AuthorisationState.AUTHORISED


def test_the_same_seller_id_and_site_twice_in_one_account_says_so_and_discards_the_new_one(seller_client, account, lwa):
    first = IntegrationFactory(account=account, name="First UK", selling_partner_id=SELLER_ID)
    integration = AwaitingIntegrationFactory(account=account, name="Second UK")
    response = callback(seller_client, start(seller_client, integration))
    assert response.status_code == 409
    page = response.content.decode()
    assert "already connected for United Kingdom in your integration “First UK”" in page
    assert "“Second UK” was discarded (never connected)" in page and f"/settings/channels/{first.pk}/" in page
    # No orphan "Awaiting authorisation" integration is left in the list.
    assert list(Integration.objects.filter(account=account)) == [first]


def test_a_duplicate_connection_of_an_integration_already_authorised_keeps_it(seller_client, account, lwa):
    IntegrationFactory(account=account, name="First UK", selling_partner_id=SELLER_ID)
    integration = IntegrationFactory(
        account=account,
        selling_partner_id="",
        authorisation_state=Integration.AuthorisationState.NEEDS_REAUTHORISATION,
    )
    response = callback(seller_client, start(seller_client, integration))
    assert response.status_code == 409
    assert_unchanged(integration)


def test_the_same_seller_id_on_another_site_of_the_same_account_is_fine(seller_client, account, lwa):
    IntegrationFactory(account=account, selling_partner_id=SELLER_ID, marketplace_id="A1PA6795UKMFR9")
    integration = AwaitingIntegrationFactory(account=account)
    assert callback(seller_client, start(seller_client, integration)).status_code == 200


def test_reauthorising_replaces_the_token(seller_client, account, lwa):
    integration = IntegrationFactory(
        account=account,
        selling_partner_id=SELLER_ID,
        refresh_token="Atzr|old",
        authorisation_state=Integration.AuthorisationState.NEEDS_REAUTHORISATION,
        authorisation_problem="revoked",
        authorised_at=timezone.now() - timezone.timedelta(days=30),
    )
    before = integration.authorised_at
    assert callback(seller_client, start(seller_client, integration)).status_code == 200
    integration.refresh_from_db()
    assert integration.refresh_token == NEW_TOKEN
    assert integration.authorisation_state == Integration.AuthorisationState.AUTHORISED
    assert integration.authorisation_problem == ""
    assert integration.authorised_at > before


def test_reauthorising_as_a_different_amazon_seller_is_refused(seller_client, account, lwa):
    integration = IntegrationFactory(account=account, selling_partner_id="AORIGINALSELLER", refresh_token="Atzr|old")
    response = callback(seller_client, start(seller_client, integration), seller_id="ASOMEONEELSE")
    assert response.status_code == 409
    assert "Log in to Seller Central as AORIGINALSELLER" in response.content.decode()
    assert_unchanged(integration)


def test_the_database_refuses_two_live_integrations_with_one_seller_id_and_site(account):
    IntegrationFactory(account=account, selling_partner_id=SELLER_ID)
    with pytest.raises(IntegrityError):
        IntegrationFactory(account=account, selling_partner_id=SELLER_ID)


def test_the_callback_url_matches_the_redirect_uri(settings):
    from channels.amazon.authorisation import redirect_uri

    assert urlsplit(redirect_uri()).path == CALLBACK


# --- the seller id is proven with Amazon, not taken from the redirect URL ---------------------------------------


def consent(simulator, client: Client, integration: Integration, *, as_seller: str, claimed: str):
    """Consent on the simulator as `as_seller`, then come back with the callback URL edited to claim `claimed`."""
    simulator.state.add_seller(as_seller, [integration.marketplace_id])
    code = simulator.state.issue_authorization_code(as_seller)
    return callback(client, start(client, integration), code=code, seller_id=claimed)


def test_a_seller_id_edited_in_the_callback_url_is_refused_and_nothing_is_stored(
    seller_client, account, amazon_simulator
):
    integration = AwaitingIntegrationFactory(account=account)

    response = consent(amazon_simulator, seller_client, integration, as_seller="ATTACKERSID", claimed="REALOWNER1")

    assert response.status_code == 403
    assert "Amazon says this authorisation is not for seller id REALOWNER1, so nothing was saved." in (
        response.content.decode()
    )
    assert_unchanged(integration)
    assert not Integration.objects.filter(selling_partner_id="REALOWNER1").exists()


def test_after_a_forged_claim_the_genuine_owner_can_still_connect(client, seller_client, account, amazon_simulator):
    forged = AwaitingIntegrationFactory(account=account)
    consent(amazon_simulator, seller_client, forged, as_seller="ATTACKERSID", claimed="REALOWNER1")

    owner = SellerUserFactory()
    client.force_login(owner)
    genuine = AwaitingIntegrationFactory(account=owner.membership.account)
    response = consent(amazon_simulator, client, genuine, as_seller="REALOWNER1", claimed="REALOWNER1")

    assert response.status_code == 200
    genuine.refresh_from_db()
    assert (genuine.selling_partner_id, genuine.authorisation_state) == ("REALOWNER1", "authorised")


def test_the_genuine_seller_id_is_accepted_by_amazon(seller_client, account, amazon_simulator):
    integration = AwaitingIntegrationFactory(account=account)
    consent(amazon_simulator, seller_client, integration, as_seller="AGENUINE1", claimed="AGENUINE1")
    integration.refresh_from_db()
    assert integration.selling_partner_id == "AGENUINE1"
    searches = [call for call in amazon_simulator.state.calls if call.operation == "searchListingsItems"]
    assert [call.status for call in searches] == [200]


@pytest.mark.parametrize("seller_id", ["A" * 41, "A2SIM DEMO", "A2SIM<b>", "A2SIMDÉMO"])
def test_a_seller_id_that_is_not_one_is_refused_before_asking_amazon(seller_client, account, lwa, seller_id):
    integration = AwaitingIntegrationFactory(account=account)

    response = callback(seller_client, start(seller_client, integration), seller_id=seller_id)

    assert response.status_code == 400
    assert "The seller id in this link is not an Amazon seller id, so nothing was saved." in response.content.decode()
    assert not lwa.called
    assert_unchanged(integration)
