from __future__ import annotations

import html

import pytest
from cryptography.fernet import Fernet
from django.utils import timezone

from channels.eligibility import Work, eligible
from channels.models import Integration
from channels.tests.factories import AwaitingIntegrationFactory, IntegrationFactory

pytestmark = pytest.mark.django_db

LIST = "/settings/channels/"


def test_the_list_shows_logo_company_name_link_and_status(seller_client, account):
    integration = IntegrationFactory(account=account, name="My UK shop")
    page = seller_client.get(LIST).content.decode()
    assert "img/amazon.svg" in page
    assert 'd-sm-table-cell">Amazon</td>' in page
    assert f'href="/settings/channels/{integration.pk}/">My UK shop</a>' in page
    assert 'text-bg-primary">Yes</span>' in page


def test_a_disabled_integration_shows_a_grey_no(seller_client, account):
    IntegrationFactory(account=account, enabled=False)
    page = seller_client.get(LIST).content.decode()
    assert 'text-bg-secondary">No</span>' in page
    assert 'name="enabled" value="on"' in page


def test_the_switch_works_without_javascript(seller_client, account):
    integration = IntegrationFactory(account=account)
    page = seller_client.get(LIST).content.decode()
    form = page[page.index(f'action="/settings/channels/{integration.pk}/toggle/"') :]
    form = form[: form.index("</form>")]
    assert 'name="enabled" value="off"' in form
    assert "<noscript>" in form and 'type="submit"' in form


def test_the_list_shows_only_the_sellers_own_integrations(seller_client, account):
    IntegrationFactory(account=account, name="Mine")
    IntegrationFactory(name="Someone else's")
    page = seller_client.get(LIST).content.decode()
    assert "Mine" in page
    assert "Someone else" not in page


def test_removed_integrations_are_hidden(seller_client, account):
    IntegrationFactory(account=account, name="Gone for good", removed_at=timezone.now())
    assert "Gone for good" not in seller_client.get(LIST).content.decode()


def test_the_list_warns_when_an_integration_needs_reauthorisation(seller_client, account):
    integration = IntegrationFactory(
        account=account,
        authorisation_state=Integration.AuthorisationState.NEEDS_REAUTHORISATION,
        authorisation_problem="The app was removed in Seller Central",
    )
    page = seller_client.get(LIST).content.decode()
    assert "Needs re-authorisation" in page
    assert "The app was removed in Seller Central" in page
    assert f"/settings/channels/{integration.pk}/authorise/" in page


def test_the_list_warns_that_listings_may_oversell_when_stock_updates_are_off(seller_client, account):
    IntegrationFactory(account=account, stock_updates_enabled=False)
    assert "listings may oversell" in seller_client.get(LIST).content.decode()


def test_the_list_does_not_warn_about_a_healthy_integration(seller_client, account):
    IntegrationFactory(account=account)
    page = seller_client.get(LIST).content.decode()
    assert "integration-warning" not in page


def test_an_integration_awaiting_authorisation_links_to_the_authorise_page(seller_client, account):
    integration = AwaitingIntegrationFactory(account=account)
    page = seller_client.get(LIST).content.decode()
    assert "Awaiting authorisation" in page
    assert f"/settings/channels/{integration.pk}/authorise/" in page


def test_the_list_decrypts_no_token_and_runs_a_fixed_number_of_queries(
    seller_client, account, settings, django_assert_max_num_queries
):
    IntegrationFactory.create_batch(5, account=account)
    # A wrong key would make any decryption fail: the list must not need one.
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    with django_assert_max_num_queries(7):  # 5, and two for every row's health (dashboard.selectors)
        response = seller_client.get(LIST)
    assert response.status_code == 200


def test_the_toggle_disables_an_enabled_integration(seller_client, account):
    integration = IntegrationFactory(account=account)
    response = seller_client.post(f"/settings/channels/{integration.pk}/toggle/", {"enabled": "off"})
    assert response.status_code == 302
    assert response["Location"] == LIST
    integration.refresh_from_db()
    assert integration.enabled is False


def test_the_toggle_enables_a_disabled_integration(seller_client, account):
    integration = IntegrationFactory(account=account, enabled=False)
    seller_client.post(f"/settings/channels/{integration.pk}/toggle/", {"enabled": "on"})
    integration.refresh_from_db()
    assert integration.enabled is True


def test_a_double_submitted_toggle_does_not_flip_back(seller_client, account):
    integration = IntegrationFactory(account=account)
    for _ in range(2):
        seller_client.post(f"/settings/channels/{integration.pk}/toggle/", {"enabled": "off"})
    integration.refresh_from_db()
    assert integration.enabled is False


def test_a_bare_toggle_post_flips(seller_client, account):
    integration = IntegrationFactory(account=account)
    seller_client.post(f"/settings/channels/{integration.pk}/toggle/")
    integration.refresh_from_db()
    assert integration.enabled is False


def test_disabling_keeps_the_settings(seller_client, account):
    integration = IntegrationFactory(account=account, stock_threshold=9, price_updates_enabled=True)
    seller_client.post(f"/settings/channels/{integration.pk}/toggle/", {"enabled": "off"})
    integration.refresh_from_db()
    assert (integration.stock_threshold, integration.price_updates_enabled) == (9, True)


def test_a_disabled_integration_is_not_synced(account):
    enabled = IntegrationFactory(account=account)
    IntegrationFactory(account=account, enabled=False)
    assert list(eligible(Work.ORDERS)) == [enabled]


def test_the_toggle_needs_a_post(seller_client, account):
    integration = IntegrationFactory(account=account)
    assert seller_client.get(f"/settings/channels/{integration.pk}/toggle/").status_code == 405
    integration.refresh_from_db()
    assert integration.enabled is True


def test_the_toggle_answers_another_seller_with_404(outsider_client, account):
    integration = IntegrationFactory(account=account)
    assert outsider_client.post(f"/settings/channels/{integration.pk}/toggle/", {"enabled": "off"}).status_code == 404
    integration.refresh_from_db()
    assert integration.enabled is True


def test_a_removed_integration_cannot_be_toggled(seller_client, account):
    integration = IntegrationFactory(account=account, enabled=False, removed_at=timezone.now())
    assert seller_client.post(f"/settings/channels/{integration.pk}/toggle/", {"enabled": "on"}).status_code == 404
    integration.refresh_from_db()
    assert integration.enabled is False


def test_returning_from_authorisation_says_the_integration_is_connected(seller_client, account):
    integration = IntegrationFactory(account=account, name="My UK shop")
    page = html.unescape(seller_client.get(f"{LIST}?authorised={integration.pk}").content.decode())
    assert "“My UK shop” is connected to Amazon United Kingdom." in page
    assert f'href="/settings/channels/{integration.pk}/mappings/">Listing mappings</a>' in page
    assert f'<tr data-integration="{integration.pk}" class="table-success">' in page


@pytest.mark.parametrize("state", ["awaiting", "someone-elses", "garbage"])
def test_no_connected_message_for_an_integration_that_is_not_authorised_or_not_the_sellers(
    seller_client, account, state
):
    integration = {
        "awaiting": lambda: AwaitingIntegrationFactory(account=account),
        "someone-elses": lambda: IntegrationFactory(name="Not mine"),
        "garbage": lambda: None,
    }[state]()
    param = integration.pk if integration else "abc"
    page = seller_client.get(f"{LIST}?authorised={param}").content.decode()
    assert 'id="just-authorised"' not in page
    assert "Not mine" not in page


def test_the_authorise_page_returns_to_the_list_saying_which_integration(seller_client, account):
    integration = AwaitingIntegrationFactory(account=account)
    page = seller_client.get(f"/settings/channels/{integration.pk}/authorise/").content.decode()
    assert f'data-list-url="/settings/channels/?authorised={integration.pk}"' in page
    assert '<script src="/static/js/authorise.js"></script>' in page


def test_the_logo_column_header_is_a_real_cell_so_the_header_lines_up(seller_client, account):
    IntegrationFactory(account=account)
    page = seller_client.get(LIST).content.decode()
    assert '<th scope="col"><span class="visually-hidden">Logo</span></th>' in page
    assert "visually-hidden-focusable" not in page


def test_stock_updates_off_says_where_to_turn_them_on(seller_client, account):
    integration = IntegrationFactory(account=account, stock_updates_enabled=False)
    page = seller_client.get(LIST).content.decode()
    assert "Stock updates are off: listings may oversell." in page
    assert f'href="/settings/channels/{integration.pk}/#additional-settings">Additional settings</a>' in page


def test_on_a_phone_the_list_scrolls_inside_its_box_and_drops_the_company_column(seller_client, account):
    IntegrationFactory(account=account)
    page = seller_client.get(LIST).content.decode()
    assert '<div class="table-responsive">\n<table class="table align-middle" id="integrations">' in page
    assert '<th scope="col" class="text-nowrap d-none d-sm-table-cell">Company name</th>' in page


def test_the_list_searches_names_and_seller_ids(seller_client, account):
    IntegrationFactory(account=account, name="Amazon UK", selling_partner_id="A1UKSELLER0001")
    IntegrationFactory(account=account, name="Amazon DE", selling_partner_id="A2DESELLER0002")
    IntegrationFactory(name="Amazon UK elsewhere")  # another seller's

    def names(query: str) -> list[str]:
        response = seller_client.get(LIST, {"q": query})
        assert response.status_code == 200
        return [integration.name for integration in response.context["integrations"]]

    assert names("uk") == ["Amazon UK"]
    assert names("a2deseller") == ["Amazon DE"]
    assert names("") == ["Amazon DE", "Amazon UK"]
    assert names("nothing") == []
    assert "No integration's name or seller id contains" in seller_client.get(LIST, {"q": "nothing"}).content.decode()


def test_the_list_pages_through_50_integrations_at_a_time_in_a_fixed_number_of_queries(
    seller_client, account, django_assert_max_num_queries
):
    IntegrationFactory(account=account, name="Amazon 000")

    def queries(**query) -> int:
        with django_assert_max_num_queries(100) as captured:
            assert seller_client.get(LIST, query).status_code == 200
        return len(captured.captured_queries)

    few = queries()
    for number in range(1, 500):
        IntegrationFactory(account=account, name=f"Amazon {number:03d}")

    assert queries() == few
    response = seller_client.get(LIST, {"page": 10})
    assert response.context["integrations"][0].name == "Amazon 450"
    assert len(response.context["integrations"]) == 50
    assert "Page 10 of 10 (500 integrations)" in response.content.decode()
    assert queries(page=3) == few
