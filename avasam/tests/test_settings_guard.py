"""With DEBUG off the app refuses to start without its production secrets and Amazon app credentials."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = {
    "SECRET_KEY": "x" * 50,
    "FIELD_ENCRYPTION_KEYS": "a2V5",
    "AMAZON_LWA_CLIENT_ID": "amzn1.application-oa2-client.example",
    "AMAZON_LWA_CLIENT_SECRET": "secret",
    "AMAZON_SP_APP_ID": "amzn1.sp.solution.example",
}


def _start(extra_env: dict[str, str], command: str = "import django; django.setup()") -> subprocess.CompletedProcess:
    env = {key: value for key, value in os.environ.items() if key not in PRODUCTION}
    env.update({"DJANGO_SETTINGS_MODULE": "avasam.settings", "DEBUG": "false", **extra_env})
    return subprocess.run([sys.executable, "-c", command], cwd=ROOT, env=env, capture_output=True, text=True)


def test_it_refuses_to_start_without_a_secret_key():
    result = _start({name: value for name, value in PRODUCTION.items() if name != "SECRET_KEY"})
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_it_refuses_to_start_without_field_encryption_keys():
    result = _start({name: value for name, value in PRODUCTION.items() if name != "FIELD_ENCRYPTION_KEYS"})
    assert result.returncode != 0
    assert "FIELD_ENCRYPTION_KEYS" in result.stderr


@pytest.mark.parametrize("missing", ["AMAZON_LWA_CLIENT_ID", "AMAZON_LWA_CLIENT_SECRET", "AMAZON_SP_APP_ID"])
def test_it_refuses_to_start_without_the_amazon_app_credentials(missing):
    result = _start({name: value for name, value in PRODUCTION.items() if name != missing})
    assert result.returncode != 0
    assert f"set these environment variables: {missing} " in result.stderr


def test_one_message_names_everything_missing():
    result = _start({"SECRET_KEY": "x" * 50, "AMAZON_SP_APP_ID": "   "})
    assert result.returncode != 0
    assert (
        "set these environment variables: FIELD_ENCRYPTION_KEYS, AMAZON_LWA_CLIENT_ID, AMAZON_LWA_CLIENT_SECRET, "
        "AMAZON_SP_APP_ID (see README.md, Settings)."
    ) in result.stderr


def test_manage_py_refuses_too():
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env={**{k: v for k, v in os.environ.items() if k not in PRODUCTION}, "DEBUG": "false"},
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0
    assert "AMAZON_LWA_CLIENT_SECRET" in result.stderr


def test_it_starts_with_everything_set():
    result = _start(PRODUCTION)
    assert result.returncode == 0, result.stderr


def test_with_debug_on_it_falls_back_to_the_simulators_credentials():
    command = "import django; django.setup(); from django.conf import settings; print(settings.AMAZON_SP_APP_ID)"
    result = _start({"DEBUG": "true"}, command)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "amzn1.sp.solution.avasam-simulator"
