"""Runs recorded by the real order download against the Amazon simulator, and the health they give."""

from __future__ import annotations

import pytest

from activity.models import Run
from channels.amazon.errors import TransientError
from dashboard.selectors import integration_health_for
from orders.download import orders_download
from orders.tests.simulated import connected_integration, place_orders

pytestmark = pytest.mark.django_db


@pytest.fixture
def simulator(amazon_simulator, settings):
    amazon_simulator.state.speedup = 1000
    settings.ORDER_DOWNLOAD_PAGE_SIZE = 10
    return amazon_simulator


def test_a_download_is_a_run_with_the_orders_it_brought(simulator):
    integration = connected_integration(simulator)
    place_orders(simulator, integration, 12)

    orders_download(integration_id=integration.pk)

    run = Run.objects.get(integration=integration)
    assert (run.kind, run.outcome, run.orders_brought, run.error) == ("order_download", "succeeded", 12, "")
    assert run.finished_at >= run.started_at
    health = integration_health_for(integration=integration)
    assert health.facts.last_download_success.orders_brought == 12 and health.problems == []


def test_orders_kept_out_by_exclude_non_avasam_orders_are_counted_and_said_in_the_activity_log(
    simulator, seller_client, account
):
    integration = connected_integration(simulator, exclude_non_avasam_orders=True, account=account)
    place_orders(simulator, integration, 2)  # unmapped SKUs: non-Avasam

    orders_download(integration_id=integration.pk)

    run = Run.objects.get(integration=integration)
    assert (run.orders_brought, run.orders_not_imported) == (0, 2)
    page = seller_client.get(f"/settings/channels/{integration.pk}/activity/").content.decode()
    assert "2 orders not imported (exclude non-Avasam orders is on)" in page


def test_a_skipped_download_is_not_a_run(simulator):
    integration = connected_integration(simulator, enabled=False)
    assert orders_download(integration_id=integration.pk).outcome == "skipped"
    assert not Run.objects.exists()


def test_a_revoked_authorisation_is_a_failed_run_and_the_health_says_click_reauthorise(simulator):
    integration = connected_integration(simulator)
    simulator.state.revoke(integration.selling_partner_id)

    orders_download(integration_id=integration.pk)

    run = Run.objects.get(integration=integration)
    assert run.outcome == "failed" and run.error_count == 1 and run.error
    integration.refresh_from_db()
    [problem] = integration_health_for(integration=integration).problems
    assert problem.sentence.startswith("Amazon rejected the authorisation — click Reauthorise.")


def test_amazon_being_down_is_a_failed_run_counted_until_the_next_success(simulator):
    integration = connected_integration(simulator)
    simulator.state.inject_fault("searchOrders", "server_error", count=None)
    for _ in range(2):
        with pytest.raises(TransientError):
            orders_download(integration_id=integration.pk)

    health = integration_health_for(integration=integration)
    assert health.facts.download_failures_since_success == 2
    assert health.problems[0].kind == "download_failing"
    assert health.problems[0].sentence.startswith("Order download failed 2 times and none has succeeded yet")

    simulator.state.faults.clear()
    orders_download(integration_id=integration.pk)
    health = integration_health_for(integration=integration)
    assert health.facts.download_failures_since_success == 0 and health.problems == []
