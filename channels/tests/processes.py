"""Real processes for crash tests: `manage.py` commands and Celery workers against the test database, the
simulator and (for workers) your Redis database, each in its own process group so a test can SIGKILL it whole."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from celery import Celery
from django.conf import settings
from django.db import connection

PROJECT = Path(__file__).resolve().parents[2]


def database_url() -> str:
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    return f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def process_env(simulator, **extra: str) -> dict[str, str]:
    """The real settings (pytest's would ignore the endpoints), with development keys, on the test database."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "avasam.settings",
        "DEBUG": "true",
        "DATABASE_URL": database_url(),
        "FIELD_ENCRYPTION_KEYS": ",".join(settings.FIELD_ENCRYPTION_KEYS),
        "AMAZON_SP_API_ENDPOINT": simulator.base_url,
        "AMAZON_LWA_TOKEN_URL": f"{simulator.base_url}/auth/o2/token",
        # Whatever a command enqueues is not under test and must not reach a real broker.
        "CELERY_BROKER_URL": "memory://",
        **extra,
    }


def start(command: list[str], env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen(
        command,
        cwd=PROJECT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group, killed whole
    )


def manage_py(simulator, *args: str, **extra_env: str) -> subprocess.Popen:
    return start([sys.executable, "manage.py", *args], process_env(simulator, **extra_env))


def kill(process: subprocess.Popen) -> float:
    """SIGKILL the whole process group; returns the moment (time.monotonic) of the kill."""
    killed_at = time.monotonic()
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    return killed_at


def wait_for(condition: Callable[[], bool], process: subprocess.Popen | None = None, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if (process is not None and process.poll() is not None) or time.monotonic() > deadline:
            output, errors = ("", "")
            if process is not None:
                if process.poll() is None:
                    kill(process)
                output, errors = process.communicate()
            pytest.fail(f"never got there (exit {process and process.returncode}):\n{output}\n{errors[-3000:]}")
        time.sleep(0.02)


def celery_worker(simulator, broker_url: str, name: str, schedule_dir: Path, *, with_beat: bool, **env: str):
    """A real `celery worker` (solo pool) on `broker_url`; with beat embedded, its schedule file in `schedule_dir`."""
    command = [sys.executable, "-m", "celery", "-A", "avasam", "worker", "--pool=solo", "-n", f"{name}@%h"]
    if with_beat:
        command += ["-B", "-s", str(schedule_dir / f"{name}-schedule")]
    return start(command, process_env(simulator, CELERY_BROKER_URL=broker_url, REDIS_URL=broker_url, **env))


def send_task(broker_url: str, task: str, *args) -> None:
    """Enqueue as the web or beat would, on the real broker (the test process's Celery app may be eager)."""
    app = Celery(broker=broker_url)
    try:
        app.send_task(task, args=list(args))
    finally:
        app.close()


def empty_celery_queues(redis_client) -> None:
    """Celery's queue and unacknowledged messages on your Redis database, so no earlier task reaches a worker."""
    for key in ("celery", "unacked", "unacked_index", "unacked_mutex"):
        redis_client.delete(key)


def stop(*processes: subprocess.Popen | None) -> None:
    for process in processes:
        if process is not None and process.poll() is None:
            kill(process)
