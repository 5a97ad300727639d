"""Every page carries a Content-Security-Policy that allows no inline script or style, and no page needs one;
a signed-in seller's pages are never cached."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django.template.loader import render_to_string

from accounts.tests.tenant_objects import seller_world
from accounts.tests.url_walk import seller_routes

pytestmark = pytest.mark.django_db

ROUTES = seller_routes()
# Script types a browser runs; others (application/json from json_script) are data.
SCRIPT_TYPES = {"", "text/javascript", "module", "application/javascript"}


class _InlineCode(HTMLParser):
    """Collects what a strict Content-Security-Policy would block: inline scripts, style attributes and
    elements, and event-handler attributes."""

    def __init__(self):
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        attr = dict(attrs)
        if tag == "script" and "src" not in attr and (attr.get("type") or "").lower() in SCRIPT_TYPES:
            self.found.append("an inline <script>")
        if tag == "style":
            self.found.append("a <style> element")
        self.found += [f"{name}= on <{tag}>" for name in attr if name == "style" or name.startswith("on")]


def _inline_code(html: str) -> list[str]:
    parser = _InlineCode()
    parser.feed(html)
    return parser.found


def _policy(response) -> dict[str, list[str]]:
    directives = [part.split() for part in response["Content-Security-Policy"].split(";") if part.strip()]
    return {name: values for name, *values in directives}


def test_the_policy_allows_scripts_and_styles_from_our_own_files_only(seller_client):
    policy = _policy(seller_client.get("/settings/channels/"))

    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"] and policy["frame-ancestors"] == ["'none'"]


@pytest.mark.parametrize("route", ROUTES, ids=[route.route for route in ROUTES])
def test_every_seller_page_is_private_and_runs_under_the_policy(seller_client, owner, route):
    response = seller_client.get(route.url(seller_world(owner.membership.account)))

    assert {"private", "no-store"} <= {part.strip() for part in response["Cache-Control"].split(",")}
    if response.status_code == 200 and response["Content-Type"].startswith("text/html"):
        assert "Content-Security-Policy" in response
        assert _inline_code(response.content.decode()) == []


@pytest.mark.parametrize("path", ["/accounts/login/", "/admin/login/"])
def test_the_login_pages_run_under_the_policy(client, path):
    response = client.get(path)

    assert _policy(response)["script-src"] == ["'self'"]
    assert _inline_code(response.content.decode()) == []


@pytest.mark.parametrize(
    "path", ["/admin/", "/admin/channels/integration/", "/admin/stock/supplier/add/", "/admin/axes/accessattempt/"]
)
def test_the_admin_runs_under_the_policy(admin_client, path):
    response = admin_client.get(path)

    assert response.status_code == 200
    assert _inline_code(response.content.decode()) == []


def test_the_error_pages_need_no_inline_code(client, settings):
    settings.DEBUG = False
    assert _inline_code(client.get("/no-such-page/").content.decode()) == []
    assert _inline_code(client.get("/orders/?q=%00").content.decode()) == []
    assert _inline_code(render_to_string("500.html")) == []
