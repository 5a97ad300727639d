from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from django.utils import timezone

from channels.amazon.authorisation import consume_state
from channels.models import Integration
from channels.tests.factories import AwaitingIntegrationFactory, IntegrationFactory

pytestmark = pytest.mark.django_db

UK = "A1F83G8C2ARO7P"


def test_add_sales_channel_offers_amazon_and_lists_others_as_not_yet_available(seller_client):
    page = seller_client.get("/settings/channels/add/").content.decode()
    assert 'href="/settings/channels/add/amazon/">Add</a>' in page
    for other in ("eBay", "Etsy", "Walmart", "OnBuy"):
        assert other in page
    assert page.count("Not yet available") == 4


def test_the_amazon_form_offers_every_site_by_marketplace_id(seller_client):
    page = seller_client.get("/settings/channels/add/amazon/").content.decode()
    assert 'name="name"' in page
    assert f'<option value="{UK}">United Kingdom</option>' in page
    assert '<option value="A1PA6795UKMFR9">Germany</option>' in page
    assert page.count("<option value=") == 24  # 23 sites and the empty choice


def test_next_creates_an_enabled_integration_awaiting_authorisation(seller_client, account):
    response = seller_client.post("/settings/channels/add/amazon/", {"name": "Amazon UK", "marketplace": UK})
    integration = Integration.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/settings/channels/{integration.pk}/authorise/"
    assert integration.account == account
    assert (integration.name, integration.marketplace_id) == ("Amazon UK", UK)
    assert integration.enabled is True
    assert integration.authorisation_state == Integration.AuthorisationState.AWAITING
    assert (integration.stock_updates_enabled, integration.price_updates_enabled) == (True, False)
    assert (integration.max_quantity_to_advertise, integration.stock_threshold) == (0, 5)


@pytest.mark.parametrize(
    ("data", "field", "error"),
    [
        ({"marketplace": UK}, "name", "Give the integration a name, e.g. “Amazon UK”."),
        ({"name": "x" * 101, "marketplace": UK}, "name", "at most 100 characters"),
        ({"name": "Amazon UK"}, "marketplace", "Choose the Amazon site, e.g. United Kingdom."),
        ({"name": "Amazon UK", "marketplace": "NOTASITE"}, "marketplace", "Select a valid choice."),
    ],
)
def test_the_amazon_form_refuses_bad_input(seller_client, data, field, error):
    response = seller_client.post("/settings/channels/add/amazon/", data)
    assert response.status_code == 200
    assert error in str(response.context["form"].errors[field])
    assert not Integration.objects.exists()


def test_the_wizard_pages_need_a_login(client):
    for url in ("/settings/channels/add/", "/settings/channels/add/amazon/"):
        assert client.get(url)["Location"].startswith("/accounts/login/")


def test_the_authorise_page_shows_the_authkey_button_opening_a_new_tab(seller_client, account):
    integration = AwaitingIntegrationFactory(account=account)
    page = seller_client.get(f"/settings/channels/{integration.pk}/authorise/").content.decode()
    assert f'href="/settings/channels/{integration.pk}/authorise/start/"' in page
    assert 'target="_blank"' in page
    assert ">authkey</a>" in page
    # Without JavaScript, a plain link returns to the list.
    assert 'id="authorise-done" href="/settings/channels/"' in page


def test_authorise_start_redirects_to_the_consent_page_with_a_fresh_state(seller_client, account, settings):
    settings.AMAZON_SELLER_CENTRAL_URL = None
    settings.SITE_URL = "https://app.example.com"
    integration = AwaitingIntegrationFactory(account=account)
    first = seller_client.get(f"/settings/channels/{integration.pk}/authorise/start/")
    second = seller_client.get(f"/settings/channels/{integration.pk}/authorise/start/")
    assert first.status_code == 302
    url = urlsplit(first["Location"])
    assert f"{url.scheme}://{url.netloc}{url.path}" == (
        "https://sellercentral-europe.amazon.com/apps/authorize/consent"
    )
    query = parse_qs(url.query)
    assert query["application_id"] == [settings.AMAZON_SP_APP_ID]
    assert query["redirect_uri"] == ["https://app.example.com/channels/amazon/callback/"]
    second_state = parse_qs(urlsplit(second["Location"]).query)["state"][0]
    assert query["state"][0] != second_state
    assert consume_state(seller_client.session, query["state"][0]) == integration.pk


def test_authorise_start_answers_another_seller_with_404(outsider_client, account):
    integration = AwaitingIntegrationFactory(account=account)
    assert outsider_client.get(f"/settings/channels/{integration.pk}/authorise/start/").status_code == 404


def test_the_status_endpoint_reports_the_authorisation(seller_client, account):
    integration = IntegrationFactory(account=account)
    status = seller_client.get(f"/settings/channels/{integration.pk}/authorise/status/").json()
    assert status == {
        "authorisation_state": "authorised",
        "authorised": True,
        "authorised_at": integration.authorised_at.isoformat(),
        "problem": "",
    }


def test_the_status_endpoint_reports_awaiting(seller_client, account):
    integration = AwaitingIntegrationFactory(account=account)
    status = seller_client.get(f"/settings/channels/{integration.pk}/authorise/status/").json()
    assert status["authorised"] is False
    assert status["authorised_at"] is None


def test_the_status_endpoint_answers_another_seller_with_404(outsider_client, account):
    integration = IntegrationFactory(account=account)
    assert outsider_client.get(f"/settings/channels/{integration.pk}/authorise/status/").status_code == 404


def test_a_removed_integration_cannot_be_authorised(seller_client, account):
    integration = AwaitingIntegrationFactory(account=account, removed_at=timezone.now())
    assert seller_client.get(f"/settings/channels/{integration.pk}/authorise/").status_code == 404
    assert seller_client.get(f"/settings/channels/{integration.pk}/authorise/start/").status_code == 404
