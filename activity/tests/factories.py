from __future__ import annotations

from datetime import timedelta

import factory
from django.utils import timezone

from activity.models import Run
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
