from __future__ import annotations

from datetime import timedelta

import factory
from django.utils import timezone

from activity.models import ListingSend, Run
from channels.tests.factories import IntegrationFactory


class RunFactory(factory.django.DjangoModelFactory):
    """A finished, successful order download."""

    class Meta:
        model = Run

    integration = factory.SubFactory(IntegrationFactory)
    kind = Run.Kind.ORDER_DOWNLOAD
    started_at = factory.LazyFunction(lambda: timezone.now() - timedelta(seconds=5))
    finished_at = factory.LazyAttribute(lambda run: run.started_at + timedelta(seconds=2))
    outcome = Run.Outcome.SUCCEEDED


class ListingSendFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ListingSend

    integration = factory.SubFactory(IntegrationFactory)
    channel_sku = factory.Sequence(lambda n: f"AMZ-{n:05d}")
    lane = Run.Lane.BULK
    version = 1
    quantity = 10
    outcome = ListingSend.Outcome.ACCEPTED
