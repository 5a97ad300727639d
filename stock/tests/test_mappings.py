from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.tests.page_tables import table_rows
from channels.tests.factories import IntegrationFactory
from stock.models import ListingMapping
from stock.tests.factories import ListingMappingFactory, ProductFactory

pytestmark = pytest.mark.django_db

UK, DE = "A1F83G8C2ARO7P", "A1PA6795UKMFR9"


@pytest.fixture
def integration(account):
    return IntegrationFactory(account=account, stock_threshold=5, max_quantity_to_advertise=0)


def url(integration, suffix=""):
    return f"/settings/channels/{integration.pk}/mappings/{suffix}"


def upload(client, integration, text, *, encoding="utf-8"):
    data = text.encode(encoding) if isinstance(text, str) else text
    return client.post(url(integration, "upload/"), {"file": SimpleUploadedFile("m.csv", data, "text/csv")})


def listed_of(page: str) -> dict[str, str]:
    """The mappings table as the seller reads it: each listing SKU and the quantity it would advertise."""
    return {row[0]: row[3].split()[0] for row in table_rows(page, "mappings")}


def listed(response) -> dict[str, str]:
    return listed_of(response.content.decode())


def mapped(integration) -> dict[str, str]:
    return dict(ListingMapping.objects.filter(integration=integration).values_list("channel_sku", "product__sku"))


# --- the list --------------------------------------------------------------------------------------------------------


def test_the_list_shows_each_mapping_with_stock_and_the_quantity_it_would_advertise(seller_client, integration):
    ListingMappingFactory(
        integration=integration,
        channel_sku="AMZ-PLENTY",
        product__quantity=12,
        product__quantity_as_of=datetime(2026, 12, 1, 9, 30, tzinfo=UTC),
    )
    ListingMappingFactory(integration=integration, channel_sku="AMZ-LOW", product__quantity=5)
    ListingMappingFactory(integration=integration, channel_sku="AMZ-UNKNOWN", product__quantity=None)

    response = seller_client.get(url(integration))

    assert response.status_code == 200
    assert listed(response) == {"AMZ-PLENTY": "12", "AMZ-LOW": "0", "AMZ-UNKNOWN": "0"}
    stock = {row[0]: row[2] for row in table_rows(response.content.decode(), "mappings")}
    assert stock["AMZ-PLENTY"] == "12 as of 1 Dec 2026, 09:30 UTC"
    assert "not known yet" in response.content.decode()


def test_a_title_or_sku_that_looks_like_html_is_shown_as_text(seller_client, integration):
    ListingMappingFactory(
        integration=integration, channel_sku='AMZ-"<b>', product__title="<script>alert(1)</script> & mug"
    )

    page = seller_client.get(url(integration)).content.decode()

    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; mug" in page
    assert "<b>" not in page
    assert list(listed_of(page)) == ['AMZ-"<b>']


def test_each_row_links_to_its_own_listing_and_removal(seller_client, account):
    integration = IntegrationFactory(account=account, pk=100)  # zeros in the ids, where the links are pieced together
    mappings = [ListingMappingFactory(integration=integration, pk=pk, channel_sku=f"AMZ-{pk}") for pk in (10, 2000)]

    page = seller_client.get(url(integration)).content.decode()

    for mapping in mappings:
        assert f'href="/settings/channels/100/listings/{mapping.pk}/why/"' in page
        assert f'action="/settings/channels/100/mappings/{mapping.pk}/remove/"' in page
    assert seller_client.post(f"/settings/channels/100/mappings/{mappings[1].pk}/remove/").status_code == 302
    assert list(ListingMapping.objects.filter(integration=integration).values_list("pk", flat=True)) == [10]


def test_the_list_caps_the_advertised_quantity_at_the_integrations_maximum(seller_client, integration):
    integration.max_quantity_to_advertise = 10
    integration.save()
    ListingMappingFactory(integration=integration, channel_sku="AMZ-1", product__quantity=50)

    response = seller_client.get(url(integration))

    assert listed(response) == {"AMZ-1": "10"}


def test_the_list_shows_only_this_integrations_mappings(seller_client, integration, account):
    ListingMappingFactory(integration=integration, channel_sku="MINE")
    ListingMappingFactory(integration=IntegrationFactory(account=account), channel_sku="OTHER-INTEGRATION")

    response = seller_client.get(url(integration))

    assert list(listed(response)) == ["MINE"]


def test_search_matches_listing_sku_product_sku_or_title(seller_client, integration):
    ListingMappingFactory(integration=integration, channel_sku="AMZ-MUG", product__title="Blue mug")
    ListingMappingFactory(integration=integration, channel_sku="AMZ-PLATE", product__sku="AVS-PLATE")
    ListingMappingFactory(integration=integration, channel_sku="AMZ-BOWL")

    def found(query):
        response = seller_client.get(url(integration), {"q": query})
        return sorted(listed(response))

    assert found("blue") == ["AMZ-MUG"]
    assert found("avs-plate") == ["AMZ-PLATE"]
    assert found("AMZ-B") == ["AMZ-BOWL"]
    assert found("nothing") == []


def test_the_list_takes_a_fixed_number_of_queries(seller_client, integration, django_assert_max_num_queries):
    ListingMappingFactory.create_batch(30, integration=integration)

    with django_assert_max_num_queries(11):
        assert seller_client.get(url(integration)).status_code == 200


# --- add and remove --------------------------------------------------------------------------------------------------


def test_a_seller_adds_a_mapping(seller_client, integration):
    ProductFactory(sku="AVS-1")

    response = seller_client.post(url(integration, "add/"), {"channel_sku": " AMZ-1 ", "product_sku": "AVS-1"})

    assert response.status_code == 302
    assert mapped(integration) == {"AMZ-1": "AVS-1"}
    assert ListingMapping.objects.get().price is None


def test_a_mapping_may_carry_its_own_price(seller_client, integration):
    ProductFactory(sku="AVS-1")

    seller_client.post(url(integration, "add/"), {"channel_sku": "AMZ-1", "product_sku": "AVS-1", "price": "14.50"})

    assert ListingMapping.objects.get().price == Decimal("14.50")


def test_adding_an_unknown_product_sku_says_so_and_adds_nothing(seller_client, integration):
    response = seller_client.post(url(integration, "add/"), {"channel_sku": "AMZ-1", "product_sku": "NOPE"})

    assert response.status_code == 400
    assert "No product has the SKU NOPE" in response.content.decode()
    assert not ListingMapping.objects.exists()


def test_adding_a_listing_already_mapped_says_so(seller_client, integration):
    ListingMappingFactory(integration=integration, channel_sku="AMZ-1", product__sku="AVS-OLD")
    ProductFactory(sku="AVS-NEW")

    response = seller_client.post(url(integration, "add/"), {"channel_sku": "AMZ-1", "product_sku": "AVS-NEW"})

    assert response.status_code == 400
    assert "already mapped to AVS-OLD" in response.content.decode()
    assert mapped(integration) == {"AMZ-1": "AVS-OLD"}


def test_the_same_listing_sku_may_be_mapped_on_two_integrations(seller_client, integration, account):
    other = IntegrationFactory(account=account)
    ProductFactory(sku="AVS-1")

    for target in (integration, other):
        seller_client.post(url(target, "add/"), {"channel_sku": "AMZ-1", "product_sku": "AVS-1"})

    assert mapped(integration) == mapped(other) == {"AMZ-1": "AVS-1"}


def test_a_seller_removes_a_mapping(seller_client, integration):
    mapping = ListingMappingFactory(integration=integration)

    response = seller_client.post(url(integration, f"{mapping.pk}/remove/"))

    assert response.status_code == 302
    assert not ListingMapping.objects.exists()


def test_removing_needs_a_post(seller_client, integration):
    mapping = ListingMappingFactory(integration=integration)

    assert seller_client.get(url(integration, f"{mapping.pk}/remove/")).status_code == 405
    assert ListingMapping.objects.exists()


def test_a_mapping_cannot_be_removed_through_another_of_the_sellers_integrations(seller_client, integration, account):
    mapping = ListingMappingFactory(integration=IntegrationFactory(account=account))

    assert seller_client.post(url(integration, f"{mapping.pk}/remove/")).status_code == 404
    assert ListingMapping.objects.filter(pk=mapping.pk).exists()


# --- seller isolation ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "suffix"),
    [
        ("get", ""),
        ("post", "add/"),
        ("post", "upload/"),
        ("get", "download.csv"),
        ("get", "auto-map/"),
        ("post", "auto-map/"),
        ("post", "{mapping}/remove/"),
    ],
)
def test_another_seller_gets_404_on_every_mapping_page(outsider_client, integration, method, suffix):
    mapping = ListingMappingFactory(integration=integration, channel_sku="AMZ-1", product__sku="AVS-1")
    ProductFactory(sku="AVS-2")
    data = {"channel_sku": "AMZ-2", "product_sku": "AVS-2"}
    if suffix == "upload/":
        data = {"file": SimpleUploadedFile("m.csv", b"channel_sku,product_sku\nAMZ-2,AVS-2\n")}

    response = getattr(outsider_client, method)(url(integration, suffix.format(mapping=mapping.pk)), data)

    assert response.status_code == 404
    assert mapped(integration) == {"AMZ-1": "AVS-1"}


def test_a_removed_integration_has_no_mappings_page(seller_client, integration):
    integration.removed_at = timezone.now()
    integration.save()

    assert seller_client.get(url(integration)).status_code == 404


# --- CSV upload and download -----------------------------------------------------------------------------------------


def test_a_csv_upload_maps_every_row(seller_client, integration):
    ProductFactory(sku="AVS-1")
    ProductFactory(sku="AVS-2")

    response = upload(
        seller_client, integration, "\ufeffchannel_sku,product_sku\r\nAMZ-1,AVS-1\r\n\r\nAMZ-2, AVS-2\r\n"
    )

    assert response.status_code == 302
    assert mapped(integration) == {"AMZ-1": "AVS-1", "AMZ-2": "AVS-2"}


def test_a_csv_upload_re_points_existing_mappings_and_reports_the_counts(seller_client, integration):
    ListingMappingFactory(integration=integration, channel_sku="AMZ-1", product__sku="AVS-OLD")
    ListingMappingFactory(integration=integration, channel_sku="AMZ-2", product__sku="AVS-2")
    ProductFactory(sku="AVS-NEW")
    ProductFactory(sku="AVS-3")

    response = upload(seller_client, integration, "channel_sku,product_sku\nAMZ-1,AVS-NEW\nAMZ-2,AVS-2\nAMZ-3,AVS-3\n")

    assert mapped(integration) == {"AMZ-1": "AVS-NEW", "AMZ-2": "AVS-2", "AMZ-3": "AVS-3"}
    [message] = [str(m) for m in response.wsgi_request._messages]
    assert "1 new mapping, 1 changed, 1 already so" in message


def test_a_csv_with_bad_rows_applies_nothing_and_lists_each_bad_row_by_number(seller_client, integration):
    ListingMappingFactory(integration=integration, channel_sku="AMZ-KEEP", product__sku="AVS-KEEP")
    ProductFactory(sku="AVS-1")
    text = (
        "channel_sku,product_sku\n"  # row 1
        "AMZ-1,AVS-1\n"  # row 2: fine
        "AMZ-2,NOPE\n"  # row 3: unknown product
        ",AVS-1\n"  # row 4: empty channel SKU
        "AMZ-1,AVS-1\n"  # row 5: duplicate of row 2
        "AMZ-6,AVS-1,extra\n"  # row 6: too many columns
        "AMZ-KEEP,\n"  # row 7: empty product SKU
    )

    response = upload(seller_client, integration, text)

    assert response.status_code == 400
    errors = [(error.row, error.reason) for error in response.context["csv_errors"]]
    assert [row for row, _ in errors] == [3, 4, 5, 6, 7]
    assert "NOPE is not in the catalogue" in errors[0][1]
    assert "channel_sku is empty" in errors[1][1]
    assert "appears twice (first in row 2)" in errors[2][1]
    assert "expected 2 columns, found 3" in errors[3][1]
    assert "product_sku is empty" in errors[4][1]
    page = response.content.decode()
    assert "Row 3:" in page and "Nothing was imported" in page
    assert mapped(integration) == {"AMZ-KEEP": "AVS-KEEP"}


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        pytest.param("sku,product\nAMZ-1,AVS-1\n", "first row must be the header", id="wrong-header"),
        pytest.param("", "The submitted file is empty", id="empty-file"),
        pytest.param("channel_sku,product_sku\n", "no mappings", id="header-only"),
        pytest.param("channel_sku,product_sku\nAMZ-1,AVS-1\n".encode("utf-16"), "not UTF-8", id="utf-16"),
        pytest.param("channel_sku,product_sku,price\nAMZ-1,AVS-1,abc\n", "not a number", id="bad-price"),
        pytest.param("channel_sku,product_sku,price\nAMZ-1,AVS-1,-2\n", "zero or more", id="negative-price"),
    ],
)
def test_a_bad_csv_file_is_rejected_with_a_reason(seller_client, integration, data, reason):
    ProductFactory(sku="AVS-1")

    response = upload(seller_client, integration, data)

    assert response.status_code == 400
    assert reason in response.content.decode()
    assert not ListingMapping.objects.exists()


def test_a_csv_may_carry_a_price_column(seller_client, integration):
    ProductFactory(sku="AVS-1")

    upload(seller_client, integration, "channel_sku,product_sku,price\nAMZ-1,AVS-1,12.00\nAMZ-2,AVS-1,\n")

    prices = dict(ListingMapping.objects.values_list("channel_sku", "price"))
    assert prices == {"AMZ-1": Decimal("12.00"), "AMZ-2": None}


def test_a_csv_without_a_price_column_keeps_the_prices_of_mappings_it_repeats_or_re_points(seller_client, integration):
    ListingMappingFactory(integration=integration, channel_sku="AMZ-1", product__sku="AVS-1", price=Decimal("12.34"))
    ListingMappingFactory(integration=integration, channel_sku="AMZ-2", product__sku="AVS-2", price=Decimal("5.00"))
    ListingMappingFactory(integration=integration, channel_sku="AMZ-3", product__sku="AVS-3", price=Decimal("7.00"))
    ProductFactory(sku="AVS-NEW")

    response = upload(seller_client, integration, "channel_sku,product_sku\nAMZ-1,AVS-1\nAMZ-2,AVS-NEW\n")
    upload(seller_client, integration, "channel_sku,product_sku,price\nAMZ-3,AVS-3,\n")

    prices = dict(ListingMapping.objects.values_list("channel_sku", "price"))
    assert prices == {"AMZ-1": Decimal("12.34"), "AMZ-2": Decimal("5.00"), "AMZ-3": None}
    assert mapped(integration)["AMZ-2"] == "AVS-NEW"
    [message] = [str(m) for m in response.wsgi_request._messages]
    assert "0 new mappings, 1 changed, 1 already so" in message


def test_the_download_is_the_current_mappings_in_the_upload_format(seller_client, integration):
    ListingMappingFactory(integration=integration, channel_sku="AMZ-2", product__sku="AVS-2", price=Decimal("3.50"))
    ListingMappingFactory(integration=integration, channel_sku="AMZ-1", product__sku="AVS-1")
    ListingMappingFactory(channel_sku="SOMEONE-ELSES")

    response = seller_client.get(url(integration, "download.csv"))

    assert response["Content-Type"].startswith("text/csv")
    body = b"".join(response.streaming_content).decode()
    assert body.splitlines() == ["channel_sku,product_sku,price", "AMZ-1,AVS-1,", "AMZ-2,AVS-2,3.50"]


def test_a_downloaded_file_uploads_again_unchanged(seller_client, integration, account):
    ListingMappingFactory(integration=integration, channel_sku="AMZ-1", product__sku="AVS-1", price=Decimal("3.50"))
    ListingMappingFactory(integration=integration, channel_sku="AMZ-2", product__sku="AVS-2")
    body = b"".join(seller_client.get(url(integration, "download.csv")).streaming_content)
    other = IntegrationFactory(account=account)

    upload(seller_client, other, body)

    assert mapped(other) == mapped(integration)


HOSTILE_SKUS = [
    '=HYPERLINK("http://evil.example","x")',
    "+1+1",
    "-2+3",
    "@SUM(A1)",
    "'=already-quoted",
    "''+twice",
    "'plain-apostrophe",
    "a=b",
    "PLAIN",
]


def test_the_download_neutralises_spreadsheet_formulas(seller_client, integration):
    ListingMappingFactory(
        integration=integration, channel_sku='=HYPERLINK("http://evil.example","x")', product__sku="@A"
    )
    ListingMappingFactory(integration=integration, channel_sku="SAFE-1", product__sku="-B")

    body = b"".join(seller_client.get(url(integration, "download.csv")).streaming_content).decode()

    rows = list(csv.reader(io.StringIO(body)))
    assert rows[1:] == [['\'=HYPERLINK("http://evil.example","x")', "'@A", ""], ["SAFE-1", "'-B", ""]]


def test_a_downloaded_file_with_formula_like_skus_uploads_again_unchanged(seller_client, integration, account):
    for n, sku in enumerate(HOSTILE_SKUS):
        ListingMappingFactory(integration=integration, channel_sku=sku, product__sku=f"{sku}-{n}")
    body = b"".join(seller_client.get(url(integration, "download.csv")).streaming_content)
    other = IntegrationFactory(account=account)

    response = upload(seller_client, other, body)

    assert response.status_code == 302
    assert mapped(other) == mapped(integration)
    assert set(mapped(other)) == set(HOSTILE_SKUS)


# --- auto-map and order reclassification -------------------------------------------------------------------------


def order_line(integration, channel_sku, **order_fields):
    from orders.tests.factories import OrderLineFactory

    return OrderLineFactory(order__integration=integration, channel_sku=channel_sku, **order_fields)


def test_auto_map_previews_listing_skus_from_orders_that_equal_a_product_sku(seller_client, integration, account):
    ProductFactory(sku="AVS-1")
    ProductFactory(sku="AVS-2")
    ProductFactory(sku="AVS-3")
    order_line(integration, "AVS-1")
    order_line(integration, "AVS-2")
    order_line(integration, "NOT-A-PRODUCT")
    ListingMappingFactory(integration=integration, channel_sku="AVS-2")
    order_line(IntegrationFactory(account=account), "AVS-3")  # another integration's order

    response = seller_client.get(url(integration, "auto-map/"))

    assert response.status_code == 200
    assert [candidate.channel_sku for candidate in response.context["candidates"]] == ["AVS-1"]
    assert mapped(integration) == {"AVS-2": ListingMapping.objects.get(channel_sku="AVS-2").product.sku}


def test_confirming_auto_map_creates_what_the_preview_showed(seller_client, integration):
    ProductFactory(sku="AVS-1")
    ProductFactory(sku="AVS-2")
    order_line(integration, "AVS-1")
    order_line(integration, "AVS-2")
    preview = seller_client.get(url(integration, "auto-map/"))

    response = seller_client.post(url(integration, "auto-map/"), {"fingerprint": preview.context["fingerprint"]})

    assert response.status_code == 302
    assert mapped(integration) == {"AVS-1": "AVS-1", "AVS-2": "AVS-2"}


def test_auto_map_applies_nothing_when_the_candidates_changed_since_the_preview(seller_client, integration):
    ProductFactory(sku="AVS-1")
    order_line(integration, "AVS-1")
    preview = seller_client.get(url(integration, "auto-map/"))
    ProductFactory(sku="AVS-2")
    order_line(integration, "AVS-2")

    response = seller_client.post(url(integration, "auto-map/"), {"fingerprint": preview.context["fingerprint"]})

    assert response.status_code == 302
    assert response["Location"] == url(integration, "auto-map/")
    assert not ListingMapping.objects.exists()


def test_mapping_a_listing_makes_its_recent_orders_avasam_orders(seller_client, integration):
    from orders.models import Order, OrderKind

    ProductFactory(sku="AVS-1")
    line = order_line(integration, "AMZ-1")

    seller_client.post(url(integration, "add/"), {"channel_sku": "AMZ-1", "product_sku": "AVS-1"})

    line.refresh_from_db()
    assert line.product.sku == "AVS-1"
    assert Order.objects.get().kind == OrderKind.AVASAM


def test_removing_a_mapping_makes_its_recent_orders_non_avasam_again(seller_client, integration):
    from orders.models import Order, OrderKind

    ProductFactory(sku="AVS-1")
    order_line(integration, "AMZ-1")
    seller_client.post(url(integration, "add/"), {"channel_sku": "AMZ-1", "product_sku": "AVS-1"})
    mapping = ListingMapping.objects.get()

    seller_client.post(url(integration, f"{mapping.pk}/remove/"))

    assert Order.objects.get().kind == OrderKind.NON_AVASAM
    assert Order.objects.get().lines.get().product is None


def test_a_csv_upload_and_auto_map_reclassify_orders_too(seller_client, integration):
    from orders.models import Order, OrderKind

    ProductFactory(sku="AVS-1")
    ProductFactory(sku="AVS-2")
    order_line(integration, "AMZ-1", order__amazon_order_id="203-0000001-0000001")
    order_line(integration, "AVS-2", order__amazon_order_id="203-0000002-0000002")

    upload(seller_client, integration, "channel_sku,product_sku\nAMZ-1,AVS-1\n")
    preview = seller_client.get(url(integration, "auto-map/"))
    seller_client.post(url(integration, "auto-map/"), {"fingerprint": preview.context["fingerprint"]})

    assert set(Order.objects.values_list("kind", flat=True)) == {OrderKind.AVASAM}


# --- the stock push follows every change -------------------------------------------------------------------------


def pending_listings(integration) -> set[str]:
    from stock.push.models import ListingPush

    return set(ListingPush.objects.filter(integration=integration, pending=True).values_list("channel_sku", flat=True))


def test_adding_a_mapping_marks_the_listing_for_a_stock_update(seller_client, integration):
    ProductFactory(sku="AVS-1", quantity=20)

    seller_client.post(url(integration, "add/"), {"channel_sku": "AMZ-1", "product_sku": "AVS-1"})

    assert pending_listings(integration) == {"AMZ-1"}


def test_a_supplier_stock_update_marks_every_listing_of_the_product(client, integration):
    from stock.services import supplier_token_issue

    product = ProductFactory(sku="AVS-1", quantity=20, quantity_as_of=timezone.now() - timedelta(hours=1))
    ListingMappingFactory(integration=integration, channel_sku="AMZ-1", product=product)
    ListingMappingFactory(integration=integration, channel_sku="AMZ-2")
    token = supplier_token_issue(supplier=product.supplier)
    body = {"updates": [{"sku": "AVS-1", "quantity": 3, "as_of": timezone.now().isoformat()}]}

    response = client.post(
        "/api/v1/stock", data=body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}"
    )

    assert response.status_code == 200
    assert "AMZ-1" in pending_listings(integration)
    assert "AMZ-2" not in pending_listings(integration)


def test_the_list_shows_what_amazon_said_about_each_listing(seller_client, integration):
    from stock.push.models import ListingPush

    accepted = ListingMappingFactory(integration=integration, channel_sku="ON-AMAZON")
    unknown = ListingMappingFactory(integration=integration, channel_sku="NOT-ON-AMAZON")
    ListingPush.objects.create(integration=integration, channel_sku="ON-AMAZON", mapping=accepted, accepted_quantity=7)
    ListingPush.objects.create(
        integration=integration,
        channel_sku="NOT-ON-AMAZON",
        mapping=unknown,
        unknown_sku=True,
        last_error="The SKU does not exist on Amazon.",
    )

    page = seller_client.get(url(integration)).content.decode()

    assert "Amazon shows 7." in page
    assert "Amazon did not accept the last update of 1 listing." in page
    assert "Amazon does not know SKU NOT-ON-AMAZON on this site: create the listing in Seller Central." in page


def test_two_integrations_of_one_amazon_seller_in_a_region_both_say_they_share_quantities(seller_client, account):
    uk = IntegrationFactory(
        account=account, name="Amazon UK", selling_partner_id="ASHARED", marketplace_id="A1F83G8C2ARO7P"
    )
    de = IntegrationFactory(
        account=account, name="Amazon DE", selling_partner_id="ASHARED", marketplace_id="A1PA6795UKMFR9"
    )

    uk_page = seller_client.get(url(uk)).content.decode()
    de_page = seller_client.get(url(de)).content.decode()

    assert "Amazon shares one quantity per SKU between this integration and “Amazon DE” (Germany)" in uk_page
    assert "Amazon shares one quantity per SKU between this integration and “Amazon UK” (United Kingdom)" in de_page


def test_prices_show_their_currency_and_the_page_says_when_price_updates_are_off(seller_client, integration):
    ListingMappingFactory(integration=integration, channel_sku="AMZ-1", product=ProductFactory(price=Decimal("49.31")))
    ListingMappingFactory(integration=integration, channel_sku="AMZ-2", price=Decimal("12.00"))

    page = seller_client.get(url(integration)).content.decode()

    assert "49.31 GBP" in page and "12.00 GBP" in page
    assert 'id="price-updates-off"' in page
    integration.price_updates_enabled = True
    integration.save()
    assert 'id="price-updates-off"' not in seller_client.get(url(integration)).content.decode()


def test_auto_map_before_any_order_says_there_are_no_orders_yet(seller_client, integration):
    ProductFactory(sku="AVS-1")

    page = seller_client.get(url(integration, "auto-map/")).content.decode()

    assert 'id="no-orders-yet"' in page and "Nothing to auto-map" not in page
    order_line(integration, "NOT-A-PRODUCT")
    page = seller_client.get(url(integration, "auto-map/")).content.decode()
    assert 'id="no-orders-yet"' not in page and "Nothing to auto-map" in page


def test_a_failed_add_shows_what_was_typed_and_then_the_form_comes_back_empty(seller_client, integration):
    seller_client.get(url(integration))  # the empty forms, as every seller sees them

    failed = seller_client.post(url(integration, "add/"), {"channel_sku": "AMZ-1", "product_sku": "NOPE"})
    again = seller_client.get(url(integration)).content.decode()

    assert "No product has the SKU NOPE" in failed.content.decode() and 'value="AMZ-1"' in failed.content.decode()
    assert "No product has the SKU" not in again and 'value="AMZ-1"' not in again
