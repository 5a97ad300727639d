"""The activity log page with health, analytics pages' outsiders, 404s and query counts."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from activity.models import Run
from activity.tests.factories import RunFactory
from channels.models import Integration
from channels.tests.factories import IntegrationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def integration(account):
    return IntegrationFactory(account=account, name="Amazon UK", authorised_at=timezone.now() - timedelta(days=1))


def test_the_activity_page_lists_runs_newest_first_with_errors_in_plain_words(seller_client, integration):
    now = timezone.now()
    RunFactory(integration=integration, started_at=now - timedelta(minutes=30), orders_brought=4)
    RunFactory(
        integration=integration,
        started_at=now - timedelta(minutes=10),
        outcome=Run.Outcome.FAILED,
        error="Amazon is not answering right now; we will try again shortly.",
        error_count=1,
    )
    RunFactory(integration=integration, kind=Run.Kind.STOCK_PUSH, lane=Run.Lane.BULK, listings_changed=12)

    response = seller_client.get(f"/settings/channels/{integration.pk}/activity/")

    assert response.status_code == 200
    runs = list(response.context["page"].object_list)
    assert [run.kind for run in runs] == ["stock_push", "order_download", "order_download"]
    page = response.content.decode()
    assert "Amazon is not answering right now; we will try again shortly." in page
    assert "Order download failed once since the last successful one" in page
    assert "4 new orders" in page and "12 listings changed" in page


def test_the_activity_log_is_paginated(seller_client, integration):
    start = timezone.now() - timedelta(days=1)
    for minute in range(30):
        RunFactory(integration=integration, started_at=start + timedelta(minutes=minute))
    first = seller_client.get(f"/settings/channels/{integration.pk}/activity/")
    second = seller_client.get(f"/settings/channels/{integration.pk}/activity/", {"page": 2})
    assert len(first.context["page"].object_list) == 25
    assert len(second.context["page"].object_list) == 5
    assert "Page 1 of 2" in first.content.decode()


def test_a_rejected_authorisation_shows_on_the_activity_page_with_the_reauthorise_link(seller_client, integration):
    Integration.objects.filter(pk=integration.pk).update(
        authorisation_state=Integration.AuthorisationState.NEEDS_REAUTHORISATION,
        authorisation_problem="Amazon no longer accepts this authorisation.",
    )
    page = seller_client.get(f"/settings/channels/{integration.pk}/activity/").content.decode()
    assert "Amazon rejected the authorisation — click Reauthorise." in page
    assert f'href="/settings/channels/{integration.pk}/authorise/"' in page


def test_the_activity_page_needs_few_queries_however_many_runs(
    seller_client, integration, django_assert_max_num_queries
):
    for _ in range(40):
        RunFactory(integration=integration)
        RunFactory(integration=integration, kind=Run.Kind.STOCK_PUSH, outcome=Run.Outcome.FAILED, error="x")
    with django_assert_max_num_queries(14):
        response = seller_client.get(f"/settings/channels/{integration.pk}/activity/")
    assert response.status_code == 200


@pytest.mark.parametrize("suffix", ["activity/", "analytics/"])
def test_another_sellers_integration_pages_are_404(outsider_client, suffix):
    other = IntegrationFactory()
    assert outsider_client.get(f"/settings/channels/{other.pk}/{suffix}").status_code == 404
    assert outsider_client.post(f"/settings/channels/{other.pk}/{suffix}").status_code == 404


def test_a_removed_integrations_pages_are_404(seller_client, integration):
    Integration.objects.filter(pk=integration.pk).update(removed_at=timezone.now())
    assert seller_client.get(f"/settings/channels/{integration.pk}/activity/").status_code == 404


@pytest.mark.parametrize("suffix", ["", "activity/", "mappings/", "analytics/"])
def test_a_removed_integrations_url_tells_its_owner_it_was_removed_and_others_nothing(
    client, owner, outsider, integration, suffix
):
    Integration.objects.filter(pk=integration.pk).update(removed_at=timezone.now())

    client.force_login(owner)
    own = client.get(f"/settings/channels/{integration.pk}/{suffix}")
    client.force_login(outsider)
    other = client.get(f"/settings/channels/{integration.pk}/{suffix}")

    assert own.status_code == 404 and "“Amazon UK” was removed" in own.content.decode()
    assert f"/orders/?integration={integration.pk}" in own.content.decode()
    assert other.status_code == 404 and "Amazon UK" not in other.content.decode()


def test_the_total_analytics_page_needs_a_seller(client):
    response = client.get("/analytics/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
