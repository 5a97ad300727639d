"""Our limiter against Amazon's usage plans: while we are Amazon's only caller, Amazon never answers 429."""

from __future__ import annotations

import threading
import time
import uuid

import pytest
from django.db import connection

from channels.amazon.authorisation import exchange_authorization_code
from channels.amazon.gateway import AmazonGateway, SellingPartner
from channels.amazon.simulator.faults import Fault

UK = "A1F83G8C2ARO7P"
SECONDS = 4
PATCH = [{"op": "replace", "path": "/attributes/fulfillment_availability", "value": [{"quantity": 1}]}]


# SQLite's in-memory test database refuses a table another connection writes to at once, without waiting: the
# database buckets' threads are tried on PostgreSQL.
@pytest.fixture(params=["redis", pytest.param("database", marks=pytest.mark.postgres)])
def buckets(request, settings):
    if request.param == "redis":
        request.getfixturevalue("redis_client")
    else:
        settings.REDIS_URL = None


def test_threads_hammering_one_operation_meet_no_429(transactional_db, buckets, amazon_simulator):
    selling_partner_id = f"ASIM{uuid.uuid4().hex[:10].upper()}"
    amazon_simulator.state.add_seller(selling_partner_id, [UK])
    amazon_simulator.state.set_listing(selling_partner_id, UK, "MUG-1", quantity=5, price="9.99")
    code = amazon_simulator.state.issue_authorization_code(selling_partner_id)
    seller = SellingPartner(selling_partner_id, exchange_authorization_code(code), UK)
    # The burst's requests wait for the seller's first access token, so they reach Amazon later than they took
    # their rate-limit tokens; the next request, with a token already there, does not wait.
    amazon_simulator.state.faults.add(Fault(operation="token", kind="slow", remaining=1, delay=0.15))
    started = time.monotonic()
    deadline = started + SECONDS
    failures: list[BaseException] = []

    def hammer() -> None:
        try:
            with AmazonGateway(seller, wait_for_rate_limit=True) as gateway:  # one gateway each, as processes have
                while time.monotonic() < deadline:
                    gateway.patch_listings_item(sku="MUG-1", patches=PATCH)
        except BaseException as error:  # reported by the assertions below
            failures.append(error)
        finally:
            connection.close()  # this thread's own connection, so the test database can be dropped

    threads = [threading.Thread(target=hammer) for _ in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started

    counts = amazon_simulator.state.call_counts()
    assert counts["throttled"].get("patchListingsItem", 0) == 0, counts
    assert not failures, failures
    # patchListingsItem: burst 5, then 5/s. The calls did go through, at close to the rate Amazon allows.
    assert counts["calls"]["patchListingsItem"] >= 0.7 * 5 * elapsed, counts
