"""Holding an integration's lane: only while the holder lives, let go when it ends however it ends."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from channels import holding
from channels.holding import hold, unheld
from channels.models import IntegrationHold
from channels.tests.factories import IntegrationFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _held_elsewhere(integration_id: int, lane: str, started: threading.Event, done: threading.Event) -> None:
    """Another process's holder: its own thread, so its own database session."""
    try:
        with hold(integration_id, lane) as held:
            assert held
            started.set()
            done.wait(10)
    finally:
        connection.close()


def _holder_thread(integration_id: int, lane: str) -> tuple[threading.Thread, threading.Event]:
    started, done = threading.Event(), threading.Event()
    thread = threading.Thread(target=_held_elsewhere, args=(integration_id, lane, started, done))
    thread.start()
    assert started.wait(10)
    return thread, done


def test_a_lane_held_by_a_live_session_keeps_others_out_until_it_ends():
    integration, other = IntegrationFactory(), IntegrationFactory()
    thread, done = _holder_thread(integration.pk, "orders")

    with hold(integration.pk, "orders") as held:
        assert not held
    with hold(integration.pk, "stock-bulk") as held, hold(other.pk, "orders") as other_held:
        assert held and other_held  # another lane, another integration: free
    assert unheld("orders", [integration.pk, other.pk]) == [other.pk]

    done.set()
    thread.join()
    with hold(integration.pk, "orders") as held:
        assert held
    assert unheld("orders", [integration.pk, other.pk]) == [integration.pk, other.pk]


def test_a_waiting_holder_says_so_once_and_gets_the_lane_when_the_holder_ends():
    integration = IntegrationFactory()
    thread, done = _holder_thread(integration.pk, "orders")
    said = []
    threading.Timer(0.5, done.set).start()

    with hold(integration.pk, "orders", wait=10, on_wait=lambda: said.append("waiting")) as held:
        assert held
    thread.join()
    assert said == ["waiting"]


def test_a_holder_that_raises_lets_go_at_once():
    integration = IntegrationFactory()
    with pytest.raises(RuntimeError), hold(integration.pk, "orders"):
        raise RuntimeError("a database error, say")
    assert unheld("orders", [integration.pk]) == [integration.pk]


def test_the_embedded_lease_keeps_others_out_until_it_ends_or_runs_out_unrenewed():
    integration = IntegrationFactory()
    first = holding._lease_take(integration.pk, "orders")
    assert first and holding._lease_take(integration.pk, "orders") is None

    holding._lease_release(integration.pk, "orders", first)
    second = holding._lease_take(integration.pk, "orders")
    assert second

    # Its holder died: the heartbeat stops, and once the lease runs out the lane is free again.
    holding._heartbeats.pop(second).set()
    IntegrationHold.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    third = holding._lease_take(integration.pk, "orders")
    assert third
    holding._lease_release(integration.pk, "orders", third)
