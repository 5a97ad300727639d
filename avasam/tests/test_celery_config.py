"""The Celery guarantees every background feature relies on; this test keeps them from drifting."""

import os
import subprocess
import sys
from pathlib import Path

from avasam.celery import app
from avasam.celery_config import beat_schedule


def test_tasks_travel_as_json_only():
    assert app.conf.task_serializer == "json"
    assert app.conf.result_serializer == "json"
    assert list(app.conf.accept_content) == ["json"]


def test_a_task_is_handed_back_when_its_worker_dies():
    assert app.conf.task_acks_late is True
    assert app.conf.task_reject_on_worker_lost is True
    assert app.conf.worker_prefetch_multiplier == 1


def test_tasks_have_soft_and_hard_time_limits():
    assert 0 < app.conf.task_soft_time_limit < app.conf.task_time_limit


def test_the_beat_schedule_is_the_one_declared_in_code_and_names_real_tasks():
    app.loader.import_default_modules()
    assert app.conf.beat_schedule == beat_schedule
    for name, entry in beat_schedule.items():
        assert entry["task"] in app.tasks, f"beat entry {name!r} names an unknown task"


def test_the_embedded_broker_keeps_everything_under_var():
    # Run in a fresh interpreter: the settings read the environment once.
    root = Path(__file__).resolve().parents[2]
    env = {key: value for key, value in os.environ.items() if key not in {"REDIS_URL", "CELERY_BROKER_URL"}}
    env.update({"DJANGO_SETTINGS_MODULE": "avasam.settings", "DEBUG": "true"})
    command = "from avasam import celery_config as c; print(sorted(c.broker_transport_options.items()))"
    result = subprocess.run([sys.executable, "-c", command], cwd=root, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    var = str(root / "var" / "broker")
    assert f"('control_folder', '{var}/control')" in result.stdout
    assert f"('data_folder_in', '{var}/queue')" in result.stdout
