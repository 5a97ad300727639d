"""Shared seller-page templates owned with the integration screens: the 404 page, the base layout, and the
orders and mappings templates' wording found in the browser review."""

from __future__ import annotations

import html
import re

import pytest

from channels.tests.factories import IntegrationFactory
from orders.models import OrderKind
from orders.tests.factories import OrderFactory, OrderLineFactory
from stock.tests.factories import ListingMappingFactory, ProductFactory

pytestmark = pytest.mark.django_db


def test_another_sellers_integration_is_a_friendly_404_page(outsider_client, account):
    integration = IntegrationFactory(account=account)
    response = outsider_client.get(f"/settings/channels/{integration.pk}/")
    page = response.content.decode()
    assert response.status_code == 404
    assert "Page not found" in page
    assert "belongs to another seller account" in page
    assert 'href="/settings/channels/">your sales channel integrations</a>' in page


def test_the_settings_menu_works_without_javascript(seller_client):
    page = seller_client.get("/settings/channels/").content.decode()
    assert '<a class="nav-link dropdown-toggle" href="/settings/channels/"' in page


def test_pages_declare_an_icon_so_browsers_do_not_ask_for_a_missing_favicon(seller_client):
    assert '<link rel="icon" href="data:,">' in seller_client.get("/settings/channels/").content.decode()


def test_an_order_shows_its_site_by_name_and_links_unmapped_lines_to_the_mappings(seller_client, account):
    integration = IntegrationFactory(account=account, name="My UK shop")
    order = OrderFactory(integration=integration, kind=OrderKind.NON_AVASAM)
    OrderLineFactory(order=order, channel_sku="UNMAPPED-1")
    page = html.unescape(seller_client.get(f"/orders/{order.pk}/").content.decode())
    assert "My UK shop (Amazon United Kingdom)" in page
    assert "A1F83G8C2ARO7P" not in page
    assert (
        f'href="/settings/channels/{integration.pk}/mappings/?channel_sku=UNMAPPED-1#add-mapping">Map this SKU</a>'
        in page
    )


def test_an_order_from_another_site_names_that_site_by_its_id(seller_client, account):
    order = OrderFactory(integration=IntegrationFactory(account=account), marketplace_id="A1PA6795UKMFR9")
    assert "(Amazon site A1PA6795UKMFR9)" in seller_client.get(f"/orders/{order.pk}/").content.decode()


def test_the_orders_list_gives_times_with_their_zone(seller_client, account):
    OrderFactory(integration=IntegrationFactory(account=account), kind=OrderKind.NON_AVASAM)
    page = seller_client.get("/orders/").content.decode()
    assert "Purchased</th>" in page
    assert "UTC unless you map its SKUs." in page


def test_removing_a_mapping_asks_first_and_says_amazon_is_sent_0(seller_client, account):
    integration = IntegrationFactory(account=account)
    mapping = ListingMappingFactory(integration=integration, channel_sku="AMZ-7", product=ProductFactory())
    page = seller_client.get(f"/settings/channels/{integration.pk}/mappings/").content.decode()
    form = page[page.index(f'action="/settings/channels/{integration.pk}/mappings/{mapping.pk}/remove/"') :]
    form = form[: form.index("</form>")]
    assert 'class="js-confirm"' in form
    assert 'data-confirm="Remove the mapping of AMZ-7? Amazon is then sent 0 for this listing."' in form
    assert '<script src="/static/js/confirm-submit.js"></script>' in page


def test_a_mappings_remove_form_as_served_passes_the_csrf_check(seller_client, account):
    from django.test import Client

    from stock.models import ListingMapping

    integration = IntegrationFactory(account=account)
    mapping = ListingMappingFactory(integration=integration, channel_sku="AMZ-7", product=ProductFactory())
    ListingMappingFactory(integration=integration, channel_sku="AMZ-8", product=ProductFactory())
    strict = Client(enforce_csrf_checks=True)
    strict.cookies = seller_client.cookies
    page = strict.get(f"/settings/channels/{integration.pk}/mappings/").content.decode()
    action = f"/settings/channels/{integration.pk}/mappings/{mapping.pk}/remove/"
    form = page[page.index(f'action="{action}"') :]
    form = form[: form.index("</form>")]
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)

    response = strict.post(action, {"csrfmiddlewaretoken": token})

    assert response.status_code == 302
    assert list(ListingMapping.objects.filter(integration=integration).values_list("channel_sku", flat=True)) == [
        "AMZ-8"
    ]


def test_auto_map_counts_in_plain_english(seller_client, account):
    from orders.tests.factories import OrderLineFactory as Line

    integration = IntegrationFactory(account=account)
    ProductFactory(sku="SKU-ONE")
    Line(order=OrderFactory(integration=integration), channel_sku="SKU-ONE")
    page = html.unescape(seller_client.get(f"/settings/channels/{integration.pk}/mappings/auto-map/").content.decode())
    assert "This listing SKU appears in this integration's orders, is not mapped yet" in page
    assert "Map this listing</button>" in page
    assert "(s)" not in page


def test_the_login_page_asks_for_the_email_and_says_plainly_when_it_does_not_match(client, owner):
    page = client.get("/accounts/login/").content.decode()
    assert '<label class="form-label" for="id_username">Email</label>' in page
    assert 'name="username"' in page and 'name="password"' in page
    response = client.post("/accounts/login/", {"username": owner.username, "password": "wrong"})
    page = response.content.decode()
    assert "That email and password do not match an account. Check them and try again." in page
    assert "Note that both fields may be case-sensitive" not in page


def test_the_login_page_still_logs_a_seller_in(client, owner):
    response = client.post("/accounts/login/", {"username": owner.username, "password": "correct horse battery"})
    assert response.status_code == 302
    assert client.get("/settings/channels/").status_code == 200


def test_a_user_without_a_seller_account_gets_a_page_saying_why(client, django_user_model):
    staff = django_user_model.objects.create_user("ops@example.com", password="pw-ops-12345", is_staff=True)
    client.force_login(staff)
    response = client.get("/settings/channels/")
    page = response.content.decode()
    assert response.status_code == 403
    assert "You cannot open this page" in page
    assert "This page is for sellers; your user belongs to no seller account." in page
    assert 'href="/admin/">admin</a>' in page


def test_an_expired_form_says_nothing_changed_and_what_to_do(seller_client, account):
    from django.test import Client

    integration = IntegrationFactory(account=account)
    strict = Client(enforce_csrf_checks=True)
    strict.cookies = seller_client.cookies
    response = strict.post(f"/settings/channels/{integration.pk}/toggle/", {"enabled": "off"})
    page = response.content.decode()
    assert response.status_code == 403
    assert "This form has expired" in page
    assert "Nothing was changed." in page
    integration.refresh_from_db()
    assert integration.enabled is True
