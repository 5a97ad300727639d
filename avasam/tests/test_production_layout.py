"""docker-compose.yml describes the production layout the README promises (no Docker engine here to run it)."""

from pathlib import Path

import yaml

COMPOSE = Path(__file__).resolve().parents[2] / "docker-compose.yml"


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
