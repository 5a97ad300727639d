"""The supplier API's description: a valid OpenAPI 3 document, and human docs that render with no outside help."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from django.conf import settings as django_settings
from openapi_spec_validator import validate

from channels.tests.test_browser import browser  # noqa: F401 (the project's Chromium fixture)

SCREENSHOT = django_settings.BASE_DIR / "artifacts" / "supplier-api-docs.png"


@pytest.fixture
def document(client, db):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.json()


def test_the_document_is_valid_openapi_3(document):
    validate(document)

    assert document["openapi"].startswith("3.")


def test_each_operation_documents_its_body_every_answer_the_bearer_scheme_and_an_example(document):
    for path, schema_name in (("/api/v1/stock", "StockUpdatesIn"), ("/api/v1/products", "ProductsIn")):
        operation = document["paths"][path]["post"]
        body = operation["requestBody"]["content"]["application/json"]
        assert body["schema"] == {"$ref": f"#/components/schemas/{schema_name}"}
        assert body["example"]
        assert {"200", "400", "401", "413", "429"} <= set(operation["responses"])
        assert operation["responses"]["429"]["headers"]["Retry-After"]
        assert operation["responses"]["401"]["headers"]["WWW-Authenticate"]
        assert operation["security"] == [{"SupplierBearer": []}]
    assert "409" in document["paths"]["/api/v1/products"]["post"]["responses"]
    assert document["components"]["securitySchemes"]["SupplierBearer"] == {"type": "http", "scheme": "bearer"}


def test_the_documented_fields_are_exactly_the_contracts(document):
    schemas = document["components"]["schemas"]

    assert set(schemas["StockUpdateIn"]["properties"]) == {"sku", "quantity", "as_of"}
    assert set(schemas["ProductIn"]["properties"]) == {"sku", "title", "price", "quantity", "as_of"}
    assert schemas["StockUpdateIn"]["additionalProperties"] is False
    assert set(schemas["SkuItemError"]["properties"]) == {"index", "sku", "reason"}
    assert set(schemas["StockUpdatesOut"]["properties"]) == {"received", "updated", "unchanged", "ignored_out_of_order"}


def test_the_document_examples_are_accepted_by_the_api(client, document, db):
    from stock.services import supplier_token_issue
    from stock.tests.factories import SupplierFactory

    token = supplier_token_issue(supplier=SupplierFactory())
    for path in ("/api/v1/products", "/api/v1/stock"):
        example = document["paths"][path]["post"]["requestBody"]["content"]["application/json"]["example"]
        headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
        response = client.post(path, data=example, content_type="application/json", **headers)
        assert response.status_code == 200, response.json()


@pytest.mark.browser
def test_the_docs_page_renders_both_operations_from_local_files_only(browser, live_server):  # noqa: F811
    from playwright.sync_api import expect

    page = browser.new_context().new_page()
    page.set_default_timeout(15_000)
    elsewhere: list[str] = []
    live = urlsplit(live_server.url).netloc

    def only_the_live_server(route):
        if urlsplit(route.request.url).netloc == live:
            route.continue_()
        else:
            elsewhere.append(route.request.url)
            route.abort()

    page.route("**/*", only_the_live_server)
    page.goto(f"{live_server.url}/api/v1/docs")

    expect(page.get_by_text("Avasam supplier API")).to_be_visible()
    expect(page.get_by_text("/api/v1/stock", exact=True)).to_be_visible()
    expect(page.get_by_text("/api/v1/products", exact=True)).to_be_visible()
    expect(page.get_by_role("button", name="Authorize")).to_be_visible()
    SCREENSHOT.parent.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOT), full_page=True)
    assert elsewhere == []
