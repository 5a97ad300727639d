from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from stock.models import Product, StockChange, SupplierToken
from stock.services import supplier_token_issue, supplier_tokens_revoke
from stock.tests.factories import ProductFactory, SupplierFactory

pytestmark = pytest.mark.django_db

# In the past whatever the clock says (an as_of more than an hour ahead is refused).
T0 = (datetime.now(UTC) - timedelta(days=1)).replace(microsecond=0)


def iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


@pytest.fixture
def supplier():
    return SupplierFactory(name="Acme")


@pytest.fixture
def token(supplier):
    return supplier_token_issue(supplier=supplier)


@pytest.fixture
def post(client):
    def post(path, body, token=None, raw=None):
        headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
        data = raw if raw is not None else json.dumps(body)
        return client.post(f"/api/v1/{path}", data=data, content_type="application/json", **headers)

    return post


def stock_of(sku: str) -> tuple[int | None, datetime | None]:
    product = Product.objects.get(sku=sku)
    return product.quantity, product.quantity_as_of


# --- stock updates -----------------------------------------------------------------------------------------------


def test_stock_update_sets_quantity_and_records_the_change(post, supplier, token):
    ProductFactory(sku="A-1", supplier=supplier, quantity=3, quantity_as_of=T0 - timedelta(hours=1))

    response = post("stock", {"updates": [{"sku": "A-1", "quantity": 7, "as_of": iso(T0)}]}, token)

    assert response.status_code == 200
    assert response.json() == {"received": 1, "updated": 1, "unchanged": 0, "ignored_out_of_order": 0}
    assert stock_of("A-1") == (7, T0)
    change = StockChange.objects.get()
    assert (change.quantity, change.previous_quantity, change.as_of, change.source) == (7, 3, T0, "api_stock")
    assert change.token == SupplierToken.objects.get()


def test_stock_update_sets_a_product_never_told_before(post, supplier, token):
    ProductFactory(sku="A-1", supplier=supplier)

    assert post("stock", {"updates": [{"sku": "A-1", "quantity": 0, "as_of": iso(T0)}]}, token).status_code == 200

    assert stock_of("A-1") == (0, T0)


def test_an_update_older_than_the_held_quantity_is_ignored_and_counted(post, supplier, token):
    ProductFactory(sku="A-1", supplier=supplier, quantity=5, quantity_as_of=T0)
    ProductFactory(sku="A-2", supplier=supplier, quantity=5, quantity_as_of=T0)

    response = post(
        "stock",
        {
            "updates": [
                {"sku": "A-1", "quantity": 1, "as_of": iso(T0 - timedelta(seconds=1))},
                {"sku": "A-2", "quantity": 9, "as_of": iso(T0 + timedelta(seconds=1))},
            ]
        },
        token,
    )

    assert response.json() == {"received": 2, "updated": 1, "unchanged": 0, "ignored_out_of_order": 1}
    assert stock_of("A-1") == (5, T0)
    assert stock_of("A-2") == (9, T0 + timedelta(seconds=1))
    assert list(StockChange.objects.values_list("product__sku", flat=True)) == ["A-2"]


def test_updates_arriving_out_of_order_leave_the_newest_quantity(post, supplier, token):
    ProductFactory(sku="A-1", supplier=supplier)
    newest, older = T0 + timedelta(minutes=5), T0

    post("stock", {"updates": [{"sku": "A-1", "quantity": 2, "as_of": iso(newest)}]}, token)
    response = post("stock", {"updates": [{"sku": "A-1", "quantity": 40, "as_of": iso(older)}]}, token)

    assert response.json()["ignored_out_of_order"] == 1
    assert stock_of("A-1") == (2, newest)


def test_sending_the_same_request_twice_changes_nothing_the_second_time(post, supplier, token):
    ProductFactory(sku="A-1", supplier=supplier)
    body = {"updates": [{"sku": "A-1", "quantity": 4, "as_of": iso(T0)}]}

    post("stock", body, token)
    again = post("stock", body, token)

    assert again.json() == {"received": 1, "updated": 0, "unchanged": 1, "ignored_out_of_order": 0}
    assert StockChange.objects.count() == 1


def test_a_newer_update_with_the_same_quantity_advances_as_of_without_a_stock_change(post, supplier, token):
    ProductFactory(sku="A-1", supplier=supplier, quantity=4, quantity_as_of=T0)

    response = post("stock", {"updates": [{"sku": "A-1", "quantity": 4, "as_of": iso(T0 + timedelta(hours=1))}]}, token)

    assert response.json()["unchanged"] == 1
    assert stock_of("A-1") == (4, T0 + timedelta(hours=1))
    assert not StockChange.objects.exists()


def test_timestamps_with_an_offset_compare_as_instants(post, supplier, token):
    ProductFactory(sku="A-1", supplier=supplier, quantity=4, quantity_as_of=T0)

    # Written on a clock two hours ahead of UTC it reads later than T0, but it is half an hour earlier.
    as_of = (T0 - timedelta(minutes=30)).astimezone(timezone.get_fixed_timezone(120)).isoformat()
    assert as_of.endswith("+02:00") and as_of > iso(T0)
    response = post("stock", {"updates": [{"sku": "A-1", "quantity": 9, "as_of": as_of}]}, token)

    assert response.json()["ignored_out_of_order"] == 1


BAD_UPDATES = [
    pytest.param({"quantity": 1, "as_of": iso(T0)}, "sku is missing", id="missing-sku"),
    pytest.param({"sku": "", "quantity": 1, "as_of": iso(T0)}, "non-empty", id="empty-sku"),
    pytest.param({"sku": 12, "quantity": 1, "as_of": iso(T0)}, "non-empty string", id="sku-not-a-string"),
    pytest.param({"sku": "NOPE", "quantity": 1, "as_of": iso(T0)}, "unknown SKU", id="unknown-sku"),
    pytest.param({"sku": "THEIRS", "quantity": 1, "as_of": iso(T0)}, "unknown SKU", id="other-suppliers-sku"),
    pytest.param({"sku": "A-2", "quantity": -1, "as_of": iso(T0)}, "negative", id="negative-quantity"),
    pytest.param({"sku": "A-2", "quantity": 1.5, "as_of": iso(T0)}, "whole number", id="decimal-quantity"),
    pytest.param({"sku": "A-2", "quantity": "3", "as_of": iso(T0)}, "whole number", id="string-quantity"),
    pytest.param({"sku": "A-2", "quantity": True, "as_of": iso(T0)}, "whole number", id="boolean-quantity"),
    pytest.param({"sku": "A-2", "quantity": 2**31, "as_of": iso(T0)}, "at most", id="huge-quantity"),
    pytest.param({"sku": "A-2", "as_of": iso(T0)}, "quantity is missing", id="missing-quantity"),
    pytest.param({"sku": "A-2", "quantity": 1}, "as_of is missing", id="missing-as-of"),
    pytest.param({"sku": "A-2", "quantity": 1, "as_of": "yesterday"}, "not a valid ISO 8601", id="bad-as-of"),
    pytest.param({"sku": "A-2", "quantity": 1, "as_of": 1764237600}, "ISO 8601 string", id="numeric-as-of"),
    pytest.param({"sku": "A-2", "quantity": 1, "as_of": iso(T0)[:-1]}, "time zone", id="naive-as-of"),
    pytest.param({"sku": "A-2", "quantity": 1, "as_of": "2099-01-01T00:00:00Z"}, "future", id="future-as-of"),
    pytest.param("A-2", "JSON object", id="item-not-an-object"),
]


@pytest.mark.parametrize(("bad", "reason"), BAD_UPDATES)
def test_a_bad_stock_update_is_reported_by_index_and_nothing_is_applied(post, supplier, token, bad, reason):
    ProductFactory(sku="A-1", supplier=supplier, quantity=1, quantity_as_of=T0 - timedelta(days=1))
    ProductFactory(sku="A-2", supplier=supplier, quantity=1, quantity_as_of=T0 - timedelta(days=1))
    ProductFactory(sku="THEIRS", quantity=1, quantity_as_of=T0 - timedelta(days=1))
    good = {"sku": "A-1", "quantity": 50, "as_of": iso(T0)}

    response = post("stock", {"updates": [good, bad]}, token)

    assert response.status_code == 400
    body = response.json()
    assert "nothing was applied" in body["error"]
    assert [error["index"] for error in body["errors"]] == [1]
    assert reason in body["errors"][0]["reason"]
    assert stock_of("A-1") == (1, T0 - timedelta(days=1))
    assert Product.objects.get(sku="THEIRS").quantity == 1
    assert not StockChange.objects.exists()


def test_a_sku_twice_in_one_request_is_reported_at_its_second_index(post, supplier, token):
    ProductFactory(sku="A-1", supplier=supplier)
    update = {"sku": "A-1", "quantity": 1, "as_of": iso(T0)}

    response = post("stock", {"updates": [update, {**update, "quantity": 2}]}, token)

    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"index": 1, "sku": "A-1", "reason": "duplicate SKU in this request (first at index 0)."}
    ]
    assert stock_of("A-1") == (None, None)


def test_every_bad_item_is_listed_not_just_the_first(post, supplier, token):
    ProductFactory(sku="A-1", supplier=supplier)

    response = post(
        "stock",
        {
            "updates": [
                {"sku": "NOPE", "quantity": 1, "as_of": iso(T0)},
                {"sku": "A-1", "quantity": 1, "as_of": iso(T0)},
                {"sku": "A-1", "quantity": -3, "as_of": "soon"},
            ]
        },
        token,
    )

    errors = response.json()["errors"]
    assert [(error["index"], error["sku"]) for error in errors] == [(0, "NOPE"), (2, "A-1"), (2, "A-1"), (2, "A-1")]


@pytest.mark.parametrize(
    "headers",
    [
        pytest.param({}, id="no-header"),
        pytest.param({"HTTP_AUTHORIZATION": "Bearer not-a-token"}, id="unknown-token"),
        pytest.param({"HTTP_AUTHORIZATION": "Bearer "}, id="empty-token"),
        pytest.param({"HTTP_AUTHORIZATION": "Basic dXNlcjpwYXNz"}, id="basic-auth"),
    ],
)
def test_a_request_without_a_valid_token_is_401(client, supplier, headers):
    ProductFactory(sku="A-1", supplier=supplier)
    body = json.dumps({"updates": [{"sku": "A-1", "quantity": 1, "as_of": iso(T0)}]})

    response = client.post("/api/v1/stock", data=body, content_type="application/json", **headers)

    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert "token" in response.json()["error"]
    assert stock_of("A-1") == (None, None)


def test_a_revoked_token_is_401(post, supplier, token):
    supplier_tokens_revoke(supplier=supplier)

    assert post("stock", {"updates": []}, token).status_code == 401
    assert post("products", {"products": []}, token).status_code == 401


def test_a_logged_in_session_is_no_substitute_for_a_token(seller_client, supplier):
    response = seller_client.post("/api/v1/stock", data='{"updates": []}', content_type="application/json")

    assert response.status_code == 401


def test_the_api_takes_posts_without_a_csrf_token(supplier, token):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    response = client.post(
        "/api/v1/stock", data='{"updates": []}', content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}"
    )

    assert response.status_code == 200


def test_get_is_not_allowed(client, token):
    response = client.get("/api/v1/stock", HTTP_AUTHORIZATION=f"Bearer {token}")

    assert response.status_code == 405
    assert response["Allow"] == "POST"


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        pytest.param("{not json", "not valid JSON", id="not-json"),
        pytest.param(b"\xff\xfe", "not valid JSON", id="not-utf8"),
        pytest.param('[{"sku": "A-1"}]', '"updates" list', id="a-list"),
        pytest.param('{"updates": {"sku": "A-1"}}', '"updates" list', id="updates-not-a-list"),
        pytest.param('{"products": []}', '"updates" list', id="wrong-key"),
    ],
)
def test_a_body_of_the_wrong_shape_is_400(post, token, raw, message):
    response = post("stock", None, token, raw=raw)

    assert response.status_code == 400
    assert message in response.json()["error"]


def test_a_body_over_the_size_limit_is_413_with_a_json_message(post, supplier, token, settings):
    settings.SUPPLIER_API_MAX_BODY_BYTES = 1000
    ProductFactory(sku="A-1", supplier=supplier)
    updates = [{"sku": "A-1", "quantity": 1, "as_of": iso(T0), "padding": "x" * 1000}]

    response = post("stock", {"updates": updates}, token)

    assert response.status_code == 413
    assert "split" in response.json()["error"]
    assert stock_of("A-1") == (None, None)


def test_too_many_items_in_one_request_is_413(post, supplier, token, settings):
    settings.SUPPLIER_API_MAX_ITEMS = 2
    ProductFactory(sku="A-1", supplier=supplier)
    updates = [{"sku": "A-1", "quantity": n, "as_of": iso(T0)} for n in range(3)]

    response = post("stock", {"updates": updates}, token)

    assert response.status_code == 413
    assert "at most 2 updates" in response.json()["error"]


def test_the_number_of_queries_does_not_grow_with_the_batch(post, supplier, token):
    products = ProductFactory.create_batch(120, supplier=supplier)

    def queries_for(batch):
        updates = [{"sku": product.sku, "quantity": 3, "as_of": iso(T0)} for product in batch]
        with CaptureQueriesContext(connection) as context:
            assert post("stock", {"updates": updates}, token).status_code == 200
        return len(context.captured_queries)

    queries_for([])  # the token's first use is recorded once; both batches below come after it
    assert queries_for(products[:5]) == queries_for(products[5:])


# --- supplier isolation ------------------------------------------------------------------------------------------


def test_a_supplier_cannot_change_another_suppliers_stock(post, token):
    theirs = ProductFactory(sku="THEIRS", quantity=8, quantity_as_of=T0 - timedelta(days=1))

    response = post("stock", {"updates": [{"sku": "THEIRS", "quantity": 0, "as_of": iso(T0)}]}, token)

    assert response.status_code == 400
    assert response.json()["errors"][0]["reason"] == "unknown SKU: create the product with POST /api/v1/products first."
    theirs.refresh_from_db()
    assert theirs.quantity == 8


def test_another_suppliers_sku_gets_exactly_the_answer_of_a_sku_that_does_not_exist(post, token):
    ProductFactory(sku="THEIRS", quantity=8, quantity_as_of=T0 - timedelta(days=1))

    def answer(sku):
        response = post("stock", {"updates": [{"sku": sku, "quantity": 0, "as_of": iso(T0)}]}, token)
        return response.status_code, response.json()["error"], response.json()["errors"][0]["reason"]

    assert answer("THEIRS") == answer("NOBODYS")


def test_a_sku_another_supplier_holds_is_not_available_and_its_owner_is_not_named(post, token):
    theirs = ProductFactory(sku="THEIRS", supplier__name="Rival Ltd")

    response = post("products", {"products": [{"sku": "THEIRS", "title": "Mine"}]}, token)

    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert error == {
        "index": 0,
        "sku": "THEIRS",
        "reason": "this SKU is not available: choose another SKU for your product.",
    }
    assert "Rival" not in response.content.decode() and "supplier" not in error["reason"]
    assert Product.objects.get(sku="THEIRS").title == theirs.title


def test_a_supplier_cannot_take_over_or_rename_another_suppliers_product(post, token):
    theirs = ProductFactory(sku="THEIRS", title="Their title", price=Decimal("5.00"))

    response = post("products", {"products": [{"sku": "THEIRS", "title": "Mine now", "price": "1.00"}]}, token)

    assert response.status_code == 400
    assert response.json()["errors"][0]["reason"] == "this SKU is not available: choose another SKU for your product."
    theirs.refresh_from_db()
    assert (theirs.title, theirs.price, theirs.supplier.name) == ("Their title", Decimal("5.00"), theirs.supplier.name)


# --- product upserts ---------------------------------------------------------------------------------------------


def test_products_are_created_with_their_stock_recorded(post, supplier, token):
    response = post(
        "products",
        {
            "products": [
                {"sku": "A-1", "title": "Mug", "quantity": 12, "price": "9.99"},
                {"sku": "A-2", "title": "Plate", "price": 3},
            ]
        },
        token,
    )

    assert response.status_code == 200
    assert response.json() == {"received": 2, "created": 2, "updated": 0, "unchanged": 0, "ignored_out_of_order": 0}
    mug = Product.objects.get(sku="A-1")
    assert (mug.title, mug.price, mug.quantity, mug.supplier) == ("Mug", Decimal("9.99"), 12, supplier)
    assert mug.quantity_as_of is not None
    assert Product.objects.get(sku="A-2").quantity is None
    change = StockChange.objects.get()
    assert (change.product, change.quantity, change.previous_quantity, change.source) == (mug, 12, None, "api_products")


def test_products_are_updated_and_a_repeat_is_unchanged(post, supplier, token):
    ProductFactory(sku="A-1", supplier=supplier, title="Mug", price=Decimal("9.99"), quantity=1, quantity_as_of=T0)
    body = {"products": [{"sku": "A-1", "title": "Big mug", "price": "12.50", "quantity": 6}]}

    first = post("products", body, token)
    second = post("products", body, token)

    assert first.json()["updated"] == 1
    assert second.json() == {"received": 1, "created": 0, "updated": 0, "unchanged": 1, "ignored_out_of_order": 0}
    mug = Product.objects.get(sku="A-1")
    assert (mug.title, mug.price, mug.quantity) == ("Big mug", Decimal("12.50"), 6)
    assert StockChange.objects.count() == 1


def test_a_product_quantity_older_than_the_held_one_is_ignored(post, supplier, token):
    ProductFactory(sku="A-1", supplier=supplier, quantity=1, quantity_as_of=T0)

    response = post(
        "products", {"products": [{"sku": "A-1", "quantity": 9, "as_of": iso(T0 - timedelta(minutes=1))}]}, token
    )

    assert response.json()["ignored_out_of_order"] == 1
    assert stock_of("A-1") == (1, T0)


def test_product_quantities_count_like_stock_updates_each_item_once(post, supplier, token):
    ProductFactory(sku="A-1", supplier=supplier, title="Mug", quantity=1, quantity_as_of=T0)
    ProductFactory(sku="A-2", supplier=supplier, title="Cup", quantity=1, quantity_as_of=T0)
    ProductFactory(sku="A-3", supplier=supplier, title="Jug", quantity=1, quantity_as_of=T0)
    ProductFactory(sku="A-4", supplier=supplier, title="Pot", quantity=1, quantity_as_of=T0)
    items = [
        {"sku": "A-1", "quantity": 9, "as_of": iso(T0 - timedelta(minutes=1))},  # older: ignored
        {"sku": "A-2", "quantity": 5, "as_of": iso(T0)},  # another quantity for the same moment: ignored
        {"sku": "A-3", "quantity": 1, "as_of": iso(T0)},  # a replay: unchanged
        {"sku": "A-4", "title": "Teapot", "quantity": 9, "as_of": iso(T0 - timedelta(minutes=1))},  # title applied
    ]

    response = post("products", {"products": items}, token)

    assert response.json() == {"received": 4, "created": 0, "updated": 1, "unchanged": 1, "ignored_out_of_order": 2}
    assert [stock_of(sku)[0] for sku in ("A-1", "A-2", "A-3", "A-4")] == [1, 1, 1, 1]
    assert Product.objects.get(sku="A-4").title == "Teapot"


BAD_PRODUCTS = [
    pytest.param({"title": "Mug"}, "sku is missing", id="missing-sku"),
    pytest.param({"sku": "NEW", "price": "1.00"}, "title is missing", id="new-without-title"),
    pytest.param({"sku": "NEW", "title": "  "}, "title must be", id="blank-title"),
    pytest.param({"sku": "NEW", "title": "Mug", "price": "abc"}, "decimal number", id="price-not-a-number"),
    pytest.param({"sku": "NEW", "title": "Mug", "price": "-1.00"}, "negative", id="negative-price"),
    pytest.param({"sku": "NEW", "title": "Mug", "price": "9.999"}, "two decimal places", id="price-three-places"),
    pytest.param({"sku": "NEW", "title": "Mug", "price": "NaN"}, "decimal number", id="price-nan"),
    pytest.param({"sku": "NEW", "title": "Mug", "price": True}, "decimal number", id="price-boolean"),
    pytest.param({"sku": "NEW", "title": "Mug", "quantity": -2}, "negative", id="negative-quantity"),
    pytest.param({"sku": "NEW", "title": "Mug", "quantity": 2.5}, "whole number", id="decimal-quantity"),
    pytest.param({"sku": "NEW", "title": "Mug", "quantity": 2, "as_of": "nope"}, "ISO 8601", id="bad-as-of"),
    pytest.param({"sku": "THEIRS", "title": "Mug"}, "this SKU is not available", id="other-suppliers-sku"),
    pytest.param({"sku": "A-1", "title": "Again"}, "duplicate SKU", id="duplicate-sku"),
]


@pytest.mark.parametrize(("bad", "reason"), BAD_PRODUCTS)
def test_a_bad_product_is_reported_by_index_and_nothing_is_applied(post, supplier, token, bad, reason):
    ProductFactory(sku="THEIRS")
    good = {"sku": "A-1", "title": "Mug", "quantity": 3, "price": "1.00"}

    response = post("products", {"products": [good, bad]}, token)

    assert response.status_code == 400
    errors = response.json()["errors"]
    assert [error["index"] for error in errors] == [1]
    assert reason in errors[0]["reason"]
    assert not Product.objects.filter(supplier=supplier).exists()
    assert not StockChange.objects.exists()


def test_products_endpoint_wants_a_products_list(post, token):
    response = post("products", {"updates": []}, token)

    assert response.status_code == 400
    assert '"products" list' in response.json()["error"]


# --- the command -------------------------------------------------------------------------------------------------


def test_create_supplier_prints_a_working_token_alone_on_the_last_line(post):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("create_supplier", "--name", "Widgets Ltd", stdout=out)

    token = out.getvalue().strip().splitlines()[-1]
    assert " " not in token and len(token) >= 40
    stored = SupplierToken.objects.get(supplier__name="Widgets Ltd")
    assert token not in (stored.token_hash, stored.prefix)
    response = post("products", {"products": [{"sku": "W-1", "title": "Widget"}]}, token)
    assert response.status_code == 200
    assert Product.objects.get(sku="W-1").supplier.name == "Widgets Ltd"


def test_a_supplier_token_is_stored_only_as_a_hash(supplier):
    token = supplier_token_issue(supplier=supplier)

    stored = SupplierToken.objects.get()
    assert token not in str(list(SupplierToken.objects.values()))
    assert stored.revoked_at is None
    assert stored.created_at <= timezone.now()


def test_a_different_quantity_with_the_same_as_of_as_held_is_ignored(post, supplier, token):
    ProductFactory(sku="A-1", supplier=supplier, quantity=4, quantity_as_of=T0)

    response = post("stock", {"updates": [{"sku": "A-1", "quantity": 9, "as_of": iso(T0)}]}, token)

    assert response.json()["ignored_out_of_order"] == 1
    assert stock_of("A-1") == (4, T0)
