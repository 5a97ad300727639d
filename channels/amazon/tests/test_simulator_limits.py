"""Rate limits, fault injection and the /_sim/ control surface, over real HTTP."""

from __future__ import annotations

import time

import httpx
import pytest

from channels.amazon.simulator import AmazonSimulator
from channels.amazon.simulator.testing import authorise, sp_api_client, token_request

UK = "A1F83G8C2ARO7P"
SELLER = "A2SIMDEMOSELLER"
PARTICIPATIONS = "/sellers/v1/marketplaceParticipations"
LISTING = f"/listings/2021-08-01/items/{SELLER}/SKU-1"


@pytest.fixture
def client(amazon_simulator):
    with sp_api_client(amazon_simulator.base_url) as client:
        yield client


def test_responses_carry_the_published_rate_limit(client):
    response = client.get(PARTICIPATIONS)

    assert response.headers["x-amzn-RateLimit-Limit"] == "0.016"
    assert response.headers["x-amzn-RequestId"]


def test_the_burst_is_allowed_then_quota_exceeded(client):
    statuses = [client.get(PARTICIPATIONS).status_code for _ in range(16)]

    assert statuses == [200] * 15 + [429]
    assert client.get(PARTICIPATIONS).json()["errors"][0]["code"] == "QuotaExceeded"


def test_counts_say_how_many_calls_of_each_operation_and_how_many_429s(amazon_simulator, client):
    for _ in range(16):
        client.get(PARTICIPATIONS)

    counts = httpx.get(amazon_simulator.base_url + "/_sim/counts").json()

    assert counts["calls"]["getMarketplaceParticipations"] == 16 and counts["calls"]["token"] >= 1
    assert counts["throttled"] == {"getMarketplaceParticipations": 1}


def test_buckets_are_per_seller_and_operation(amazon_simulator, client):
    for _ in range(15):
        client.get(PARTICIPATIONS)

    with sp_api_client(amazon_simulator.base_url, "ASECONDSELLER") as other:
        assert other.get(PARTICIPATIONS).status_code == 200
    assert client.get(LISTING, params={"marketplaceIds": UK}).status_code == 404  # a different bucket, not 429


def test_tokens_refill_at_the_rate_times_the_speedup(amazon_simulator, client):
    for _ in range(15):
        client.get(PARTICIPATIONS)
    amazon_simulator.speedup = 1000  # 16 requests a second

    time.sleep(0.1)

    assert client.get(PARTICIPATIONS).status_code == 200
    assert client.get(PARTICIPATIONS).headers["x-amzn-RateLimit-Limit"] == "16"


@pytest.mark.parametrize(
    ("kind", "status", "content_type"),
    [
        ("throttle", 429, "application/json"),
        ("server_error", 500, "application/json"),
        ("html_unavailable", 503, "text/html; charset=utf-8"),
    ],
)
def test_injected_faults_answer_like_amazon_then_stop(amazon_simulator, client, kind, status, content_type):
    amazon_simulator.state.inject_fault("getMarketplaceParticipations", kind, count=2)

    responses = [client.get(PARTICIPATIONS) for _ in range(3)]

    assert [r.status_code for r in responses] == [status, status, 200]
    assert responses[0].headers["content-type"] == content_type
    assert ("errors" in responses[0].text) is (kind != "html_unavailable")


def test_an_empty_throttle_has_no_body(amazon_simulator, client):
    amazon_simulator.state.inject_fault("*", "empty_throttle")

    response = client.get(PARTICIPATIONS)

    assert (response.status_code, response.content) == (429, b"")
    assert "x-amzn-RateLimit-Limit" not in response.headers


def test_an_injected_quota_exceeded_tells_the_sped_up_rate(amazon_simulator, client):
    amazon_simulator.speedup = 10
    amazon_simulator.state.inject_fault("getMarketplaceParticipations", "throttle")

    response = client.get(PARTICIPATIONS)

    assert response.status_code == 429
    assert response.headers["x-amzn-RateLimit-Limit"] == "0.16"


def test_a_fault_for_one_seller_spares_the_others(amazon_simulator, client):
    amazon_simulator.state.inject_fault("*", "server_error", count=None, selling_partner_id="ASECONDSELLER")

    with sp_api_client(amazon_simulator.base_url, "ASECONDSELLER") as other:
        assert other.get(PARTICIPATIONS).status_code == 500
    assert client.get(PARTICIPATIONS).status_code == 200


def test_a_slow_fault_delays_the_real_answer(amazon_simulator, client):
    amazon_simulator.state.inject_fault("getMarketplaceParticipations", "slow", delay=0.3)

    started = time.monotonic()
    response = client.get(PARTICIPATIONS)

    assert response.status_code == 200
    assert time.monotonic() - started >= 0.3


def test_a_server_error_fault_on_the_token_endpoint(amazon_simulator):
    refresh_token = authorise(amazon_simulator.base_url)["refresh_token"]
    amazon_simulator.state.inject_fault("token", "server_error")

    response = token_request(amazon_simulator.base_url, grant_type="refresh_token", refresh_token=refresh_token)

    assert response.status_code == 500


def test_calls_are_recorded_with_operation_and_status(amazon_simulator, client):
    client.get(PARTICIPATIONS)

    call = amazon_simulator.state.calls[-1]

    assert (call.operation, call.status, call.selling_partner_id) == ("getMarketplaceParticipations", 200, SELLER)


def test_control_surface_drives_the_simulator_over_http(amazon_simulator, client):
    base = amazon_simulator.base_url + "/_sim"

    assert httpx.post(f"{base}/sellers", json={"selling_partner_id": "AHTTPSELLER", "marketplace_ids": [UK]}).is_success
    assert httpx.post(
        f"{base}/listings",
        json={"selling_partner_id": SELLER, "marketplace_id": UK, "sku": "SKU-9", "quantity": 4, "price": "7.50"},
    ).is_success
    order = httpx.post(f"{base}/orders", json={"selling_partner_id": SELLER, "marketplace_id": UK}).json()
    assert httpx.post(f"{base}/orders/status", json={"order_id": order["order_id"], "status": "SHIPPED"}).is_success
    assert httpx.post(f"{base}/faults", json={"operation": "getOrder", "kind": "throttle", "count": 1}).is_success
    assert httpx.post(f"{base}/speedup", json={"speedup": 5}).json() == {"speedup": 5.0}
    client.get(PARTICIPATIONS)

    state = httpx.get(f"{base}/state", params={"calls": 1}).json()

    assert "AHTTPSELLER" in state["sellers"]
    demo = state["sellers"][SELLER]
    assert {"sku": "SKU-9", "quantity": 4, "price": "7.5"}.items() <= demo["listings"][0].items()
    assert demo["orders"][0]["status"] == "SHIPPED"
    assert state["faults"][0]["operation"] == "getOrder"
    assert state["speedup"] == 5.0
    assert [call["operation"] for call in state["calls"]] == ["getMarketplaceParticipations"]


def test_control_surface_revokes_and_resets(amazon_simulator, client):
    base = amazon_simulator.base_url + "/_sim"

    httpx.post(f"{base}/revoke", json={"selling_partner_id": SELLER})
    revoked_status = client.get(PARTICIPATIONS).status_code
    httpx.post(f"{base}/reset")

    assert revoked_status == 403
    assert httpx.get(f"{base}/state").json()["sellers"][SELLER]["orders"] == []


def test_control_surface_explains_bad_requests(amazon_simulator):
    response = httpx.post(amazon_simulator.base_url + "/_sim/faults", json={"operation": "getOrder", "kind": "boom"})

    assert response.status_code == 400
    assert "kind must be one of" in response.json()["error_description"]


def test_demo_data_has_twenty_listings_on_each_site_and_orders_keep_coming():
    with AmazonSimulator(speedup=100, demo=True) as simulator:
        listings = simulator.state.seller(SELLER).listings
        orders_at_start = len(simulator.state.seller(SELLER).orders)
        time.sleep(0.5)  # 20 s / 100 between demo orders

        assert len(listings) == 40
        assert ("A1F83G8C2ARO7P", "DEMO-SKU-020") in listings
        assert len(simulator.state.seller(SELLER).orders) > orders_at_start > 0


def test_a_mangled_host_header_is_refused(amazon_simulator, client):
    """python-amazon-sp-api cuts 8 characters off an http:// endpoint for the Host header; Amazon would refuse it."""
    mangled = amazon_simulator.base_url[8:]

    response = client.get(PARTICIPATIONS, headers={"Host": mangled})

    assert response.status_code == 400
    assert mangled in response.json()["errors"][0]["message"]
    assert response.headers["x-amzn-RateLimit-Limit"] == "0.016"
