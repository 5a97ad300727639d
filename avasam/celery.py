"""The Celery app. Its configuration and beat schedule live in avasam.celery_config."""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "avasam.settings")

app = Celery("avasam", task_cls="celery.contrib.django.task:DjangoTask")
# Read lazily: Django settings are not ready while this package is first imported.
app.config_from_object("avasam.celery_config")
app.autodiscover_tasks()
