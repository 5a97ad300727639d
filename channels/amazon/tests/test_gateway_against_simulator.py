"""The gateway over real HTTP against the built-in simulator: every operation and every error class."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from channels.amazon.authorisation import exchange_authorization_code
from channels.amazon.errors import (
    AppCredentialsInvalid,
    AuthorisationRevoked,
    PermanentError,
    Throttled,
    TransientError,
)
from channels.amazon.gateway import AmazonGateway, SellingPartner, gateway_for
from channels.amazon.outcomes import outcome_of
from channels.amazon.selectors import app_credentials_paused
from channels.amazon.types import ShipmentConfirmation, ShipmentLine
from channels.models import Integration
from channels.tests.factories import IntegrationFactory

UK = "A1F83G8C2ARO7P"
DE = "A1PA6795UKMFR9"


@pytest.fixture
def seller(amazon_simulator, db) -> SellingPartner:
    """A fresh simulator seller on UK and DE, authorised through the real code exchange."""
    selling_partner_id = f"ASIM{uuid.uuid4().hex[:10].upper()}"
    amazon_simulator.state.add_seller(selling_partner_id, [UK, DE])
    code = amazon_simulator.state.issue_authorization_code(selling_partner_id)
    refresh_token = exchange_authorization_code(code)
    return SellingPartner(selling_partner_id=selling_partner_id, refresh_token=refresh_token, marketplace_id=UK)


@pytest.fixture
def gateway(seller):
    with AmazonGateway(seller) as gateway:
        yield gateway


def test_orders_are_searched_and_fetched(amazon_simulator, seller, gateway):
    placed = amazon_simulator.state.add_order(
        seller.selling_partner_id, UK, lines=[{"sku": "MUG-1", "quantity": 2, "unit_price": "4.50"}]
    )
    amazon_simulator.state.add_order(seller.selling_partner_id, DE)  # another marketplace: not ours

    page = gateway.search_orders(created_after=datetime.now(UTC) - timedelta(hours=1))
    fetched = gateway.get_order(placed.order_id)

    assert [order.amazon_order_id for order in page.orders] == [placed.order_id]
    for order in (page.orders[0], fetched):
        assert (order.status, order.fulfilled_by, order.marketplace_id) == ("UNSHIPPED", "MERCHANT", UK)
        assert (order.total, order.currency) == (Decimal("9.00"), "GBP")
        [line] = order.lines
        assert (line.seller_sku, line.quantity, line.unit_price) == ("MUG-1", 2, Decimal("4.50"))


def test_a_parcel_is_confirmed_and_amazon_then_holds_its_package(amazon_simulator, seller, gateway):
    placed = amazon_simulator.state.add_order(
        seller.selling_partner_id, UK, lines=[{"sku": "MUG-1", "quantity": 2, "unit_price": "4.50"}]
    )
    [item] = placed.lines
    parcel = ShipmentConfirmation(
        package_reference_id="7",
        carrier_code="Other",
        carrier_name="Evri",
        tracking_number="H00A1234",
        ship_date=datetime.now(UTC),
        shipping_method=None,
        lines=(ShipmentLine(item.order_item_id, 1),),
    )

    assert gateway.order_package_reference_ids(placed.order_id) == set()
    gateway.confirm_shipment(placed.order_id, parcel)

    assert gateway.order_package_reference_ids(placed.order_id) == {"7"}
    order = gateway.get_order(placed.order_id)
    assert order.status == "PARTIALLY_SHIPPED" and order.last_updated_at >= placed.created_at.replace(microsecond=0)
    assert (order.lines[0].quantity_shipped, order.lines[0].quantity_cancelled) == (1, 0)
    assert order.recipient.country_code == "GB" and order.recipient.name
    assert order.ship_by == placed.ship_by.replace(microsecond=0)
    with pytest.raises(PermanentError) as refused:
        gateway.confirm_shipment(placed.order_id, parcel)
    assert "already been used" in outcome_of(refused.value).message


def test_a_cancellation_on_amazon_reaches_the_order(amazon_simulator, seller, gateway):
    placed = amazon_simulator.state.add_order(
        seller.selling_partner_id, UK, lines=[{"sku": "A", "quantity": 2}, {"sku": "B", "quantity": 1}]
    )
    amazon_simulator.state.cancel_order(placed.order_id, [placed.lines[1].order_item_id])

    order = gateway.get_order(placed.order_id)

    assert order.status == "UNSHIPPED"
    assert [line.quantity_cancelled for line in order.lines] == [0, 1]


def test_marketplace_participations(gateway):
    participations = gateway.get_marketplace_participations()

    assert {p.marketplace_id for p in participations} == {UK, DE}
    assert all(p.is_participating for p in participations)


def test_a_listing_is_read_and_patched(amazon_simulator, seller, gateway):
    amazon_simulator.state.set_listing(seller.selling_partner_id, UK, "MUG-1", quantity=5, price="9.99")

    before = gateway.get_listings_item(sku="MUG-1")
    submission = gateway.patch_listings_item(
        sku="MUG-1",
        patches=[
            {
                "op": "replace",
                "path": "/attributes/fulfillment_availability",
                "value": [{"fulfillment_channel_code": "DEFAULT", "quantity": 7}],
            }
        ],
    )
    after = gateway.get_listings_item(sku="MUG-1")

    assert (before.quantity, before.price) == (5, Decimal("9.99"))
    assert submission.status == "ACCEPTED"
    assert after.quantity == 7


@pytest.mark.parametrize("gzip_reports", [False, True])
def test_a_json_listings_feed_is_submitted_and_its_report_read(amazon_simulator, seller, gateway, gzip_reports):
    amazon_simulator.state.gzip_reports = gzip_reports
    amazon_simulator.state.set_listing(seller.selling_partner_id, UK, "MUG-1", quantity=5, price="9.99")
    quantity_patch = {
        "op": "replace",
        "path": "/attributes/fulfillment_availability",
        "value": [{"fulfillment_channel_code": "DEFAULT", "quantity": 3}],
    }
    messages = [
        {
            "messageId": 1,
            "sku": "MUG-1",
            "operationType": "PATCH",
            "productType": "PRODUCT",
            "patches": [quantity_patch],
        },
        {
            "messageId": 2,
            "sku": "NO-SUCH-SKU",
            "operationType": "PATCH",
            "productType": "PRODUCT",
            "patches": [quantity_patch],
        },
    ]

    feed_id = gateway.submit_json_listings_feed(messages)
    assert gateway.get_feed(feed_id).status == "IN_QUEUE"
    amazon_simulator.state.advance_clock(60)
    feed = gateway.get_feed(feed_id)
    report = gateway.get_feed_report(feed.result_feed_document_id)

    assert feed.status == "DONE"
    assert (report.messages_processed, report.messages_accepted, report.messages_invalid) == (2, 1, 1)
    assert {(issue.message_id, issue.sku) for issue in report.issues if issue.severity == "ERROR"} == {
        (2, "NO-SUCH-SKU")
    }
    assert gateway.get_listings_item(sku="MUG-1").quantity == 3


@pytest.mark.parametrize("kind", ["throttle", "empty_throttle"])
def test_a_429_from_amazon_is_throttled_and_not_retried(amazon_simulator, seller, gateway, kind):
    amazon_simulator.state.inject_fault("getMarketplaceParticipations", kind, 1)

    with pytest.raises(Throttled) as raised:
        gateway.get_marketplace_participations()

    assert raised.value.status == 429 and raised.value.retry_after >= 0
    assert [call.operation for call in amazon_simulator.state.calls].count("getMarketplaceParticipations") == 1


@pytest.mark.parametrize("kind", ["server_error", "html_unavailable"])
def test_server_failures_are_transient(amazon_simulator, seller, gateway, kind):
    amazon_simulator.state.inject_fault("getMarketplaceParticipations", kind, 1)

    with pytest.raises(TransientError):
        gateway.get_marketplace_participations()


def test_a_revoked_authorisation_marks_the_integration(amazon_simulator, seller):
    integration = IntegrationFactory(
        selling_partner_id=seller.selling_partner_id, refresh_token=seller.refresh_token, marketplace_id=UK
    )
    gateway = gateway_for(integration)
    gateway.get_marketplace_participations()  # caches an access token that the revocation kills
    amazon_simulator.state.revoke(seller.selling_partner_id)

    with pytest.raises(AuthorisationRevoked) as revoked:
        gateway.get_marketplace_participations()
    outcome_of(revoked.value, integration_id=integration.pk)  # what every caller does with it

    integration.refresh_from_db()
    assert integration.authorisation_state == Integration.AuthorisationState.NEEDS_REAUTHORISATION


def test_invalid_app_credentials_pause_all_calls(amazon_simulator, seller, gateway):
    amazon_simulator.state.inject_fault("token", "invalid_client", 1)

    with pytest.raises(AppCredentialsInvalid):
        gateway.get_marketplace_participations()

    assert app_credentials_paused()
    with pytest.raises(AppCredentialsInvalid):
        gateway.get_marketplace_participations()


def test_recent_feeds_are_listed_with_their_status_newest_first_across_pages(amazon_simulator, seller, gateway):
    since = datetime.now(UTC) - timedelta(minutes=1)
    message = {"messageId": 1, "sku": "MUG-1", "operationType": "DELETE", "productType": "PRODUCT"}
    older = gateway.submit_json_listings_feed([message])
    amazon_simulator.state.advance_clock(3600)  # the older one is done
    # More than a page of feeds (created in the simulator: our own rate limit allows 15 createFeed at once).
    newer = [
        amazon_simulator.state.create_feed(
            seller.selling_partner_id, feed_type="JSON_LISTINGS_FEED", marketplace_ids=[UK], input_feed_document_id="d"
        ).feed_id
        for _ in range(101)
    ]

    everything = gateway.get_feeds(created_since=since, feed_types=["JSON_LISTINGS_FEED"])
    unfinished = gateway.get_feeds(
        created_since=since, processing_statuses=["IN_QUEUE", "IN_PROGRESS"], feed_types=["JSON_LISTINGS_FEED"]
    )

    assert [feed.feed_id for feed in everything] == [*reversed(newer), older]
    assert {feed.status for feed in everything[:-1]} == {"IN_QUEUE"} and everything[-1].status == "DONE"
    assert all(feed.created_at is not None for feed in everything)
    assert [feed.feed_id for feed in unfinished] == list(reversed(newer))
