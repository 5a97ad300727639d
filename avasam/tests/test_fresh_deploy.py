"""Beat on a fresh deploy: a clean checkout (no var/), DEBUG off, production settings, a real `celery beat`."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.django_db]


PROJECT = Path(__file__).resolve().parents[2]


def _fresh_clone(target: Path) -> Path:
    """The project's tracked files only, as `git clone` (or the Docker image) would have them: no var/."""
    files = subprocess.run(["git", "ls-files", "-z"], cwd=PROJECT, capture_output=True, check=True).stdout
    for name in filter(None, files.decode().split("\0")):
        source = PROJECT / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    assert not (target / "var").exists()
    return target


def test_celery_beat_starts_on_a_fresh_clone_with_debug_off(tmp_path):
    clone = _fresh_clone(tmp_path / "avasam")
    db = connection.settings_dict
    env = {
        **{name: value for name, value in os.environ.items() if name not in ("DEBUG", "DJANGO_SETTINGS_MODULE")},
        "DJANGO_SETTINGS_MODULE": "avasam.settings",
        "DEBUG": "false",
        "SECRET_KEY": "a-production-like-secret-key-for-this-test-only-0123456789",
        "FIELD_ENCRYPTION_KEYS": ",".join(settings.FIELD_ENCRYPTION_KEYS),
        "AMAZON_LWA_CLIENT_ID": "amzn1.application-oa2-client.test",
        "AMAZON_LWA_CLIENT_SECRET": "test-secret",
        "AMAZON_SP_APP_ID": "amzn1.sp.solution.test",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
        "REDIS_URL": settings.REDIS_URL,
        "CELERY_BROKER_URL": "memory://",  # what it sends is not under test and must reach no worker
    }
    command = [sys.executable, "-m", "celery", "-A", "avasam", "beat", "--loglevel=INFO"]
    beat = subprocess.Popen(
        command, cwd=clone, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True
    )
    try:
        deadline = time.monotonic() + 30
        while not list((clone / "var").glob("celerybeat-schedule*")) and time.monotonic() < deadline:
            assert beat.poll() is None, beat.communicate()[0].decode()[-3000:]
            time.sleep(0.2)
        time.sleep(1)  # still up once its schedule is open
        assert beat.poll() is None, beat.communicate()[0].decode()[-3000:]
        assert list((clone / "var").glob("celerybeat-schedule*"))
    finally:
        with contextlib.suppress(ProcessLookupError):  # beat may have exited: its output is what the test reports
            os.killpg(beat.pid, signal.SIGKILL)
        beat.wait()
