"""The Celery guarantees every background feature relies on; this test keeps them from drifting."""

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
