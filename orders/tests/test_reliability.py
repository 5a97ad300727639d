"""Reliability on PostgreSQL: real processes killed mid-download, racing each other, and revoked sellers.

Each download here is `manage.py sync_orders` in its own process, talking to the in-process Amazon simulator
and committing to the test database, as a worker would.
"""

from __future__ import annotations

import subprocess
import time

import pytest
from django.db import connection

from channels.models import Integration
from channels.tests.processes import kill, manage_py, wait_for
from orders.download import orders_download
from orders.models import Order, OrderDownload, OrderLine
from orders.tasks import download_orders, download_orders_for_all_integrations
from orders.tests.simulated import connected_integration, expected, place_orders, stored

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

PAGE_SIZE = 10


@pytest.fixture
def simulator(amazon_simulator, settings):
    amazon_simulator.state.speedup = 1000
    settings.ORDER_DOWNLOAD_PAGE_SIZE = PAGE_SIZE
    return amazon_simulator


def _sync_orders(simulator, integration) -> subprocess.Popen:
    """`sync_orders --integration ID` in a separate process, against the test database and the simulator."""
    return manage_py(
        simulator, "sync_orders", "--integration", str(integration.pk), ORDER_DOWNLOAD_PAGE_SIZE=str(PAGE_SIZE)
    )


def _pages_done(integration) -> int:
    return OrderDownload.objects.filter(integration=integration).values_list("pages_done", flat=True).first() or 0


def _assert_no_duplicates(integration) -> None:
    orders, lines = stored(integration)
    assert len(orders) == len(set(orders))
    assert len(lines) == len(set(lines))


@pytest.mark.parametrize("killed_after", [1, 3, 5])
def test_sync_orders_killed_after_page_k_is_finished_by_the_very_next_sync_orders(simulator, killed_after):
    integration = connected_integration(simulator)
    placed = place_orders(simulator, integration, 6 * PAGE_SIZE)
    # Each page takes a while, so the kill lands between committed pages.
    simulator.state.inject_fault("searchOrders", "slow", count=None, delay=0.4)
    process = _sync_orders(simulator, integration)
    wait_for(lambda: _pages_done(integration) >= killed_after, process)
    kill(process)
    simulator.state.faults.clear()

    download = OrderDownload.objects.get(integration=integration)
    assert download.cursor is None and download.window_in_progress  # the cursor never moved
    assert Order.objects.filter(integration=integration).count() == download.pages_done * PAGE_SIZE
    _assert_no_duplicates(integration)
    # The dead process holds nothing: the next run neither skips nor waits, and resumes at its last page.
    started = time.monotonic()
    output, errors = _sync_orders(simulator, integration).communicate(timeout=60)

    assert output.strip().startswith(f"integration {integration.pk}: ok, {6 - download.pages_done} pages"), errors
    assert "waiting" not in errors and "skipped" not in output
    assert time.monotonic() - started < 15
    assert stored(integration) == expected(placed)
    download.refresh_from_db()
    assert download.cursor is not None and not download.window_in_progress


def test_a_download_that_failed_on_a_database_error_lets_the_next_one_run_at_once(simulator, monkeypatch):
    integration = connected_integration(simulator)
    placed = place_orders(simulator, integration, 3 * PAGE_SIZE)
    # The database refuses the second page's resume point (as a full disk or a dropped connection would).
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE FUNCTION refuse_page_two() RETURNS trigger AS $$ BEGIN "
            "IF NEW.pages_done = 2 THEN RAISE EXCEPTION 'disk full'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql"
        )
        cursor.execute(
            "CREATE TRIGGER refuse_page_two BEFORE UPDATE ON orders_orderdownload "
            "FOR EACH ROW EXECUTE FUNCTION refuse_page_two()"
        )
    failed = _sync_orders(simulator, integration)
    failed.communicate(timeout=60)
    assert failed.returncode != 0
    with connection.cursor() as cursor:
        cursor.execute("DROP TRIGGER refuse_page_two ON orders_orderdownload")
        cursor.execute("DROP FUNCTION refuse_page_two()")

    output, errors = _sync_orders(simulator, integration).communicate(timeout=60)

    assert output.strip().startswith(f"integration {integration.pk}: ok, 2 pages"), errors
    assert stored(integration) == expected(placed)


def test_two_sync_orders_at_once_never_walk_together_and_both_finish(simulator):
    integration = connected_integration(simulator)
    placed = place_orders(simulator, integration, 3 * PAGE_SIZE)
    simulator.state.inject_fault("searchOrders", "slow", count=None, delay=0.3)

    processes = [_sync_orders(simulator, integration) for _ in range(2)]
    results = [process.communicate(timeout=60) for process in processes]

    assert [process.returncode for process in processes] == [0, 0]
    outputs = sorted(output.strip() for output, _ in results)
    # Had the walks overlapped, both would have found the orders new.
    assert outputs[0].startswith(f"integration {integration.pk}: ok, ") and ", 0 new orders" in outputs[0]
    assert outputs[1] == f"integration {integration.pk}: ok, 3 pages, 30 new orders, 0 updated, 0 not imported"
    waited = [errors for _, errors in results if "waiting for another download of integration" in errors]
    assert len(waited) == 1
    assert stored(integration) == expected(placed)


def test_late_orders_and_status_changes_are_all_captured_by_later_runs(simulator):
    integration = connected_integration(simulator)
    first = place_orders(simulator, integration, 12)
    late = place_orders(simulator, integration, 5, visible_after=115)
    assert orders_download(integration_id=integration.pk).orders_created == 12

    simulator.state.set_order_status(first[0].order_id, "SHIPPED")
    simulator.state.set_order_status(first[1].order_id, "CANCELLED")
    more = place_orders(simulator, integration, 3)
    simulator.state.advance_clock(120)
    second = orders_download(integration_id=integration.pk)
    third = orders_download(integration_id=integration.pk)

    assert (second.orders_created, third.orders_created) == (8, 0)
    assert stored(integration) == expected(first + late + more)
    statuses = dict(Order.objects.values_list("amazon_order_id", "status"))
    assert (statuses[first[0].order_id], statuses[first[1].order_id]) == ("SHIPPED", "CANCELLED")
    _assert_no_duplicates(integration)


def test_a_revoked_authorisation_means_one_attempt_a_flag_and_no_retry_storm(simulator):
    integration = connected_integration(simulator)
    place_orders(simulator, integration, 3)
    simulator.state.revoke(integration.selling_partner_id)

    download_orders.apply(args=[integration.pk])
    for _ in range(5):  # beat keeps firing
        download_orders_for_all_integrations.apply()
        download_orders.apply(args=[integration.pk])

    integration.refresh_from_db()
    assert integration.authorisation_state == Integration.AuthorisationState.NEEDS_REAUTHORISATION
    assert integration.authorisation_problem
    calls = [
        call for call in simulator.state.calls if call.selling_partner_id in (integration.selling_partner_id, None)
    ]
    assert [(call.operation, call.status) for call in calls if call.operation != "consent"][-1:] == [("token", 400)]
    assert sum(1 for call in simulator.state.calls if call.operation in ("token", "searchOrders")) <= 2
    assert not OrderLine.objects.exists()
    download = OrderDownload.objects.get(integration=integration)
    assert "Reauthorise" in download.last_problem
