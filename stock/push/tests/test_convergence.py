"""After any sequence of supplier updates, setting changes, crashes and injected failures, Amazon converges."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
from django.utils import timezone

from channels.services import integration_set_enabled, integration_update_settings
from stock.models import ListingMapping
from stock.push import sending
from stock.push.models import ListingPush, PushFeed
from stock.rules import quantity_to_advertise

from .conftest import SELLER, UK, forget_rate_limits

pytestmark = pytest.mark.django_db

FAULTY_OPERATIONS = ("createFeed", "getFeed", "getFeedDocument", "patchListingsItem", "createFeedDocument")


@pytest.mark.parametrize("seed", range(10))
def test_every_listing_ends_up_showing_the_rule_value_for_the_latest_stock(seed, sim, connect, listing, supply):
    rng = random.Random(seed)
    integration = connect()
    skus = [f"AMZ-{n}" for n in range(8)]
    mappings = []
    for sku in skus:
        sim.state.set_listing(SELLER, UK, sku, quantity=rng.randint(0, 50))
        mappings.append(listing(integration, sku, quantity=rng.randint(0, 30)))

    for _ in range(30):
        step = rng.choice(["supply", "supply", "old", "settings", "toggle", "fault", "push", "fast", "crash"])
        if step == "supply":
            chosen = rng.sample(mappings, rng.randint(1, len(mappings)))
            supply({mapping.product.sku: rng.choice([0, 1, 5, 6, 12, 40, 400]) for mapping in chosen})
        elif step == "old":  # a late, older notification: ignored
            supply({rng.choice(mappings).product.sku: rng.randint(0, 99)}, as_of="2026-11-27T08:00:00Z")
        elif step == "settings":
            integration_update_settings(
                integration=integration,
                stock_threshold=rng.randint(0, 10),
                max_quantity_to_advertise=rng.choice([0, 0, 10, 25]),
            )
        elif step == "toggle":
            integration_set_enabled(integration=integration, enabled=not integration.enabled)
        elif step == "fault":
            sim.state.inject_fault(rng.choice(FAULTY_OPERATIONS), "server_error", count=rng.randint(1, 2))
        elif step == "push":
            sending.integration_push(integration_id=integration.pk, wait_for_rate_limit=True, feed_interval=0)
        elif step == "fast":
            sending.fast_lane_send(integration_id=integration.pk, wait_for_rate_limit=True)
        elif step == "crash" and integration.enabled:  # claimed a feed, died before sending it
            sending.feed_prepare(integration=integration)
            PushFeed.objects.filter(state=PushFeed.State.PREPARING).update(
                created_at=timezone.now() - timedelta(hours=1)
            )
        if rng.random() < 0.3:
            sim.state.advance_clock(rng.choice([1, 5, 30]))

    sim.state.faults.clear()
    forget_rate_limits()
    if not integration.enabled:
        integration_set_enabled(integration=integration, enabled=True)
    ListingPush.objects.pending().update(next_attempt_at=None)  # the retry backoffs have passed
    _, timed_out = sending.integration_push_until_settled(integration_id=integration.pk, timeout=30, poll_seconds=0.02)
    assert not timed_out

    integration.refresh_from_db()
    for mapping in ListingMapping.objects.filter(integration=integration).select_related("product"):
        expected = quantity_to_advertise(
            mapping.product.quantity,
            stock_threshold=integration.stock_threshold,
            max_quantity_to_advertise=integration.max_quantity_to_advertise,
        )
        assert sim.state.listing(SELLER, UK, mapping.channel_sku).quantity == expected, mapping.channel_sku
