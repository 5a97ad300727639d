"""Fuzz: hostile values in every query parameter and form field of every seller URL never cause a server error.

The URLs come from the URLconf (as in the isolation test), the parameters and fields from the pages
themselves (every form and every link with a query), plus the query parameters views read without
showing a link. Runs on PostgreSQL, where column limits and NUL bytes bite.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote_from_bytes

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import Resolver404, resolve

from accounts.tests.factories import SellerUserFactory
from accounts.tests.page_inputs import PageForm, page_inputs
from accounts.tests.tenant_objects import seller_world
from accounts.tests.url_walk import SellerRoute, seller_routes

pytestmark = [pytest.mark.postgres]

HOSTILE: dict[str, bytes] = {
    "a NUL byte": b"a\x00b",
    "a lone surrogate": b"\xed\xa0\x80",
    "bad UTF-8": b"\xff\xfe",
    "10,000 characters": b"x" * 10_000,
    "a huge number": b"9" * 30,
    "a negative number": b"-1",
    "a huge negative number": b"-" + b"9" * 30,
    "year 1": b"0001-01-01",
    "year 9999": b"9999-12-31",
    "30 February": b"2026-02-30",
    "an infinite number": b"1e999",
    "not a number": b"NaN",
}
# Read by views without a link on a page with little data (pagination, filters, the export, the list's notice).
UNLINKED_QUERY_NAMES = {"page", "q", "integration", "authorised", "days", "start", "end"}

ROUTES = seller_routes()


def _route_of(path: str) -> str | None:
    try:
        return resolve(path).route
    except Resolver404:
        return None


@dataclass
class Catalogue:
    forms: dict[str, list[PageForm]]  # route -> forms that submit to it
    query_names: dict[str, set[str]]  # route -> query parameters seen in its forms and links


def _discover(client: Client, world: dict[str, int]) -> Catalogue:
    """Open every seller page that answers GET and note what each lets a user send, and where."""
    catalogue = Catalogue(forms={}, query_names={})
    for route in ROUTES:
        url = route.url(world)
        response = client.get(url)
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        inputs = page_inputs(response.content.decode(), page_url=url)
        for form in inputs.forms:
            target = _route_of(form.action)
            if target is None:
                continue
            catalogue.forms.setdefault(target, []).append(form)
            if form.method == "get":
                catalogue.query_names.setdefault(target, set()).update(form.fields, form.optional)
        for path, query in inputs.links:
            target = _route_of(path)
            if target is not None:
                catalogue.query_names.setdefault(target, set()).update(query)
    return catalogue


@pytest.fixture(scope="module")
def catalogue(django_db_setup, django_db_blocker) -> Catalogue:
    with django_db_blocker.unblock(), transaction.atomic():
        user = SellerUserFactory()
        client = Client()
        client.force_login(user)
        found = _discover(client, seller_world(user.membership.account))
        transaction.set_rollback(True)
    return found


def _encoded(fields: dict[str, bytes]) -> str:
    return "&".join(f"{quote_from_bytes(name.encode())}={quote_from_bytes(value)}" for name, value in fields.items())


class _Fuzzer:
    def __init__(self, client: Client):
        self.client = client
        self.failures: list[str] = []

    def send(self, method: str, url: str, fields: dict[str, bytes], files: dict[str, bytes] | None = None) -> None:
        # A failed query aborts PostgreSQL's transaction: roll back to before the request and carry on.
        savepoint = transaction.savepoint()
        if method == "get":
            response = self.client.get(f"{url}?{_encoded(fields)}")
        elif files:
            data = {name: value.decode("latin-1") for name, value in fields.items()}
            data.update({name: SimpleUploadedFile("upload.csv", content) for name, content in files.items()})
            response = self.client.post(url, data)
        else:
            response = self.client.post(url, _encoded(fields), content_type="application/x-www-form-urlencoded")
        if response.status_code >= 500:
            transaction.savepoint_rollback(savepoint)
            error = response.exc_info[1] if response.exc_info else None
            shown = {name: value[:40] for name, value in fields.items()}
            self.failures.append(f"{method.upper()} {url} {shown} files={sorted(files or ())}: {error!r}")
        else:
            transaction.savepoint_commit(savepoint)


def _base(form: PageForm) -> dict[str, bytes]:
    return {name: value.encode() for name, value in form.fields.items()}


def _csv_with(value: bytes) -> bytes:
    return b"channel_sku,product_sku\n" + value + b"," + value + b"\n"


@pytest.mark.django_db
@pytest.mark.parametrize("route", ROUTES, ids=[route.route for route in ROUTES])
def test_hostile_input_never_causes_a_server_error(route: SellerRoute, catalogue, owner, amazon_simulator):
    world = seller_world(owner.membership.account)
    missing = set(route.parameters) - set(world)
    assert not missing, f"give the fuzz world an object for {missing}"
    client = Client(raise_request_exception=False)
    client.force_login(owner)
    fuzzer = _Fuzzer(client)
    url = route.url(world)
    forms = catalogue.forms.get(route.route, [])
    query_names = catalogue.query_names.get(route.route, set()) | UNLINKED_QUERY_NAMES
    form_names = {name for form in forms for name in [*form.fields, *form.optional]} or query_names

    # One field at a time, the others as the page had them: reaches the code behind each form's validation.
    for form in forms:
        for name in [*form.fields, *form.optional]:
            for value in HOSTILE.values():
                fuzzer.send(form.method, url, {**_base(form), name: value})
        # Everything typed at once (two dates out of range together, say), choices as the page had them.
        for value in HOSTILE.values():
            fuzzer.send(form.method, url, {**_base(form), **dict.fromkeys(form.typed_fields, value)})
        for name in form.files:
            for value in HOSTILE.values():
                fuzzer.send(form.method, url, _base(form), files={name: _csv_with(value)})
    # Every parameter at once, by both methods.
    for value in HOSTILE.values():
        fuzzer.send("get", url, dict.fromkeys(query_names, value))
        fuzzer.send("post", url, dict.fromkeys(form_names, value))

    assert not fuzzer.failures, "\n".join(fuzzer.failures)
