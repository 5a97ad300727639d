"""Text the database cannot store (NUL bytes) or that is not UTF-8 is refused with a 400 and a sentence, once,
for every page: query strings, forms and uploaded files. The supplier API validates its own JSON."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from channels.models import Integration
from channels.tests.factories import IntegrationFactory
from stock.models import ListingMapping
from stock.tests.factories import ProductFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def integration(account):
    return IntegrationFactory(account=account, name="Amazon UK")


@pytest.mark.parametrize("query", ["q=a%00b", "q=%ff", "q=%ED%A0%80", "q%00=x", "q=a&x=%C3"])
def test_an_unreadable_query_is_refused_with_a_sentence(seller_client, integration, query):
    response = seller_client.get(f"/settings/channels/{integration.pk}/mappings/?{query}")

    assert response.status_code == 400
    page = response.content.decode()
    assert "The address contains a character Avasam cannot accept" in page
    assert "Nothing was changed" in page


def test_ordinary_non_ascii_text_is_accepted(seller_client, integration):
    response = seller_client.get(f"/settings/channels/{integration.pk}/mappings/", {"q": "Café 東京 ✓"})
    assert response.status_code == 200


def test_a_nul_byte_in_a_form_is_refused_and_changes_nothing(seller_client, integration):
    response = seller_client.post(
        f"/settings/channels/{integration.pk}/",
        "name=Evil%00Name&stock_threshold=3&max_quantity_to_advertise=0&stock_updates_enabled=on",
        content_type="application/x-www-form-urlencoded",
    )

    assert response.status_code == 400
    assert "The form contains a character Avasam cannot accept" in response.content.decode()
    integration.refresh_from_db()
    assert (integration.name, integration.stock_threshold) == ("Amazon UK", 5)


def test_a_csv_with_a_nul_byte_in_a_cell_is_refused_and_nothing_is_imported(seller_client, integration):
    ProductFactory(sku="AVS-1")
    upload = SimpleUploadedFile("mappings.csv", b"channel_sku,product_sku\nAMZ\x00-1,AVS-1\n")

    response = seller_client.post(f"/settings/channels/{integration.pk}/mappings/upload/", {"file": upload})

    assert response.status_code == 400
    assert "The file “mappings.csv” is not UTF-8 text" in response.content.decode()
    assert not ListingMapping.objects.exists()


def test_a_csv_that_is_not_utf8_is_refused(seller_client, integration):
    ProductFactory(sku="AVS-1")
    upload = SimpleUploadedFile("latin1.csv", "channel_sku,product_sku\nCAFÉ,AVS-1\n".encode("latin-1"))

    response = seller_client.post(f"/settings/channels/{integration.pk}/mappings/upload/", {"file": upload})

    assert response.status_code == 400
    assert "Save it as “CSV UTF-8”" in response.content.decode()
    assert not ListingMapping.objects.exists()


def test_a_multipart_field_that_is_not_utf8_is_refused(seller_client, integration):
    body = (
        b"--BOUNDARY\r\n"
        b'Content-Disposition: form-data; name="note"\r\n\r\n'
        b"\xff\xfe\r\n"
        b"--BOUNDARY\r\n"
        b'Content-Disposition: form-data; name="file"; filename="m.csv"\r\n'
        b"Content-Type: text/csv\r\n\r\n"
        b"channel_sku,product_sku\r\n"
        b"--BOUNDARY--\r\n"
    )

    response = seller_client.post(
        f"/settings/channels/{integration.pk}/mappings/upload/",
        body,
        content_type="multipart/form-data; boundary=BOUNDARY",
    )

    assert response.status_code == 400
    assert "The form contains a character Avasam cannot accept" in response.content.decode()


def test_the_rule_holds_for_the_admin_too(client, admin_user):
    client.force_login(admin_user)
    assert client.get("/admin/channels/integration/?q=a%00b").status_code == 400


def test_the_rule_holds_before_login(client):
    response = client.post(
        "/accounts/login/", "username=a%00b&password=x", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 400


def test_the_supplier_api_keeps_its_own_validation_and_error_shape(client):
    response = client.post("/api/v1/stock?x=%00", "{}", content_type="application/json")

    assert response.status_code == 401
    assert response["Content-Type"].startswith("application/json")


def test_a_refused_request_never_reaches_the_view(seller_client, integration):
    seller_client.post(
        f"/settings/channels/{integration.pk}/toggle/",
        "enabled=off&x=%ff",
        content_type="application/x-www-form-urlencoded",
    )
    assert Integration.objects.get(pk=integration.pk).enabled is True
