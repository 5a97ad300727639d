"""CPU time of processes on this machine, from /proc: where a benchmark's work runs, not only how long it took."""

from __future__ import annotations

import os
import time
from pathlib import Path


def _stat(pid: int | str) -> list[str]:
    """The fields of /proc/<pid>/stat after the command name (which may hold spaces and parentheses)."""
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()


def process_cpu_seconds(pid: int) -> float:
    """User and system CPU time so far of process `pid` (all its threads)."""
    fields = _stat(pid)
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def postgres_cpu_seconds(connection) -> float:
    """CPU time so far of the PostgreSQL server process serving this connection (the server runs on this machine)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    return process_cpu_seconds(pid)


def process_tree_cpu_seconds(pid: int) -> float:
    """CPU time so far of process `pid` and every live process below it (gunicorn's or Celery's workers)."""
    children: dict[int, list[int]] = {}
    for process in Path("/proc").glob("[0-9]*"):
        try:
            parent = int(_stat(process.name)[1])
        except OSError:  # the process ended meanwhile
            continue
        children.setdefault(parent, []).append(int(process.name))
    total, todo = 0.0, [pid]
    while todo:
        current = todo.pop()
        try:
            total += process_cpu_seconds(current)
        except OSError:
            continue
        todo.extend(children.get(current, ()))
    return total


def postgres_server_cpu_seconds() -> float:
    """CPU time so far of every live PostgreSQL server process on this machine (all databases, all backends)."""
    total = 0.0
    for comm in Path("/proc").glob("[0-9]*/comm"):
        try:
            if comm.read_text().strip() == "postgres":
                total += process_cpu_seconds(int(comm.parent.name))
        except OSError:
            continue
    return total


def machine_speed_ms() -> float:
    """Milliseconds this machine takes now for a fixed loop of plain Python (best of 3). The machines here are
    shared, and the same code has run half as fast from one day to the next: compare runs of different days
    by this too."""
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        total = 0
        for number in range(2_000_000):
            total += number
        best = min(best, time.perf_counter() - started)
    return best * 1000
