"""Development-only secrets, generated once and kept under var/ so restarts keep sessions and data."""

from __future__ import annotations

import secrets
from pathlib import Path

from cryptography.fernet import Fernet


def development_secret(var_dir: Path, name: str, *, fernet: bool = False) -> str:
    """Return the secret stored in var/<name>, creating it on first use."""
    path = var_dir / name
    if path.exists():
        return path.read_text().strip()
    var_dir.mkdir(parents=True, exist_ok=True)
    value = Fernet.generate_key().decode() if fernet else secrets.token_urlsafe(50)
    path.write_text(value)
    path.chmod(0o600)
    return value
