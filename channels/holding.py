"""Who works on an integration's lane (its order download, its stock push) right now: held only while alive.

On PostgreSQL a hold is a session-level advisory lock: the server frees it the moment the holder's connection
drops, so a SIGKILLed or OOM-killed process keeps nobody out. On the embedded SQLite default (web, worker and
beat share one file) it is a row with a short lease that a heartbeat thread renews while the holder lives.
Either way a holder that ends, by success or by error, lets go at once.
"""

from __future__ import annotations

import threading
import time
import uuid
import zlib
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import timedelta

from django.db import DatabaseError, IntegrityError, connection, connections, transaction
from django.db.models import Q
from django.utils import timezone

from channels.models import IntegrationHold

# SQLite only: how long a lease lasts without its heartbeat, and how often the heartbeat renews it.
LEASE_SECONDS = 30
HEARTBEAT_SECONDS = 10
WAIT_POLL_SECONDS = 0.25


def _lane_key(lane: str) -> int:
    """The advisory lock's first key: the lane's name folded into a positive int4 (the second is the id)."""
    return zlib.crc32(lane.encode()) & 0x7FFFFFFF


@contextmanager
def hold(
    integration_id: int, lane: str, *, wait: float = 0.0, on_wait: Callable[[], None] | None = None
) -> Iterator[bool]:
    """Hold the integration's lane for the enclosed work; yields False when a live process holds it.

    With `wait`, wait up to that many seconds for the holder to finish (calling `on_wait` once, when the
    waiting starts) before yielding False.
    """
    take, release = (_pg_take, _pg_release) if connection.vendor == "postgresql" else (_lease_take, _lease_release)
    deadline = time.monotonic() + wait
    token = take(integration_id, lane)
    if token is None and wait > 0 and on_wait is not None:
        on_wait()
    while token is None and time.monotonic() < deadline:
        time.sleep(WAIT_POLL_SECONDS)
        token = take(integration_id, lane)
    if token is None:
        yield False
        return
    try:
        yield True
    finally:
        release(integration_id, lane, token)


def unheld(lane: str, integration_ids: Iterable[int]) -> list[int]:
    """Of these integrations, those whose lane no live process holds right now (one query)."""
    ids = sorted(set(integration_ids))
    if not ids:
        return []
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT objid::int FROM pg_locks WHERE locktype = 'advisory' AND classid::int = %s "
                "AND objsubid = 2 AND granted AND objid::int = ANY(%s)",
                [_lane_key(lane), ids],
            )
            held = {row[0] for row in cursor.fetchall()}
    else:
        held = set(
            IntegrationHold.objects.filter(lane=lane, integration_id__in=ids, expires_at__gt=timezone.now())
            .exclude(holder="")
            .values_list("integration_id", flat=True)
        )
    return [pk for pk in ids if pk not in held]


# --- PostgreSQL: session-level advisory locks ---------------------------------------------------------------


def _pg_take(integration_id: int, lane: str) -> str | None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [_lane_key(lane), integration_id])
        return "session" if cursor.fetchone()[0] else None


def _pg_release(integration_id: int, lane: str, token: str) -> None:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [_lane_key(lane), integration_id])
    except DatabaseError:
        # The connection is gone (or its transaction broken and about to be closed): the server let go with it.
        connection.close()


# --- SQLite: a short lease renewed by a heartbeat -----------------------------------------------------------

_heartbeats: dict[str, threading.Event] = {}


def _lease_take(integration_id: int, lane: str) -> str | None:
    holder, now = uuid.uuid4().hex, timezone.now()
    free = Q(holder="") | Q(expires_at__lte=now)
    lease = {"holder": holder, "expires_at": now + timedelta(seconds=LEASE_SECONDS)}
    taken = IntegrationHold.objects.filter(free, integration_id=integration_id, lane=lane).update(**lease)
    if not taken:
        try:
            with transaction.atomic():
                IntegrationHold.objects.create(integration_id=integration_id, lane=lane, **lease)
        except IntegrityError:  # the row exists and a live holder has it
            return None
    stop = _heartbeats[holder] = threading.Event()
    threading.Thread(target=_heartbeat, args=(integration_id, lane, holder, stop), daemon=True).start()
    return holder


def _heartbeat(integration_id: int, lane: str, holder: str, stop: threading.Event) -> None:
    try:
        while not stop.wait(HEARTBEAT_SECONDS):
            IntegrationHold.objects.filter(integration_id=integration_id, lane=lane, holder=holder).update(
                expires_at=timezone.now() + timedelta(seconds=LEASE_SECONDS)
            )
    finally:
        connections.close_all()  # this thread's own connection


def _lease_release(integration_id: int, lane: str, holder: str) -> None:
    _heartbeats.pop(holder).set()
    IntegrationHold.objects.filter(integration_id=integration_id, lane=lane, holder=holder).update(
        holder="", expires_at=timezone.now()
    )
