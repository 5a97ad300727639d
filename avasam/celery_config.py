"""Celery's delivery guarantees and the whole beat schedule, declared here and only here."""

from __future__ import annotations

from celery.schedules import crontab
from django.conf import settings
from kombu import Queue


def _broker_transport_options() -> dict:
    if not broker_url.startswith("filesystem://"):
        # Longer than any countdown we schedule, so Redis never redelivers a waiting task early.
        return {"visibility_timeout": 60 * 60}
    queue_dir, control_dir = settings.BROKER_DIR / "queue", settings.BROKER_DIR / "control"
    for folder in (queue_dir, control_dir):
        folder.mkdir(parents=True, exist_ok=True)
    return {
        "data_folder_in": str(queue_dir),
        "data_folder_out": str(queue_dir),
        "control_folder": str(control_dir),  # else kombu writes it in the working directory
        "store_processed": False,
    }


broker_url = settings.CELERY_BROKER_URL
broker_transport_options = _broker_transport_options()
broker_connection_retry_on_startup = True

# The fast lane (a listing dropped to 0) has its own queue: a worker takes from both in turn, so neither waits
# behind the other's backlog. A worker started without --queues consumes every queue listed here.
task_default_queue = "celery"
task_queues = (Queue("celery"), Queue("stock-fast"))
task_routes = {"stock.push.tasks.stock_push_fast_lane": {"queue": "stock-fast"}}

task_always_eager = settings.CELERY_TASK_ALWAYS_EAGER
task_eager_propagates = True

task_serializer = "json"
result_serializer = "json"
accept_content = ["json"]
task_ignore_result = True

# Celery's Django fixup closes the database connection around every task unless this is set, and each task would
# start a PostgreSQL server process of its own, its caches cold. Set, the fixup closes them every this many tasks,
# and `avasam.celery` closes only those past CONN_MAX_AGE or broken, as Django does around each web request.
CELERY_DB_REUSE_MAX = 1000

# A task is acknowledged only when it finishes; a worker that dies hands its task back.
task_acks_late = True
task_reject_on_worker_lost = True
worker_prefetch_multiplier = 1
task_soft_time_limit = 240
task_time_limit = 300

timezone = "UTC"
enable_utc = True

# A fresh deploy has no var/ (.dockerignore leaves it out of the image): beat would die opening its schedule.
settings.VAR_DIR.mkdir(parents=True, exist_ok=True)
beat_schedule_filename = str(settings.VAR_DIR / "celerybeat-schedule")

# Each entry fans out one task per integration or drains pending work; nothing heavy runs here.
beat_schedule: dict[str, dict] = {}

# Orders: the download fan-out every ORDER_DOWNLOAD_INTERVAL_SECONDS, and the daily purge.
beat_schedule["orders-download-fan-out"] = {
    "task": "orders.tasks.download_orders_for_all_integrations",
    "schedule": settings.ORDER_DOWNLOAD_INTERVAL_SECONDS,
}
# A download a dead worker left (unfinished, or overdue) goes to a live worker within seconds.
beat_schedule["orders-download-sweep"] = {
    "task": "orders.tasks.sweep_order_downloads",
    "schedule": settings.SWEEP_SECONDS,
}
beat_schedule["orders-purge-expired"] = {
    "task": "orders.tasks.purge_expired_orders",
    "schedule": crontab(hour=3, minute=15),
}

# Stock push: the drain finds every pending listing, so a lost task message loses nothing; the values sent are
# kept as long as the activity log.
imports = ("stock.push.tasks", "stock.push.drain", "stock.tasks")
beat_schedule["stock-push-drain"] = {
    "task": "stock.push.drain.stock_push_drain",
    "schedule": settings.STOCK_PUSH_DRAIN_SECONDS,
}
beat_schedule["stock-push-purge-old-sends"] = {
    "task": "stock.push.drain.listing_sends_purge",
    "schedule": crontab(hour=3, minute=50),
}

# The activity log's 90-day retention, and Amazon's 365-day authorisation lapse.
beat_schedule["activity-purge-old-runs"] = {
    "task": "activity.tasks.activity_purge_old_runs",
    "schedule": crontab(hour=3, minute=45),
}
beat_schedule["authorisations-mark-lapsed"] = {
    "task": "channels.amazon.tasks.authorisations_mark_lapsed",
    "schedule": crontab(hour=0, minute=5),
}

# Listing mappings: large CSV uploads whose task was lost or whose worker died carry on.
beat_schedule["mapping-uploads-resume"] = {
    "task": "stock.tasks.resume_mapping_uploads",
    "schedule": 60.0,
}

# Fulfilment: parcels to confirm on Amazon (new ones are also queued when recorded; this catches retries and
# attempts left "sending" by a dead worker).
beat_schedule["fulfilment-confirm-shipments"] = {
    "task": "fulfilment.tasks.confirm_shipments_for_all_integrations",
    "schedule": settings.FULFILMENT_CONFIRM_INTERVAL_SECONDS,
}
