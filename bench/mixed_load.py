"""Mixed load, production-like: supplier clients posting stock while sellers browse, with the background work running.

gunicorn (3 workers), a Celery worker (4 processes, queues celery and stock-fast), Celery beat, PostgreSQL and Redis;
the Amazon simulator in this process on loopback at Amazon's own rates. 20 sellers, each one integration with 200
listings mapped to its supplier's products and in step with Amazon at the start; 20 supplier clients post stock
batches of 100 (some to 0, which takes the fast lane) while 20 sellers browse their pages, for --seconds.

    REDIS_URL=redis://127.0.0.1:6379/6 .venv/bin/python bench/mixed_load.py --seconds 90            # with the worker
    REDIS_URL=redis://127.0.0.1:6379/6 .venv/bin/python bench/mixed_load.py --seconds 90 --paused   # worker paused

With --paused the worker starts only after the load (what a worker that was down finds). Prints, per request
class, throughput and p50/p95/p99, errors, the tasks enqueued per kind (from the worker's log) and how many fast-lane
tasks found nothing to do, the deepest queues, where the CPU went and the web's CPU per request, Amazon's 429s, and
how long until every listing is right afterwards.
Targets (issue 17): stock API >= 70% of its paused throughput, seller pages p95 < 500 ms, at most one pending
fast-lane task per integration, no 429.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from cpu import machine_speed_ms, postgres_server_cpu_seconds, process_tree_cpu_seconds  # noqa: E402
from stock_push import environment  # noqa: E402
from supplier_stock import database_admin, free_port, percentile, wait_until_up  # noqa: E402

VENV_BIN = Path(sys.executable).parent
UK = "A1F83G8C2ARO7P"
QUEUES = ("celery", "stock-fast")
WEB = "web (gunicorn)"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--postgres",
        default=os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432/avasam_bench_mixed"),
        help="the bench database URL; it is dropped and created again (default: %(default)s)",
    )
    parser.add_argument("--redis", default=os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/6")
    parser.add_argument("--seconds", type=float, default=90, help="how long the load runs")
    parser.add_argument("--paused", action="store_true", help="no worker during the load; it starts afterwards")
    parser.add_argument(
        "--worker-nice",
        type=int,
        default=19,
        help="the worker's niceness: 19 is the CPU weight docker-compose.yml gives it (cpu_shares 15 beside the "
        "web's 1024) and the Procfile's; 0 runs it level with the web (default: %(default)s)",
    )
    parser.add_argument("--sellers", type=int, default=20)
    parser.add_argument("--listings", type=int, default=200, help="mapped listings per seller")
    parser.add_argument("--batch", type=int, default=100, help="stock updates per supplier request")
    parser.add_argument("--zero-share", type=float, default=0.05, help="share of updates that go to 0")
    parser.add_argument("--settle", type=float, default=600, help="seconds to wait for every listing to be right")
    parser.add_argument("--keep-db", action="store_true")
    # environment() from bench/stock_push.py reads these
    parser.add_argument("--drain", type=float, default=30.0, help="STOCK_PUSH_DRAIN_SECONDS")
    parser.add_argument("--feed-interval", type=float, default=60.0, help="STOCK_PUSH_FEED_INTERVAL_SECONDS")
    parser.add_argument("--quiet", type=float, default=10.0, help="STOCK_PUSH_FEED_QUIET_SECONDS")
    return parser.parse_args()


def setup(args, sim) -> list[dict]:
    """Sellers (an owner and one integration each), their suppliers (a token each), products and mappings in step
    with Amazon. Returns per seller: the owner's session cookie, the integration id, the supplier token, its SKUs."""
    from django.db import connection
    from django.db.models import F
    from django.test import Client

    from accounts.tests.factories import SellerUserFactory
    from channels.models import Integration
    from stock.models import ListingMapping, Product, Supplier
    from stock.push.marking import listings_mark_pending
    from stock.push.models import ListingPush, PushLane
    from stock.services import supplier_token_issue

    as_of = datetime.now(UTC) - timedelta(days=2)
    sellers = []
    for number in range(args.sellers):
        seller_id = f"AMIXED{number:08d}"
        sim.state.add_seller(seller_id, [UK])
        refresh_token, _ = sim.state.tokens.redeem_authorization_code(sim.state.issue_authorization_code(seller_id))
        owner = SellerUserFactory(membership__account__company=f"Mixed Seller {number}")
        integration = Integration.objects.create(
            account=owner.membership.account,
            name=f"Amazon UK {number}",
            marketplace_id=UK,
            selling_partner_id=seller_id,
            refresh_token=refresh_token,
            authorisation_state=Integration.AuthorisationState.AUTHORISED,
        )
        supplier = Supplier.objects.create(name=f"Mixed supplier {number}")
        skus = [f"MIX{number:02d}-{n:04d}" for n in range(args.listings)]
        Product.objects.bulk_create(
            Product(sku=sku, title=sku, supplier=supplier, price="9.99", quantity=100, quantity_as_of=as_of)
            for sku in skus
        )
        products = dict(Product.objects.filter(supplier=supplier).values_list("sku", "pk"))
        ListingMapping.objects.bulk_create(
            ListingMapping(integration=integration, channel_sku=f"AMZ-{sku}", product_id=products[sku]) for sku in skus
        )
        for sku in skus:
            sim.state.set_listing(seller_id, UK, f"AMZ-{sku}", quantity=100)
        listings_mark_pending(integration_ids=[integration.pk])
        client = Client()
        client.force_login(owner)
        sellers.append(
            {
                "seller_id": seller_id,
                "integration_id": integration.pk,
                "session": client.cookies["sessionid"].value,
                "token": supplier_token_issue(supplier=supplier),
                "skus": skus,
            }
        )
    ListingPush.objects.update(accepted_quantity=F("desired_quantity"), accepted_version=F("version"), pending=False)
    for seller in sellers:
        PushLane.objects.update_or_create(integration_id=seller["integration_id"], defaults={"was_pushing": True})
    # What autovacuum does after a bulk load in production (it is off on the benchmark machine): without statistics
    # the planner takes these tables for a few hundred rows.
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return sellers


class Recorder:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.timings: dict[str, list[float]] = collections.defaultdict(list)
        self.errors: collections.Counter[str] = collections.Counter()
        self.updates = 0

    def record(self, kind: str, seconds: float, ok: bool, updates: int = 0) -> None:
        with self.lock:
            self.timings[kind].append(seconds)
            self.updates += updates
            if not ok:
                self.errors[kind] += 1


def supplier_client(url: str, seller: dict, args, recorder: Recorder, stop: threading.Event, seed: int) -> None:
    rng = random.Random(seed)
    moment = datetime.now(UTC) - timedelta(hours=1)
    headers = {"Authorization": f"Bearer {seller['token']}", "Content-Type": "application/json"}
    with httpx.Client(base_url=url, headers=headers, timeout=60) as client:
        while not stop.is_set():
            moment += timedelta(seconds=1)
            as_of = moment.isoformat().replace("+00:00", "Z")
            items = [
                {"sku": sku, "quantity": 0 if rng.random() < args.zero_share else rng.randint(1, 500), "as_of": as_of}
                for sku in rng.sample(seller["skus"], args.batch)
            ]
            started = time.perf_counter()
            try:
                response = client.post("/api/v1/stock", content=json.dumps({"updates": items}))
                ok = response.status_code == 200
            except httpx.HTTPError:
                ok = False
            recorder.record("POST /api/v1/stock", time.perf_counter() - started, ok, len(items) if ok else 0)


def seller_browser(url: str, seller: dict, recorder: Recorder, stop: threading.Event) -> None:
    pages = {
        "GET /settings/channels/": "/settings/channels/",
        "GET /settings/channels/<id>/": f"/settings/channels/{seller['integration_id']}/",
        "GET /settings/channels/<id>/mappings/": f"/settings/channels/{seller['integration_id']}/mappings/",
        "GET /orders/": "/orders/",
    }
    with httpx.Client(base_url=url, cookies={"sessionid": seller["session"]}, timeout=60) as client:
        while not stop.is_set():
            for kind, path in pages.items():
                if stop.is_set():
                    return
                started = time.perf_counter()
                try:
                    ok = client.get(path).status_code == 200
                except httpx.HTTPError:
                    ok = False
                recorder.record(kind, time.perf_counter() - started, ok)


def wrong_listings(sim, sellers: list[dict]) -> int:
    from stock.models import ListingMapping
    from stock.rules import quantity_to_advertise

    seller_of = {seller["integration_id"]: seller["seller_id"] for seller in sellers}
    wrong = 0
    for integration_id, channel_sku, quantity, threshold, maximum in ListingMapping.objects.values_list(
        "integration_id",
        "channel_sku",
        "product__quantity",
        "integration__stock_threshold",
        "integration__max_quantity_to_advertise",
    ):
        expected = quantity_to_advertise(quantity, stock_threshold=threshold, max_quantity_to_advertise=maximum)
        listing = sim.state.listing(seller_of[integration_id], UK, channel_sku)
        if listing is None or listing.quantity != expected:
            wrong += 1
    return wrong


def fast_lane_delays(since: datetime, until: datetime) -> list[float]:
    """Seconds from each drop to 0 that the fast lane sent during the load to Amazon's answer: from the supplier's
    update that took the product to 0 (the last one before the patch went out) to the patch's answer."""
    from django.db import connection

    from activity.models import Run

    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT EXTRACT(EPOCH FROM s.answered_at - (
                SELECT max(c.recorded_at) FROM stock_stockchange c
                WHERE c.product_id = m.product_id AND c.quantity = 0 AND c.recorded_at <= s.sent_at
            ))
            FROM stock_listingsend s
            JOIN stock_listingmapping m ON m.integration_id = s.integration_id AND m.channel_sku = s.channel_sku
            WHERE s.lane = %s AND s.quantity = 0 AND s.answered_at BETWEEN %s AND %s
            """,
            [Run.Lane.FAST, since, until],
        )
        return [float(seconds) for (seconds,) in cursor.fetchall() if seconds is not None]


class CpuShares:
    """Where the machine's CPU went during the load: the web, the worker, PostgreSQL (every backend, so the ones
    serving the web and the worker alike) and this process (the load's clients and the Amazon simulator)."""

    def __init__(self, pids: dict[str, int | None]) -> None:
        self.pids = {name: pid for name, pid in pids.items() if pid}
        self.started = self._now()

    def _now(self) -> dict[str, float]:
        now = {name: process_tree_cpu_seconds(pid) for name, pid in self.pids.items()}
        now["PostgreSQL"] = postgres_server_cpu_seconds()
        now["clients and simulator (this process)"] = time.process_time()
        return now

    def spent(self) -> dict[str, float]:
        return {name: seconds - self.started[name] for name, seconds in self._now().items()}


def start_worker(env: dict, log_path: Path, niceness: int) -> subprocess.Popen:
    return subprocess.Popen(
        [
            *(["nice", "-n", str(niceness)] if niceness else []),
            str(VENV_BIN / "celery"),
            "-A",
            "avasam",
            "worker",
            "--loglevel=INFO",
            "--concurrency=4",
            f"--queues={','.join(QUEUES)}",
        ],
        cwd=ROOT,
        env=env,
        stdout=log_path.open("w"),
        stderr=subprocess.STDOUT,
    )


def main() -> None:
    args = parse_args()
    from channels.amazon.simulator import AmazonSimulator

    sim = AmazonSimulator(speedup=1)  # Amazon's own rates and feed processing times
    base_url = sim.start(port=0)
    calls, throttled = collections.Counter(), collections.Counter()
    record_call = sim.state.record_call

    def counting(call):
        calls[call.operation] += 1
        if call.status == 429:
            throttled[call.operation] += 1
        record_call(call)

    sim.state.record_call = counting

    name = args.postgres.rsplit("/", 1)[-1]
    database_admin(args.postgres, f'DROP DATABASE IF EXISTS "{name}"')
    database_admin(args.postgres, f'CREATE DATABASE "{name}"')
    env = environment(args, base_url)
    env["SUPPLIER_API_RATE_LIMIT"] = "0"
    subprocess.run([sys.executable, "manage.py", "migrate", "--no-input", "-v", "0"], cwd=ROOT, env=env, check=True)
    # Production serves hashed static files (as the Dockerfile's build step collects them).
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--no-input", "-v", "0"], cwd=ROOT, env=env, check=True
    )
    os.environ.update(env)
    os.environ["DJANGO_SETTINGS_MODULE"] = "avasam.settings"
    import django

    django.setup()
    import redis

    from activity.models import Run
    from avasam.celery import app

    broker = redis.Redis.from_url(args.redis)
    scratch = Path(tempfile.mkdtemp(prefix="mixed_load_"))
    worker_log = scratch / "worker.log"
    processes: list[subprocess.Popen] = []
    try:
        # Read before anything of the load runs: afterwards the worker may still be catching up.
        speed = machine_speed_ms()
        started = time.perf_counter()
        sellers = setup(args, sim)
        print(
            f"{len(sellers)} sellers x {args.listings} mapped listings in step with the simulator "
            f"({time.perf_counter() - started:.0f} s); machine speed {speed:.0f} ms (bench/cpu.py); "
            f"worker (nice {args.worker_nice}) {'PAUSED' if args.paused else 'running'} during the load"
        )
        app.control.purge()
        for key in broker.scan_iter("avasam:queued:*"):
            broker.delete(key)
        port = free_port()
        web = [str(VENV_BIN / "gunicorn"), "avasam.wsgi:application", "--bind", f"127.0.0.1:{port}", "--workers", "3"]
        processes.append(subprocess.Popen([*web, "--log-level", "warning"], cwd=ROOT, env=env))
        beat_schedule = scratch / "celerybeat-schedule"
        beat = [str(VENV_BIN / "celery"), "-A", "avasam", "beat", "--loglevel=INFO", "--schedule", str(beat_schedule)]
        beat_log = (scratch / "beat.log").open("w")
        processes.append(subprocess.Popen(beat, cwd=ROOT, env=env, stdout=beat_log, stderr=subprocess.STDOUT))
        worker = None if args.paused else start_worker(env, worker_log, args.worker_nice)
        if worker:
            processes.append(worker)
        url = f"http://127.0.0.1:{port}"
        if not wait_until_up(url, seconds=30):
            sys.exit("gunicorn did not start")

        recorder, stop = Recorder(), threading.Event()
        deepest = collections.Counter()

        def watch_queues() -> None:
            while not stop.is_set():
                for queue in QUEUES:
                    deepest[queue] = max(deepest[queue], broker.llen(queue))
                time.sleep(0.25)

        threads = [threading.Thread(target=watch_queues, daemon=True)]
        for number, seller in enumerate(sellers):
            threads.append(threading.Thread(target=supplier_client, args=(url, seller, args, recorder, stop, number)))
            threads.append(threading.Thread(target=seller_browser, args=(url, seller, recorder, stop)))
        cpu_sources = {WEB: processes[0].pid, "worker": worker.pid if worker else None}
        cpu = CpuShares(cpu_sources)
        load_started, load_started_at = time.perf_counter(), datetime.now(UTC)
        for thread in threads:
            thread.start()
        time.sleep(args.seconds)
        stop.set()
        for thread in threads:
            thread.join()
        load_seconds = time.perf_counter() - load_started
        delays = fast_lane_delays(load_started_at, datetime.now(UTC))
        cpu_spent = cpu.spent()
        queued_after_load = {queue: broker.llen(queue) for queue in QUEUES}

        print(f"\nmixed load for {load_seconds:.0f} s, {os.cpu_count()} CPU(s):")
        for kind, timings in sorted(recorder.timings.items()):
            print(
                f"  {kind:40s} {len(timings) / load_seconds:6.1f} req/s  p50 {percentile(timings, 0.5) * 1000:5.0f} ms"
                f"  p95 {percentile(timings, 0.95) * 1000:5.0f} ms  p99 {percentile(timings, 0.99) * 1000:5.0f} ms"
                f"  errors {recorder.errors[kind]}"
            )
        print(
            f"  stock updates accepted {recorder.updates / load_seconds:,.0f}/s; "
            f"errors in all {sum(recorder.errors.values())}"
        )
        if delays:
            print(
                f"  drops to 0 sent by the fast lane during the load {len(delays)}, from the supplier's update to "
                f"Amazon's answer: p50 {percentile(delays, 0.5):.1f} s, p95 {percentile(delays, 0.95):.1f} s, "
                f"max {max(delays):.1f} s"
            )
        else:
            print("  no drop to 0 sent by the fast lane during the load")
        print(f"  deepest queue during the load {dict(deepest)}; queued when the load stopped {queued_after_load}")
        print(
            f"  CPU during the load, of {load_seconds * (os.cpu_count() or 1):.0f} s: "
            + ", ".join(f"{name} {seconds:.0f} s" for name, seconds in cpu_spent.items())
        )
        # The host's speed drifts during a run in ways bench/cpu.py's reading beforehand does not show; the pages' p95
        # follows this figure from run to run (README, Benchmarks).
        requests = sum(len(timings) for timings in recorder.timings.values())
        print(f"  web CPU per request {cpu_spent[WEB] / max(requests, 1) * 1000:.1f} ms")

        if args.paused:
            worker = start_worker(env, worker_log, args.worker_nice)
            processes.append(worker)
        settle_started = time.perf_counter()
        settled_after = None
        while time.perf_counter() - settle_started < args.settle:
            for queue in QUEUES:
                deepest[queue] = max(deepest[queue], broker.llen(queue))
            wrong = wrong_listings(sim, sellers)
            if wrong == 0:
                settled_after = time.perf_counter() - settle_started
                break
            time.sleep(2)
        log = worker_log.read_text() if worker_log.exists() else ""
        received = collections.Counter(re.findall(r"Task ([\w.]+)\[[^\]]+\] received", log))
        fast_runs = Run.objects.filter(kind=Run.Kind.STOCK_PUSH, lane=Run.Lane.FAST).count()
        fast_tasks = received["stock.push.tasks.stock_push_fast_lane"]
        print(f"  tasks received by the worker {dict(received)}")
        print(
            f"  fast-lane tasks {fast_tasks}, of which found nothing to send {max(0, fast_tasks - fast_runs)} "
            f"(tasks without a fast-lane run)"
        )
        print(f"  Amazon calls {dict(calls)}; 429s {dict(throttled) or 0}")
        if settled_after is None:
            print(
                f"  NOT every listing right {args.settle:.0f} s after the load ({wrong_listings(sim, sellers)} wrong)"
            )
        else:
            print(f"  every listing right {settled_after:.0f} s after the load")
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
        sim.stop()
        from django.db import connections

        connections.close_all()
        if not args.keep_db:
            database_admin(args.postgres, f'DROP DATABASE IF EXISTS "{name}"')


if __name__ == "__main__":
    main()
