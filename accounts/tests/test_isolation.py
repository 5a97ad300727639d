"""No seller URL answers another seller with anything but 404, and anonymous users go to login."""

from __future__ import annotations

import pytest
from django.test import Client

from accounts.tests.tenant_objects import OBJECT_FOR_PARAMETER
from accounts.tests.url_walk import seller_routes

ROUTES = seller_routes()
ROUTES_WITH_OBJECTS = [route for route in ROUTES if route.parameters]


def _ids(routes):
    return [route.route or "/" for route in routes]


def test_the_walk_finds_the_seller_pages():
    routes = {route.route for route in ROUTES}
    assert {"settings/channels/", "orders/"} <= routes


@pytest.mark.parametrize("route", ROUTES, ids=_ids(ROUTES))
def test_every_seller_view_requires_a_seller(route):
    target = getattr(route.view, "view_class", route.view)
    assert getattr(route.view, "seller_only", False) or getattr(target, "seller_only", False), (
        f"/{route.route} is not wrapped in accounts.tenancy.seller_required"
    )


@pytest.mark.django_db
@pytest.mark.parametrize("route", ROUTES, ids=_ids(ROUTES))
def test_anonymous_users_are_sent_to_login(client, route, account):
    values = {name: OBJECT_FOR_PARAMETER[name](account) for name in route.parameters}
    for method in (client.get, client.post):
        response = method(route.url(values))
        assert response.status_code == 302, f"{method.__name__} /{route.route}"
        assert response["Location"].startswith("/accounts/login/")


@pytest.mark.django_db
@pytest.mark.parametrize("route", ROUTES_WITH_OBJECTS, ids=_ids(ROUTES_WITH_OBJECTS))
def test_another_sellers_object_is_a_404(route, account, outsider):
    missing = [name for name in route.parameters if name not in OBJECT_FOR_PARAMETER]
    assert not missing, f"add {missing} to accounts/tests/tenant_objects.py"
    values = {name: OBJECT_FOR_PARAMETER[name](account) for name in route.parameters}
    client = Client()
    client.force_login(outsider)
    url = route.url(values)
    assert client.get(url).status_code == 404, f"GET {url}"
    assert client.post(url).status_code == 404, f"POST {url}"
