"""What the end-to-end benchmarks share: the app's command-line options, its web server and worker processes."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

from supplier_stock import free_port

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent


def add_app_arguments(parser: argparse.ArgumentParser, *, database: str, redis_db: int) -> None:
    """--postgres, --redis, --speedup, --concurrency, --web-workers, --timeout and --keep-db."""
    parser.add_argument(
        "--postgres",
        default=os.environ.get("BENCH_POSTGRES", f"postgres://postgres@127.0.0.1:5432/{database}"),
        help="the bench database URL; it is dropped and created again (default: %(default)s)",
    )
    parser.add_argument("--redis", default=os.environ.get("REDIS_URL") or f"redis://127.0.0.1:6379/{redis_db}")
    parser.add_argument("--concurrency", type=int, default=2, help="Celery worker processes")
    parser.add_argument("--web-workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--keep-db", action="store_true")


def start_app(args: argparse.Namespace, env: dict[str, str]) -> tuple[list[subprocess.Popen], str]:
    """gunicorn on a free port and a Celery worker; returns the processes and the web server's URL."""
    port = free_port()
    gunicorn = [str(VENV_BIN / "gunicorn"), "avasam.wsgi:application", "--bind", f"127.0.0.1:{port}"]
    worker = [str(VENV_BIN / "celery"), "-A", "avasam", "worker", "--loglevel=WARNING"]
    processes = [
        subprocess.Popen([*gunicorn, "--workers", str(args.web_workers), "--log-level", "warning"], cwd=ROOT, env=env),
        subprocess.Popen([*worker, f"--concurrency={args.concurrency}"], cwd=ROOT, env=env),
    ]
    return processes, f"http://127.0.0.1:{port}"


def stop(processes: list[subprocess.Popen]) -> None:
    for process in processes:
        process.terminate()
    for process in processes:
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
