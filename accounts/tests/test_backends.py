"""Who is logged in: the user, their seller membership and account, read together once per request."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.backends import user_with_account
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


def test_the_user_read_with_the_account_has_every_value_the_orm_reads(owner, account):
    user = user_with_account(owner.pk)

    expected = get_user_model().objects.select_related("membership__account").get(pk=owner.pk)
    fields = [field.attname for field in get_user_model()._meta.concrete_fields]
    assert [getattr(user, name) for name in fields] == [getattr(expected, name) for name in fields]
    with CaptureQueriesContext(connection) as queries:
        membership = user.membership
        assert (membership.pk, membership.is_owner, membership.created_at) == (
            expected.membership.pk,
            expected.membership.is_owner,
            expected.membership.created_at,
        )
        assert (membership.account.pk, membership.account.company, membership.account.time_zone) == (
            account.pk,
            account.company,
            account.time_zone,
        )
        assert membership.account.created_at == account.created_at and membership.user is user
    assert not queries


def test_a_user_with_no_seller_account_has_none_without_another_query():
    staff = get_user_model().objects.create_user("ops@example.com", password="x", is_staff=True)

    user = user_with_account(staff.pk)

    with CaptureQueriesContext(connection) as queries:
        assert user.username == "ops@example.com" and getattr(user, "membership", None) is None
    assert not queries
    assert user_with_account(staff.pk + 1000) is None


def test_an_expired_session_is_a_logged_out_visitor(seller_client):
    assert seller_client.get("/settings/account/").status_code == 200
    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))

    assert seller_client.get("/settings/account/").status_code == 302
