from __future__ import annotations

import pytest
from django.utils import timezone

from channels.eligibility import Work, eligible
from channels.forms import BOTH_ORDER_RULES_ON
from channels.models import Integration
from channels.tests.factories import AwaitingIntegrationFactory, IntegrationFactory

pytestmark = pytest.mark.django_db

UK, DE = "A1F83G8C2ARO7P", "A1PA6795UKMFR9"

SETTINGS = {
    "name": "Renamed shop",
    "stock_updates_enabled": "on",
    "max_quantity_to_advertise": "0",
    "stock_threshold": "5",
}


def url(integration: Integration, action: str = "") -> str:
    return f"/settings/channels/{integration.pk}/{action}"


@pytest.fixture
def integration(account):
    return IntegrationFactory(account=account, name="My UK shop", selling_partner_id="A2SIMDEMOSELLER")


def test_the_page_shows_the_integration(seller_client, integration):
    page = seller_client.get(url(integration)).content.decode()
    assert 'name="name" value="My UK shop"' in page
    assert "A2SIMDEMOSELLER" in page
    assert "Amazon United Kingdom" in page
    assert "Authorised" in page
    assert f"{integration.authorised_at:%Y}" in page
    assert f'href="{url(integration, "authorise/")}">Reauthorise</a>' in page
    assert f'action="{url(integration, "verify/")}"' in page
    assert '<summary class="card-header">Additional settings</summary>' in page
    assert 'href="/settings/channels/">Cancel</a>' in page
    assert f'class="btn btn-danger ms-auto" href="{url(integration, "remove/")}">Remove account</a>' in page


def test_the_page_never_shows_the_token(seller_client, integration):
    assert integration.refresh_token not in seller_client.get(url(integration)).content.decode()


def test_additional_settings_carry_their_field_names_and_explanations(seller_client, integration):
    page = seller_client.get(url(integration)).content.decode()
    for name in (
        "stock_updates_enabled",
        "price_updates_enabled",
        "max_quantity_to_advertise",
        "stock_threshold",
        "exclude_non_avasam_orders",
        "split_orders_with_unknown_skus",
    ):
        assert f'name="{name}"' in page
    assert "Amazon is sent 0" in page
    assert "The most Amazon will ever see in stock" in page
    assert "deleted after 3 days unless you map" in page
    assert "automatic repricing software" in page


def test_an_integration_awaiting_authorisation_offers_authorise(seller_client, account):
    integration = AwaitingIntegrationFactory(account=account)
    page = seller_client.get(url(integration)).content.decode()
    assert "Awaiting authorisation" in page
    assert f'href="{url(integration, "authorise/")}">Authorise</a>' in page


def test_saving_applies_the_settings_and_returns_to_the_list(seller_client, integration):
    response = seller_client.post(
        url(integration),
        {
            "name": "Renamed shop",
            "price_updates_enabled": "on",
            "max_quantity_to_advertise": "20",
            "stock_threshold": "3",
            "split_orders_with_unknown_skus": "on",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == "/settings/channels/"
    integration.refresh_from_db()
    assert integration.name == "Renamed shop"
    assert integration.stock_updates_enabled is False  # unticked
    assert integration.price_updates_enabled is True
    assert (integration.max_quantity_to_advertise, integration.stock_threshold) == (20, 3)
    assert (integration.exclude_non_avasam_orders, integration.split_orders_with_unknown_skus) == (False, True)
    assert integration.refresh_token.startswith("Atzr|")  # the token survives a save


def test_exclude_and_split_both_on_is_an_error_naming_both_fields(seller_client, integration):
    response = seller_client.post(
        url(integration), {**SETTINGS, "exclude_non_avasam_orders": "on", "split_orders_with_unknown_skus": "on"}
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["exclude_non_avasam_orders"] == [BOTH_ORDER_RULES_ON]
    assert form.errors["split_orders_with_unknown_skus"] == [BOTH_ORDER_RULES_ON]
    assert (
        "Exclude non-Avasam orders" in BOTH_ORDER_RULES_ON and "Split orders with unknown SKUs" in BOTH_ORDER_RULES_ON
    )
    page = response.content.decode()
    assert 'id="additional-settings" open' in page
    integration.refresh_from_db()
    assert integration.name == "My UK shop"
    assert not integration.exclude_non_avasam_orders


@pytest.mark.parametrize(
    ("field", "value", "error"),
    [
        ("stock_threshold", "-1", "Enter 0 or more: this cannot be negative."),
        ("max_quantity_to_advertise", "-5", "Enter 0 or more: this cannot be negative."),
        ("stock_threshold", "lots", "Enter a whole number, 0 or more."),
        ("stock_threshold", "9" * 25, "Enter a number no larger than 2,147,483,647."),
        ("max_quantity_to_advertise", "2147483648", "Enter a number no larger than 2,147,483,647."),
        ("max_quantity_to_advertise", "", "Enter a whole number, 0 or more."),
        ("name", "", "Give the integration a name, e.g. “Amazon UK”."),
    ],
)
def test_invalid_settings_are_refused_and_nothing_changes(seller_client, integration, field, value, error):
    response = seller_client.post(url(integration), {**SETTINGS, field: value})
    assert response.status_code == 200
    assert error in str(response.context["form"].errors[field])
    integration.refresh_from_db()
    assert integration.name == "My UK shop"


def test_the_database_refuses_exclude_and_split_both_on(integration):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Integration.objects.filter(pk=integration.pk).update(
            exclude_non_avasam_orders=True, split_orders_with_unknown_skus=True
        )


def test_the_page_answers_another_seller_with_404(outsider_client, integration):
    assert outsider_client.get(url(integration)).status_code == 404
    assert outsider_client.post(url(integration), {**SETTINGS}).status_code == 404
    integration.refresh_from_db()
    assert integration.name == "My UK shop"


def test_an_unknown_integration_is_a_404(seller_client):
    assert seller_client.get("/settings/channels/999999/").status_code == 404


def test_the_remove_page_warns_before_removing(seller_client, integration):
    response = seller_client.get(url(integration, "remove/"))
    page = response.content.decode()
    assert "create the integration from scratch" in page
    assert "Analytics will treat a new integration as a different site" in page
    assert '<button type="submit" class="btn btn-danger">Remove account</button>' in page
    integration.refresh_from_db()
    assert integration.removed_at is None


def test_removing_wipes_the_credentials_and_hides_the_integration(seller_client, integration):
    response = seller_client.post(url(integration, "remove/"))
    assert response.status_code == 302
    assert response["Location"] == "/settings/channels/"
    integration.refresh_from_db()
    assert integration.removed_at is not None
    assert integration.refresh_token == ""
    assert integration.enabled is False
    # The row stays, so its orders stay attributed to it.
    assert integration.selling_partner_id == "A2SIMDEMOSELLER"
    listed = seller_client.get("/settings/channels/").context["integrations"]
    assert integration not in listed
    assert seller_client.get(url(integration)).status_code == 404
    assert not eligible(Work.ORDERS).filter(pk=integration.pk).exists()


def test_removing_answers_another_seller_with_404(outsider_client, integration):
    assert outsider_client.post(url(integration, "remove/")).status_code == 404
    integration.refresh_from_db()
    assert integration.removed_at is None


def test_a_removed_integration_cannot_be_removed_again(seller_client, account):
    integration = IntegrationFactory(account=account, removed_at=timezone.now())
    assert seller_client.post(url(integration, "remove/")).status_code == 404


def test_the_verify_button_is_the_target_of_the_health_panels_verify_links(seller_client, integration):
    page = seller_client.get(url(integration)).content.decode()
    assert f'action="{url(integration, "verify/")}" id="verify"' in page


def test_a_link_to_additional_settings_opens_the_collapsed_section(seller_client, integration):
    page = seller_client.get(url(integration)).content.decode()
    # The script (a static file: the Content-Security-Policy allows no inline one) opens a targeted <details>.
    assert '<details class="card mb-3" id="additional-settings">' in page
    assert '<script src="/static/js/open-targeted-details.js"></script>' in page


def test_needing_reauthorisation_shows_when_it_was_last_authorised_not_as_the_date_it_broke(seller_client, account):
    integration = IntegrationFactory(
        account=account,
        authorisation_state=Integration.AuthorisationState.NEEDS_REAUTHORISATION,
        authorisation_problem="Amazon no longer accepts this integration's authorisation.",
    )
    page = seller_client.get(url(integration)).content.decode()
    state = page[page.index('id="authorisation-state"') :]
    state = state[: state.index("</dd>")]
    assert f"last authorised on {integration.authorised_at:%-d %b %Y}" in state
    assert "Click Reauthorise to connect it again" in state


def test_an_awaiting_integration_says_to_click_authorise(seller_client, account):
    integration = AwaitingIntegrationFactory(account=account)
    page = seller_client.get(url(integration)).content.decode()
    assert f'href="{url(integration, "authorise/")}">Authorise</a>' in page
    assert "Click Authorise to connect your Amazon seller account." in page


def test_refused_settings_say_nothing_was_saved_above_the_form(seller_client, integration):
    response = seller_client.post(url(integration), {**SETTINGS, "stock_threshold": "-1"})
    page = response.content.decode()
    assert 'id="settings-errors"' in page
    assert "Nothing was saved: correct the settings marked in red below, then click Save." in page
    assert 'id="additional-settings" open' in page


def test_valid_settings_show_no_error_summary(seller_client, integration):
    assert 'id="settings-errors"' not in seller_client.get(url(integration)).content.decode()


def test_a_disabled_integration_says_where_to_turn_it_back_on(seller_client, account):
    integration = IntegrationFactory(account=account, enabled=False)
    page = seller_client.get(url(integration)).content.decode()
    assert "Disabled: no orders are downloaded and nothing is sent to Amazon." in page
    assert 'with the switch on <a href="/settings/channels/">Sales channel integrations</a>' in page


def test_the_page_says_when_amazon_shares_quantities_with_another_integration(seller_client, account):
    uk = IntegrationFactory(
        account=account, name="Amazon UK", selling_partner_id="ASHARED", marketplace_id="A1F83G8C2ARO7P"
    )
    IntegrationFactory(account=account, name="Amazon DE", selling_partner_id="ASHARED", marketplace_id=DE)
    alone = IntegrationFactory(account=account, name="Amazon US", marketplace_id="ATVPDKIKX0DER")

    shared_page = seller_client.get(f"/settings/channels/{uk.pk}/").content.decode()
    alone_page = seller_client.get(f"/settings/channels/{alone.pk}/").content.decode()

    assert "Amazon shares one quantity per SKU between this integration and “Amazon DE” (Germany)" in shared_page
    assert "Amazon shares one quantity" not in alone_page


def test_the_additional_settings_on_off_choices_are_switches(seller_client, integration):
    page = seller_client.get(f"/settings/channels/{integration.pk}/").content.decode()

    assert page.count('role="switch"') == 4
    assert 'data-turns-off="id_split_orders_with_unknown_skus"' in page
    assert "js/exclusive-switches.js" in page
