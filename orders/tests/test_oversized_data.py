"""Amazon sets no length on its order strings: they are stored as sent, and an order that still cannot be
stored is skipped, said so on the integration's activity, without losing the rest of its page."""

from __future__ import annotations

import pytest

from activity.models import Run
from orders.download import orders_download
from orders.models import Order, OrderDownload, OrderLine
from orders.tests.simulated import UK, connected_integration, expected, place_orders, stored

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

# Column types are enforced by PostgreSQL only; SQLite would store anything and prove nothing.


@pytest.fixture
def simulator(amazon_simulator, settings):
    amazon_simulator.state.speedup = 1000
    settings.ORDER_DOWNLOAD_PAGE_SIZE = 10
    return amazon_simulator


def test_an_order_with_a_long_status_sku_title_and_asin_is_stored_as_amazon_sent_it(simulator):
    integration = connected_integration(simulator)
    status, sku, title, asin = "S" * 40, "K" * 300, "T" * 600, "A" * 30
    placed = place_orders(simulator, integration, 3)
    long_one = simulator.state.add_order(
        integration.selling_partner_id,
        UK,
        status=status,
        lines=[{"sku": sku, "title": title, "asin": asin, "quantity": 1, "unit_price": "5.00"}],
    )

    result = orders_download(integration_id=integration.pk)

    assert (result.outcome, result.orders_created, result.orders_skipped) == ("done", 4, [])
    assert stored(integration) == expected([*placed, long_one])
    order = Order.objects.get(amazon_order_id=long_one.order_id)
    line = OrderLine.objects.get(order=order)
    assert (order.status, line.channel_sku, line.title, line.asin) == (status, sku, title, asin)


def test_an_order_the_database_refuses_is_skipped_and_the_rest_of_its_page_and_walk_is_stored(
    simulator, seller_client, owner
):
    integration = connected_integration(simulator, account=owner.membership.account)
    good = place_orders(simulator, integration, 24)
    # More units than a database integer holds: no column type can take it.
    (refused,) = place_orders(simulator, integration, 1, skus=("SKU-HUGE",))
    refused.lines[0].quantity = 3_000_000_000

    result = orders_download(integration_id=integration.pk)

    assert (result.outcome, result.pages, result.orders_created) == ("done", 3, 24)
    assert [order.amazon_order_id for order in result.orders_skipped] == [refused.order_id]
    assert stored(integration) == expected(good)
    download = OrderDownload.objects.get(integration=integration)
    assert download.cursor is not None and not download.window_in_progress
    run = Run.objects.get(integration=integration, kind=Run.Kind.ORDER_DOWNLOAD)
    assert run.outcome == Run.Outcome.PARTIAL and run.orders_brought == 24 and run.error_count == 1
    assert run.error.startswith(f"Order {refused.order_id} skipped: ")
    assert "3000000000" in run.error and "out of range for type integer" in run.error  # the value, and why

    page = seller_client.get(f"/settings/channels/{integration.pk}/activity/").content.decode()
    assert f"Order {refused.order_id} skipped: " in page


def test_a_page_the_database_refuses_entirely_stores_nothing_and_says_which_orders(simulator):
    integration = connected_integration(simulator)
    refused = place_orders(simulator, integration, 2)
    for order in refused:
        order.lines[0].quantity = 3_000_000_000

    result = orders_download(integration_id=integration.pk)

    assert result.outcome == "done" and result.orders_created == 0
    skipped = sorted(order.amazon_order_id for order in result.orders_skipped)
    assert skipped == sorted(order.order_id for order in refused)
    assert stored(integration) == ([], [])
