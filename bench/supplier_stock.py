"""Benchmark: supplier stock updates per second through POST /api/v1/stock.

By default it builds everything itself: a fresh PostgreSQL database, migrations, a supplier and its token,
and gunicorn on a free port (DEBUG off). Then it creates the products through the API and posts the stock
updates from a few concurrent clients, and prints updates/second and the p50/p99 request times.

    .venv/bin/python bench/supplier_stock.py                       # everything, on 127.0.0.1:5432
    .venv/bin/python bench/supplier_stock.py --url http://127.0.0.1:8000 --token TOKEN   # a running app
"""

from __future__ import annotations

import argparse
import json
import os
import random
import secrets
import socket
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import httpx

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="a running app's base URL (then --token is needed); default: start one")
    parser.add_argument("--token", help="a supplier API token, with --url")
    parser.add_argument(
        "--postgres",
        default=os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432/avasam_bench_stock"),
        help="the bench database URL; it is dropped and created again (default: %(default)s)",
    )
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1), help="gunicorn workers")
    parser.add_argument("--products", type=int, default=20_000)
    parser.add_argument("--updates", type=int, default=100_000)
    parser.add_argument("--batch", type=int, default=1_000, help="updates per request")
    parser.add_argument("--clients", type=int, default=4, help="concurrent clients")
    parser.add_argument(
        "--mappings",
        type=int,
        default=0,
        help="map this many products to listings of one authorised integration first, so every update also marks "
        "listings for the stock push (not with --url)",
    )
    parser.add_argument("--keep-db", action="store_true", help="keep the bench database afterwards")
    return parser.parse_args()


# --- the app under test ------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def database_admin(url: str, statement: str) -> None:
    import psycopg2

    parts = urlsplit(url)
    admin_url = urlunsplit(parts._replace(path="/postgres"))
    connection = psycopg2.connect(admin_url)
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute(statement)
    connection.close()


def app_environment(database_url: str) -> dict[str, str]:
    from cryptography.fernet import Fernet

    from channels.amazon.simulator import config as simulator_config

    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "FIELD_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "false",
        "SECURE_HSTS_SECONDS": "0",
        "LOG_LEVEL": "WARNING",
        "SUPPLIER_API_RATE_LIMIT": "0",  # the bench measures throughput, far over one token's default rate
        "CONN_MAX_AGE": "600",
        "PYTHONWARNINGS": "ignore::UserWarning",  # whitenoise: no collected static files in a checkout
        # With DEBUG off the app needs its Amazon app credentials: the simulator's.
        "AMAZON_LWA_CLIENT_ID": simulator_config.LWA_CLIENT_ID,
        "AMAZON_LWA_CLIENT_SECRET": simulator_config.LWA_CLIENT_SECRET,
        "AMAZON_SP_APP_ID": simulator_config.SP_APP_ID,
    }


def manage(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    if result.returncode:
        sys.exit(f"manage.py {' '.join(args)} failed:\n{result.stdout}{result.stderr}")
    return result.stdout


class App:
    """A fresh database and gunicorn serving the app on it."""

    def __init__(self, database_url: str, workers: int, keep_db: bool):
        self.database_url, self.workers, self.keep_db = database_url, workers, keep_db
        self.name = urlsplit(database_url).path.lstrip("/")
        self.process: subprocess.Popen | None = None
        self.env = app_environment(database_url)  # one set of keys for every process

    def start(self) -> tuple[str, str]:
        print(f"database {self.name}: creating and migrating …", flush=True)
        database_admin(self.database_url, f'DROP DATABASE IF EXISTS "{self.name}"')
        database_admin(self.database_url, f'CREATE DATABASE "{self.name}"')
        env = self.env
        manage(env, "migrate", "--no-input", "-v", "0")
        token = manage(env, "create_supplier", "--name", "Bench supplier").strip().splitlines()[-1]
        port = free_port()
        self.process = subprocess.Popen(
            [
                str(VENV_BIN / "gunicorn"),
                "avasam.wsgi:application",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(self.workers),
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=env,
        )
        url = f"http://127.0.0.1:{port}"
        if not wait_until_up(url, seconds=10):
            self.stop()
            sys.exit("gunicorn did not start")
        print(f"gunicorn: {self.workers} workers on {url}", flush=True)
        return url, token

    def map_products(self, count: int) -> None:
        """One seller, one authorised integration, its first `count` listings mapped to the first products."""
        code = f"""
from accounts.models import SellerAccount
from channels.models import Integration
from stock.models import ListingMapping, Product
account = SellerAccount.objects.create(company="Bench seller")
integration = Integration.objects.create(
    account=account, name="Bench UK", marketplace_id="A1F83G8C2ARO7P", selling_partner_id="ABENCHSELLER",
    refresh_token="Atzr|bench", authorisation_state=Integration.AuthorisationState.AUTHORISED)
products = Product.objects.order_by("sku")[:{count}]
ListingMapping.objects.bulk_create(
    [ListingMapping(integration=integration, channel_sku="L-" + p.sku, product=p) for p in products])
"""
        manage(self.env, "shell", "-c", code)

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=30)
        if not self.keep_db:
            database_admin(self.database_url, f'DROP DATABASE IF EXISTS "{self.name}"')


# --- the load ----------------------------------------------------------------------------------------------------


class BenchFailed(Exception):
    pass


def post(client: httpx.Client, path: str, body: bytes) -> tuple[float, dict]:
    started = time.perf_counter()
    response = client.post(path, content=body, headers={"Content-Type": "application/json"})
    elapsed = time.perf_counter() - started
    if response.status_code != 200:
        raise BenchFailed(f"POST {path} answered {response.status_code}: {response.text[:500]}")
    return elapsed, response.json()


def create_products(url: str, token: str, count: int, batch: int) -> list[str]:
    skus = [f"BENCH-{n:06d}" for n in range(count)]
    with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=120) as client:
        for start in range(0, count, batch):
            products = [
                {"sku": sku, "title": f"Bench product {sku}", "price": "9.99"} for sku in skus[start : start + batch]
            ]
            post(client, "/api/v1/products", json.dumps({"products": products}).encode())
    return skus


def stock_bodies(skus: list[str], updates: int, batch: int, *, days_ago: int = 1) -> list[bytes]:
    """Request bodies, each with `batch` distinct SKUs; later requests carry later as_of times."""
    rng = random.Random(days_ago)
    base = datetime.now(UTC) - timedelta(days=days_ago)
    bodies = []
    for number in range(updates // batch):
        as_of = (base + timedelta(seconds=number)).isoformat().replace("+00:00", "Z")
        chosen = rng.sample(skus, batch)
        items = [{"sku": sku, "quantity": rng.randint(0, 500), "as_of": as_of} for sku in chosen]
        bodies.append(json.dumps({"updates": items}).encode())
    return bodies


def run_clients(url: str, token: str, bodies: list[bytes], clients: int) -> tuple[float, list[float], dict[str, int]]:
    queue = list(reversed(bodies))
    lock = threading.Lock()
    latencies: list[float] = []
    failures: list[BenchFailed] = []
    totals = {"updated": 0, "unchanged": 0, "ignored_out_of_order": 0}

    def worker() -> None:
        with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=120) as client:
            while True:
                with lock:
                    if not queue or failures:
                        return
                    body = queue.pop()
                try:
                    elapsed, counts = post(client, "/api/v1/stock", body)
                except BenchFailed as failure:
                    failures.append(failure)
                    return
                with lock:
                    latencies.append(elapsed)
                    for key in totals:
                        totals[key] += counts[key]

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        raise failures[0]
    return time.perf_counter() - started, latencies, totals


def wait_until_up(url: str, *, seconds: float) -> bool:
    """Whether the app at `url` answers /healthz within `seconds`."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            httpx.get(f"{url}/healthz", timeout=1)
            return True
        except httpx.HTTPError:
            time.sleep(0.1)
    return False


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def main() -> None:
    args = parse_args()
    app = None
    if args.url:
        if not args.token:
            sys.exit("--url needs --token (a supplier API token, e.g. from manage.py create_supplier)")
        url, token = args.url.rstrip("/"), args.token
    else:
        app = App(args.postgres, args.workers, args.keep_db)
        url, token = app.start()
    try:
        started = time.perf_counter()
        skus = create_products(url, token, args.products, args.batch)
        print(f"created {len(skus):,} products in {time.perf_counter() - started:.1f} s", flush=True)
        if args.mappings and app is not None:
            app.map_products(args.mappings)
            print(f"mapped {args.mappings:,} products to listings of one integration", flush=True)
        bodies = stock_bodies(skus, args.updates, args.batch)
        warm_up = stock_bodies(skus, args.clients * args.batch, args.batch, days_ago=2)  # older: never in the way
        run_clients(url, token, warm_up, args.clients)  # not counted
        elapsed, latencies, totals = run_clients(url, token, bodies, args.clients)
    except BenchFailed as failure:
        sys.exit(str(failure))
    finally:
        if app is not None:
            app.stop()

    sent = len(bodies) * args.batch
    print(
        f"\n{sent:,} stock updates in {len(bodies)} requests of {args.batch:,} from {args.clients} clients "
        f"on {os.cpu_count()} CPU(s):"
    )
    print(f"  {sent / elapsed:,.0f} updates/second ({elapsed:.2f} s)")
    p50, p99 = percentile(latencies, 0.5) * 1000, percentile(latencies, 0.99) * 1000
    print(f"  request time p50 {p50:.0f} ms, p99 {p99:.0f} ms")
    print(
        f"  applied {totals['updated']:,}, unchanged {totals['unchanged']:,}, "
        f"ignored as out of order {totals['ignored_out_of_order']:,}"
    )


if __name__ == "__main__":
    main()
