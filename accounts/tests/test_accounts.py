import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from accounts.models import SellerAccount


@pytest.mark.django_db
def test_create_seller_makes_an_account_whose_owner_logs_in_with_the_email(client, capsys):
    call_command("create_seller", email="ann@shop.example", password="s3cret-pass!", company="Ann's Shop")

    account = SellerAccount.objects.get(company="Ann's Shop")
    user = get_user_model().objects.get(username="ann@shop.example")
    assert user.membership.account == account and user.membership.is_owner
    assert "ann@shop.example" in capsys.readouterr().out
    response = client.post("/accounts/login/", {"username": "ann@shop.example", "password": "s3cret-pass!"})
    assert response.status_code == 302 and response["Location"] == "/"


@pytest.mark.django_db
def test_create_seller_refuses_an_email_that_exists():
    call_command("create_seller", email="ann@shop.example", password="pw-123456", company="A")

    with pytest.raises(CommandError, match="already exists"):
        call_command("create_seller", email="ANN@shop.example", password="pw-123456", company="B")
    assert SellerAccount.objects.count() == 1


@pytest.mark.django_db
def test_the_login_page_shows_a_form(client):
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    assert b'name="username"' in response.content and b'name="password"' in response.content


def test_logout_ends_the_session(seller_client):
    response = seller_client.post("/accounts/logout/")
    assert response.status_code == 302
    assert seller_client.get("/settings/channels/").status_code == 302


def test_the_layout_links_to_integrations_and_orders(seller_client):
    html = seller_client.get("/settings/channels/").content.decode()
    assert 'href="/settings/channels/"' in html and "Sales channel integrations" in html
    assert 'href="/orders/"' in html
    assert "/static/vendor/bootstrap/bootstrap.min.css" in html and "cdn" not in html.lower()


@pytest.mark.django_db
def test_a_staff_user_without_a_seller_account_is_refused_seller_pages(client, admin_user):
    client.force_login(admin_user)
    assert client.get("/orders/").status_code == 403
