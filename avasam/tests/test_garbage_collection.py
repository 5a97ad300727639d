"""The processes that serve requests and run tasks collect reference cycles less often once they are ready."""

from __future__ import annotations

import gc
import os
import subprocess
import sys
from pathlib import Path

import pytest
from celery.signals import worker_process_init

from avasam.garbage_collection import YOUNG_OBJECTS_BETWEEN_COLLECTIONS


@pytest.fixture
def restored_collector():
    threshold = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*threshold)


def test_each_worker_process_freezes_what_it_has_loaded_and_collects_young_objects_less_often(restored_collector):
    worker_process_init.send(sender=None)  # what Celery sends in each pool process once forked

    assert gc.get_threshold()[0] == YOUNG_OBJECTS_BETWEEN_COLLECTIONS
    assert gc.get_freeze_count() > 0


def test_each_web_process_does_the_same_once_it_loads_the_application():
    root = Path(__file__).resolve().parents[2]
    script = "import gc, avasam.wsgi; print(gc.get_threshold()[0], gc.get_freeze_count() > 0)"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "avasam.settings", "DEBUG": "true"}

    loaded = subprocess.run([sys.executable, "-c", script], cwd=root, env=env, capture_output=True, text=True)

    assert loaded.stdout.split() == [str(YOUNG_OBJECTS_BETWEEN_COLLECTIONS), "True"], loaded.stderr
