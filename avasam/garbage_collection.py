"""Python's cycle collector, set for the long-lived processes that serve requests and run tasks.

By default Python looks for reference cycles after every 700 new container objects, and now and then walks every
object the process holds, most of them Django's modules, models and URL patterns, which live as long as it does. A
downloaded page of orders makes tens of thousands of objects: a 10,000-order download spent 0.24-0.33 s of its 3.7-4.9 s
in about 480 collections (bench/orders_ingest.py). Once a process is ready, what it holds is frozen out of every
collection, and young objects are looked at every 50,000 instead: cycles are still collected, a few MB later.
"""

from __future__ import annotations

import gc

YOUNG_OBJECTS_BETWEEN_COLLECTIONS = 50_000


def collect_for_a_server_process() -> None:
    """Call once the process has loaded everything it serves with, in each process (after the fork)."""
    gc.collect()  # garbage left from start-up is freed rather than frozen
    gc.freeze()
    _, middle_aged, old = gc.get_threshold()
    gc.set_threshold(YOUNG_OBJECTS_BETWEEN_COLLECTIONS, middle_aged, old)
