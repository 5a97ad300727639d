"""Two downloads storing one Amazon order at the same moment make one dispatch, and neither drops the order."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection, connections, transaction
from django.utils import timezone

from channels.tests.factories import IntegrationFactory
from fulfilment.models import Dispatch
from fulfilment.tests.test_dispatches_and_api import order
from orders.download import orders_store_page
from orders.models import Order
from orders.tests.factories import ListingMappingFactory
from stock.tests.factories import ProductFactory


def _waiting_on_a_lock() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0] > 0


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_second_download_waits_then_takes_over_the_dispatch_made_by_the_first():
    # The removed integration's last download is still storing the page when the re-added one stores it too.
    removed = IntegrationFactory(account__company="Shop Ltd", removed_at=timezone.now(), selling_partner_id="")
    live = IntegrationFactory(account=removed.account, marketplace_id=removed.marketplace_id)
    product = ProductFactory(sku="P-A")
    for integration in (removed, live):
        ListingMappingFactory(integration=integration, channel_sku="A", product=product)
    first_stored, first_may_commit = threading.Event(), threading.Event()
    outcomes, failures = {}, []

    def download(integration, *, hold_before_commit: bool) -> None:
        try:
            with transaction.atomic():
                outcomes[integration.pk] = orders_store_page(
                    integration=integration, orders=[order("O1", ["A"])], now=timezone.now()
                )
                if hold_before_commit:
                    first_stored.set()
                    first_may_commit.wait(30)
        except Exception as error:  # reported below
            failures.append(error)
        finally:
            connections.close_all()

    first = threading.Thread(target=download, args=(removed,), kwargs={"hold_before_commit": True})
    first.start()
    assert first_stored.wait(30)
    second = threading.Thread(target=download, args=(live,), kwargs={"hold_before_commit": False})
    second.start()
    deadline = time.monotonic() + 30
    while not _waiting_on_a_lock() and time.monotonic() < deadline:  # the second insert waits for the first
        time.sleep(0.02)
    first_may_commit.set()
    first.join(30)
    second.join(30)

    assert not failures
    assert outcomes[removed.pk].created == 1 and outcomes[live.pk].created == 1
    assert outcomes[live.pk].skipped == []
    dispatch = Dispatch.objects.get()
    assert dispatch.order == Order.objects.get(integration=live)  # the live integration's copy holds it
    assert [line.order_item_id for line in dispatch.lines.all()] == ["O1-0"]
