"""Who is logged in: the user, their seller membership and account, read together once per request."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.tests.factories import SellerUserFactory

pytestmark = pytest.mark.django_db


def tables_read(queries) -> list[str]:
    return [query["sql"].split(" FROM ", 1)[1].split()[0] for query in queries if query["sql"].startswith("SELECT")]


def test_a_seller_page_reads_the_user_with_their_account_in_one_query(seller_client, account):
    with CaptureQueriesContext(connection) as queries:
        page = seller_client.get("/settings/account/")
    assert page.status_code == 200 and account.company in page.content.decode()
    read = tables_read(queries)
    assert read.count('"auth_user"') == 1
    assert '"accounts_membership"' not in read and '"accounts_selleraccount"' not in read


def test_a_user_logged_in_with_a_password_is_the_seller_on_later_pages(client):
    SellerUserFactory(username="sam@example.com", membership__account__company="Sam Shop")
    login = {"username": "sam@example.com", "password": "correct horse battery"}
    assert client.post("/accounts/login/", login).status_code == 302
    assert "Sam Shop" in client.get("/settings/account/").content.decode()


def test_a_deactivated_user_is_logged_out(seller_client, owner):
    owner.is_active = False
    owner.save()
    assert seller_client.get("/settings/account/").status_code == 302
