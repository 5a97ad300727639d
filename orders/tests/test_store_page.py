"""Storing a page of Amazon orders: upserts by Amazon ids, the settings table, and constant queries."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from channels.tests.factories import IntegrationFactory
from orders.download import orders_store_page
from orders.models import Order, OrderKind, OrderLine
from orders.tests.amazon_orders import DE, amazon_order
from orders.tests.factories import ListingMappingFactory

pytestmark = pytest.mark.django_db


def _store(integration, *orders):
    return orders_store_page(integration=integration, orders=list(orders), now=timezone.now())


def _kinds(integration) -> dict[str, str]:
    return dict(Order.objects.filter(integration=integration).values_list("amazon_order_id", "kind"))


@pytest.fixture
def mapped():
    """An integration with SKU "M" mapped (and "U" not)."""

    def make(**settings):
        integration = IntegrationFactory(**settings)
        ListingMappingFactory(integration=integration, channel_sku="M")
        return integration

    return make


def _three_kinds():
    return amazon_order("AV", ["M", "M2"]), amazon_order("NON", ["U"]), amazon_order("MIX", ["M", "U"])


def test_with_both_settings_off_every_order_is_imported_whole(mapped):
    integration = mapped()
    ListingMappingFactory(integration=integration, channel_sku="M2")

    counts = _store(integration, *_three_kinds())

    assert counts.created == 3
    assert _kinds(integration) == {"AV": "avasam", "NON": "non_avasam", "MIX": "mixed"}
    assert OrderLine.objects.filter(order__amazon_order_id="MIX").count() == 2


def test_excluding_non_avasam_orders_imports_only_avasam_ones(mapped):
    integration = mapped(exclude_non_avasam_orders=True)
    ListingMappingFactory(integration=integration, channel_sku="M2")

    counts = _store(integration, *_three_kinds())

    assert (counts.created, counts.not_imported) == (1, 2)
    assert _kinds(integration) == {"AV": "avasam"}


def test_splitting_imports_a_mixed_order_with_only_its_mapped_lines(mapped):
    integration = mapped(split_orders_with_unknown_skus=True)
    ListingMappingFactory(integration=integration, channel_sku="M2")

    _store(integration, *_three_kinds())

    assert _kinds(integration) == {"AV": "avasam", "NON": "non_avasam", "MIX": "avasam"}
    assert list(OrderLine.objects.filter(order__amazon_order_id="MIX").values_list("channel_sku", flat=True)) == ["M"]


def test_non_avasam_orders_get_a_three_day_retention(mapped):
    integration = mapped()
    before = timezone.now()

    _store(integration, amazon_order("NON", ["U"]))

    order = Order.objects.get()
    assert before + timedelta(days=3) <= order.retention_expires_at <= timezone.now() + timedelta(days=3)


def test_orders_fulfilled_by_amazon_are_stored_as_non_avasam_with_no_product(mapped):
    integration = mapped()

    _store(integration, amazon_order("FBA", ["M"], fulfilled_by="AMAZON"))

    assert _kinds(integration) == {"FBA": "non_avasam"}
    assert OrderLine.objects.get().product is None


def test_orders_for_another_site_are_not_stored(mapped):
    integration = mapped()

    _store(integration, amazon_order("DE-1", ["M"], marketplace_id=DE), amazon_order("UK-1", ["M"]))

    assert set(_kinds(integration)) == {"UK-1"}


def test_storing_a_page_again_changes_nothing_and_applies_status_changes(mapped):
    integration = mapped()
    _store(integration, amazon_order("A", ["M", "U"]), amazon_order("B", ["U"]))
    later = timezone.now() + timedelta(minutes=1)

    counts = _store(
        integration, amazon_order("A", ["M", "U"], status="SHIPPED", updated=later), amazon_order("B", ["U"])
    )

    assert (counts.created, counts.updated) == (0, 2)
    assert dict(Order.objects.values_list("amazon_order_id", "status")) == {"A": "SHIPPED", "B": "UNSHIPPED"}
    assert OrderLine.objects.count() == 3


def test_a_cancellation_is_applied(mapped):
    integration = mapped()
    _store(integration, amazon_order("A", ["M"]))

    _store(integration, amazon_order("A", ["M"], status="CANCELLED", updated=timezone.now() + timedelta(minutes=1)))

    assert Order.objects.get().status == "CANCELLED"


def test_an_older_copy_of_an_order_does_not_overwrite_a_newer_one(mapped):
    integration = mapped()
    now = timezone.now()
    _store(integration, amazon_order("A", ["M"], status="SHIPPED", updated=now))

    _store(integration, amazon_order("A", ["M"], status="UNSHIPPED", updated=now - timedelta(minutes=5)))

    assert Order.objects.get().status == "SHIPPED"


def test_the_same_order_twice_in_a_page_is_stored_once_as_its_latest_version(mapped):
    integration = mapped()
    now = timezone.now()

    _store(integration, amazon_order("A", ["M"], status="SHIPPED", updated=now), amazon_order("A", ["M"], updated=now))

    assert list(Order.objects.values_list("status", flat=True)) in (["SHIPPED"], ["UNSHIPPED"])
    assert OrderLine.objects.count() == 1


def test_an_order_past_its_retention_keeps_its_lines_products(mapped):
    integration = mapped()
    _store(integration, amazon_order("A", ["M"]))
    Order.objects.update(retention_expires_at=timezone.now() - timedelta(minutes=1))
    integration.mappings.all().delete()

    _store(integration, amazon_order("A", ["M"], status="SHIPPED", updated=timezone.now() + timedelta(minutes=1)))

    order = Order.objects.get()
    assert (order.status, order.kind) == ("SHIPPED", OrderKind.AVASAM)
    assert order.lines.get().product is not None


def test_a_stored_page_takes_the_same_number_of_queries_whatever_its_size(mapped, django_assert_num_queries):
    integration = mapped()
    small = [amazon_order(f"S{n}", ["M", f"U{n}"]) for n in range(5)]
    # 60 orders: big, yet one INSERT even within SQLite's 999 parameters (PostgreSQL: see the benchmark)
    big = [amazon_order(f"B{n}", ["M", f"U{n}"]) for n in range(60)]
    _store(integration, *small[:1])  # so both pages below mix new and stored orders

    # 5 for the orders (stored orders and their lines, tombstones, mappings, orders with their lines), plus the
    # savepoint around the page that lets a refused order be skipped alone; 5 for their dispatches (products, the
    # ids of those already made, those locked and their lines, new dispatches with their lines). Elsewhere than on
    # PostgreSQL, new rows and their children take a statement each.
    for page in (small, big + small[:1]):
        with django_assert_num_queries(12 if connection.vendor == "postgresql" else 14):
            _store(integration, *page)

    assert Order.objects.count() == 65
    assert OrderLine.objects.count() == 130
