"""Amazon's published SP-API models, to check the simulator's answers against them.

Unmodified copies ship with the tests (`spapi/`, see its README), so every check runs wherever the suite runs:
none can skip, in CI or anywhere else.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema

MODELS_DIR = Path(__file__).resolve().parent / "spapi"


@cache
def _document(model_file: str) -> dict[str, Any]:
    return json.loads((MODELS_DIR / model_file).read_text())


def model_schema(model_file: str, definition: str | None = None) -> dict[str, Any]:
    """A JSON Schema for one definition of an SP-API model (or a whole schema file)."""
    document = _document(model_file)
    if definition is None:
        return document
    return {"$ref": f"#/definitions/{definition}", "definitions": document["definitions"]}


def assert_matches_model(instance: Any, model_file: str, definition: str | None = None) -> None:
    """Validate a body against Amazon's published schema."""
    jsonschema.validate(instance, model_schema(model_file, definition))
