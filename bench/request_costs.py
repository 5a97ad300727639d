"""What one request of each kind in the mixed load costs on an idle machine, and where a page's time goes.

    .venv/bin/python bench/request_costs.py [--profile all|PATH|POST] [--queries PATH|POST] [--repeat 50]

Sets up the mixed load's 20 sellers (bench/mixed_load.py, same data) in a throwaway PostgreSQL database and serves
each seller page and a stock POST of 100 items in this process (`django.test.Client`, DEBUG off), one after the
other: the median and fastest time per request, its queries, and the CPU time it took in this process (all its
threads) and in the PostgreSQL server process serving it (the server must run on this machine). With --profile, a
cProfile of ten of them (or of ten of every kind with `all`); with --queries, a kind's SQL. In the mixed load a
request waits for about (clients / throughput), so these are what the pages' p95 there depends on.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import random
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import mixed_load  # noqa: E402
from cpu import machine_speed_ms, postgres_cpu_seconds  # noqa: E402
from stock_push import environment  # noqa: E402
from supplier_stock import database_admin  # noqa: E402


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--postgres",
        default=os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432/avasam_bench_requests"),
        help="the bench database URL; it is dropped and created again (default: %(default)s)",
    )
    parser.add_argument("--redis", default=os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/7")
    parser.add_argument(
        "--repeat", type=int, default=50, help="timed requests of each kind (CPU times come in 10 ms ticks)"
    )
    parser.add_argument("--profile", default="", help="a request kind's path (or POST, or all) to profile")
    parser.add_argument("--top", type=int, default=40, help="profile entries to print")
    parser.add_argument("--queries", default="", help="a request kind's path (or POST) whose SQL to print")
    # mixed_load.setup and stock_push.environment read these
    parser.add_argument("--sellers", type=int, default=20)
    parser.add_argument("--listings", type=int, default=200)
    parser.add_argument("--drain", type=float, default=30.0)
    parser.add_argument("--feed-interval", type=float, default=60.0)
    parser.add_argument("--quiet", type=float, default=10.0)
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    from channels.amazon.simulator import AmazonSimulator

    sim = AmazonSimulator(speedup=1)
    base_url = sim.start(port=0)
    name = args.postgres.rsplit("/", 1)[-1]
    database_admin(args.postgres, f'DROP DATABASE IF EXISTS "{name}"')
    database_admin(args.postgres, f'CREATE DATABASE "{name}"')
    env = environment(args, base_url)
    for command in ("migrate", "collectstatic"):
        subprocess.run([sys.executable, "manage.py", command, "--no-input", "-v", "0"], cwd=ROOT, env=env, check=True)
    os.environ.update(env)
    os.environ["DJANGO_SETTINGS_MODULE"] = "avasam.settings"
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection, connections
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from avasam.garbage_collection import collect_for_a_server_process

    settings.ALLOWED_HOSTS = ["testserver"]
    try:
        seller = mixed_load.setup(args, sim)[3]
        client = Client()
        client.cookies["sessionid"] = seller["session"]
        supplier = Client()  # a supplier's system sends its token, no session cookie
        integration = seller["integration_id"]
        pages = [
            "/",
            "/settings/account/",
            "/settings/channels/",
            f"/settings/channels/{integration}/",
            f"/settings/channels/{integration}/mappings/",
            "/orders/",
        ]
        rng = random.Random(1)

        def stock_post():
            as_of = datetime.now(UTC).isoformat().replace("+00:00", "Z")
            items = [
                {"sku": sku, "quantity": rng.randint(0, 500), "as_of": as_of} for sku in rng.sample(seller["skus"], 100)
            ]
            return supplier.post(
                "/api/v1/stock",
                data=json.dumps({"updates": items}),
                content_type="application/json",
                HTTP_AUTHORIZATION=f"Bearer {seller['token']}",
            )

        collect_for_a_server_process()  # as each gunicorn worker does once it has loaded the app
        kinds = {f"GET {page}": (lambda page=page: client.get(page)) for page in pages}
        kinds["POST /api/v1/stock (100 items)"] = stock_post
        print(
            f"one seller of {args.sellers}, {args.listings} mapped listings each; {args.repeat} requests per kind; "
            f"machine speed {machine_speed_ms():.0f} ms (bench/cpu.py)"
        )
        for kind, request in kinds.items():
            status = request().status_code
            if status != 200:
                sys.exit(f"{kind} answered {status}")
            seconds = []
            server_cpu = postgres_cpu_seconds(connection)
            process_cpu = time.process_time()
            for _ in range(args.repeat):
                started = time.perf_counter()
                request()
                seconds.append(time.perf_counter() - started)
            process_cpu = (time.process_time() - process_cpu) / args.repeat
            server_cpu = (postgres_cpu_seconds(connection) - server_cpu) / args.repeat
            with CaptureQueriesContext(connection) as queries:
                request()
            if args.queries and (kind.split()[1] == args.queries or kind.startswith(args.queries)):
                for query in queries.captured_queries:
                    print(f"    {query['time']} s  {query['sql'][:300]}")
            print(
                f"  {kind:50s} median {statistics.median(seconds) * 1000:6.1f} ms  "
                f"fastest {min(seconds) * 1000:6.1f} ms  queries {len(queries):2d}  "
                f"CPU: this process {process_cpu * 1000:5.1f} ms, PostgreSQL {server_cpu * 1000:5.1f} ms"
            )
        if args.profile:
            chosen = [
                request
                for kind, request in kinds.items()
                if args.profile == "all" or kind.split()[1] == args.profile or kind.startswith(args.profile)
            ]
            if not chosen:
                sys.exit(f"no request kind {args.profile!r}")
            profiler = cProfile.Profile()
            profiler.enable()
            for _ in range(10):
                for request in chosen:
                    request()
            profiler.disable()
            for order in ("tottime", "cumulative"):
                print(f"--- profile, top {args.top} by {order} ---")
                pstats.Stats(profiler, stream=sys.stdout).sort_stats(order).print_stats(args.top)
    finally:
        sim.stop()
        connections.close_all()
        database_admin(args.postgres, f'DROP DATABASE IF EXISTS "{name}"')


if __name__ == "__main__":
    main()
