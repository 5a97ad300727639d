"""Password guessing is throttled: 10 failures lock a (login name, address) pair, 50 lock an address, for 15 minutes."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from axes.models import AccessAttempt
from django.db.models import F
from django.utils import timezone

from accounts.middleware import TIME_ZONE_COOKIE
from accounts.templatetags.seller_time import when
from accounts.tests.factories import SellerUserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery"
OFFICE, HOME = "203.0.113.7", "198.51.100.20"


def _login(client, username: str, password: str, address: str = OFFICE, path: str = "/accounts/login/"):
    return client.post(path, {"username": username, "password": password}, REMOTE_ADDR=address)


def _fail(client, username: str, times: int, address: str = OFFICE, path: str = "/accounts/login/"):
    return [_login(client, username, "wrong password", address, path).status_code for _ in range(times)]


def _logged_in(client) -> bool:
    return "_auth_user_id" in client.session


def _minutes_pass(minutes: int) -> None:
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - timedelta(minutes=minutes))


def test_the_tenth_wrong_password_locks_the_login_name_from_that_address(client, owner):
    assert _fail(client, owner.username, 9) == [200] * 9

    response = _login(client, owner.username, "wrong password")

    assert response.status_code == 429
    page = response.content.decode()
    assert "Too many failed logins" in page and "Try again after" in page and "in about 15 minutes" in page
    assert 890 <= int(response["Retry-After"]) <= 900


def test_the_lock_out_page_gives_the_time_in_the_sellers_zone_remembered_by_the_browser(client, owner):
    account = owner.membership.account
    account.time_zone = "Europe/Paris"
    account.save(update_fields=["time_zone"])
    client.force_login(owner)
    client.get("/")  # the seller's pages leave their zone in the browser
    client.post("/accounts/logout/")  # the cookie outlives the session
    _fail(client, owner.username, 9)

    page = _login(client, owner.username, "wrong password").content.decode()

    ends_at = AccessAttempt.objects.get().attempt_time + timedelta(minutes=15)
    with timezone.override(ZoneInfo("Europe/Paris")):
        assert f"Try again after <strong>{when(ends_at)}</strong>" in page
    assert " CET</strong>" in page or " CEST</strong>" in page


def test_the_lock_out_page_without_a_remembered_zone_says_utc_and_ignores_a_made_up_one(client, owner):
    client.cookies[TIME_ZONE_COOKIE] = "../../etc/passwd"
    _fail(client, owner.username, 9)

    page = _login(client, owner.username, "wrong password").content.decode()

    ends_at = AccessAttempt.objects.get().attempt_time + timedelta(minutes=15)
    assert f"Try again after <strong>{ends_at.day} {ends_at:%b %Y}, {ends_at:%H:%M} UTC</strong>" in page


def test_while_locked_even_the_right_password_is_refused(client, owner):
    _fail(client, owner.username, 10)

    response = _login(client, owner.username, PASSWORD)

    assert response.status_code == 429
    assert not _logged_in(client)


def test_the_lock_lifts_15_minutes_after_the_last_failure(client, owner):
    _fail(client, owner.username, 10)
    _minutes_pass(14)
    assert _login(client, owner.username, PASSWORD).status_code == 429

    _minutes_pass(2)

    assert _login(client, owner.username, PASSWORD).status_code == 302
    assert _logged_in(client)


def test_attempts_while_locked_do_not_push_the_lock_further(client, owner):
    _fail(client, owner.username, 10)
    _minutes_pass(10)
    assert _fail(client, owner.username, 5) == [429] * 5

    _minutes_pass(6)

    assert _login(client, owner.username, PASSWORD).status_code == 302


def test_a_locked_pair_leaves_other_users_and_other_addresses_free(client, owner, outsider):
    _fail(client, owner.username, 10)

    assert _login(client, outsider.username, PASSWORD).status_code == 302
    client.logout()
    assert _login(client, owner.username, PASSWORD, address=HOME).status_code == 302


def test_changing_the_case_of_the_login_name_does_not_buy_more_guesses(client, owner):
    _fail(client, owner.username.upper(), 5)
    _fail(client, f" {owner.username.title()} ", 4)

    assert _login(client, owner.username, "wrong password").status_code == 429


def test_fifty_failures_across_login_names_lock_the_address(client, owner):
    statuses = [status for n in range(10) for status in _fail(client, f"guess{n}@example.com", 5)]

    assert statuses == [200] * 49 + [429]
    assert _login(client, owner.username, PASSWORD).status_code == 429
    assert _login(client, owner.username, PASSWORD, address=HOME).status_code == 302


def test_a_successful_login_clears_its_pair_but_not_the_address(client, owner):
    attacker = SellerUserFactory()
    _fail(client, owner.username, 9)
    assert _login(client, owner.username, PASSWORD).status_code == 302
    client.logout()
    assert _fail(client, owner.username, 9) == [200] * 9  # the pair starts again from 0

    # The address keeps counting: logging in to an account of one's own does not reset it.
    _fail(client, "someone@example.com", 9)
    _fail(client, "another@example.com", 9)
    assert _login(client, attacker.username, PASSWORD).status_code == 302
    client.logout()
    statuses = [status for n in range(5) for status in _fail(client, f"guess{n}@example.com", 5)]
    assert statuses == [200] * (49 - 27) + [429] * 3  # 27 failures already counted


def test_the_admin_login_is_throttled_alike(client, admin_user):
    assert _fail(client, admin_user.username, 10, path="/admin/login/") == [200] * 9 + [429]
    assert _login(client, admin_user.username, "password", path="/admin/login/").status_code == 429


def test_a_forged_forwarded_for_header_does_not_dodge_the_lock(client, owner):
    for n in range(10):
        client.post(
            "/accounts/login/",
            {"username": owner.username, "password": "wrong"},
            REMOTE_ADDR=OFFICE,
            HTTP_X_FORWARDED_FOR=f"10.0.0.{n}",
        )

    assert _login(client, owner.username, PASSWORD).status_code == 429


def test_behind_a_trusted_proxy_the_address_comes_from_forwarded_for(client, owner, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = "10.1.1.1"
    for _ in range(10):
        # The client may prepend anything; the proxy appends the address it saw.
        client.post(
            "/accounts/login/",
            {"username": owner.username, "password": "wrong"},
            REMOTE_ADDR=proxy,
            HTTP_X_FORWARDED_FOR=f"1.2.3.4, {OFFICE}",
        )

    assert _login(client, owner.username, PASSWORD, address=proxy).status_code == 302  # no forwarded address
    client.logout()
    locked = client.post(
        "/accounts/login/",
        {"username": owner.username, "password": PASSWORD},
        REMOTE_ADDR=proxy,
        HTTP_X_FORWARDED_FOR=OFFICE,
    )
    assert locked.status_code == 429
    assert AccessAttempt.objects.get().ip_address == OFFICE
