"""docker-compose.yml describes the production layout the README promises (no Docker engine here to run it)."""

from pathlib import Path

import yaml

COMPOSE = Path(__file__).resolve().parents[2] / "docker-compose.yml"
PROCFILE = COMPOSE.with_name("Procfile")


def _services() -> dict:
    return yaml.safe_load(COMPOSE.read_text())["services"]


def test_it_runs_web_worker_and_beat_on_postgresql_and_redis():
    services = _services()
    assert set(services) == {"web", "worker", "beat", "postgres", "redis"}
    assert "gunicorn avasam.wsgi" in services["web"]["command"]
    assert services["worker"]["command"].startswith("celery -A avasam worker")
    assert services["beat"]["command"].startswith("celery -A avasam beat")


def test_the_web_comes_before_background_work_when_the_machine_is_busy():
    services = _services()
    assert services["worker"]["cpu_shares"] < services["web"].get("cpu_shares", 1024) / 4


def test_every_app_process_gets_the_production_settings():
    for name in ("web", "worker", "beat"):
        environment = _services()[name]["environment"]
        assert environment["DATABASE_URL"].startswith("postgres://")
        assert environment["REDIS_URL"].startswith("redis://")
        assert "SECRET_KEY" in environment and "FIELD_ENCRYPTION_KEYS" in environment
        for name in ("AMAZON_LWA_CLIENT_ID", "AMAZON_LWA_CLIENT_SECRET", "AMAZON_SP_APP_ID"):
            assert environment[name] == f"${{{name}:?set {name}}}", "production must bring its own"
        assert "DEBUG" not in environment, "production runs with DEBUG off"


def test_the_procfile_weighs_the_worker_as_docker_compose_does():
    # The kernel's CPU weight of a niceness (sched_prio_to_weight) is what cpu_shares sets beside the default 1024.
    weight_of_niceness = {0: 1024, 10: 110, 19: 15}
    worker = next(line for line in PROCFILE.read_text().splitlines() if line.startswith("worker:"))
    niceness = int(worker.split("nice -n ")[1].split()[0])
    assert _services()["worker"]["cpu_shares"] == weight_of_niceness[niceness]
