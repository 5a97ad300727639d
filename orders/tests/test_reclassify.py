"""Mapping changes reclassify orders still within their retention (the stock helper calls these)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from channels.tests.factories import IntegrationFactory
from orders.models import FulfilledBy, Order, OrderKind, OrderLine
from orders.selectors import channel_skus_seen
from orders.services import orders_purge_expired, orders_reclassify
from orders.signals import orders_remapped
from orders.tests.factories import ListingMappingFactory, OrderFactory, OrderLineFactory, ProductFactory

pytestmark = pytest.mark.django_db


def _order(integration, skus, **fields):
    order = OrderFactory(integration=integration, **fields)
    for sku in skus:
        OrderLineFactory(order=order, channel_sku=sku)
    return order


def test_channel_skus_seen_lists_each_sku_of_the_integrations_orders_once():
    order = _order(IntegrationFactory(), ["A", "B"])
    _order(order.integration, ["B", "C"])
    _order(IntegrationFactory(), ["OTHER"])
    assert channel_skus_seen(integration_id=order.integration_id) == {"A", "B", "C"}


def test_mapping_a_non_avasam_orders_only_sku_makes_it_avasam():
    order = _order(IntegrationFactory(), ["A"])
    mapping = ListingMappingFactory(integration=order.integration, channel_sku="A")

    assert orders_reclassify(integration_id=order.integration_id, channel_skus={"A"}) == 1

    order.refresh_from_db()
    assert order.kind == OrderKind.AVASAM
    assert order.lines.get().product == mapping.product


def test_mapping_one_of_two_skus_makes_the_order_mixed():
    order = _order(IntegrationFactory(), ["A", "B"])
    ListingMappingFactory(integration=order.integration, channel_sku="A")

    orders_reclassify(integration_id=order.integration_id, channel_skus={"A"})

    order.refresh_from_db()
    assert order.kind == OrderKind.MIXED
    assert order.lines.count() == 2


def test_with_split_on_a_now_mixed_order_keeps_only_its_mapped_lines():
    order = _order(IntegrationFactory(split_orders_with_unknown_skus=True), ["A", "B"])
    ListingMappingFactory(integration=order.integration, channel_sku="A")

    orders_reclassify(integration_id=order.integration_id, channel_skus={"A"})

    order.refresh_from_db()
    assert order.kind == OrderKind.AVASAM
    assert list(order.lines.values_list("channel_sku", flat=True)) == ["A"]


def test_removing_a_mapping_makes_a_recent_order_non_avasam_again():
    order = _order(IntegrationFactory(), ["A"])
    mapping = ListingMappingFactory(integration=order.integration, channel_sku="A")
    orders_reclassify(integration_id=order.integration_id, channel_skus={"A"})
    mapping.delete()

    assert orders_reclassify(integration_id=order.integration_id, channel_skus={"A"}) == 1

    order.refresh_from_db()
    assert order.kind == OrderKind.NON_AVASAM
    assert order.lines.get().product is None


def test_orders_past_their_retention_keep_their_classification():
    past = timezone.now() - timedelta(days=4)
    order = _order(IntegrationFactory(), ["A"], imported_at=past)
    ListingMappingFactory(integration=order.integration, channel_sku="A")

    assert orders_reclassify(integration_id=order.integration_id, channel_skus={"A"}) == 0
    order.refresh_from_db()
    assert order.kind == OrderKind.NON_AVASAM


def test_orders_fulfilled_by_amazon_never_become_avasam():
    order = _order(IntegrationFactory(), ["A"], fulfilled_by=FulfilledBy.AMAZON)
    ListingMappingFactory(integration=order.integration, channel_sku="A")

    assert orders_reclassify(integration_id=order.integration_id, channel_skus={"A"}) == 0
    order.refresh_from_db()
    assert order.kind == OrderKind.NON_AVASAM
    assert order.lines.get().product is None


def test_reclassify_touches_only_the_given_integration_and_skus():
    order = _order(IntegrationFactory(), ["A", "B"])
    other = _order(IntegrationFactory(), ["A"])
    ListingMappingFactory(integration=order.integration, channel_sku="B")
    ListingMappingFactory(integration=other.integration, channel_sku="A")

    assert orders_reclassify(integration_id=order.integration_id, channel_skus={"A"}) == 0
    assert orders_reclassify(integration_id=order.integration_id, channel_skus=set()) == 0
    assert set(Order.objects.values_list("kind", flat=True)) == {OrderKind.NON_AVASAM}


def test_reclassify_runs_in_a_constant_number_of_queries(django_assert_max_num_queries):
    integration = IntegrationFactory()
    product = ProductFactory()
    for n in range(30):
        _order(integration, [f"S{n}", "X"])
    for n in range(30):
        ListingMappingFactory(integration=integration, channel_sku=f"S{n}", product=product)

    with django_assert_max_num_queries(10):
        changed = orders_reclassify(integration_id=integration.pk, channel_skus={f"S{n}" for n in range(30)})

    assert changed == 30
    assert OrderLine.objects.filter(product=product).count() == 30


def test_purge_deletes_only_expired_non_avasam_orders_and_their_lines():
    past = timezone.now() - timedelta(days=3, minutes=1)
    integration = IntegrationFactory()
    expired = _order(integration, ["A"], imported_at=past)
    recent = _order(integration, ["A"])
    avasam = _order(integration, ["B"], imported_at=past, kind=OrderKind.AVASAM)
    mixed = _order(integration, ["C"], imported_at=past, kind=OrderKind.MIXED)

    assert orders_purge_expired() == 1

    assert set(Order.objects.values_list("pk", flat=True)) == {recent.pk, avasam.pk, mixed.pk}
    assert not OrderLine.objects.filter(order_id=expired.pk).exists()


def test_a_non_avasam_order_mapped_before_expiry_survives_the_purge():
    integration = IntegrationFactory()
    order = _order(integration, ["A"], imported_at=timezone.now() - timedelta(days=2, hours=23))
    ListingMappingFactory(integration=integration, channel_sku="A")
    orders_reclassify(integration_id=integration.pk, channel_skus={"A"})

    assert orders_purge_expired(now=timezone.now() + timedelta(hours=2)) == 0
    assert Order.objects.filter(pk=order.pk, kind=OrderKind.AVASAM).exists()


def test_a_purged_order_is_not_imported_again_while_it_is_still_non_avasam():
    from orders.download import orders_store_page
    from orders.tests.amazon_orders import amazon_order

    integration = IntegrationFactory()
    orders_store_page(integration=integration, orders=[amazon_order("A", ["U"])], now=timezone.now())
    orders_purge_expired(now=timezone.now() + timedelta(days=3, minutes=1))
    shipped = amazon_order("A", ["U"], status="SHIPPED", updated=timezone.now() + timedelta(days=4))

    counts = orders_store_page(integration=integration, orders=[shipped], now=timezone.now())

    assert (counts.created, counts.not_imported) == (0, 1)
    assert not Order.objects.exists()
    ListingMappingFactory(integration=integration, channel_sku="U")
    orders_store_page(integration=integration, orders=[shipped], now=timezone.now())
    assert list(Order.objects.values_list("kind", "status")) == [(OrderKind.AVASAM, "SHIPPED")]


def test_reclassifying_tells_other_apps_which_orders_lines_got_a_product():
    integration = IntegrationFactory()
    mapped = _order(integration, ["A", "B"])
    _order(integration, ["B"])
    mapping = ListingMappingFactory(integration=integration, channel_sku="A")
    heard = []

    def listener(**kwargs):
        heard.append((kwargs["integration_id"], kwargs["order_ids"]))

    orders_remapped.connect(listener)
    try:
        orders_reclassify(integration_id=integration.pk, channel_skus={"A", "B"})
        mapping.delete()
        orders_reclassify(integration_id=integration.pk, channel_skus={"A"})  # unmapped: no product given
    finally:
        orders_remapped.disconnect(listener)

    assert heard == [(integration.pk, [mapped.pk])]
