from __future__ import annotations

import re
import uuid
from urllib.parse import parse_qs, urlsplit

import pytest

from channels.models import Integration
from channels.tests.factories import AwaitingIntegrationFactory

pytestmark = pytest.mark.django_db

UK, GERMANY, FRANCE = "A1F83G8C2ARO7P", "A1PA6795UKMFR9", "A13V1IB3VIYZZH"


@pytest.fixture
def seller_id(amazon_simulator) -> str:
    """A fresh Amazon seller selling on UK and Germany; its own id keeps shared rate-limit buckets apart."""
    selling_partner_id = "AVERIFY" + uuid.uuid4().hex[:12].upper()
    amazon_simulator.state.add_seller(selling_partner_id, [UK, GERMANY])
    return selling_partner_id


@pytest.fixture
def authorised(seller_client, account, amazon_simulator, seller_id):
    """Authorise an integration through the real callback, with a code from the simulator."""

    def authorise(marketplace_id: str = UK) -> Integration:
        integration = AwaitingIntegrationFactory(account=account, marketplace_id=marketplace_id)
        location = seller_client.get(f"/settings/channels/{integration.pk}/authorise/start/")["Location"]
        state = parse_qs(urlsplit(location).query)["state"][0]
        code = amazon_simulator.state.issue_authorization_code(seller_id)
        response = seller_client.get(
            "/channels/amazon/callback/",
            {"spapi_oauth_code": code, "state": state, "selling_partner_id": seller_id},
        )
        assert response.status_code == 200
        integration.refresh_from_db()
        return integration

    return authorise


def verify(client, integration: Integration) -> str:
    response = client.post(f"/settings/channels/{integration.pk}/verify/", follow=True)
    assert response.redirect_chain == [(f"/settings/channels/{integration.pk}/#verification", 302)]
    assert response.status_code == 200
    return response.content.decode()


def participation_calls(simulator) -> int:
    return sum(1 for call in simulator.state.calls if call.operation == "getMarketplaceParticipations")


def test_verify_confirms_auth_key_seller_id_and_site(seller_client, authorised, amazon_simulator, seller_id):
    integration = authorised()
    page = verify(seller_client, integration)
    assert "Everything checks out." in page
    assert "The auth key works" in page
    assert f"Seller id {seller_id} is the Amazon seller account this auth key belongs to." in page
    assert "Your seller account sells on Amazon United Kingdom." in page
    assert integration.refresh_token not in page
    assert participation_calls(amazon_simulator) == 1


def test_verify_says_when_the_site_is_not_one_the_seller_sells_on(seller_client, authorised):
    integration = authorised(FRANCE)
    page = verify(seller_client, integration)
    assert "Verification found a problem." in page
    assert "Your seller account does not sell on Amazon France. It sells on: Germany, United Kingdom." in page


def test_verify_says_when_amazon_no_longer_accepts_the_auth_key(seller_client, authorised, amazon_simulator, seller_id):
    integration = authorised()
    amazon_simulator.state.revoke(seller_id)
    page = verify(seller_client, integration)
    assert "Amazon no longer accepts the auth key" in page
    assert "click Reauthorise" in page
    integration.refresh_from_db()
    assert integration.authorisation_state == Integration.AuthorisationState.NEEDS_REAUTHORISATION


def test_verify_says_to_try_again_when_amazon_is_unavailable(seller_client, authorised, amazon_simulator):
    integration = authorised()
    amazon_simulator.state.inject_fault("getMarketplaceParticipations", "server_error", count=1)
    page = verify(seller_client, integration)
    assert "Try again in a minute." in page
    integration.refresh_from_db()
    assert integration.authorisation_state == Integration.AuthorisationState.AUTHORISED


def test_verify_says_when_amazon_asks_us_to_slow_down(seller_client, authorised, amazon_simulator):
    integration = authorised()
    amazon_simulator.state.inject_fault("getMarketplaceParticipations", "throttle", count=1)
    page = verify(seller_client, integration)
    assert re.search(r"Amazon asked us to slow down: try again in \d+ seconds\.", page)


def test_verify_of_an_integration_not_yet_authorised_asks_to_authorise(seller_client, account, amazon_simulator):
    integration = AwaitingIntegrationFactory(account=account)
    page = verify(seller_client, integration)
    assert "not authorised yet" in page
    assert participation_calls(amazon_simulator) == 0


def test_verify_answers_another_seller_with_404(outsider_client, account, amazon_simulator):
    integration = AwaitingIntegrationFactory(account=account)
    assert outsider_client.post(f"/settings/channels/{integration.pk}/verify/").status_code == 404
    assert participation_calls(amazon_simulator) == 0


def test_verify_needs_a_post(seller_client, account):
    integration = AwaitingIntegrationFactory(account=account)
    assert seller_client.get(f"/settings/channels/{integration.pk}/verify/").status_code == 405


def test_the_verification_shows_once_so_a_reload_neither_asks_amazon_again_nor_shows_it_stale(
    seller_client, authorised, amazon_simulator
):
    integration = authorised()
    assert "Everything checks out." in verify(seller_client, integration)
    calls = participation_calls(amazon_simulator)
    page = seller_client.get(f"/settings/channels/{integration.pk}/").content.decode()
    assert 'id="verification"' not in page
    assert participation_calls(amazon_simulator) == calls


def test_verify_asks_amazon_whether_the_seller_id_is_the_auth_keys(
    seller_client, authorised, amazon_simulator, seller_id
):
    # An integration saved before the callback proved seller ids: another seller's id with this auth key.
    integration = authorised()
    amazon_simulator.state.add_seller("REALOWNER1", [UK])
    Integration.objects.filter(pk=integration.pk).update(selling_partner_id="REALOWNER1")
    integration.refresh_from_db()

    page = verify(seller_client, integration)

    assert "Amazon refused seller id REALOWNER1 with this auth key" in page
    assert "is the Amazon seller account this auth key belongs to" not in page
    assert "Everything checks out." not in page
