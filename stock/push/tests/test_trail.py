"""The push's trail: each value sent with Amazon's answer, kept as long as the activity log."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from activity.models import Run
from channels.tests.factories import IntegrationFactory
from stock.push.models import ListingSend
from stock.push.trail import SendAnswer, listing_sends_purge_old, listing_sends_record
from stock.tests.factories import ListingSendFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 27, 3, 45, tzinfo=UTC)


def test_listing_sends_are_recorded_per_listing():
    integration = IntegrationFactory()
    listing_sends_record(
        integration_id=integration.pk,
        lane=Run.Lane.FAST,
        answers=[
            SendAnswer("A", 3, 0, None, accepted=True),
            SendAnswer("B", 4, 0, None, accepted=False, error_code="8541", error="Bad value."),
            SendAnswer("C", 5, 9, None, accepted=False, processed=False, error="The feed never ran."),
        ],
        sent_at=timezone.now(),
    )
    assert dict(ListingSend.objects.values_list("channel_sku", "outcome")) == {
        "A": "accepted",
        "B": "rejected",
        "C": "not_processed",
    }


def test_sends_older_than_90_days_are_deleted_and_younger_ones_kept():
    integration = IntegrationFactory()
    ListingSendFactory(integration=integration, answered_at=NOW - timedelta(days=91))
    kept = ListingSendFactory(integration=integration, answered_at=NOW - timedelta(days=1))

    assert listing_sends_purge_old(now=NOW) == 1

    assert list(ListingSend.objects.values_list("pk", flat=True)) == [kept.pk]
