"""The bulk and fast lanes against the Amazon simulator: what Amazon ends up showing, and what we record."""

from __future__ import annotations

import json
from contextlib import contextmanager
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from channels.amazon.gateway import gateway_for
from channels.amazon.tests.queries import without_rate_limit_tokens
from channels.models import Integration
from channels.services import (
    integration_authorise,
    integration_mark_needs_reauthorisation,
    integration_set_enabled,
    integration_update_settings,
)
from stock.push import drain, sending
from stock.push.models import ListingPush, ListingSend, PushFeed
from stock.push.selectors import listing_push_statuses_and_errors
from stock.tests.factories import ProductFactory

from .conftest import DE, JP, SELLER, UK, forget_rate_limits

pytestmark = pytest.mark.django_db


def settle(integration):
    result, timed_out = sending.integration_push_until_settled(
        integration_id=integration.pk, timeout=20, poll_seconds=0.02
    )
    assert not timed_out
    return result


def on_amazon(sim, integration, sku):
    listing = sim.state.listing(integration.selling_partner_id, integration.marketplace_id, sku)
    return (listing.quantity, listing.price) if listing else None


def calls(sim, operation):
    return [call for call in sim.state.calls if call.operation == operation]


def feed_documents(sim, integration):
    """Every feed document the simulator received, parsed, in order."""
    seller = sim.state.seller(integration.selling_partner_id)
    documents = [sim.state.feed_document(feed.input_feed_document_id) for feed in seller.feeds.values()]
    return [json.loads(document.body) for document in documents]


def feed_messages(sim, integration):
    """The messages of every feed the simulator received, in order."""
    return [document["messages"] for document in feed_documents(sim, integration)]


def push(integration, sku) -> ListingPush:
    return ListingPush.objects.get(integration=integration, channel_sku=sku)


def test_pending_listings_go_out_in_one_feed_of_merge_patches_and_are_recorded_once_accepted(sim, connect, listing):
    integration = connect()
    for number, quantity in enumerate((20, 30, 40), start=1):
        sim.state.set_listing(SELLER, UK, f"AMZ-{number}", quantity=0)
        listing(integration, f"AMZ-{number}", quantity=quantity)

    result = settle(integration)

    assert [on_amazon(sim, integration, f"AMZ-{n}")[0] for n in (1, 2, 3)] == [20, 30, 40]
    assert (result.feeds_submitted, result.messages, result.patches) == (1, 3, 0)
    [messages] = feed_messages(sim, integration)
    assert messages[0]["operationType"] == "PATCH"
    assert messages[0]["patches"] == [
        {
            "op": "merge",
            "path": "/attributes/fulfillment_availability",
            "value": [{"fulfillment_channel_code": "DEFAULT", "quantity": 20}],
        }
    ]
    row = push(integration, "AMZ-1")
    assert (row.accepted_quantity, row.accepted_version, row.pending) == (20, row.version, False)
    assert PushFeed.objects.get().state == PushFeed.State.DONE


def test_several_changes_before_a_push_collapse_into_one_message(sim, connect, listing, supply):
    integration = connect()
    sim.state.set_listing(SELLER, UK, "AMZ-1", quantity=0)
    mapping = listing(integration, "AMZ-1", quantity=20)
    for quantity in (25, 40, 12):
        supply({mapping.product.sku: quantity})

    settle(integration)

    assert [len(messages) for messages in feed_messages(sim, integration)] == [1]
    assert on_amazon(sim, integration, "AMZ-1")[0] == 12


def test_changes_that_cancel_out_send_nothing(sim, connect, listing, supply):
    integration = connect()
    sim.state.set_listing(SELLER, UK, "AMZ-1", quantity=0)
    mapping = listing(integration, "AMZ-1", quantity=20)
    settle(integration)
    supply({mapping.product.sku: 30})
    supply({mapping.product.sku: 20})

    settle(integration)

    assert len(feed_messages(sim, integration)) == 1
    assert not push(integration, "AMZ-1").pending


def test_prices_go_out_as_our_price_merged_into_the_sites_consumer_offer(sim, connect, listing):
    integration = connect(DE, price_updates_enabled=True)
    sim.state.set_listing(SELLER, DE, "AMZ-1", quantity=0, price="1.00")
    listing(integration, "AMZ-1", product=ProductFactory(quantity=20, price=Decimal("9.99")), price=Decimal("14.50"))

    settle(integration)

    assert on_amazon(sim, integration, "AMZ-1") == (20, Decimal("14.5"))
    [[message]] = feed_messages(sim, integration)
    assert message["patches"][1] == {
        "op": "merge",
        "path": "/attributes/purchasable_offer",
        "value": [
            {
                "marketplace_id": DE,
                "currency": "EUR",
                "audience": "ALL",
                "our_price": [{"schedule": [{"value_with_tax": 14.5}]}],
            }
        ],
    }
    assert push(integration, "AMZ-1").accepted_price == Decimal("14.50")


def test_a_yen_price_goes_out_without_decimals(sim, connect, listing):
    integration = connect(JP, price_updates_enabled=True)
    sim.state.set_listing(SELLER, JP, "AMZ-1", quantity=0, price="1000")
    listing(integration, "AMZ-1", quantity=20, price=Decimal("1234.56"))

    settle(integration)

    [[message]] = feed_messages(sim, integration)
    assert message["patches"][1]["value"][0]["our_price"] == [{"schedule": [{"value_with_tax": 1235}]}]
    assert on_amazon(sim, integration, "AMZ-1") == (20, Decimal("1235"))
    row = push(integration, "AMZ-1")
    assert (row.accepted_price, row.last_error) == (Decimal("1235"), "")


def test_amazon_reports_issues_in_the_sites_language(sim, connect, listing):
    integration = connect(DE)
    sim.state.set_listing(SELLER, DE, "AMZ-1", quantity=0)
    listing(integration, "AMZ-1", quantity=20)

    settle(integration)

    assert [document["header"]["issueLocale"] for document in feed_documents(sim, integration)] == ["de_DE"]


def test_a_drop_to_zero_goes_out_at_once_through_the_fast_lane(
    sim, connect, listing, supply, django_capture_on_commit_callbacks
):
    integration = connect()
    sim.state.set_listing(SELLER, UK, "AMZ-1", quantity=0)
    mapping = listing(integration, "AMZ-1", quantity=20)
    settle(integration)

    with django_capture_on_commit_callbacks(execute=True):
        supply({mapping.product.sku: 2})  # at or below the threshold of 5

    assert on_amazon(sim, integration, "AMZ-1")[0] == 0
    assert len(calls(sim, "patchListingsItem")) == 1
    assert len(feed_messages(sim, integration)) == 1  # no second feed
    assert push(integration, "AMZ-1").accepted_quantity == 0


def test_many_drops_to_zero_go_out_in_one_pass_and_each_answer_is_kept(sim, connect, listing, supply):
    integration = connect()
    skus = [f"AMZ-{number}" for number in range(12)]
    for sku in skus:
        sim.state.set_listing(SELLER, UK, sku, quantity=0)
    mappings = [listing(integration, sku, quantity=20) for sku in skus]
    settle(integration)
    supply({mapping.product.sku: 0 for mapping in mappings})

    with CaptureQueriesContext(connection) as queries:
        result = sending.fast_lane_send(integration_id=integration.pk, wait_for_rate_limit=True)

    assert result.patches == 12 and [on_amazon(sim, integration, sku)[0] for sku in skus] == [0] * 12
    assert sorted(
        ListingPush.objects.filter(integration=integration, accepted_quantity=0).values_list("channel_sku", flat=True)
    ) == sorted(skus)
    fast = ListingSend.objects.filter(integration=integration, lane="fast", outcome="accepted", quantity=0)
    assert sorted(fast.values_list("channel_sku", flat=True)) == sorted(skus)
    # Answers are recorded a few at a time, not each in a transaction of its own (five statements each).
    pushing = without_rate_limit_tokens([query["sql"] for query in queries])
    assert len(pushing) < 3 * 12, "\n".join(sql[:80] for sql in pushing)


def test_a_lost_task_message_is_caught_by_the_drain(sim, connect, listing, supply):
    integration = connect()
    sim.state.set_listing(SELLER, UK, "AMZ-1", quantity=0)
    mapping = listing(integration, "AMZ-1", quantity=20)
    settle(integration)
    supply({mapping.product.sku: 0})  # committed; its fast-lane task never runs (callbacks not executed)

    drain.stock_push_drain()

    assert on_amazon(sim, integration, "AMZ-1")[0] == 0


def test_a_feed_amazon_got_from_a_sender_killed_before_recording_its_id_is_asked_of_amazon_and_adopted(
    sim, connect, listing
):
    integration = connect()
    sim.state.set_listing(SELLER, UK, "AMZ-1", quantity=0)
    listing(integration, "AMZ-1", quantity=20)
    feed, messages, _ = sending.feed_prepare(integration=integration)
    with gateway_for(integration, wait_for_rate_limit=True) as gateway:
        orphan_id = gateway.submit_json_listings_feed(messages)  # Amazon got it; then the worker died

    settle(integration)

    assert on_amazon(sim, integration, "AMZ-1")[0] == 20
    row = push(integration, "AMZ-1")
    assert (row.accepted_quantity, row.pending, row.feed_id) == (20, False, None)
    adopted = PushFeed.objects.get(pk=feed.pk)
    assert (adopted.state, adopted.amazon_feed_id) == (PushFeed.State.DONE, orphan_id)
    assert len(calls(sim, "createFeed")) == 1  # not sent again: Amazon had it
    assert len(calls(sim, "getFeeds")) >= 1


def test_a_feed_prepared_by_a_sender_killed_before_amazon_got_it_goes_in_the_next_feed(sim, connect, listing):
    integration = connect()
    sim.state.set_listing(SELLER, UK, "AMZ-1", quantity=0)
    listing(integration, "AMZ-1", quantity=20)
    feed, _, _ = sending.feed_prepare(integration=integration)  # then the worker died, before createFeed

    settle(integration)

    assert on_amazon(sim, integration, "AMZ-1")[0] == 20
    assert PushFeed.objects.get(pk=feed.pk).state == PushFeed.State.FAILED
    assert push(integration, "AMZ-1").pending is False
    assert len(calls(sim, "createFeed")) == 1


def test_no_new_feed_goes_while_an_orphaned_one_is_still_processing_so_no_older_value_lands_last(
    sim, connect, listing, supply
):
    integration = connect()
    sim.state.set_listing(SELLER, UK, "AMZ-1", quantity=0)
    mapping = listing(integration, "AMZ-1", quantity=20)
    feed, messages, _ = sending.feed_prepare(integration=integration)
    sim.state.speedup = 1  # the orphan takes Amazon's real minute or so
    with gateway_for(integration, wait_for_rate_limit=True) as gateway:
        gateway.submit_json_listings_feed(messages)  # then the worker died
    supply({mapping.product.sku: 7})  # a newer value, waiting to go

    result = sending.integration_push(integration_id=integration.pk, feed_interval=0)

    assert result.feed_in_flight and result.feeds_submitted == 0
    assert len(calls(sim, "createFeed")) == 1
    assert PushFeed.objects.get(pk=feed.pk).state == PushFeed.State.PREPARING

    sim.state.speedup = 200
    sim.state.advance_clock(3600)
    settle(integration)
    assert on_amazon(sim, integration, "AMZ-1")[0] == 7  # the newer value landed last
    assert len(calls(sim, "createFeed")) == 2


def test_a_crash_after_amazon_processed_the_feed_is_recorded_by_the_next_pass(sim, connect, listing):
    integration = connect()
    sim.state.set_listing(SELLER, UK, "AMZ-1", quantity=0)
    listing(integration, "AMZ-1", quantity=20)
    first = sending.integration_push(integration_id=integration.pk, wait_for_rate_limit=True)
    assert first.feeds_submitted == 1  # the worker stops here; Amazon finishes on its own

    settle(integration)

    assert push(integration, "AMZ-1").accepted_quantity == 20
    assert len(feed_messages(sim, integration)) == 1


def test_an_older_feed_applied_after_a_newer_patch_is_corrected(sim, connect, listing, supply):
    integration = connect()
    sim.state.set_listing(SELLER, UK, "AMZ-1", quantity=0)
    mapping = listing(integration, "AMZ-1", quantity=20)
    sim.state.speedup = 1  # the feed stays queued for seconds
    sending.integration_push(integration_id=integration.pk, wait_for_rate_limit=True)

    supply({mapping.product.sku: 0})
    fast = sending.fast_lane_send(integration_id=integration.pk, wait_for_rate_limit=True)
    assert fast.patches == 1
    sim.state.advance_clock(10)  # Amazon now applies the older feed (20) after the patch (0)
    assert on_amazon(sim, integration, "AMZ-1")[0] == 20
    sim.state.speedup = 200

    settle(integration)

    assert on_amazon(sim, integration, "AMZ-1")[0] == 0
    row = push(integration, "AMZ-1")
    assert (row.accepted_quantity, row.pending) == (0, False)


def test_feed_errors_are_stored_per_sku_retried_with_backoff_and_unknown_skus_are_not_retried(sim, connect, listing):
    integration = connect(price_updates_enabled=True)
    sim.state.set_listing(SELLER, UK, "GOOD", quantity=0)
    sim.state.set_listing(SELLER, UK, "BAD-PRICE", quantity=0)
    listing(integration, "GOOD", quantity=20)
    listing(integration, "BAD-PRICE", product=ProductFactory(quantity=20, price=Decimal("0.00")))
    listing(integration, "NOT-ON-AMAZON", quantity=20)

    settle(integration)

    assert on_amazon(sim, integration, "GOOD")[0] == 20
    bad, unknown = push(integration, "BAD-PRICE"), push(integration, "NOT-ON-AMAZON")
    assert bad.pending and bad.attempts == 1 and bad.next_attempt_at > timezone.now()
    assert "price" in bad.last_error
    assert (unknown.pending, unknown.unknown_sku) == (False, True)
    statuses, _ = listing_push_statuses_and_errors(integration=integration, channel_skus=["NOT-ON-AMAZON"])
    assert "does not exist" in statuses["NOT-ON-AMAZON"].error

    ListingPush.objects.filter(pk=bad.pk).update(next_attempt_at=timezone.now())  # the backoff has passed
    settle(integration)

    [_, retry] = feed_messages(sim, integration)
    assert [message["sku"] for message in retry] == ["BAD-PRICE"]
    assert push(integration, "BAD-PRICE").attempts == 2


def test_a_throttled_feed_submission_releases_its_listings_for_the_next_pass(sim, connect, listing):
    integration = connect()
    sim.state.set_listing(SELLER, UK, "AMZ-1", quantity=0)
    listing(integration, "AMZ-1", quantity=20)
    sim.state.inject_fault("createFeed", "throttle", count=1)

    first = sending.integration_push(integration_id=integration.pk)

    assert first.retry_after is not None
    row = push(integration, "AMZ-1")
    assert (row.feed_id, row.pending, row.attempts) == (None, True, 0)
    forget_rate_limits()  # time passes: createFeed's bucket refills
    settle(integration)
    assert on_amazon(sim, integration, "AMZ-1")[0] == 20


def test_a_disabled_integration_sends_nothing_and_sends_current_values_when_enabled(sim, connect, listing, supply):
    integration = connect()
    sim.state.set_listing(SELLER, UK, "AMZ-1", quantity=0)
    mapping = listing(integration, "AMZ-1", quantity=20)
    settle(integration)
    integration_set_enabled(integration=integration, enabled=False)
    sim.state.set_listing(SELLER, UK, "AMZ-1", quantity=99)  # edited by hand in Seller Central meanwhile
    supply({mapping.product.sku: 20})
    before = len(sim.state.calls)

    drain.stock_push_drain()
    sending.integration_push(integration_id=integration.pk, wait_for_rate_limit=True)
    assert len(sim.state.calls) == before

    integration_set_enabled(integration=integration, enabled=True)
    drain.stock_push_drain()
    settle(integration)
    assert on_amazon(sim, integration, "AMZ-1")[0] == 20


def test_a_revoked_authorisation_stops_the_push_until_the_seller_reauthorises(sim, connect, listing):
    integration = connect()
    sim.state.set_listing(SELLER, UK, "AMZ-1", quantity=0)
    listing(integration, "AMZ-1", quantity=20)
    sim.state.revoke(SELLER)

    result = sending.integration_push(integration_id=integration.pk, wait_for_rate_limit=True)

    assert result.stopped
    integration.refresh_from_db()
    assert integration.authorisation_state == Integration.AuthorisationState.NEEDS_REAUTHORISATION
    row = push(integration, "AMZ-1")
    assert (row.pending, row.feed_id, row.patch_version) == (True, None, None)
    assert sending.integrations_with_work() == []


def test_region_peers_both_show_the_lower_quantity(sim, connect, listing):
    uk = connect(UK)
    de = connect(DE, account=uk.account)
    for integration in (uk, de):
        sim.state.set_listing(SELLER, integration.marketplace_id, "SHARED", quantity=0)
    listing(uk, "SHARED", quantity=30)
    listing(de, "SHARED", quantity=9)

    settle(uk)
    settle(de)

    assert on_amazon(sim, uk, "SHARED")[0] == on_amazon(sim, de, "SHARED")[0] == 9


def test_push_stock_prints_a_summary_and_exits_1_on_failure(sim, connect, listing, capsys):
    integration = connect()
    sim.state.set_listing(SELLER, UK, "AMZ-1", quantity=0)
    listing(integration, "AMZ-1", quantity=20)

    call_command("push_stock", "--integration", str(integration.pk))
    assert "1 listing(s) accepted, 0 failed" in capsys.readouterr().out
    assert on_amazon(sim, integration, "AMZ-1")[0] == 20

    listing(integration, "NOT-ON-AMAZON", quantity=20)
    with pytest.raises(CommandError):
        call_command("push_stock")
    assert "does not exist" in capsys.readouterr().out


def test_push_stock_refuses_an_integration_that_sends_nothing(db):
    from channels.tests.factories import IntegrationFactory

    integration = IntegrationFactory(enabled=False)
    with pytest.raises(CommandError, match="disabled"):
        call_command("push_stock", "--integration", str(integration.pk))


def test_the_next_feed_waits_for_the_feed_interval_so_changes_collapse_but_drops_to_zero_do_not_wait(
    sim, connect, listing, supply, settings
):
    settings.STOCK_PUSH_FEED_INTERVAL_SECONDS = 3600
    integration = connect()
    for sku in ("AMZ-1", "AMZ-2"):
        sim.state.set_listing(SELLER, UK, sku, quantity=0)
    first, second = listing(integration, "AMZ-1", quantity=20), listing(integration, "AMZ-2", quantity=20)
    settle(integration)
    supply({first.product.sku: 30, second.product.sku: 0})

    result = sending.integration_push(integration_id=integration.pk, wait_for_rate_limit=True)

    assert (result.patches, result.feeds_submitted) == (1, 0)
    assert on_amazon(sim, integration, "AMZ-2")[0] == 0
    assert push(integration, "AMZ-1").pending


def test_a_feed_waits_while_changes_keep_coming_and_goes_once_they_are_quiet(sim, connect, listing, settings):
    settings.STOCK_PUSH_FEED_INTERVAL_SECONDS = 3600
    settings.STOCK_PUSH_FEED_QUIET_SECONDS = 10
    integration = connect()
    sim.state.set_listing(SELLER, UK, "AMZ-1", quantity=0)
    listing(integration, "AMZ-1", quantity=20)

    assert sending.integration_push(integration_id=integration.pk).feeds_submitted == 0

    ListingPush.objects.update(updated_at=timezone.now() - timedelta(seconds=11))
    assert sending.integration_push(integration_id=integration.pk).feeds_submitted == 1


def test_a_price_amazon_rejects_never_holds_a_drop_to_zero_back(
    sim, connect, listing, supplier, supply, django_capture_on_commit_callbacks
):
    integration = connect(price_updates_enabled=True)
    sim.state.set_listing(SELLER, UK, "AMZ-1", quantity=20, price="9.99")
    product = ProductFactory(supplier=supplier, quantity=20, price=Decimal("0.00"))
    mapping = listing(integration, "AMZ-1", product=product)
    settle(integration)
    assert "price" in push(integration, "AMZ-1").last_error  # the feed was rejected: the price is not valid

    with django_capture_on_commit_callbacks(execute=True):
        supply({mapping.product.sku: 0})

    assert on_amazon(sim, integration, "AMZ-1")[0] == 0
    row = push(integration, "AMZ-1")
    assert (row.accepted_quantity, row.pending) == (0, True)  # the price still waits for the next feed


def test_coming_back_resends_prices_even_for_listings_that_go_to_zero(sim, connect, listing, supply):
    # Black-box review: a listing at 0 went out through the fast lane (quantity alone) after re-enabling,
    # and its price, changed in Seller Central meanwhile, was never sent again.
    integration = connect(price_updates_enabled=True)
    sim.state.set_listing(SELLER, UK, "AMZ-1", quantity=0, price="1.00")
    mapping = listing(integration, "AMZ-1", quantity=20, price=Decimal("14.50"))
    settle(integration)
    assert on_amazon(sim, integration, "AMZ-1") == (20, Decimal("14.5"))
    integration_set_enabled(integration=integration, enabled=False)
    sim.state.set_listing(SELLER, UK, "AMZ-1", quantity=99, price="3.33")  # edited in Seller Central meanwhile
    supply({mapping.product.sku: 0})

    integration_set_enabled(integration=integration, enabled=True)
    settle(integration)

    assert on_amazon(sim, integration, "AMZ-1") == (0, Decimal("14.5"))


def test_turning_price_updates_back_on_resends_prices_the_seller_may_have_changed(sim, connect, listing):
    integration = connect(price_updates_enabled=True)
    sim.state.set_listing(SELLER, UK, "AMZ-1", quantity=0, price="1.00")
    listing(integration, "AMZ-1", quantity=20, price=Decimal("14.50"))
    settle(integration)
    integration_update_settings(integration=integration, price_updates_enabled=False)
    settle(integration)
    sim.state.set_listing(SELLER, UK, "AMZ-1", price="3.33")  # the seller manages prices by hand meanwhile

    integration_update_settings(integration=integration, price_updates_enabled=True)
    settle(integration)

    assert on_amazon(sim, integration, "AMZ-1") == (20, Decimal("14.5"))


def test_a_drop_to_zero_claimed_by_a_worker_that_died_goes_out_with_the_very_next_pass(sim, connect, listing, supply):
    # Black-box review: kill -9 of the worker in the middle of a fast-lane batch left its drops to 0 claimed
    # for the whole 10-minute lease, so Amazon kept selling stock we no longer had. A dead sender holds nothing.
    integration = connect()
    sim.state.set_listing(SELLER, UK, "AMZ-1", quantity=0)
    mapping = listing(integration, "AMZ-1", quantity=20)
    settle(integration)
    supply({mapping.product.sku: 0})
    row = push(integration, "AMZ-1")
    ListingPush.objects.filter(pk=row.pk).update(patch_version=row.version, patch_started_at=timezone.now())

    sending.integration_push(integration_id=integration.pk, wait_for_rate_limit=True)  # the next drain's pass

    assert on_amazon(sim, integration, "AMZ-1")[0] == 0


def reauthorise(sim, integration):
    code = sim.state.issue_authorization_code(integration.selling_partner_id)
    refresh_token, _ = sim.state.tokens.redeem_authorization_code(code)
    integration_authorise(
        integration=integration, selling_partner_id=integration.selling_partner_id, refresh_token=refresh_token
    )


@pytest.mark.parametrize("noticed_by", ["push", "elsewhere"])
def test_reauthorising_after_amazon_revoked_access_sends_every_listing_again(sim, connect, listing, supply, noticed_by):
    # Black-box review: listings edited in Seller Central while the authorisation was revoked kept the edited
    # values after re-authorising, because coming back from "needs re-authorisation" was not seen as coming back.
    integration = connect()
    reauthorise(sim, integration)  # authorised through the wizard, like every real integration
    sim.state.set_listing(SELLER, UK, "AMZ-1", quantity=0)
    sim.state.set_listing(SELLER, UK, "AMZ-2", quantity=0)
    listing(integration, "AMZ-1", quantity=20)
    other = listing(integration, "AMZ-2", quantity=20)
    settle(integration)
    sim.state.revoke(SELLER)
    if noticed_by == "push":
        supply({other.product.sku: 30})
        result = sending.integration_push(integration_id=integration.pk, wait_for_rate_limit=True, feed_interval=0)
        assert result.stopped
    else:  # e.g. the order download hit the revoked token
        integration_mark_needs_reauthorisation(integration_id=integration.pk, problem="revoked")
    drain.stock_push_drain()
    sim.state.set_listing(SELLER, UK, "AMZ-1", quantity=99)  # edited in Seller Central meanwhile

    reauthorise(sim, integration)
    settle(integration)

    assert on_amazon(sim, integration, "AMZ-1")[0] == 20
    assert on_amazon(sim, integration, "AMZ-2")[0] == (30 if noticed_by == "push" else 20)


def test_a_fast_lane_that_fails_recording_a_result_frees_its_claims_at_once(sim, connect, listing, supply):
    # Black-box review: a deadlock while recording a patch result (a settings change or re-authorisation at the
    # same moment) left the batch's drops to 0 claimed until the lease ran out.
    integration = connect()
    for sku in ("AMZ-1", "AMZ-2"):
        sim.state.set_listing(SELLER, UK, sku, quantity=0)
    mappings = [listing(integration, sku, quantity=20) for sku in ("AMZ-1", "AMZ-2")]
    settle(integration)
    supply({mapping.product.sku: 0 for mapping in mappings})

    with database_failing_to_record_sends(), pytest.raises(DatabaseError):
        sending.fast_lane_send(integration_id=integration.pk, wait_for_rate_limit=True)

    assert ListingPush.objects.filter(integration=integration, patch_version__isnull=False).count() == 0
    sending.fast_lane_send(integration_id=integration.pk, wait_for_rate_limit=True)
    assert [on_amazon(sim, integration, sku)[0] for sku in ("AMZ-1", "AMZ-2")] == [0, 0]


@contextmanager
def database_failing_to_record_sends():
    """The database refuses every new listing send, as it would a deadlocked write (a trigger raises the error)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "CREATE FUNCTION refuse_listing_send() RETURNS trigger AS $$ BEGIN "
                "RAISE EXCEPTION 'deadlock detected' USING ERRCODE = '40P01'; END $$ LANGUAGE plpgsql"
            )
            cursor.execute(
                "CREATE TRIGGER refuse_listing_send BEFORE INSERT ON stock_listingsend "
                "FOR EACH ROW EXECUTE FUNCTION refuse_listing_send()"
            )
        else:
            cursor.execute(
                "CREATE TRIGGER refuse_listing_send BEFORE INSERT ON stock_listingsend "
                "BEGIN SELECT RAISE(ABORT, 'deadlock detected'); END"
            )
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("DROP TRIGGER refuse_listing_send ON stock_listingsend")
                cursor.execute("DROP FUNCTION refuse_listing_send()")
            else:
                cursor.execute("DROP TRIGGER refuse_listing_send")


@pytest.mark.parametrize(("operation", "quantity"), [("patchListingsItem", 0), ("createFeedDocument", 30)])
def test_after_a_long_amazon_outage_listings_are_retried_within_the_base_backoff(
    sim, connect, listing, supply, settings, operation, quantity
):
    # Black-box review: every 5xx during an outage doubled each listing's backoff as if Amazon had rejected the
    # value, so after half an hour of 500s a drop to 0 waited another half hour once Amazon answered again.
    integration = connect()
    sim.state.set_listing(SELLER, UK, "AMZ-1", quantity=0)
    mapping = listing(integration, "AMZ-1", quantity=20)
    settle(integration)
    supply({mapping.product.sku: quantity})
    ListingPush.objects.filter(integration=integration).update(attempts=6)  # failed six times already
    sim.state.inject_fault(operation, "server_error", count=1)

    sending.integration_push(integration_id=integration.pk, wait_for_rate_limit=True, feed_interval=0)

    row = push(integration, "AMZ-1")
    assert row.pending and row.last_error
    assert row.next_attempt_at <= timezone.now() + timedelta(seconds=settings.STOCK_PUSH_BACKOFF_SECONDS)
