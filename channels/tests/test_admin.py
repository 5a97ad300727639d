from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from channels.models import Integration
from channels.tests.factories import IntegrationFactory

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/channels/integration/"


@pytest.fixture
def staff_client(client):
    user = get_user_model().objects.create_superuser("ops@example.com", "ops@example.com", "pw-ops-123")
    client.force_login(user)
    return client


def test_the_changelist_shows_account_site_enabled_and_authorisation(staff_client):
    integration = IntegrationFactory(name="Ops view", account__company="Acme Ltd")
    page = staff_client.get(CHANGELIST).content.decode()
    assert "Ops view" in page
    assert "Acme Ltd" in page
    assert "United Kingdom" in page
    assert "Authorised" in page
    assert integration.refresh_token not in page


def test_the_changelist_searches_by_name_and_seller_id(staff_client):
    IntegrationFactory(name="Findable shop", selling_partner_id="AFINDME")
    IntegrationFactory(name="Other shop", selling_partner_id="AHIDDEN")
    for query in ("Findable", "AFINDME"):
        page = staff_client.get(CHANGELIST, {"q": query}).content.decode()
        assert "Findable shop" in page
        assert "Other shop" not in page


def test_the_changelist_filters_by_enabled(staff_client):
    IntegrationFactory(name="Switched off", enabled=False)
    IntegrationFactory(name="Running")
    page = staff_client.get(CHANGELIST, {"enabled__exact": "0"}).content.decode()
    assert "Switched off" in page
    assert "Running" not in page


def test_the_change_page_never_shows_or_accepts_the_token(staff_client):
    integration = IntegrationFactory()
    page = staff_client.get(f"{CHANGELIST}{integration.pk}/change/").content.decode()
    assert integration.refresh_token not in page
    assert 'name="refresh_token"' not in page


def test_saving_in_the_admin_keeps_the_token(staff_client):
    integration = IntegrationFactory(name="Before")
    token = integration.refresh_token
    response = staff_client.post(
        f"{CHANGELIST}{integration.pk}/change/",
        {
            "name": "After",
            "enabled": "on",
            "stock_updates_enabled": "on",
            "max_quantity_to_advertise": "0",
            "stock_threshold": "5",
            "refresh_token": "Atzr|injected",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    integration.refresh_from_db()
    assert integration.name == "After"
    assert integration.refresh_token == token


def test_a_count_larger_than_the_database_holds_is_refused_in_the_admin_too(staff_client):
    integration = IntegrationFactory(max_quantity_to_advertise=10)
    response = staff_client.post(
        f"{CHANGELIST}{integration.pk}/change/",
        {
            "name": integration.name,
            "enabled": "on",
            "stock_updates_enabled": "on",
            "max_quantity_to_advertise": "2147483648",
            "stock_threshold": "5",
        },
    )
    assert response.status_code == 200
    assert "2147483647" in str(response.context["adminform"].form.errors["max_quantity_to_advertise"])
    integration.refresh_from_db()
    assert integration.max_quantity_to_advertise == 10


def test_the_disable_action_disables_the_selected_integrations(staff_client):
    chosen = IntegrationFactory()
    untouched = IntegrationFactory()
    staff_client.post(CHANGELIST, {"action": "disable", "_selected_action": [chosen.pk]})
    assert Integration.objects.get(pk=chosen.pk).enabled is False
    assert Integration.objects.get(pk=untouched.pk).enabled is True


def test_download_orders_now_fetches_the_selected_integrations_orders(
    staff_client, amazon_simulator, django_capture_on_commit_callbacks
):
    from orders.models import Order
    from orders.tests.simulated import connected_integration, place_orders

    integration = connected_integration(amazon_simulator)
    placed = place_orders(amazon_simulator, integration, 3)

    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            CHANGELIST, {"action": "download_orders_now", "_selected_action": [integration.pk]}, follow=True
        )

    assert "Started order downloads for 1 integration(s)." in response.content.decode()
    stored = set(Order.objects.filter(integration=integration).values_list("amazon_order_id", flat=True))
    assert stored == {order.order_id for order in placed}


def test_push_stock_now_sends_every_listings_current_quantity(staff_client, amazon_simulator):
    from orders.tests.simulated import connected_integration
    from stock.models import ListingMapping
    from stock.tests.factories import ProductFactory

    amazon_simulator.state.speedup = 200
    integration = connected_integration(amazon_simulator)
    seller, site = integration.selling_partner_id, integration.marketplace_id
    amazon_simulator.state.set_listing(seller, site, "LISTING-1", quantity=0)
    product = ProductFactory(quantity=40)
    # Created directly, so nothing is pending until ops ask for the push.
    ListingMapping.objects.create(integration=integration, channel_sku="LISTING-1", product=product)

    staff_client.post(CHANGELIST, {"action": "push_stock_now", "_selected_action": [integration.pk]})
    call_command("push_stock", "--integration", str(integration.pk))

    listing = amazon_simulator.state.listing(seller, site, "LISTING-1")
    assert listing.quantity == 40


def test_ops_actions_skip_disabled_integrations_and_say_so(staff_client):
    integration = IntegrationFactory(enabled=False)

    response = staff_client.post(
        CHANGELIST, {"action": "download_orders_now", "_selected_action": [integration.pk]}, follow=True
    )

    page = response.content.decode()
    assert "Started order downloads for 0 integration(s)." in page
    assert "Skipped 1 integration(s) that are disabled, removed or not authorised." in page
