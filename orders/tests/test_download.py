"""The order download against the Amazon simulator: windows, pages, settings, errors and the task."""

from __future__ import annotations

import re
import time
from datetime import timedelta
from unittest import mock

import pytest
from celery.exceptions import Retry
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.utils import timezone

from channels.amazon.errors import TransientError
from channels.holding import unheld
from channels.models import Integration
from orders.download import ORDERS_LANE, orders_download
from orders.models import Order, OrderDownload, OrderKind, OrderLine
from orders.signals import orders_stored
from orders.tasks import download_orders, download_orders_for_all_integrations
from orders.tests.factories import ListingMappingFactory
from orders.tests.simulated import DE, connected_integration, expected, place_orders, stored

pytestmark = pytest.mark.django_db


@pytest.fixture
def simulator(amazon_simulator, settings):
    amazon_simulator.state.speedup = 1000  # Amazon's usage plans, a thousand times faster
    settings.ORDER_DOWNLOAD_PAGE_SIZE = 10
    return amazon_simulator


def _search_calls(simulator, integration) -> list:
    return [
        call
        for call in simulator.state.calls
        if call.operation == "searchOrders" and call.selling_partner_id == integration.selling_partner_id
    ]


def test_the_first_download_fetches_every_page_of_the_last_30_days(simulator):
    integration = connected_integration(simulator)
    placed = place_orders(simulator, integration, 25)
    placed += place_orders(simulator, integration, 1, created_at=timezone.now() - timedelta(days=29))
    place_orders(simulator, integration, 1, created_at=timezone.now() - timedelta(days=31))

    result = orders_download(integration_id=integration.pk)

    assert (result.outcome, result.pages, result.orders_created) == ("done", 3, 26)
    assert stored(integration) == expected(placed)
    download = OrderDownload.objects.get(integration=integration)
    assert download.cursor is not None and not download.window_in_progress
    assert len(_search_calls(simulator, integration)) == 3


@pytest.mark.parametrize(("cursor_ahead", "captured"), [(timedelta(minutes=4), True), (timedelta(minutes=6), False)])
def test_later_downloads_reread_five_minutes_before_the_cursor(simulator, cursor_ahead, captured):
    integration = connected_integration(simulator)
    (order,) = place_orders(simulator, integration, 1)
    orders_download(integration_id=integration.pk)
    simulator.state.set_order_status(order.order_id, "SHIPPED")
    # As if the last download had ended this long after the order changed.
    OrderDownload.objects.filter(integration=integration).update(cursor=order.last_updated_at + cursor_ahead)

    orders_download(integration_id=integration.pk)

    assert Order.objects.get().status == ("SHIPPED" if captured else "UNSHIPPED")


def test_status_changes_and_cancellations_between_runs_are_applied(simulator):
    integration = connected_integration(simulator)
    shipped, cancelled, untouched = place_orders(simulator, integration, 3)
    orders_download(integration_id=integration.pk)
    simulator.state.set_order_status(shipped.order_id, "SHIPPED")
    simulator.state.set_order_status(cancelled.order_id, "CANCELLED")

    result = orders_download(integration_id=integration.pk)

    assert dict(Order.objects.values_list("amazon_order_id", "status")) == {
        shipped.order_id: "SHIPPED",
        cancelled.order_id: "CANCELLED",
        untouched.order_id: "UNSHIPPED",
    }
    assert result.orders_created == 0
    assert OrderLine.objects.count() == 6


def test_orders_that_become_visible_late_are_captured_by_the_next_run(simulator):
    integration = connected_integration(simulator)
    early = place_orders(simulator, integration, 3)
    late = place_orders(simulator, integration, 2, visible_after=110)  # Amazon: up to 2 minutes late
    orders_download(integration_id=integration.pk)
    assert stored(integration) == expected(early)

    simulator.state.advance_clock(120)
    orders_download(integration_id=integration.pk)

    assert stored(integration) == expected(early + late)


def test_only_orders_for_the_integrations_own_site_are_stored(simulator):
    integration = connected_integration(simulator)
    uk = place_orders(simulator, integration, 2)
    place_orders(simulator, integration, 2, marketplace_id=DE)

    orders_download(integration_id=integration.pk)

    assert stored(integration) == expected(uk)


@pytest.mark.parametrize(
    ("settings_on", "kinds"),
    [
        ({}, {"avasam": 2, "non_avasam": 2, "mixed": 2}),
        ({"exclude_non_avasam_orders": True}, {"avasam": 2}),
        ({"split_orders_with_unknown_skus": True}, {"avasam": 2 + 2, "non_avasam": 2}),
    ],
)
def test_the_settings_table_holds_against_amazon(simulator, settings_on, kinds):
    integration = connected_integration(simulator, **settings_on)
    ListingMappingFactory(integration=integration, channel_sku="MAPPED")
    place_orders(simulator, integration, 2, skus=["MAPPED"])
    place_orders(simulator, integration, 2, skus=["UNKNOWN"])
    place_orders(simulator, integration, 2, skus=["MAPPED", "UNKNOWN"])
    place_orders(simulator, integration, 1, skus=["MAPPED"], fulfilled_by="AMAZON")

    orders_download(integration_id=integration.pk)

    fba = 0 if settings_on.get("exclude_non_avasam_orders") else 1
    stored_kinds = {}
    for kind in Order.objects.values_list("kind", flat=True):
        stored_kinds[kind] = stored_kinds.get(kind, 0) + 1
    assert stored_kinds == {**kinds, **({"non_avasam": kinds.get("non_avasam", 0) + fba} if fba else {})}
    if settings_on.get("split_orders_with_unknown_skus"):
        assert not OrderLine.objects.filter(order__kind=OrderKind.AVASAM, product__isnull=True).exists()
    else:
        assert OrderLine.objects.filter(order__kind=OrderKind.MIXED).count() == 2 * kinds.get("mixed", 0)


def test_a_non_avasam_order_mapped_before_the_purge_becomes_avasam_and_stays(simulator):
    from orders.services import orders_purge_expired, orders_reclassify

    integration = connected_integration(simulator)
    place_orders(simulator, integration, 1, skus=["LATER-MAPPED"])
    place_orders(simulator, integration, 1, skus=["NEVER-MAPPED"])
    orders_download(integration_id=integration.pk)
    ListingMappingFactory(integration=integration, channel_sku="LATER-MAPPED")
    orders_reclassify(integration_id=integration.pk, channel_skus={"LATER-MAPPED"})

    orders_purge_expired(now=timezone.now() + timedelta(days=3, minutes=1))

    assert list(Order.objects.values_list("kind", flat=True)) == [OrderKind.AVASAM]


def test_an_integration_that_may_not_sync_is_skipped_without_calling_amazon(simulator):
    integration = connected_integration(simulator, enabled=False)

    result = orders_download(integration_id=integration.pk)

    assert result.outcome == "skipped"
    assert _search_calls(simulator, integration) == []


def test_a_download_resumes_from_its_last_committed_page_after_a_server_error(simulator):
    integration = connected_integration(simulator)
    placed = place_orders(simulator, integration, 30)
    # Pages 1 and 2 arrive, then Amazon fails: the saved page token lets the next attempt resume.
    simulator.state.inject_fault("searchOrders", "server_error", count=1, after=2)
    with pytest.raises(TransientError):
        orders_download(integration_id=integration.pk)
    download = OrderDownload.objects.get(integration=integration)
    assert (download.pages_done, bool(download.next_page_token), download.cursor) == (2, True, None)

    result = orders_download(integration_id=integration.pk)

    assert (result.outcome, result.pages) == ("done", 1)
    assert stored(integration) == expected(placed)
    assert len(_search_calls(simulator, integration)) == 4


def test_a_revoked_authorisation_flags_the_integration_after_one_attempt(simulator):
    integration = connected_integration(simulator)
    place_orders(simulator, integration, 3)
    simulator.state.revoke(integration.selling_partner_id)
    calls_before = len(simulator.state.calls)

    result = download_orders.apply(args=[integration.pk])
    download_orders_for_all_integrations.apply()
    download_orders.apply(args=[integration.pk])

    assert "FAILED" in result.get()
    integration.refresh_from_db()
    assert integration.authorisation_state == Integration.AuthorisationState.NEEDS_REAUTHORISATION
    # One token refresh refused (invalid_grant): nothing after it, however often beat and workers ask.
    assert len(simulator.state.calls) - calls_before == 1
    assert Order.objects.count() == 0


def test_a_throttled_task_reschedules_itself_instead_of_sleeping(simulator):
    integration = connected_integration(simulator)
    place_orders(simulator, integration, 3)
    simulator.state.inject_fault("searchOrders", "throttle", count=1)

    started = time.monotonic()
    # Celery's retry would publish to the broker; capture the countdown it is given instead.
    schedule = mock.patch.object(download_orders, "retry", side_effect=lambda **kwargs: Retry(when=kwargs["countdown"]))
    with schedule, pytest.raises(Retry) as retry:
        download_orders.run(integration.pk)

    assert time.monotonic() - started < 2
    assert retry.value.when >= 1
    # Nothing is held while the retry waits its countdown: nobody is kept out meanwhile.
    assert unheld(ORDERS_LANE, [integration.pk]) == [integration.pk]


def test_the_fan_out_downloads_only_integrations_that_may_sync(simulator, django_capture_on_commit_callbacks):
    syncable = connected_integration(simulator)
    others = [
        connected_integration(simulator, enabled=False),
        connected_integration(simulator, authorisation_state=Integration.AuthorisationState.NEEDS_REAUTHORISATION),
        connected_integration(simulator, removed_at=timezone.now()),
    ]
    for integration in [syncable, *others]:
        place_orders(simulator, integration, 1)

    with django_capture_on_commit_callbacks(execute=True):
        assert download_orders_for_all_integrations.apply().get() == 1

    assert set(Order.objects.values_list("integration_id", flat=True)) == {syncable.pk}
    assert all(_search_calls(simulator, integration) == [] for integration in others)


def test_sync_orders_prints_a_line_per_integration_and_exits_1_when_one_failed(simulator, capsys):
    good = connected_integration(simulator)
    revoked = connected_integration(simulator)
    place_orders(simulator, good, 2)
    simulator.state.revoke(revoked.selling_partner_id)

    with pytest.raises(CommandError) as error:
        call_command("sync_orders")

    output = capsys.readouterr().out.splitlines()
    assert f"integration {good.pk}: ok, 1 pages, 2 new orders, 0 updated, 0 not imported" in output
    assert any(line.startswith(f"integration {revoked.pk}: FAILED") for line in output)
    assert error.value.returncode == 1
    call_command("sync_orders", "--integration", str(good.pk))


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        pytest.param({"enabled": False}, "it is disabled: enable it", id="disabled"),
        pytest.param({"authorisation_state": "needs_reauthorisation"}, "it needs re-authorisation", id="revoked"),
        pytest.param({"removed_at": timezone.now()}, "the integration was removed", id="removed"),
    ],
)
def test_sync_orders_says_why_an_integration_was_skipped(simulator, capsys, fields, reason):
    integration = connected_integration(simulator, **fields)

    call_command("sync_orders", "--integration", str(integration.pk))

    assert capsys.readouterr().out.strip().startswith(f"integration {integration.pk}: skipped ({reason}")
    assert _search_calls(simulator, integration) == []


def test_sync_orders_says_on_stderr_that_it_waits_for_amazon(simulator, capsys):
    integration = connected_integration(simulator)
    place_orders(simulator, integration, 1)
    simulator.state.inject_fault("searchOrders", "server_error", count=1)

    with mock.patch("orders.management.commands.sync_orders.time.sleep"):
        call_command("sync_orders", "--integration", str(integration.pk))

    captured = capsys.readouterr()
    assert captured.out.strip() == f"integration {integration.pk}: ok, 1 pages, 1 new orders, 0 updated, 0 not imported"
    assert f"integration {integration.pk}: Amazon is not answering properly" in captured.err
    assert re.search(r"\(attempt 1; next in \d+ s, the pages already stored are kept\)", captured.err)


def test_sync_orders_stopped_by_the_operator_frees_the_integration_at_once(simulator):
    integration = connected_integration(simulator)
    place_orders(simulator, integration, 1)
    simulator.state.inject_fault("searchOrders", "server_error", count=1)

    with (
        mock.patch("orders.management.commands.sync_orders.time.sleep", side_effect=KeyboardInterrupt),
        pytest.raises(KeyboardInterrupt),
    ):
        call_command("sync_orders", "--integration", str(integration.pk))

    assert orders_download(integration_id=integration.pk).outcome == "done"


@pytest.mark.parametrize("size", [0, 500])
def test_a_page_size_setting_amazon_would_refuse_is_kept_within_1_to_100(simulator, settings, size):
    settings.ORDER_DOWNLOAD_PAGE_SIZE = size
    integration = connected_integration(simulator)
    placed = place_orders(simulator, integration, 3)

    result = orders_download(integration_id=integration.pk)

    assert (result.outcome, result.orders_created) == ("done", 3)
    assert stored(integration) == expected(placed)


def test_sync_orders_for_an_unknown_integration_says_so():
    with pytest.raises(CommandError, match="no integration with id 999999"):
        call_command("sync_orders", "--integration", "999999")


@pytest.mark.parametrize("spoiled_by", ["a day passing", "a garbled token"])
def test_a_saved_page_token_amazon_no_longer_accepts_restarts_the_window(simulator, spoiled_by):
    integration = connected_integration(simulator)
    placed = place_orders(simulator, integration, 30)
    simulator.state.inject_fault("searchOrders", "server_error", count=1, after=1)
    with pytest.raises(TransientError):
        orders_download(integration_id=integration.pk)
    download = OrderDownload.objects.get(integration=integration)
    if spoiled_by == "a day passing":
        simulator.state.advance_clock(24 * 60 * 60 + 60)  # Amazon's page tokens last 24 hours
    else:
        OrderDownload.objects.filter(pk=download.pk).update(next_page_token="garbled-token")

    result = orders_download(integration_id=integration.pk)

    assert (result.outcome, result.pages, result.orders_created, result.orders_updated) == ("done", 3, 20, 10)
    assert stored(integration) == expected(placed)
    assert [call.status for call in _search_calls(simulator, integration)] == [200, 500, 400, 200, 200, 200]


def test_sync_orders_waits_out_a_429_and_finishes(simulator, capsys):
    integration = connected_integration(simulator)
    placed = place_orders(simulator, integration, 15)
    simulator.state.inject_fault("searchOrders", "throttle", count=1)

    call_command("sync_orders", "--integration", str(integration.pk))

    assert capsys.readouterr().out.strip() == (
        f"integration {integration.pk}: ok, 2 pages, 15 new orders, 0 updated, 0 not imported"
    )
    assert stored(integration) == expected(placed)
    assert len(_search_calls(simulator, integration)) == 3


def test_a_server_error_retries_the_task_with_backoff_and_counts_the_failures(simulator):
    integration = connected_integration(simulator)
    place_orders(simulator, integration, 3)
    simulator.state.inject_fault("searchOrders", "server_error", count=1)

    schedule = mock.patch.object(download_orders, "retry", side_effect=lambda **kwargs: Retry(when=kwargs))
    with schedule, pytest.raises(Retry) as retry:
        download_orders.run(integration.pk)

    assert retry.value.when["kwargs"] == {"integration_id": integration.pk, "failures": 1}
    assert 1 <= retry.value.when["countdown"] <= 30
    assert Order.objects.count() == 0


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_only_the_pages_of_a_download_commit_without_waiting_for_the_disk(simulator):
    # A page lost in a database crash is fetched again (its resume point commits with it); nothing else is let go.
    integration = connected_integration(simulator)
    place_orders(simulator, integration, 25)
    during_pages = []

    def note_the_setting(**_) -> None:
        during_pages.append(_synchronous_commit())

    orders_stored.connect(note_the_setting)
    try:
        result = orders_download(integration_id=integration.pk)
    finally:
        orders_stored.disconnect(note_the_setting)

    assert (result.pages, during_pages) == (3, ["off"] * 3)
    assert _synchronous_commit() == "on"


def _synchronous_commit() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW synchronous_commit")
        return cursor.fetchone()[0]
