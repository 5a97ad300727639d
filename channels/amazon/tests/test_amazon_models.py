"""Amazon's models are found beside the checkout or its git worktree's main checkout; missing ones fail CI."""

from __future__ import annotations

import os
import subprocess
import sys

from channels.amazon.tests.amazon_models import CHECKOUT, MODELS_DIR_VARIABLE, models_dir

# A quick check of a simulator answer against a model; it needs no database.
MODEL_CHECKING_TEST = (
    "channels/amazon/tests/test_simulator_orders.py::test_marketplace_participations_list_the_sellers_sites"
)


def test_the_models_are_found_beside_a_plain_checkout(tmp_path, monkeypatch):
    monkeypatch.delenv(MODELS_DIR_VARIABLE, raising=False)
    (tmp_path / "shared" / "spapi-models").mkdir(parents=True)
    (tmp_path / "main" / ".git").mkdir(parents=True)

    assert models_dir(tmp_path / "main") == tmp_path / "shared" / "spapi-models"


def test_the_models_are_found_beside_the_main_checkout_of_a_git_worktree(tmp_path, monkeypatch):
    monkeypatch.delenv(MODELS_DIR_VARIABLE, raising=False)
    (tmp_path / "projects" / "shared" / "spapi-models").mkdir(parents=True)
    worktree_git_dir = tmp_path / "projects" / "main" / ".git" / "worktrees" / "feature"
    worktree_git_dir.mkdir(parents=True)
    (worktree_git_dir / "commondir").write_text("../..\n")
    worktree = tmp_path / "elsewhere" / "feature"
    worktree.mkdir(parents=True)
    (worktree / ".git").write_text(f"gitdir: {worktree_git_dir}\n")

    assert models_dir(worktree) == tmp_path / "projects" / "shared" / "spapi-models"


def test_no_models_is_none(tmp_path, monkeypatch):
    monkeypatch.delenv(MODELS_DIR_VARIABLE, raising=False)
    (tmp_path / "main").mkdir()

    assert models_dir(tmp_path / "main") is None


def test_without_the_models_a_check_fails_in_ci_and_skips_on_a_laptop(tmp_path):
    missing = {MODELS_DIR_VARIABLE: str(tmp_path / "no-models-here")}

    in_ci = _run_pytest(MODEL_CHECKING_TEST, **missing, CI="true")
    on_a_laptop = _run_pytest(MODEL_CHECKING_TEST, **missing, CI="")

    assert in_ci.returncode == 1, in_ci.stdout
    assert "CI=true but Amazon's model sellers.json was not found" in in_ci.stdout
    assert on_a_laptop.returncode == 0, on_a_laptop.stdout
    assert "1 skipped" in on_a_laptop.stdout


def _run_pytest(node_id: str, **environment: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-rs", "-p", "no:cacheprovider", node_id],
        cwd=CHECKOUT,
        env={**os.environ, **environment},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
