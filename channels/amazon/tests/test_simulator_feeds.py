"""Feeds (JSON_LISTINGS_FEED) and Listings Items over real HTTP: listings change and reports tell the truth."""

from __future__ import annotations

import gzip
import json
from decimal import Decimal

import httpx
import pytest

from channels.amazon.simulator import config
from channels.amazon.simulator.testing import sp_api_client
from channels.amazon.tests.amazon_models import assert_matches_model

UK = "A1F83G8C2ARO7P"
JP = "A1VC38T7YXB528"
SELLER = "A2SIMDEMOSELLER"
FEEDS = "/feeds/2021-06-30"
FEEDS_MODEL = "feeds_2021-06-30.json"
LISTINGS_MODEL = "listingsItems_2021-08-01.json"
FEED_SECONDS = config.FEED_QUEUE_SECONDS + config.FEED_PROCESSING_SECONDS


@pytest.fixture
def client(amazon_simulator):
    amazon_simulator.state.set_listing(SELLER, UK, "SKU-1", quantity=5, price="10.00")
    with sp_api_client(amazon_simulator.base_url) as client:
        yield client


def quantity_patch(sku: str, quantity: int, message_id: int = 1, op: str = "replace") -> dict:
    return {
        "messageId": message_id,
        "sku": sku,
        "operationType": "PATCH",
        "productType": "PRODUCT",
        "patches": [
            {
                "op": op,
                "path": "/attributes/fulfillment_availability",
                "value": [{"fulfillment_channel_code": "DEFAULT", "quantity": quantity}],
            }
        ],
    }


def offer_merge(price: float, **selectors: str) -> dict:
    """A merge of our_price into the offer its selectors pick (the UK consumer offer unless told otherwise)."""
    offer = {"marketplace_id": UK, "currency": "GBP", "audience": "ALL", **selectors}
    offer = {key: value for key, value in offer.items() if value is not None}
    offer["our_price"] = [{"schedule": [{"value_with_tax": price}]}]
    return {"op": "merge", "path": "/attributes/purchasable_offer", "value": [offer]}


def price_patch(sku: str, price: float, message_id: int, **selectors: str) -> dict:
    return {
        "messageId": message_id,
        "sku": sku,
        "operationType": "PATCH",
        "productType": "PRODUCT",
        "patches": [offer_merge(price, **selectors)],
    }


def submit_feed(client: httpx.Client, messages: list[dict], seller_id: str = SELLER) -> str:
    document = client.post(f"{FEEDS}/documents", json={"contentType": "application/json; charset=UTF-8"})
    assert document.status_code == 201
    assert_matches_model(document.json(), FEEDS_MODEL, "CreateFeedDocumentResponse")
    feed_body = {"header": {"sellerId": seller_id, "version": "2.0", "issueLocale": "en_GB"}, "messages": messages}
    upload = httpx.put(document.json()["url"], content=json.dumps(feed_body).encode("utf-8"))
    assert upload.status_code == 200
    created = client.post(
        f"{FEEDS}/feeds",
        json={
            "feedType": "JSON_LISTINGS_FEED",
            "marketplaceIds": [UK],
            "inputFeedDocumentId": document.json()["feedDocumentId"],
        },
    )
    assert created.status_code == 202
    return created.json()["feedId"]


def report(client: httpx.Client, feed: dict) -> dict:
    document = client.get(f"{FEEDS}/documents/{feed['resultFeedDocumentId']}").json()
    content = httpx.get(document["url"]).content
    if document.get("compressionAlgorithm") == "GZIP":
        content = gzip.decompress(content)
    return json.loads(content)


def test_a_feed_moves_from_in_queue_to_in_progress_to_done(amazon_simulator, client):
    feed_id = submit_feed(client, [quantity_patch("SKU-1", 3)])

    statuses = [client.get(f"{FEEDS}/feeds/{feed_id}").json()["processingStatus"]]
    amazon_simulator.state.advance_clock(config.FEED_QUEUE_SECONDS)
    statuses.append(client.get(f"{FEEDS}/feeds/{feed_id}").json()["processingStatus"])
    amazon_simulator.state.advance_clock(config.FEED_PROCESSING_SECONDS)
    done = client.get(f"{FEEDS}/feeds/{feed_id}").json()

    assert [*statuses, done["processingStatus"]] == ["IN_QUEUE", "IN_PROGRESS", "DONE"]
    assert_matches_model(done, FEEDS_MODEL, "Feed")
    assert done["resultFeedDocumentId"]


def test_a_listing_keeps_its_quantity_until_the_feed_is_done(amazon_simulator, client):
    submit_feed(client, [quantity_patch("SKU-1", 3)])

    assert amazon_simulator.state.listing(SELLER, UK, "SKU-1").quantity == 5
    amazon_simulator.state.advance_clock(FEED_SECONDS)
    assert amazon_simulator.state.listing(SELLER, UK, "SKU-1").quantity == 3


def test_speedup_makes_feeds_finish_sooner(amazon_simulator, client):
    amazon_simulator.speedup = 1000
    feed_id = submit_feed(client, [quantity_patch("SKU-1", 3)])

    for _ in range(50):
        feed = client.get(f"{FEEDS}/feeds/{feed_id}").json()
        if feed["processingStatus"] == "DONE":
            break
        httpx.get(amazon_simulator.base_url + "/_sim/state?calls=0")  # pass a little time

    assert feed["processingStatus"] == "DONE"


def test_the_report_counts_accepted_and_invalid_messages_and_names_unknown_skus(amazon_simulator, client):
    feed_id = submit_feed(
        client, [quantity_patch("SKU-1", 7, 1, op="merge"), price_patch("SKU-1", 11.5, 2), quantity_patch("NOPE", 1, 3)]
    )
    amazon_simulator.state.advance_clock(FEED_SECONDS)

    processing_report = report(client, client.get(f"{FEEDS}/feeds/{feed_id}").json())

    assert_matches_model(processing_report, "listings-feed-processing-report-schema-v2.json")
    assert processing_report["header"] == {"sellerId": SELLER, "version": "2.0", "feedId": feed_id}
    assert processing_report["summary"] == {
        "errors": 1,
        "warnings": 0,
        "messagesProcessed": 3,
        "messagesAccepted": 2,
        "messagesInvalid": 1,
    }
    [issue] = processing_report["issues"]
    assert (issue["messageId"], issue["sku"], issue["severity"]) == (3, "NOPE", "ERROR")
    assert "SKU 'NOPE' does not exist" in issue["message"]
    listing = amazon_simulator.state.listing(SELLER, UK, "SKU-1")
    assert (listing.quantity, str(listing.price)) == (7, "11.5")


def test_a_price_merge_without_the_audience_selector_is_refused_and_changes_nothing(amazon_simulator, client):
    feed_id = submit_feed(client, [price_patch("SKU-1", 12.5, 1, audience=None)])
    amazon_simulator.state.advance_clock(FEED_SECONDS)

    processing_report = report(client, client.get(f"{FEEDS}/feeds/{feed_id}").json())

    assert_matches_model(processing_report, "listings-feed-processing-report-schema-v2.json")
    assert processing_report["summary"]["messagesInvalid"] == 1
    [issue] = processing_report["issues"]
    assert (issue["messageId"], issue["severity"], issue["attributeName"]) == (1, "ERROR", "purchasable_offer")
    assert "selector fields: audience" in issue["message"]
    assert amazon_simulator.state.listing(SELLER, UK, "SKU-1").price == 10


@pytest.mark.parametrize("missing", ["marketplace_id", "currency", "audience"])
def test_patch_listings_item_refuses_an_offer_merge_missing_a_selector(amazon_simulator, client, missing):
    response = client.patch(
        f"/listings/2021-08-01/items/{SELLER}/SKU-1",
        params={"marketplaceIds": UK},
        json={"productType": "PRODUCT", "patches": [offer_merge(12.5, **{missing: ""})]},
    )

    body = response.json()
    assert_matches_model(body, LISTINGS_MODEL, "ListingsItemSubmissionResponse")
    assert body["status"] == "INVALID"
    [issue] = body["issues"]
    assert (issue["attributeNames"], issue["categories"]) == (["purchasable_offer"], ["MISSING_ATTRIBUTE"])
    assert missing in issue["message"]
    assert amazon_simulator.state.listing(SELLER, UK, "SKU-1").price == 10


def test_a_price_merge_changes_only_the_consumer_offer_price(amazon_simulator, client):
    # As the seller set them in Seller Central: a minimum price on the consumer offer, and a B2B offer.
    minimum = {"minimum_seller_allowed_price": [{"schedule": [{"value_with_tax": 8.0}]}]}
    consumer = {"marketplace_id": UK, "currency": "GBP", "audience": "ALL", **minimum}
    seller_central = [offer_merge(9.0, audience="B2B"), {**offer_merge(0), "value": [consumer]}]
    assert amazon_simulator.state.patch_listing(SELLER, UK, "SKU-1", seller_central) == []

    submit_feed(client, [price_patch("SKU-1", 12.5, 1)])
    amazon_simulator.state.advance_clock(FEED_SECONDS)

    listing = amazon_simulator.state.listing(SELLER, UK, "SKU-1")
    offers = {offer["audience"]: offer for offer in listing.attributes["purchasable_offer"]}
    assert offers["ALL"] == {**consumer, "our_price": [{"schedule": [{"value_with_tax": 12.5}]}]}
    assert offers["B2B"]["our_price"] == [{"schedule": [{"value_with_tax": 9.0}]}]
    assert listing.price == Decimal("12.5")


def test_a_price_with_more_decimals_than_its_currency_has_is_refused(amazon_simulator, client):
    amazon_simulator.state.add_seller(SELLER, [JP])
    amazon_simulator.state.set_listing(SELLER, JP, "SKU-1", quantity=5, price="1200")

    response = client.patch(
        f"/listings/2021-08-01/items/{SELLER}/SKU-1",
        params={"marketplaceIds": JP},
        json={"productType": "PRODUCT", "patches": [offer_merge(1234.56, marketplace_id=JP, currency="JPY")]},
    )

    [issue] = response.json()["issues"]
    assert issue["categories"] == ["INVALID_PRICE"]
    assert "JPY amounts have no decimal places" in issue["message"]
    assert amazon_simulator.state.listing(SELLER, JP, "SKU-1").price == 1200


def test_a_negative_quantity_is_an_error_and_changes_nothing(amazon_simulator, client):
    feed_id = submit_feed(client, [quantity_patch("SKU-1", -2)])
    amazon_simulator.state.advance_clock(FEED_SECONDS)

    processing_report = report(client, client.get(f"{FEEDS}/feeds/{feed_id}").json())

    assert processing_report["issues"][0]["attributeName"] == "fulfillment_availability"
    assert amazon_simulator.state.listing(SELLER, UK, "SKU-1").quantity == 5


def test_update_partial_update_and_delete_messages_apply(amazon_simulator, client):
    availability = [{"fulfillment_channel_code": "DEFAULT", "quantity": 9}]
    messages = [
        {
            "messageId": 1,
            "sku": "NEW-1",
            "operationType": "UPDATE",
            "productType": "PRODUCT",
            "attributes": {"fulfillment_availability": availability},
        },
        {
            "messageId": 2,
            "sku": "SKU-1",
            "operationType": "PARTIAL_UPDATE",
            "productType": "PRODUCT",
            "attributes": {"fulfillment_availability": availability},
        },
    ]
    submit_feed(client, messages)
    amazon_simulator.state.advance_clock(FEED_SECONDS)
    submit_feed(client, [{"messageId": 1, "sku": "NEW-1", "operationType": "DELETE"}])
    created = amazon_simulator.state.listing(SELLER, UK, "NEW-1")
    amazon_simulator.state.advance_clock(FEED_SECONDS)

    assert created.quantity == 9
    assert amazon_simulator.state.listing(SELLER, UK, "SKU-1").quantity == 9
    assert amazon_simulator.state.listing(SELLER, UK, "NEW-1") is None


def test_a_feed_for_another_seller_id_ends_fatal(amazon_simulator, client):
    feed_id = submit_feed(client, [quantity_patch("SKU-1", 3)], seller_id="ASOMEONEELSE")
    amazon_simulator.state.advance_clock(FEED_SECONDS)

    feed = client.get(f"{FEEDS}/feeds/{feed_id}").json()

    assert feed["processingStatus"] == "FATAL"
    assert "sellerId" in report(client, feed)["issues"][0]["message"]


def test_reports_can_be_gzip_compressed(amazon_simulator, client):
    amazon_simulator.state.gzip_reports = True
    feed_id = submit_feed(client, [quantity_patch("SKU-1", 3)])
    amazon_simulator.state.advance_clock(FEED_SECONDS)
    feed = client.get(f"{FEEDS}/feeds/{feed_id}").json()

    document = client.get(f"{FEEDS}/documents/{feed['resultFeedDocumentId']}").json()

    assert_matches_model(document, FEEDS_MODEL, "FeedDocument")
    assert document["compressionAlgorithm"] == "GZIP"
    assert report(client, feed)["summary"]["messagesAccepted"] == 1


def test_create_feed_rejects_other_feed_types(client):
    document = client.post(f"{FEEDS}/documents", json={"contentType": "text/xml"}).json()

    response = client.post(
        f"{FEEDS}/feeds",
        json={
            "feedType": "POST_PRODUCT_DATA",
            "marketplaceIds": [UK],
            "inputFeedDocumentId": document["feedDocumentId"],
        },
    )

    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "InvalidInput"


def test_patch_listings_item_applies_at_once(amazon_simulator, client):
    response = client.patch(
        f"/listings/2021-08-01/items/{SELLER}/SKU-1",
        params={"marketplaceIds": UK},
        json={"productType": "PRODUCT", "patches": quantity_patch("SKU-1", 12)["patches"]},
    )

    assert response.status_code == 200
    assert_matches_model(response.json(), LISTINGS_MODEL, "ListingsItemSubmissionResponse")
    assert response.json()["status"] == "ACCEPTED"
    assert amazon_simulator.state.listing(SELLER, UK, "SKU-1").quantity == 12


def test_patch_listings_item_for_an_unknown_sku_is_invalid_with_issues(client):
    response = client.patch(
        f"/listings/2021-08-01/items/{SELLER}/GHOST",
        params={"marketplaceIds": UK},
        json={"productType": "PRODUCT", "patches": quantity_patch("GHOST", 1)["patches"]},
    )

    assert_matches_model(response.json(), LISTINGS_MODEL, "ListingsItemSubmissionResponse")
    assert response.json()["status"] == "INVALID"
    assert "SKU 'GHOST' does not exist" in response.json()["issues"][0]["message"]


def test_get_listings_item_returns_the_requested_data(client):
    response = client.get(
        f"/listings/2021-08-01/items/{SELLER}/SKU-1",
        params={"marketplaceIds": UK, "includedData": "summaries,offers,fulfillmentAvailability,attributes,issues"},
    )

    assert response.status_code == 200
    item = response.json()
    assert_matches_model(item, LISTINGS_MODEL, "Item")
    assert item["fulfillmentAvailability"] == [{"fulfillmentChannelCode": "DEFAULT", "quantity": 5}]
    assert item["offers"][0]["price"] == {"currencyCode": "GBP", "amount": "10.0"}
    assert item["summaries"][0]["status"] == ["BUYABLE", "DISCOVERABLE"]


def test_listings_of_another_seller_id_are_refused(client):
    response = client.get("/listings/2021-08-01/items/AOTHERSELLER/SKU-1", params={"marketplaceIds": UK})

    assert response.status_code == 403


def test_search_listings_items_answers_the_first_page_in_amazons_format(client):
    response = client.get(f"/listings/2021-08-01/items/{SELLER}", params={"marketplaceIds": UK, "pageSize": 1})

    assert response.status_code == 200
    assert_matches_model(response.json(), LISTINGS_MODEL, "ItemSearchResults")
    assert len(response.json()["items"]) == 1
    assert response.json()["numberOfResults"] >= 1


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/listings/2021-08-01/items/AOTHERSELLER"),
        ("GET", "/listings/2021-08-01/items/AOTHERSELLER/SKU-1"),
        ("PATCH", "/listings/2021-08-01/items/AOTHERSELLER/SKU-1"),
    ],
)
def test_every_call_scoped_to_another_seller_id_is_refused(client, method, path):
    body = {"productType": "PRODUCT", "patches": quantity_patch("SKU-1", 1)["patches"]} if method == "PATCH" else None
    response = client.request(method, path, params={"marketplaceIds": UK}, json=body)

    assert response.status_code == 403
    assert response.json()["errors"][0]["code"] == "Unauthorized"


def test_search_listings_items_refuses_a_page_size_amazon_would(client):
    response = client.get(f"/listings/2021-08-01/items/{SELLER}", params={"marketplaceIds": UK, "pageSize": 21})
    assert response.status_code == 400


def test_get_feeds_answers_as_the_model_says_and_pages_with_a_lone_next_token(client):
    for _ in range(3):
        document = client.post(f"{FEEDS}/documents", json={"contentType": "application/json"}).json()
        body = {
            "feedType": "JSON_LISTINGS_FEED",
            "marketplaceIds": [UK],
            "inputFeedDocumentId": document["feedDocumentId"],
        }
        assert client.post(f"{FEEDS}/feeds", json=body).status_code == 202

    first = client.get(f"{FEEDS}/feeds", params={"feedTypes": "JSON_LISTINGS_FEED", "pageSize": 2})
    assert first.status_code == 200
    assert_matches_model(first.json(), FEEDS_MODEL, "GetFeedsResponse")
    second = client.get(f"{FEEDS}/feeds", params={"nextToken": first.json()["nextToken"]})
    assert_matches_model(second.json(), FEEDS_MODEL, "GetFeedsResponse")
    ids = [feed["feedId"] for page in (first, second) for feed in page.json()["feeds"]]
    assert len(ids) == len(set(ids)) == 3 and "nextToken" not in second.json()


@pytest.mark.parametrize(
    "params",
    [
        {},  # neither feedTypes nor nextToken
        {"feedTypes": "JSON_LISTINGS_FEED", "pageSize": "0"},
        {"feedTypes": "JSON_LISTINGS_FEED", "pageSize": "101"},
        {"feedTypes": "JSON_LISTINGS_FEED", "processingStatuses": "FINISHED"},
        {"feedTypes": "JSON_LISTINGS_FEED", "createdSince": "yesterday"},
        {"feedTypes": ",".join(["JSON_LISTINGS_FEED"] * 11)},
        {"nextToken": "not-a-token"},
        {"nextToken": "x", "feedTypes": "JSON_LISTINGS_FEED"},
    ],
)
def test_get_feeds_refuses_what_the_model_does_not_allow(client, params):
    response = client.get(f"{FEEDS}/feeds", params=params)
    assert response.status_code == 400
    assert_matches_model(response.json(), FEEDS_MODEL, "ErrorList")
