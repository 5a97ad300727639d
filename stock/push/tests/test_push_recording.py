"""Runs and listing sends recorded by the real stock push (feeds and the fast lane), against the Amazon simulator."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import timezone

from activity.models import Run
from stock.push import sending
from stock.push.models import ListingPush, ListingSend
from stock.push.tests.conftest import SELLER, UK
from stock.services import product_upsert
from stock.tests.factories import ProductFactory

pytestmark = pytest.mark.django_db


def settle(integration):
    _, timed_out = sending.integration_push_until_settled(integration_id=integration.pk, timeout=20, poll_seconds=0.02)
    assert not timed_out


def test_the_quantity_chain_through_a_feed_error_and_a_retry(sim, connect, listing, supplier, seller_client, account):
    integration = connect(price_updates_enabled=True, account=account)
    sim.state.set_listing(SELLER, UK, "AMZ-1", quantity=0)
    product = ProductFactory(supplier=supplier, sku="SUP-1", quantity=40, quantity_as_of=timezone.now())
    product.price = Decimal("0.00")
    product.save()
    mapping = listing(integration, "AMZ-1", product=product)

    settle(integration)  # Amazon rejects the price of 0.00
    assert ListingPush.objects.get(channel_sku="AMZ-1").last_error

    product_upsert(supplier=supplier, products=[{"sku": "SUP-1", "price": "12.00"}])  # the supplier fixes it
    ListingPush.objects.filter(channel_sku="AMZ-1").update(next_attempt_at=timezone.now())
    settle(integration)

    sends = list(ListingSend.objects.filter(integration=integration, channel_sku="AMZ-1").order_by("answered_at"))
    assert [(send.lane, send.outcome, send.quantity, send.price) for send in sends] == [
        ("bulk", "rejected", 40, Decimal("0.00")),
        ("bulk", "accepted", 40, Decimal("12.00")),
    ]
    assert "price" in sends[0].error.lower() and sends[0].amazon_feed_id != sends[1].amazon_feed_id
    runs = list(Run.objects.filter(integration=integration, kind="stock_push").order_by("pk"))
    assert [(run.outcome, run.listings_changed, run.error_count) for run in runs] == [
        ("failed", 0, 1),
        ("succeeded", 1, 0),
    ]

    page = seller_client.get(f"/settings/channels/{integration.pk}/listings/{mapping.pk}/why/").content.decode()
    assert 'id="accepted-quantity">40<' in page and "Rejected by Amazon" in page and "Accepted by Amazon" in page


def test_a_drop_to_zero_through_the_fast_lane_is_a_run_and_a_send(sim, connect, listing, supply):
    integration = connect()
    sim.state.set_listing(SELLER, UK, "AMZ-1", quantity=0)
    mapping = listing(integration, "AMZ-1", quantity=20)
    settle(integration)

    supply({mapping.product.sku: 0})
    sending.fast_lane_send(integration_id=integration.pk)

    fast = Run.objects.get(integration=integration, lane="fast")
    assert (fast.outcome, fast.listings_changed) == ("succeeded", 1)
    last = ListingSend.objects.filter(channel_sku="AMZ-1").order_by("-answered_at", "-pk").first()
    assert (last.lane, last.quantity, last.outcome) == ("fast", 0, "accepted")
    # An accepted patch carries no error: the explanation must not say Amazon refused what it accepted.
    assert last.error == ""
