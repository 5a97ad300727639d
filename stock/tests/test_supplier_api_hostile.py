"""Hostile and careless input to the supplier API: always a 4xx with a sentence saying what to fix, nothing applied."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime, timedelta

import pytest
from django.core.handlers.wsgi import WSGIHandler

from stock.models import Product, StockChange
from stock.services import supplier_token_issue
from stock.tests.factories import ProductFactory, SupplierFactory

pytestmark = pytest.mark.django_db

T0 = (datetime.now(UTC) - timedelta(days=1)).replace(microsecond=0)
AS_OF = T0.isoformat().replace("+00:00", "Z")


@pytest.fixture
def supplier():
    return SupplierFactory(name="Acme")


@pytest.fixture
def token(supplier):
    return supplier_token_issue(supplier=supplier)


@pytest.fixture
def mug(supplier):
    return ProductFactory(sku="MUG", title="Mug", supplier=supplier, quantity=5, quantity_as_of=T0 - timedelta(days=1))


@pytest.fixture
def send(client, token):
    def send(path: str, raw: str | bytes):
        return client.post(
            f"/api/v1/{path}", data=raw, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}"
        )

    return send


def nothing_applied(mug) -> bool:
    mug.refresh_from_db()
    return (mug.title, mug.quantity) == ("Mug", 5) and not StockChange.objects.exists()


def good_update(**fields) -> dict:
    return {"sku": "MUG", "quantity": 7, "as_of": AS_OF, **fields}


# Raw JSON, because several of these cannot be written with json.dumps.
BAD_STOCK_ITEMS = [
    pytest.param('{"sku": "MUG", "quantity": true, "as_of": "AS_OF"}', "whole number", id="boolean-quantity"),
    pytest.param('{"sku": "MUG", "quantity": "7", "as_of": "AS_OF"}', "whole number", id="string-quantity"),
    pytest.param('{"sku": "MUG", "quantity": 1e30, "as_of": "AS_OF"}', "whole number", id="1e30-quantity"),
    pytest.param('{"sku": "MUG", "quantity": 7.0, "as_of": "AS_OF"}', "whole number", id="float-quantity"),
    pytest.param('{"sku": "MUG", "quantity": NaN, "as_of": "AS_OF"}', "whole number", id="nan-quantity"),
    pytest.param('{"sku": "MUG", "quantity": Infinity, "as_of": "AS_OF"}', "whole number", id="infinite-quantity"),
    pytest.param('{"sku": "MUG", "quantity": 9223372036854775808, "as_of": "AS_OF"}', "at most", id="2**63-quantity"),
    pytest.param('{"sku": "MUG", "quantity": null, "as_of": "AS_OF"}', "quantity is missing", id="null-quantity"),
    pytest.param('{"sku": "MUG", "quantitiy": 7, "as_of": "AS_OF"}', 'unknown field "quantitiy"', id="typo"),
    pytest.param(
        '{"sku": "MUG", "quantity": 7, "quantity": 8, "as_of": "AS_OF"}', '"quantity" more than once', id="dup-key"
    ),
    pytest.param('{"sku": "MU\\u0000G", "quantity": 7, "as_of": "AS_OF"}', "such as NUL", id="nul-sku"),
    pytest.param('{"sku": "\\ud800", "quantity": 7, "as_of": "AS_OF"}', "unpaired surrogate", id="lone-surrogate-sku"),
    pytest.param('{"sku": " MUG", "quantity": 7, "as_of": "AS_OF"}', "spaces", id="sku-with-a-space"),
    pytest.param('{"sku": ["MUG"], "quantity": 7, "as_of": "AS_OF"}', "non-empty string", id="sku-a-list"),
]


@pytest.mark.parametrize(("item", "reason"), BAD_STOCK_ITEMS)
def test_a_hostile_stock_item_is_a_400_with_its_index_and_a_reason(send, mug, item, reason):
    ProductFactory(sku="CUP", supplier=mug.supplier)
    body = '{"updates": [' + json.dumps(good_update(sku="CUP")) + ", " + item.replace("AS_OF", AS_OF) + "]}"

    response = send("stock", body)

    assert response.status_code == 400
    errors = response.json()["errors"]
    assert {error["index"] for error in errors} == {1}
    assert any(reason in error["reason"] for error in errors)
    assert all(error["reason"].endswith(".") for error in errors)
    assert nothing_applied(mug)


BAD_PRODUCT_ITEMS = [
    pytest.param('{"sku": "MUG", "title": "Mug\\u0000"}', "NUL", id="nul-title"),
    pytest.param('{"sku": "NE\\u0000W", "title": "New"}', "NUL", id="nul-sku-new"),
    pytest.param('{"sku": "MUG", "title": "\\udfff"}', "unpaired surrogate", id="lone-surrogate-title"),
    pytest.param('{"sku": "MUG", "title": "Mug", "price": NaN}', "decimal number", id="nan-price"),
    pytest.param('{"sku": "MUG", "title": "Mug", "price": 1e30}', "at most", id="1e30-price"),
    pytest.param('{"sku": "MUG", "titel": "Mug"}', 'did you mean "title"', id="typo"),
]


@pytest.mark.parametrize(("item", "reason"), BAD_PRODUCT_ITEMS)
def test_a_hostile_product_is_a_400_with_its_index_and_a_reason(send, mug, item, reason):
    response = send("products", '{"products": [{"sku": "NEW", "title": "New"}, ' + item + "]}")

    assert response.status_code == 400
    errors = response.json()["errors"]
    assert [error["index"] for error in errors] == [1]
    assert reason in errors[0]["reason"]
    assert nothing_applied(mug)
    assert not Product.objects.filter(sku="NEW").exists()


def test_an_item_with_a_nul_in_its_sku_is_reported_without_echoing_it(send, mug):
    response = send("stock", '{"updates": [{"sku": "MU\\u0000G", "quantity": 7, "as_of": "' + AS_OF + '"}]}')

    assert response.json()["errors"][0]["sku"] is None


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        pytest.param("[" * 100_000 + "]" * 100_000, "nested too deeply", id="100000-deep-list-200kB"),
        pytest.param('{"updates": ' + '{"a": ' * 30_000 + "1" + "}" * 30_000 + "}", "nested", id="deep-objects"),
        pytest.param(b'{"updates": [{"sku": "\xed\xa0\x80"}]}', "UTF-8", id="encoded-surrogate"),
        pytest.param(b'{"updates": [{"sku": "\xc3"}]}', "UTF-8", id="truncated-utf8"),
        pytest.param('{"updates": [], "updates": []}', '"updates" more than once', id="duplicate-top-key"),
        pytest.param('{"updates": [], "update": []}', 'Unknown field "update"', id="unknown-top-field"),
        pytest.param("", "The body is empty", id="empty"),
        pytest.param("null", '"updates" list', id="null"),
        pytest.param('"updates"', '"updates" list', id="a-string"),
        pytest.param('{"updates": [1,]}', "not valid JSON", id="trailing-comma"),
    ],
)
def test_a_body_that_is_not_a_request_is_a_400_with_a_sentence_and_no_item_errors(send, mug, raw, message):
    response = send("stock", raw)

    assert response.status_code == 400
    assert response.json()["errors"] == []
    assert message in response.json()["error"]
    assert nothing_applied(mug)


def wsgi_post(path: str, body: bytes, *, token: str, chunked: bool) -> tuple[int, dict, bytes]:
    """POST through Django's WSGI handler as gunicorn hands on a chunked body: no Content-Length."""
    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": path,
        "SERVER_NAME": "localhost",
        "SERVER_PORT": "80",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(body),
        "CONTENT_TYPE": "application/json",
        "HTTP_AUTHORIZATION": f"Bearer {token}",
    }
    if chunked:
        environ |= {"HTTP_TRANSFER_ENCODING": "chunked", "wsgi.input_terminated": True}
    else:
        environ["CONTENT_LENGTH"] = str(len(body))
    status = {}
    content = b"".join(WSGIHandler()(environ, lambda line, headers: status.update(line=line, headers=headers)))
    return int(status["line"].split()[0]), dict(status["headers"]), content


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("chunked", [True, False], ids=["without-content-length", "with-content-length"])
def test_a_body_over_the_limit_is_413_with_or_without_a_content_length(settings, mug, token, chunked):
    settings.SUPPLIER_API_MAX_BODY_BYTES = 1000
    body = json.dumps({"updates": [good_update(quantity=n) for n in range(40)]}).encode()
    assert len(body) > 1000

    status, _, content = wsgi_post("/api/v1/stock", body, token=token, chunked=chunked)

    assert status == 413
    assert "split it" in json.loads(content)["error"]
    assert nothing_applied(mug)


@pytest.mark.django_db(transaction=True)
def test_a_body_without_a_content_length_is_read_and_applied(mug, token):
    body = json.dumps({"updates": [good_update()]}).encode()

    status, _, content = wsgi_post("/api/v1/stock", body, token=token, chunked=True)

    assert status == 200, content
    mug.refresh_from_db()
    assert mug.quantity == 7


def test_a_huge_content_length_is_413_before_reading_the_body(client, token, mug):
    response = client.generic(
        "POST",
        "/api/v1/stock",
        data=b"{}",
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
        CONTENT_LENGTH=str(50 * 1024 * 1024),
    )

    assert response.status_code == 413
    assert "split it" in response.json()["error"]


def test_another_method_is_405_naming_post(client, token):
    for method in ("GET", "PUT", "DELETE", "PATCH"):
        response = client.generic(method, "/api/v1/products", HTTP_AUTHORIZATION=f"Bearer {token}")

        assert response.status_code == 405
        assert response["Allow"] == "POST"


def test_an_unexpected_authorization_header_is_never_logged(client, caplog, settings):
    settings.DEBUG = True

    response = client.post(
        "/api/v1/stock", data="{}", content_type="application/json", HTTP_AUTHORIZATION="Token s3cret"
    )

    assert response.status_code == 401
    assert "s3cret" not in caplog.text
