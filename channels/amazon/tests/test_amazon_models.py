"""Amazon's models ship with the tests: the checks against them can never skip."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest

from channels.amazon.tests.amazon_models import MODELS_DIR, model_schema

TESTS = Path(__file__).resolve().parent
JSON_FILE = re.compile(r"\"([A-Za-z0-9_.-]+\.json)\"")
# SHA-256 of each copy as published by Amazon (amzn/selling-partner-api-models at commit 34dc93f).
PUBLISHED = {
    "feeds_2021-06-30.json": "ab235b4a0e5ce21083b885dd4f2b8cae7a6f597d7adf2647b47b90d6f5098a16",
    "listings-feed-message-schema-v2.json": "352ede68b5f16aba7946edc11e5ec7f02b84c9700cf40945fe6ed895b2d523f2",
    "listings-feed-processing-report-schema-v2.example.json": "035a5a0c88c8b5b627060c9542961718b8fdc619872b134a58428a1ec5d84686",  # noqa: E501
    "listings-feed-processing-report-schema-v2.json": "03daac9d3fa97d729efb3f3c2836c664036a8ef32a9829363d8026bb097178fd",  # noqa: E501
    "listings-feed-schema-v2.json": "9f6c00a109f086c269427ae1bc4afe1f9ba49ff8df46de9de939fa2c9f00e1ef",
    "listingsItems_2021-08-01.json": "ddba7322661a227b6148dabadaf93da15dde6dfe0eb828c04e9f8b653b8d2557",
    "ordersV0.json": "027ac6f5c97126647c6925db9be09f78c7c741cd1d8727a5367374a1846bedc5",
    "orders_2026-01-01.json": "4bd47126b466b94ccb04d822e3b94edee1fa7977a8b376a8c329852ef61be431",
    "sellers.json": "497862ea32de8040453649986e2cd7c6fcc15b55e8022becc783e4a6d6ffcffd",
}


@pytest.mark.parametrize("model_file", sorted(PUBLISHED))
def test_each_model_is_amazons_unmodified_copy(model_file):
    assert hashlib.sha256((MODELS_DIR / model_file).read_bytes()).hexdigest() == PUBLISHED[model_file]


def test_every_model_file_a_test_names_is_here():
    named = {name for path in TESTS.glob("test_*.py") for name in JSON_FILE.findall(path.read_text())}
    assert named, "the simulator's wire-format tests name Amazon's models"
    assert named <= set(PUBLISHED), f"named by tests but not shipped: {sorted(named - set(PUBLISHED))}"
    assert all(model_schema(name) for name in named)
