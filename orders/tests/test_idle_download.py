"""An idle order download (nothing new on Amazon) is cheap: a few queries, no activity run, still seen by the seller."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from activity.models import Run
from channels.amazon.errors import TransientError
from channels.amazon.selectors import app_credentials_paused
from channels.amazon.services import app_credentials_pause, app_credentials_resume
from channels.amazon.tests.queries import without_rate_limit_tokens
from dashboard.selectors import integration_health_for
from orders.download import orders_download
from orders.models import OrderDownload
from orders.tests.simulated import connected_integration, place_orders

pytestmark = pytest.mark.django_db


@pytest.fixture
def simulator(amazon_simulator):
    amazon_simulator.state.speedup = 1000
    return amazon_simulator


def test_an_idle_download_costs_four_queries_and_writes_no_run(simulator):
    integration = connected_integration(simulator)
    orders_download(integration_id=integration.pk)  # the first download, and the pause check, are behind us
    app_credentials_paused()

    with CaptureQueriesContext(connection) as queries:
        result = orders_download(integration_id=integration.pk)

    assert (result.outcome, result.pages, result.idle) == ("done", 1, True)
    downloading = without_rate_limit_tokens([query["sql"] for query in queries])
    assert len(downloading) == 4, downloading  # read, hold, commit, let go
    assert not Run.objects.exists()
    download = OrderDownload.objects.get(integration=integration)
    assert download.last_succeeded_at is not None and not download.window_in_progress


def test_a_download_that_brings_orders_is_still_a_run(simulator):
    integration = connected_integration(simulator)
    place_orders(simulator, integration, 2)

    orders_download(integration_id=integration.pk)

    assert list(Run.objects.values_list("kind", "outcome", "orders_brought")) == [
        (Run.Kind.ORDER_DOWNLOAD, Run.Outcome.SUCCEEDED, 2)
    ]


def test_the_seller_sees_when_orders_were_last_checked(simulator, owner):
    integration = connected_integration(simulator, account=owner.membership.account)
    orders_download(integration_id=integration.pk)
    checked = OrderDownload.objects.get(integration=integration).last_succeeded_at

    health = integration_health_for(integration=integration)

    assert health.facts.orders_last_checked_at == checked
    assert [problem.kind for problem in health.problems] == []


def test_an_idle_success_ends_the_count_of_failures(simulator):
    integration = connected_integration(simulator)
    simulator.state.inject_fault("searchOrders", "server_error", count=1)
    with pytest.raises(TransientError):
        orders_download(integration_id=integration.pk)
    assert integration_health_for(integration=integration).facts.download_failures_since_success == 1

    orders_download(integration_id=integration.pk)

    health = integration_health_for(integration=integration)
    assert health.facts.download_failures_since_success == 0 and health.problems == []


def test_this_process_sees_its_own_pause_and_resume_at_once(db):
    assert not app_credentials_paused()
    app_credentials_pause(problem="invalid_client")
    assert app_credentials_paused()
    app_credentials_resume()
    assert not app_credentials_paused()
