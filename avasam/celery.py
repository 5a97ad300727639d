"""The Celery app. Its configuration and beat schedule live in avasam.celery_config."""

from __future__ import annotations

import os

from celery import Celery
from celery.signals import task_postrun, task_prerun, worker_process_init
from django.db import close_old_connections

from avasam.garbage_collection import collect_for_a_server_process

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "avasam.settings")

app = Celery("avasam", task_cls="celery.contrib.django.task:DjangoTask")
# Read lazily: Django settings are not ready while this package is first imported.
app.config_from_object("avasam.celery_config")
app.autodiscover_tasks()


@task_prerun.connect
@task_postrun.connect
def _close_old_connections(task, **_) -> None:
    """Connections past CONN_MAX_AGE or broken by an error are not handed to the next task (celery_config's
    CELERY_DB_REUSE_MAX keeps the others). Not for a task run eagerly, inside its caller's transaction."""
    if not task.request.is_eager:
        close_old_connections()


@worker_process_init.connect
def _collect_less_often(**_) -> None:
    """Each pool process, once forked with the tasks loaded (see avasam.garbage_collection)."""
    collect_for_a_server_process()
