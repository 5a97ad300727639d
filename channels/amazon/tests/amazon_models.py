"""Amazon's published SP-API models, to check the simulator's answers against them.

They live in shared/spapi-models/ beside the checkout, or beside the main checkout when this one is a git
worktree; SPAPI_MODELS_DIR names another place. Without them a check skips on a laptop and fails in CI.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import jsonschema

from conftest import skip_or_fail

CHECKOUT = Path(__file__).resolve().parents[3]
MODELS_DIR_VARIABLE = "SPAPI_MODELS_DIR"
_BESIDE_A_CHECKOUT = Path("shared") / "spapi-models"


def models_dir(checkout: Path = CHECKOUT) -> Path | None:
    """The directory holding Amazon's models, or None when there is none."""
    if os.environ.get(MODELS_DIR_VARIABLE):
        candidates = [Path(os.environ[MODELS_DIR_VARIABLE])]
    else:
        candidates = [checkout.parent / _BESIDE_A_CHECKOUT]
        main_checkout = _main_checkout(checkout)
        if main_checkout is not None:
            candidates.append(main_checkout.parent / _BESIDE_A_CHECKOUT)
    return next((candidate for candidate in candidates if candidate.is_dir()), None)


def _main_checkout(checkout: Path) -> Path | None:
    """For a git worktree (.git is a file naming its git directory), the checkout that owns the repository."""
    dot_git = checkout / ".git"
    if not dot_git.is_file():
        return None
    line = dot_git.read_text().strip()
    if not line.startswith("gitdir:"):
        return None
    git_dir = checkout / line.removeprefix("gitdir:").strip()
    common_file = git_dir / "commondir"
    common_dir = git_dir / common_file.read_text().strip() if common_file.is_file() else git_dir
    return common_dir.resolve().parent


def model_schema(model_file: str, definition: str | None = None) -> dict[str, Any]:
    """A JSON Schema for one definition of an SP-API model (or a whole schema file)."""
    directory = models_dir()
    if directory is None or not (directory / model_file).is_file():
        skip_or_fail(
            f"Amazon's model {model_file} was not found: put shared/spapi-models/ beside the checkout "
            f"or name its directory in {MODELS_DIR_VARIABLE}"
        )
    document = json.loads((directory / model_file).read_text())
    if definition is None:
        return document
    return {"$ref": f"#/definitions/{definition}", "definitions": document["definitions"]}


def assert_matches_model(instance: Any, model_file: str, definition: str | None = None) -> None:
    """Validate a body against Amazon's published schema."""
    jsonschema.validate(instance, model_schema(model_file, definition))
