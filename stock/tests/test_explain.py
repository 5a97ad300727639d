"""Why this quantity: the page that follows a listing's quantity from the supplier's report to Amazon."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from activity.models import Run
from channels.models import Integration
from channels.tests.factories import IntegrationFactory
from stock.models import StockChange
from stock.push.models import ListingPush, ListingSend, PushFeed
from stock.push.trail import push_feed_recorded
from stock.tests.factories import ListingMappingFactory, ProductFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def integration(account):
    return IntegrationFactory(account=account, name="Amazon UK")


@pytest.fixture
def listing(integration):
    """A mapped listing whose supplier reported 40, with a threshold of 5 and a maximum of 25."""
    Integration.objects.filter(pk=integration.pk).update(stock_threshold=5, max_quantity_to_advertise=25)
    integration.refresh_from_db()
    reported = timezone.now() - timedelta(hours=2)
    product = ProductFactory(sku="SUP-1", quantity=40, quantity_as_of=reported)
    StockChange.objects.create(
        product=product, quantity=40, previous_quantity=3, as_of=reported, source=StockChange.Source.API_STOCK
    )
    return ListingMappingFactory(integration=integration, channel_sku="AMZ-1", product=product)


def _feed(integration, rows, *, amazon_feed_id, error=""):
    """A feed that carried these rows (as sending.feed_prepare leaves them)."""
    feed = PushFeed.objects.create(
        integration=integration,
        amazon_feed_id=amazon_feed_id,
        state=PushFeed.State.SUBMITTED,
        submitted_at=timezone.now(),
        message_count=len(rows),
        error=error,
    )
    for number, row in enumerate(rows, start=1):
        row.feed, row.feed_message_id, row.feed_version = feed, number, row.version
        row.feed_quantity, row.feed_price = row.desired_quantity, row.desired_price
    return feed


def test_the_quantity_chain_of_a_listing_that_went_through_a_feed_error_and_a_retry(
    seller_client, integration, listing
):
    row = ListingPush.objects.create(
        integration=integration,
        channel_sku="AMZ-1",
        mapping=listing,
        own_quantity=25,
        desired_quantity=25,
        desired_price=Decimal("0.00"),
        currency="GBP",
        version=1,
        pending=True,
    )
    first = _feed(integration, [row], amazon_feed_id="FEED-1")
    push_feed_recorded(feed=first, rows=[row], message_errors={1: ("8541", "The price is too low.")})
    row.version, row.desired_price = 2, Decimal("12.00")
    second = _feed(integration, [row], amazon_feed_id="FEED-2")
    push_feed_recorded(feed=second, rows=[row], message_errors={})
    ListingPush.objects.filter(pk=row.pk).update(
        version=2, accepted_version=2, accepted_quantity=25, accepted_at=timezone.now(), pending=False
    )

    response = seller_client.get(f"/settings/channels/{integration.pk}/listings/{listing.pk}/why/")

    assert response.status_code == 200
    chain = response.context["chain"]
    assert (chain.supplier_quantity, chain.stock_threshold, chain.max_quantity_to_advertise) == (40, 5, 25)
    assert chain.rule_quantity == 25 and chain.desired_quantity == 25
    assert [(send.amazon_feed_id, send.outcome) for send in chain.sends] == [
        ("FEED-2", ListingSend.Outcome.ACCEPTED),
        ("FEED-1", ListingSend.Outcome.REJECTED),
    ]
    page = response.content.decode()
    assert "The price is too low." in page
    assert "<strong>40</strong> of SUP-1" in page
    assert 'id="rule-quantity">25<' in page and 'id="accepted-quantity">25<' in page
    assert chain.summary.startswith("Amazon accepted 25 on")
    runs = Run.objects.filter(integration=integration).order_by("pk")
    assert [(run.outcome, run.listings_changed, run.error_count) for run in runs] == [
        (Run.Outcome.FAILED, 0, 1),
        (Run.Outcome.SUCCEEDED, 1, 0),
    ]


def test_a_listing_never_sent_says_it_goes_with_the_next_push(seller_client, integration, listing):
    response = seller_client.get(f"/settings/channels/{integration.pk}/listings/{listing.pk}/why/")
    assert (
        response.context["chain"].summary
        == "This listing has not been sent to Amazon yet; it goes with the next stock push."
    )
    assert "Nothing has been sent for this listing yet." in response.content.decode()


def test_the_explain_page_needs_few_queries(seller_client, integration, listing, django_assert_max_num_queries):
    with django_assert_max_num_queries(10):
        assert seller_client.get(f"/settings/channels/{integration.pk}/listings/{listing.pk}/why/").status_code == 200


def test_a_mapping_of_another_integration_is_404_even_for_its_owner(seller_client, account, integration):
    elsewhere = ListingMappingFactory(integration=IntegrationFactory(account=account))
    assert seller_client.get(f"/settings/channels/{integration.pk}/listings/{elsewhere.pk}/why/").status_code == 404


def test_another_sellers_listing_is_404(outsider_client, listing):
    url = f"/settings/channels/{listing.integration_id}/listings/{listing.pk}/why/"
    assert outsider_client.get(url).status_code == 404
    assert outsider_client.post(url).status_code == 404


def test_the_mappings_page_links_each_listing_to_its_explanation(seller_client, integration, listing):
    page = seller_client.get(f"/settings/channels/{integration.pk}/mappings/").content.decode()
    assert f'href="/settings/channels/{integration.pk}/listings/{listing.pk}/why/"' in page
