"""The push's pure decisions, from tables."""

from __future__ import annotations

from decimal import Decimal

import pytest

from channels.amazon.marketplaces import marketplace_by_id
from stock.push import feeds, planning

UK_SITE = marketplace_by_id("A1F83G8C2ARO7P")
JP_SITE = marketplace_by_id("A1VC38T7YXB528")

RULES = planning.IntegrationRules(
    integration_id=1, stock_threshold=5, max_quantity_to_advertise=0, price_updates_enabled=True, currency="GBP"
)


@pytest.mark.parametrize(
    ("own", "peers", "expected"),
    [
        (10, {}, (10, None)),
        (10, {2: 4}, (4, 2)),
        (3, {2: 4}, (3, None)),
        (None, {2: 7, 3: 5}, (5, 3)),
        (None, {}, (0, None)),
        (4, {2: 4}, (4, None)),  # equal: ours, so nobody is said to limit it
    ],
)
def test_region_minimum_sends_the_lowest_value_and_names_where_it_came_from(own, peers, expected):
    assert planning.region_minimum(own, peers) == expected


@pytest.mark.parametrize(
    ("desired", "accepted", "expected"),
    [
        ((5, None), (5, None), False),
        ((5, None), (None, None), True),
        ((5, None), (4, None), True),
        ((5, Decimal("9.99")), (5, Decimal("9.99")), False),
        ((5, Decimal("9.99")), (5, Decimal("8.99")), True),
        ((5, Decimal("9.99")), (5, None), True),
    ],
)
def test_needs_sending_only_when_amazon_shows_something_else(desired, accepted, expected):
    assert (
        planning.needs_sending(
            desired_quantity=desired[0],
            desired_price=desired[1],
            accepted_quantity=accepted[0],
            accepted_price=accepted[1],
        )
        is expected
    )


@pytest.mark.parametrize(("accepted", "expected"), [(None, True), (3, True), (0, False)])
def test_a_drop_to_zero_takes_the_fast_lane_unless_amazon_already_shows_zero(accepted, expected):
    assert planning.goes_fast_lane(desired_quantity=0, accepted_quantity=accepted) is expected
    assert planning.goes_fast_lane(desired_quantity=1, accepted_quantity=accepted) is False


def test_backoff_doubles_up_to_its_cap():
    assert [planning.backoff_seconds(n, base=60, cap=600) for n in range(6)] == [0, 60, 120, 240, 480, 600]
    assert planning.backoff_seconds(10_000, base=60, cap=600) == 600


def test_prices_are_the_mappings_else_the_products_and_none_with_price_updates_off():
    assert planning.own_price(Decimal("12.00"), Decimal("9.99"), RULES) == Decimal("12.00")
    assert planning.own_price(None, Decimal("9.99"), RULES) == Decimal("9.99")
    assert planning.own_price(None, None, RULES) is None
    off = planning.IntegrationRules(1, 5, 0, False, "GBP")
    assert planning.own_price(Decimal("12.00"), Decimal("9.99"), off) is None


@pytest.mark.parametrize(
    ("price", "currency", "expected"),
    [
        ("12.34", "JPY", "12"),
        ("1234.5", "JPY", "1235"),
        ("9.99", "GBP", "9.99"),
        ("9.995", "EUR", "10.00"),
        ("7", "USD", "7.00"),
    ],
)
def test_prices_are_rounded_to_the_currencys_minor_unit(price, currency, expected):
    rules = planning.IntegrationRules(1, 5, 0, True, currency)

    assert str(planning.own_price(Decimal(price), None, rules)) == expected


def test_unknown_sku_is_recognised_by_code_or_by_amazons_words():
    assert planning.is_unknown_sku("4000004", "")
    assert planning.is_unknown_sku("", "SKU 'X' does not exist for this seller")
    assert not planning.is_unknown_sku("4000001", "The price '0' is not valid")


def test_a_feed_message_merges_quantity_on_the_default_channel_and_our_price_into_the_consumer_offer():
    message = feeds.feed_message(message_id=3, sku="AMZ-1", quantity=7, price=Decimal("9.99"), marketplace=UK_SITE)
    assert message == {
        "messageId": 3,
        "sku": "AMZ-1",
        "operationType": "PATCH",
        "productType": "PRODUCT",
        "patches": [
            {
                "op": "merge",
                "path": "/attributes/fulfillment_availability",
                "value": [{"fulfillment_channel_code": "DEFAULT", "quantity": 7}],
            },
            {
                "op": "merge",
                "path": "/attributes/purchasable_offer",
                "value": [
                    {
                        "marketplace_id": "A1F83G8C2ARO7P",
                        "currency": "GBP",
                        "audience": "ALL",
                        "our_price": [{"schedule": [{"value_with_tax": 9.99}]}],
                    }
                ],
            },
        ],
    }


@pytest.mark.parametrize(
    ("marketplace", "price", "sent"),
    [(UK_SITE, "12.345", 12.35), (UK_SITE, "14.50", 14.5), (JP_SITE, "1234.56", 1235), (JP_SITE, "980.00", 980)],
)
def test_prices_go_out_as_numbers_in_the_currencys_minor_unit(marketplace, price, sent):
    [_, offer_patch] = feeds.listing_patches(quantity=1, price=Decimal(price), marketplace=marketplace)

    value = offer_patch["value"][0]["our_price"][0]["schedule"][0]["value_with_tax"]
    assert (value, type(value)) == (sent, type(sent))


def test_a_patch_without_a_price_leaves_the_offer_alone():
    assert [patch["path"] for patch in feeds.listing_patches(quantity=0, price=None, marketplace=JP_SITE)] == [
        "/attributes/fulfillment_availability"
    ]
