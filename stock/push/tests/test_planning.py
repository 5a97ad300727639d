"""The push's pure decisions, from tables."""

from __future__ import annotations

from decimal import Decimal

import pytest

from stock.push import feeds, planning

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
    off = planning.IntegrationRules(1, 5, 0, False, "GBP")
    assert planning.own_price(Decimal("12.00"), Decimal("9.99"), off) is None


def test_unknown_sku_is_recognised_by_code_or_by_amazons_words():
    assert planning.is_unknown_sku("4000004", "")
    assert planning.is_unknown_sku("", "SKU 'X' does not exist for this seller")
    assert not planning.is_unknown_sku("4000001", "The price '0' is not valid")


def test_a_feed_message_merges_quantity_on_the_default_channel_and_sets_our_price():
    message = feeds.feed_message(
        message_id=3, sku="AMZ-1", quantity=7, price=Decimal("9.99"), marketplace_id="A1F83G8C2ARO7P", currency="GBP"
    )
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
                        "our_price": [{"schedule": [{"value_with_tax": 9.99}]}],
                    }
                ],
            },
        ],
    }
