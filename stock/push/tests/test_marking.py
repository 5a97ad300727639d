"""Marking listings pending: in the change's own transaction, versioned, region-shared, constant queries per batch."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from channels.services import integration_set_enabled, integration_update_settings
from channels.tests.factories import IntegrationFactory
from stock.push.marking import listings_mark_pending
from stock.push.models import ListingPush
from stock.push.selectors import integration_region_shared, listing_push_statuses_and_errors
from stock.push.sending import integrations_with_work
from stock.services import mapping_remove
from stock.tests.factories import ListingMappingFactory, ProductFactory

from .conftest import DE, UK

pytestmark = pytest.mark.django_db


def push(integration, sku) -> ListingPush:
    return ListingPush.objects.get(integration=integration, channel_sku=sku)


def test_a_supplier_update_marks_its_listings_pending_with_the_rule_value(listing, supply):
    integration = IntegrationFactory(stock_threshold=5, max_quantity_to_advertise=50)
    mapping = listing(integration, "AMZ-1", quantity=20)

    supply({mapping.product.sku: 80})

    row = push(integration, "AMZ-1")
    assert (row.desired_quantity, row.pending) == (50, True)
    assert row.version == 2  # mapped at 20, then 80 capped at 50


def test_skus_with_quotes_and_percent_signs_are_found_and_marked_on_every_integration(listing, supplier, supply):
    """The batch lookups write each value as a query parameter: no SKU can change the query (stock.sql_in)."""
    first, second = IntegrationFactory(), IntegrationFactory()
    awkward = ["it's", "100%", "a\\b", '"quoted"', "x' OR '1'='1"]
    products = {sku: ProductFactory(supplier=supplier, sku=f"P {sku}") for sku in awkward}
    for sku, product in products.items():
        listing(first, sku, product=product)
        listing(second, f"{sku} (2)", product=product)

    result = supply({product.sku: 7 for product in products.values()})

    assert result.updated == len(awkward)
    rows = ListingPush.objects.filter(integration__in=[first, second])
    assert sorted((row.channel_sku, row.desired_quantity, row.pending) for row in rows) == sorted(
        [(sku, 7, True) for sku in awkward] + [(f"{sku} (2)", 7, True) for sku in awkward]
    )


def test_marking_is_rolled_back_with_the_change_that_caused_it(listing, supply):
    integration = IntegrationFactory()
    mapping = listing(integration, "AMZ-1", quantity=20)
    before = push(integration, "AMZ-1").version

    with pytest.raises(RuntimeError), transaction.atomic():
        supply({mapping.product.sku: 3})
        assert push(integration, "AMZ-1").desired_quantity == 0
        raise RuntimeError("the supplier request fails after marking")

    row = push(integration, "AMZ-1")
    assert (row.desired_quantity, row.version) == (20, before)


def test_duplicate_and_out_of_order_supplier_updates_do_not_change_what_is_sent(listing, supply):
    integration = IntegrationFactory()
    mapping = listing(integration, "AMZ-1", quantity=None)
    sku = mapping.product.sku
    newer, older = supply.clock.next(), "2026-11-27T08:00:00Z"

    supply({sku: 30}, as_of=newer)
    version = push(integration, "AMZ-1").version
    supply({sku: 30}, as_of=newer)  # the same notification again
    supply({sku: 2}, as_of=older)  # an old one arriving late

    row = push(integration, "AMZ-1")
    assert (row.desired_quantity, row.version) == (30, version)


def test_several_changes_before_a_push_leave_one_pending_row_with_the_latest_value(listing, supply):
    integration = IntegrationFactory()
    mapping = listing(integration, "AMZ-1", quantity=20)
    for quantity in (25, 40, 12):
        supply({mapping.product.sku: quantity})

    rows = ListingPush.objects.filter(integration=integration)
    assert [(row.desired_quantity, row.version, row.pending) for row in rows] == [(12, 4, True)]


def test_removing_a_mapping_marks_the_listing_to_go_to_zero(listing):
    integration = IntegrationFactory()
    mapping = listing(integration, "AMZ-1", quantity=20)

    mapping_remove(mapping=mapping)

    row = push(integration, "AMZ-1")
    assert (row.desired_quantity, row.pending, row.mapping_id) == (0, True, None)


def test_prices_are_marked_only_with_price_updates_on_mapping_price_first(listing):
    without = IntegrationFactory(price_updates_enabled=False)
    with_prices = IntegrationFactory(price_updates_enabled=True, marketplace_id=DE)
    product = ProductFactory(price=Decimal("9.99"), quantity=20)

    listing(without, "AMZ-1", product=product)
    listing(with_prices, "AMZ-1", product=product)
    listing(with_prices, "AMZ-2", product=product, price=Decimal("12.50"))

    assert push(without, "AMZ-1").desired_price is None
    assert push(with_prices, "AMZ-1").desired_price == Decimal("9.99")
    assert (push(with_prices, "AMZ-2").desired_price, push(with_prices, "AMZ-2").currency) == (Decimal("12.50"), "EUR")


def test_changing_the_threshold_recomputes_the_integrations_listings(listing):
    integration = IntegrationFactory(stock_threshold=5)
    listing(integration, "AMZ-1", quantity=8)

    integration_update_settings(integration=integration, stock_threshold=10)

    assert push(integration, "AMZ-1").desired_quantity == 0


def test_a_disabled_integration_has_no_work_and_coming_back_resends_everything(listing):
    integration = IntegrationFactory()
    listing(integration, "AMZ-1", quantity=20)
    ListingPush.objects.update(accepted_quantity=20, accepted_version=1, pending=False)

    integration_set_enabled(integration=integration, enabled=False)
    assert integration.pk not in integrations_with_work()

    integration_set_enabled(integration=integration, enabled=True)
    row = push(integration, "AMZ-1")
    assert (row.pending, row.accepted_quantity) == (True, None)
    assert integration.pk in integrations_with_work()


def test_unauthorised_removed_and_stock_updates_off_integrations_have_no_work(listing):
    needs_reauth = IntegrationFactory(authorisation_state="needs_reauthorisation")
    stock_off = IntegrationFactory(stock_updates_enabled=False)
    removed = IntegrationFactory(enabled=False)
    removed.removed_at = removed.created_at
    removed.save()
    for integration in (needs_reauth, stock_off, removed):
        listing(integration, f"AMZ-{integration.pk}", quantity=20)
        assert push(integration, f"AMZ-{integration.pk}").pending

    assert integrations_with_work() == []


def test_region_peers_send_the_lower_quantity_and_both_pages_say_so(listing):
    uk = IntegrationFactory(selling_partner_id="ASHARED", marketplace_id=UK, name="UK shop")
    de = IntegrationFactory(selling_partner_id="ASHARED", marketplace_id=DE, name="DE shop", account=uk.account)
    low, high = ProductFactory(quantity=8), ProductFactory(quantity=30)
    listing(uk, "SHARED-SKU", product=high)
    listing(de, "SHARED-SKU", product=low)

    assert push(uk, "SHARED-SKU").desired_quantity == 8
    assert push(de, "SHARED-SKU").desired_quantity == 8
    for integration, limited_by in ((uk, "DE shop"), (de, "")):
        statuses, _ = listing_push_statuses_and_errors(integration=integration, channel_skus=["SHARED-SKU"])
        assert statuses["SHARED-SKU"].limited_by == limited_by
    for integration, peer in ((uk, "DE shop"), (de, "UK shop")):
        shared = integration_region_shared(integration=integration)
        assert peer in shared.sentence

    integration_set_enabled(integration=de, enabled=False)  # DE no longer sends: UK sends its own value
    assert push(uk, "SHARED-SKU").desired_quantity == 30
    assert integration_region_shared(integration=uk) is None


def test_integrations_in_different_regions_do_not_share(listing):
    uk = IntegrationFactory(selling_partner_id="ASHARED", marketplace_id=UK)
    us = IntegrationFactory(selling_partner_id="ASHARED", marketplace_id="ATVPDKIKX0DER", account=uk.account)
    listing(uk, "SKU", product=ProductFactory(quantity=30))
    listing(us, "SKU", product=ProductFactory(quantity=8))

    assert push(uk, "SKU").desired_quantity == 30


@pytest.mark.postgres  # SQLite splits bulk statements by its variable limit
def test_marking_takes_a_constant_number_of_queries_per_batch(django_assert_max_num_queries, settings):
    settings.STOCK_PUSH_MARK_BATCH_SIZE = 1000
    integration = IntegrationFactory()
    small = [ListingMappingFactory(integration=integration, product__quantity=20).product_id for _ in range(3)]
    large = [ListingMappingFactory(integration=integration, product__quantity=20).product_id for _ in range(300)]

    with django_assert_max_num_queries(12) as small_queries:
        listings_mark_pending(product_ids=small)
    with django_assert_max_num_queries(12) as large_queries:
        listings_mark_pending(product_ids=large)

    assert len(large_queries.captured_queries) <= len(small_queries.captured_queries) + 1
    assert ListingPush.objects.filter(pending=True).count() == 303


def test_the_mappings_page_reads_its_listings_statuses_and_every_rejected_listing_in_one_query(listing):
    integration = IntegrationFactory()
    for sku in ("AMZ-1", "AMZ-2", "AMZ-3", "AMZ-4"):
        listing(integration, sku, quantity=20)
    other = IntegrationFactory(account=integration.account)
    listing(other, "AMZ-1", quantity=20)
    ListingPush.objects.filter(channel_sku__in=["AMZ-1", "AMZ-4"]).update(last_error="The quantity is not valid.")

    with CaptureQueriesContext(connection) as queries:
        statuses, errors = listing_push_statuses_and_errors(integration=integration, channel_skus=["AMZ-2", "AMZ-4"])

    assert len(queries) == 1
    assert sorted(statuses) == ["AMZ-2", "AMZ-4"] and statuses["AMZ-4"].error == "The quantity is not valid."
    assert [status.channel_sku for status in errors] == ["AMZ-1", "AMZ-4"]
    assert listing_push_statuses_and_errors(integration=other, channel_skus=[])[0] == {}


def test_when_amazon_revokes_the_lower_region_peer_the_drain_lets_the_other_send_its_own_value(listing):
    from channels.services import integration_mark_needs_reauthorisation
    from stock.push.marking import region_limits_refresh

    uk = IntegrationFactory(selling_partner_id="ASHARED", marketplace_id=UK)
    de = IntegrationFactory(selling_partner_id="ASHARED", marketplace_id=DE, account=uk.account)
    listing(uk, "SHARED-SKU", product=ProductFactory(quantity=30))
    listing(de, "SHARED-SKU", product=ProductFactory(quantity=8))
    assert push(uk, "SHARED-SKU").desired_quantity == 8

    integration_mark_needs_reauthorisation(integration_id=de.pk, problem="revoked")  # the gateway, no hook
    assert region_limits_refresh() == 1

    row = push(uk, "SHARED-SKU")
    assert (row.desired_quantity, row.limited_by_id, row.pending) == (30, None, True)


def test_the_region_minimum_holds_across_marking_batches(listing, settings):
    settings.STOCK_PUSH_MARK_BATCH_SIZE = 3
    uk = IntegrationFactory(selling_partner_id="ASHARED", marketplace_id=UK)
    de = IntegrationFactory(selling_partner_id="ASHARED", marketplace_id=DE, account=uk.account)
    for number in range(5):
        ListingMappingFactory(integration=uk, channel_sku=f"S{number}", product__quantity=30)
        ListingMappingFactory(integration=de, channel_sku=f"S{number}", product__quantity=8 + number)

    listings_mark_pending(integration_ids=[uk.pk, de.pk])

    assert [push(uk, f"S{n}").desired_quantity for n in range(5)] == [8, 9, 10, 11, 12]
