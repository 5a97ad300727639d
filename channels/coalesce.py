"""At most one queued task per integration and lane: a marker set when the task is enqueued, cleared when it starts.

A worker that falls behind then holds one message per integration, not one per fan-out or per stock batch. The
markers live in Redis (one round trip for a whole fan-out) and expire, so a lost message delays that integration by
at most QUEUED_MARKER_SECONDS. Without Redis (the demo's file-system broker) every enqueue goes through.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache

import redis
from celery import Task
from django.conf import settings

KEY_PREFIX = "avasam:queued"


def enqueue_once(task: Task, integration_ids: Iterable[int], *, lane: str) -> int:
    """Enqueue `task(integration_id)` for each integration with no such task queued yet; returns how many went."""
    integration_ids = list(integration_ids)
    if settings.REDIS_URL and integration_ids:
        pipeline = _redis(settings.REDIS_URL).pipeline(transaction=False)
        for integration_id in integration_ids:
            pipeline.set(_key(lane, integration_id), 1, nx=True, ex=settings.QUEUED_MARKER_SECONDS)
        integration_ids = [
            integration_id for integration_id, fresh in zip(integration_ids, pipeline.execute(), strict=True) if fresh
        ]
    if not integration_ids:
        return 0
    # One connection for the whole fan-out, its messages sent in pipelined batches (one round trip per thousand).
    with task.app.producer_or_acquire() as producer, producer.batch():
        for integration_id in integration_ids:
            task.apply_async((integration_id,), producer=producer)
    return len(integration_ids)


def queued_again(*, integration_id: int, lane: str, seconds: float) -> bool:
    """A started task is about to retry itself: it is the integration's queued task again. False when another one
    was queued meanwhile (it will do what is left, so the retry is not needed)."""
    if not settings.REDIS_URL:
        return True
    expiry = max(1, int(seconds) + settings.QUEUED_MARKER_SECONDS)
    return bool(_redis(settings.REDIS_URL).set(_key(lane, integration_id), 1, nx=True, ex=expiry))


def queued_clear(*, integration_id: int, lane: str) -> None:
    """The task has started: a change from now on needs a new one."""
    if settings.REDIS_URL:
        _redis(settings.REDIS_URL).delete(_key(lane, integration_id))


def _key(lane: str, integration_id: int) -> str:
    return f"{KEY_PREFIX}:{lane}:{integration_id}"


@cache
def _redis(url: str) -> redis.Redis:
    return redis.Redis.from_url(url)
