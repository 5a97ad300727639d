"""A real Celery worker keeps its database connection from task to task, as the web does from request to request,
instead of starting a PostgreSQL server process for each task (Celery's default with Django)."""

from __future__ import annotations

import time

import pytest
from django.db import connection
from django.utils import timezone

from channels.tests.processes import celery_worker, empty_celery_queues, send_task, stop, wait_for
from orders.models import OrderDownload
from orders.tests.simulated import connected_integration

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.django_db(transaction=True)]

TASKS = 12


def sessions_started() -> int:
    """Connections ever made to the test database (PostgreSQL counts them as they are reported, within a second)."""
    time.sleep(1.5)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute("SELECT sessions FROM pg_stat_database WHERE datname = current_database()")
        return cursor.fetchone()[0]


def test_a_worker_runs_task_after_task_on_the_same_connection(amazon_simulator, redis_client, settings, tmp_path):
    empty_celery_queues(redis_client)
    integration = connected_integration(amazon_simulator)
    worker = celery_worker(amazon_simulator, settings.REDIS_URL, "reuse", tmp_path, with_beat=False)
    try:

        def downloaded_since(moment):
            return OrderDownload.objects.filter(integration=integration, last_succeeded_at__gt=moment).exists

        started = timezone.now()
        send_task(settings.REDIS_URL, "orders.tasks.download_orders", integration.pk)
        wait_for(downloaded_since(started), worker, timeout=60)
        before = sessions_started()
        for _ in range(TASKS):
            started = timezone.now()
            send_task(settings.REDIS_URL, "orders.tasks.download_orders", integration.pk)
            wait_for(downloaded_since(started), worker, timeout=30)
        after = sessions_started()
    finally:
        stop(worker)
        empty_celery_queues(redis_client)

    # This test's own connection, and none for the worker's twelve downloads (each was two or more before).
    assert after - before <= 2, f"{after - before} connections for {TASKS} tasks"
