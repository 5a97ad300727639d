"""The seller's order pages and CSV export."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.tests.page_tables import table_rows
from channels.tests.factories import IntegrationFactory
from orders.models import FulfilledBy, OrderKind
from orders.selectors import EXPORT_HEADER
from orders.tests.factories import OrderFactory, OrderLineFactory, ProductFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def integration(account):
    return IntegrationFactory(account=account, name="Amazon UK")


def _csv(response) -> list[dict]:
    body = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(body)))


def test_the_order_list_shows_the_sellers_orders_newest_first(seller_client, integration):
    now = timezone.now()
    OrderFactory(integration=integration, amazon_order_id="OLD", purchased_at=now - timedelta(days=2))
    OrderFactory(integration=integration, amazon_order_id="NEW", purchased_at=now - timedelta(hours=1))
    OrderFactory(amazon_order_id="SOMEONE-ELSES")

    response = seller_client.get("/orders/")

    assert response.status_code == 200
    ids = [order.amazon_order_id for order in response.context["page"].object_list]
    assert ids == ["NEW", "OLD"]
    assert b"SOMEONE-ELSES" not in response.content


def test_each_order_row_shows_the_order_as_the_seller_reads_it(seller_client, integration):
    integration.name = "<b>Shop</b> & co"
    integration.save()
    order = OrderFactory(
        integration=integration,
        amazon_order_id="206-1",
        kind=OrderKind.AVASAM,
        fulfilled_by=FulfilledBy.MERCHANT,
        total=Decimal("12.50"),
        currency="GBP",
        purchased_at=datetime(2026, 12, 1, 9, 30, tzinfo=UTC),
    )
    OrderLineFactory(order=order, product=ProductFactory())
    OrderLineFactory(order=order)

    page = seller_client.get("/orders/").content.decode()

    assert "<b>Shop</b>" not in page
    assert f'<a href="/orders/{order.pk}/">206-1</a>' in page
    [row] = table_rows(page, "orders")
    assert row[:3] == ["206-1", "1 Dec 2026, 09:30 UTC", "<b>Shop</b> & co"]
    assert row[4:] == ["Merchant", "Avasam", "2 (1)", "12.50 GBP"]


def test_the_order_list_filters_by_integration_kind_status_and_date(seller_client, integration, account):
    other = IntegrationFactory(account=account, name="Amazon DE")
    day = timezone.now().replace(hour=12) - timedelta(days=10)
    OrderFactory(integration=integration, amazon_order_id="A1", kind=OrderKind.AVASAM, purchased_at=day)
    OrderFactory(integration=integration, amazon_order_id="N1", status="SHIPPED", purchased_at=day - timedelta(days=1))
    OrderFactory(integration=other, amazon_order_id="M1", kind=OrderKind.MIXED, purchased_at=day + timedelta(days=1))

    def ids(**query):
        response = seller_client.get("/orders/", query)
        assert response.status_code == 200
        return sorted(order.amazon_order_id for order in response.context["page"].object_list)

    assert ids(integration=other.pk) == ["M1"]
    assert ids(kind="avasam") == ["A1"]
    assert ids(kind="mixed") == ["M1"]
    assert ids(kind="non_avasam") == ["N1"]
    assert ids(status="SHIPPED") == ["N1"]
    assert ids(purchased_from=day.date().isoformat(), purchased_to=day.date().isoformat()) == ["A1"]
    assert ids(purchased_from=day.date().isoformat()) == ["A1", "M1"]


def test_another_sellers_integration_is_no_filter_choice(seller_client, integration):
    outsiders = IntegrationFactory()
    OrderFactory(integration=outsiders)

    response = seller_client.get("/orders/", {"integration": outsiders.pk})

    assert response.context["form"].errors["integration"]
    assert list(response.context["page"].object_list) == []


def test_a_filter_that_makes_no_sense_shows_no_orders_and_says_what_to_fix(seller_client, integration):
    OrderFactory(integration=integration)

    response = seller_client.get("/orders/", {"kind": "bogus"})

    page = response.content.decode()
    assert list(response.context["page"].object_list) == []
    assert "No orders are shown: correct the filters marked in red" in page
    assert "Choose one of the listed types." in page


def test_dates_out_of_range_are_a_form_error_not_a_server_error(seller_client, integration):
    OrderFactory(integration=integration)

    response = seller_client.get("/orders/", {"purchased_from": "0001-01-01", "purchased_to": "9999-12-31"})

    assert response.status_code == 200
    assert list(response.context["page"].object_list) == []
    assert "Choose a date between 1 January 2000 and 31 December 2099." in response.content.decode()


def test_the_order_list_is_paginated_in_a_constant_number_of_queries(
    seller_client, integration, django_assert_max_num_queries
):
    for _ in range(60):
        OrderLineFactory(order=OrderFactory(integration=integration))

    with django_assert_max_num_queries(9):
        response = seller_client.get("/orders/", {"page": 2})

    assert len(response.context["page"].object_list) == 10
    assert b"Page 2 of 2" in response.content


def test_the_order_page_shows_its_lines_and_which_are_mapped(seller_client, integration):
    order = OrderFactory(integration=integration, kind=OrderKind.MIXED)
    OrderLineFactory(order=order, channel_sku="MAPPED-SKU", product=ProductFactory(sku="AV-1"))
    OrderLineFactory(order=order, channel_sku="UNKNOWN-SKU")

    response = seller_client.get(f"/orders/{order.pk}/")

    assert response.status_code == 200
    content = response.content.decode()
    assert "MAPPED-SKU" in content and "AV-1" in content and "UNKNOWN-SKU" in content
    assert content.count("Not mapped") == 1


def test_another_sellers_order_page_is_a_404(seller_client):
    assert seller_client.get(f"/orders/{OrderFactory().pk}/").status_code == 404


def test_the_export_has_one_row_per_line_with_the_agreed_columns(seller_client, integration):
    purchased = datetime(2026, 11, 20, 9, 30, 5, tzinfo=timezone.get_current_timezone())
    order = OrderFactory(
        integration=integration, amazon_order_id="203-1", status="SHIPPED", purchased_at=purchased, currency="GBP"
    )
    OrderLineFactory(
        order=order,
        order_item_id="1",
        channel_sku="L1",
        product=ProductFactory(sku="AV-1"),
        quantity=2,
        unit_price=Decimal("4.50"),
    )
    OrderLineFactory(order=order, order_item_id="2", channel_sku="L2", quantity=1, unit_price=Decimal("10"))
    OrderLineFactory(order=OrderFactory(), channel_sku="NOT-MINE")

    response = seller_client.get("/orders/export.csv")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    body = b"".join(response.streaming_content).decode()
    assert body.splitlines()[0] == ",".join(EXPORT_HEADER)
    rows = list(csv.DictReader(io.StringIO(body)))
    assert rows == [
        {
            "integration_id": str(integration.pk),
            "integration_name": "Amazon UK",
            "amazon_order_id": "203-1",
            "order_status": "SHIPPED",
            "purchase_date": "2026-11-20T09:30:05Z",
            "marketplace_id": "A1F83G8C2ARO7P",
            "channel_sku": "L1",
            "product_sku": "AV-1",
            "quantity": "2",
            "unit_price": "4.50",
            "currency": "GBP",
            "avasam": "yes",
        },
        {
            "integration_id": str(integration.pk),
            "integration_name": "Amazon UK",
            "amazon_order_id": "203-1",
            "order_status": "SHIPPED",
            "purchase_date": "2026-11-20T09:30:05Z",
            "marketplace_id": "A1F83G8C2ARO7P",
            "channel_sku": "L2",
            "product_sku": "",
            "quantity": "1",
            "unit_price": "10.00",
            "currency": "GBP",
            "avasam": "no",
        },
    ]


def test_the_export_neutralises_spreadsheet_formulas_from_amazon_and_the_seller(seller_client, account):
    integration = IntegrationFactory(account=account, name="@evil name")
    order = OrderFactory(integration=integration, amazon_order_id="203-1")
    OrderLineFactory(order=order, channel_sku='=HYPERLINK("http://evil.example","x")')
    OrderLineFactory(order=order, channel_sku="\tTAB", product=ProductFactory(sku="+SUM(1)"))
    OrderLineFactory(order=order, channel_sku="'-quoted", product=ProductFactory(sku="PLAIN"))

    rows = _csv(seller_client.get("/orders/export.csv"))

    assert {row["integration_name"] for row in rows} == {"'@evil name"}
    assert sorted((row["channel_sku"], row["product_sku"]) for row in rows) == [
        ("'\tTAB", "'+SUM(1)"),
        ("''-quoted", "PLAIN"),
        ('\'=HYPERLINK("http://evil.example","x")', ""),
    ]
    assert {row["amazon_order_id"] for row in rows} == {"203-1"}


def test_the_export_can_be_limited_to_one_of_the_sellers_integrations(seller_client, integration, account):
    other = IntegrationFactory(account=account)
    OrderLineFactory(order=OrderFactory(integration=integration), channel_sku="HERE")
    OrderLineFactory(order=OrderFactory(integration=other), channel_sku="THERE")

    rows = _csv(seller_client.get("/orders/export.csv", {"integration": integration.pk}))

    assert [row["channel_sku"] for row in rows] == ["HERE"]


def test_exporting_another_sellers_integration_is_a_404(seller_client):
    outsiders = IntegrationFactory()
    OrderLineFactory(order=OrderFactory(integration=outsiders))

    assert seller_client.get("/orders/export.csv", {"integration": outsiders.pk}).status_code == 404
    assert seller_client.get("/orders/export.csv", {"integration": "x"}).status_code == 404


def test_a_fulfilled_by_amazon_order_says_it_is_never_avasam(seller_client, integration):
    order = OrderFactory(integration=integration, fulfilled_by=FulfilledBy.AMAZON)

    assert b"never an Avasam order" in seller_client.get(f"/orders/{order.pk}/").content


def test_a_removed_integrations_orders_are_left_out_by_default_and_labelled_when_shown(seller_client, account):
    old = IntegrationFactory(account=account, name="Amazon UK", removed_at=timezone.now())
    new = IntegrationFactory(account=account, name="Amazon UK")
    OrderFactory(integration=old, amazon_order_id="203-0000001-0000001")
    OrderFactory(integration=new, amazon_order_id="203-0000001-0000001")

    default = seller_client.get("/orders/")
    shown = seller_client.get("/orders/", {"removed": "on"})

    assert [o.integration_id for o in default.context["page"].object_list] == [new.pk]
    assert "(1 order)" in default.content.decode()
    assert {o.integration_id for o in shown.context["page"].object_list} == {old.pk, new.pk}
    page = shown.content.decode()
    assert "(removed)" in page
    assert "2 rows, 1 Amazon order" in page


def test_choosing_a_removed_integration_shows_its_orders(seller_client, account):
    old = IntegrationFactory(account=account, name="Amazon UK", removed_at=timezone.now())
    OrderFactory(integration=old, amazon_order_id="OLD-ONE")

    response = seller_client.get("/orders/", {"integration": old.pk})

    assert [o.amazon_order_id for o in response.context["page"].object_list] == ["OLD-ONE"]


def test_a_removed_integrations_order_does_not_ask_to_map_its_skus(seller_client, account):
    old = IntegrationFactory(account=account, name="Amazon UK", removed_at=timezone.now())
    line = OrderLineFactory(order=OrderFactory(integration=old, kind=OrderKind.NON_AVASAM))

    page = seller_client.get(f"/orders/{line.order_id}/").content.decode()

    assert "Map this SKU" not in page and "unless you map its SKUs" not in page
    assert "Amazon UK (removed)" in page


def test_the_order_list_needs_the_same_queries_with_500_integrations(
    seller_client, account, django_assert_max_num_queries
):
    def queries() -> int:
        with django_assert_max_num_queries(100) as captured:
            assert seller_client.get("/orders/").status_code == 200
        return len(captured.captured_queries)

    OrderFactory(integration=IntegrationFactory(account=account))
    few = queries()
    for integration in IntegrationFactory.create_batch(499, account=account)[:60]:
        OrderFactory(integration=integration)

    assert queries() == few


def test_order_statuses_are_in_words_on_pages_and_constants_in_the_csv(seller_client, integration):
    order = OrderFactory(integration=integration, status="PARTIALLY_SHIPPED")
    OrderLineFactory(order=order)

    listing = seller_client.get("/orders/").content.decode()
    detail = seller_client.get(f"/orders/{order.pk}/").content.decode()
    export = _csv(seller_client.get("/orders/export.csv"))

    assert "<td>Partially shipped</td>" in listing and '<option value="PARTIALLY_SHIPPED">Partially shipped' in listing
    assert "Partially shipped" in detail and "PARTIALLY_SHIPPED" not in detail
    assert export[0]["order_status"] == "PARTIALLY_SHIPPED"


def test_map_this_sku_opens_the_mappings_page_with_the_listing_sku_filled_in(seller_client, integration):
    line = OrderLineFactory(order=OrderFactory(integration=integration), channel_sku="MUG & CUP-1")

    page = seller_client.get(f"/orders/{line.order_id}/").content.decode()
    link = f"/settings/channels/{integration.pk}/mappings/?channel_sku=MUG%20%26%20CUP-1#add-mapping"
    assert link in page

    mappings = seller_client.get(f"/settings/channels/{integration.pk}/mappings/", {"channel_sku": "MUG & CUP-1"})
    assert 'value="MUG &amp; CUP-1"' in mappings.content.decode()
