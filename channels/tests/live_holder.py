"""A live process holding an integration's lane, for tests: another thread, its own database connection."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection

from channels.holding import hold


@contextmanager
def live_holder(integration_id: int, lane: str) -> Iterator[None]:
    """Hold the lane in another thread for the enclosed block; let go when it ends."""
    started, done = threading.Event(), threading.Event()

    def holder():
        with hold(integration_id, lane):
            started.set()
            done.wait(30)
        connection.close()

    thread = threading.Thread(target=holder)
    thread.start()
    assert started.wait(10), "the holder never got the lane"
    try:
        yield
    finally:
        done.set()
        thread.join()
