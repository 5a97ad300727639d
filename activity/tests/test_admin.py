"""Ops see every run in the admin, with filters, and cannot invent runs."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from activity.models import Run

from .factories import RunFactory

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/activity/run/"


@pytest.fixture
def staff_client(client):
    user = get_user_model().objects.create_superuser("ops@example.com", "ops@example.com", "pw-ops-123")
    client.force_login(user)
    return client


def test_ops_list_runs_of_every_seller_and_filter_them(staff_client, django_assert_max_num_queries):
    RunFactory(integration__name="Seller A UK", integration__account__company="A Ltd")
    RunFactory(integration__name="Seller B UK", outcome=Run.Outcome.FAILED, error="Amazon is down.")
    with django_assert_max_num_queries(12):
        page = staff_client.get(CHANGELIST).content.decode()
    assert "Seller A UK" in page and "Seller B UK" in page and "A Ltd" in page

    failed = staff_client.get(CHANGELIST, {"outcome__exact": "failed"}).content.decode()
    assert "Seller B UK" in failed and "Seller A UK" not in failed
    assert staff_client.get(CHANGELIST + "add/").status_code == 403
