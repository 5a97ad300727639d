"""With DEBUG off the app refuses to start without its production secrets."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _start(extra_env: dict[str, str]) -> subprocess.CompletedProcess:
    env = {key: value for key, value in os.environ.items() if key not in {"SECRET_KEY", "FIELD_ENCRYPTION_KEYS"}}
    env.update({"DJANGO_SETTINGS_MODULE": "avasam.settings", "DEBUG": "false", **extra_env})
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"], cwd=ROOT, env=env, capture_output=True, text=True
    )


def test_it_refuses_to_start_without_a_secret_key():
    result = _start({"FIELD_ENCRYPTION_KEYS": "x"})
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_it_refuses_to_start_without_field_encryption_keys():
    result = _start({"SECRET_KEY": "x" * 50})
    assert result.returncode != 0
    assert "FIELD_ENCRYPTION_KEYS" in result.stderr


def test_it_starts_with_both():
    result = _start({"SECRET_KEY": "x" * 50, "FIELD_ENCRYPTION_KEYS": "a2V5"})
    assert result.returncode == 0, result.stderr
