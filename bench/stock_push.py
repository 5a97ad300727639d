"""Benchmark: stock push from supplier updates to Amazon (the simulator), with a real Celery worker.

One integration with 20,000 mapped listings (all in step with Amazon at the start), 100,000 supplier stock
updates posted through POST /api/v1/stock to gunicorn, a Celery worker (Redis broker) pushing to the
in-process Amazon simulator whose rate limits and feed processing run `--speedup` times faster. The bench
plays beat: it enqueues the drain every `--drain` seconds. Some listings (`--drops`) get exactly one update
to 0 each, spread over the run, to measure the time until the simulator shows 0.

Prints: feeds and patch calls made, messages sent against listings changed, time from the last update to
every listing showing the rule's value, and p50/p99 drop-to-zero latency.

    REDIS_URL=redis://127.0.0.1:6379/6 .venv/bin/python bench/stock_push.py
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import random
import secrets
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from harness import add_app_arguments, start_app, stop  # noqa: E402
from supplier_stock import database_admin, percentile, wait_until_up  # noqa: E402

SELLER = "ABENCHSELLER01"
UK = "A1F83G8C2ARO7P"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_app_arguments(parser, database="avasam_bench_push", redis_db=6)
    parser.add_argument("--listings", type=int, default=20_000)
    parser.add_argument("--updates", type=int, default=100_000)
    parser.add_argument("--batch", type=int, default=1_000, help="updates per request")
    parser.add_argument("--clients", type=int, default=2, help="concurrent API clients")
    parser.add_argument("--drops", type=int, default=200, help="listings that get one update to 0 each")
    parser.add_argument("--speedup", type=float, default=10.0, help="simulator speedup (rate limits, feeds)")
    parser.add_argument("--drain", type=float, default=2.0, help="seconds between drains (the bench plays beat)")
    parser.add_argument("--feed-interval", type=float, default=60.0, help="STOCK_PUSH_FEED_INTERVAL_SECONDS")
    parser.add_argument("--quiet", type=float, default=5.0, help="STOCK_PUSH_FEED_QUIET_SECONDS")
    parser.add_argument("--timeout", type=float, default=900, help="give up waiting for Amazon after this")
    return parser.parse_args()


def environment(args, base_url: str) -> dict[str, str]:
    from cryptography.fernet import Fernet

    from channels.amazon.simulator import config as simulator_config

    return {
        **os.environ,
        "DATABASE_URL": args.postgres,
        "REDIS_URL": args.redis,
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "FIELD_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "false",
        "SECURE_HSTS_SECONDS": "0",
        "LOG_LEVEL": "WARNING",
        "SUPPLIER_API_RATE_LIMIT": "0",  # the bench measures throughput, far over one token's default rate
        "CONN_MAX_AGE": "600",
        "PYTHONWARNINGS": "ignore::UserWarning",
        "AMAZON_SP_API_ENDPOINT": base_url,
        # With DEBUG off the app needs its Amazon app credentials: the simulator's.
        "AMAZON_LWA_CLIENT_ID": simulator_config.LWA_CLIENT_ID,
        "AMAZON_LWA_CLIENT_SECRET": simulator_config.LWA_CLIENT_SECRET,
        "AMAZON_SP_APP_ID": simulator_config.SP_APP_ID,
        "AMAZON_LWA_TOKEN_URL": f"{base_url}/auth/o2/token",
        "AMAZON_SELLER_CENTRAL_URL": base_url,
        "STOCK_PUSH_DRAIN_SECONDS": str(args.drain),
        "STOCK_PUSH_FEED_INTERVAL_SECONDS": str(args.feed_interval),
        "STOCK_PUSH_FEED_QUIET_SECONDS": str(args.quiet),
    }


def setup_catalogue(args, sim) -> tuple[int, str, list[str], list[str]]:
    """Seller, integration, supplier, products and mappings, all in step with Amazon. Returns ids and SKUs."""
    from django.db.models import F

    from accounts.models import SellerAccount
    from channels.models import Integration
    from stock.models import ListingMapping, Product, Supplier
    from stock.push.marking import listings_mark_pending
    from stock.push.models import ListingPush, PushLane
    from stock.services import supplier_token_issue

    sim.state.add_seller(SELLER, [UK])
    refresh_token, _ = sim.state.tokens.redeem_authorization_code(sim.state.issue_authorization_code(SELLER))
    account = SellerAccount.objects.create(company="Bench Ltd")
    integration = Integration.objects.create(
        account=account,
        name="Bench UK",
        marketplace_id=UK,
        selling_partner_id=SELLER,
        refresh_token=refresh_token,
        authorisation_state=Integration.AuthorisationState.AUTHORISED,
    )
    supplier = Supplier.objects.create(name="Bench supplier")
    token = supplier_token_issue(supplier=supplier)
    as_of = datetime.now(UTC) - timedelta(days=2)
    skus = [f"BENCH-{n:06d}" for n in range(args.listings)]
    Product.objects.bulk_create(
        [
            Product(sku=sku, title=sku, supplier=supplier, price="9.99", quantity=100, quantity_as_of=as_of)
            for sku in skus
        ],
        batch_size=2000,
    )
    products = dict(Product.objects.values_list("sku", "pk"))
    ListingMapping.objects.bulk_create(
        [ListingMapping(integration=integration, channel_sku=f"AMZ-{sku}", product_id=products[sku]) for sku in skus],
        batch_size=2000,
    )
    for sku in skus:
        sim.state.set_listing(SELLER, UK, f"AMZ-{sku}", quantity=100)
    listings_mark_pending(integration_ids=[integration.pk])
    ListingPush.objects.update(accepted_quantity=F("desired_quantity"), accepted_version=F("version"), pending=False)
    PushLane.objects.update_or_create(integration=integration, defaults={"was_pushing": True})
    return integration.pk, token, skus, []


def bodies_for(args, skus: list[str]) -> tuple[list[bytes], list[list[str]]]:
    """Request bodies: regular updates stay above the threshold; each drop listing gets one update to 0."""
    rng = random.Random(7)
    drops = skus[: args.drops]
    regular = skus[args.drops :]
    requests = args.updates // args.batch
    base = datetime.now(UTC) - timedelta(hours=1)
    bodies, drops_per_request = [], []
    for number in range(requests):
        as_of = (base + timedelta(seconds=number)).isoformat().replace("+00:00", "Z")
        mine = drops[number * len(drops) // requests : (number + 1) * len(drops) // requests]
        chosen = rng.sample(regular, args.batch - len(mine))
        items = [{"sku": sku, "quantity": rng.randint(6, 500), "as_of": as_of} for sku in chosen]
        items += [{"sku": sku, "quantity": 0, "as_of": as_of} for sku in mine]
        bodies.append(json.dumps({"updates": items}).encode())
        drops_per_request.append(mine)
    return bodies, drops_per_request


class DropWatcher(threading.Thread):
    """Polls the simulator for listings expected to show 0 and records how long each took."""

    def __init__(self, sim):
        super().__init__(daemon=True)
        self.sim, self.pending, self.latencies = sim, {}, []
        self.lock, self.stopped = threading.Lock(), threading.Event()

    def expect(self, skus: list[str], since: float) -> None:
        with self.lock:
            for sku in skus:
                self.pending[f"AMZ-{sku}"] = since

    def run(self) -> None:
        while not self.stopped.is_set():
            with self.lock:
                watched = list(self.pending.items())
            for channel_sku, since in watched:
                listing = self.sim.state.listing(SELLER, UK, channel_sku)
                if listing is not None and listing.quantity == 0:
                    with self.lock:
                        self.latencies.append(time.perf_counter() - since)
                        del self.pending[channel_sku]
            time.sleep(0.02)


def post_updates(url, token, bodies, drops_per_request, clients, watcher) -> float:
    queue = list(reversed(list(zip(bodies, drops_per_request, strict=True))))
    lock = threading.Lock()

    def client_loop() -> None:
        with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=300) as client:
            while True:
                with lock:
                    if not queue:
                        return
                    body, drops = queue.pop()
                started = time.perf_counter()
                response = client.post("/api/v1/stock", content=body, headers={"Content-Type": "application/json"})
                if response.status_code != 200:
                    sys.exit(f"POST /api/v1/stock answered {response.status_code}: {response.text[:300]}")
                watcher.expect(drops, started)  # latency counted from when the request was sent

    threads = [threading.Thread(target=client_loop) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter()


def all_correct(sim) -> tuple[bool, int]:
    from stock.models import ListingMapping
    from stock.rules import quantity_to_advertise

    wrong = 0
    for channel_sku, quantity, threshold, maximum in ListingMapping.objects.values_list(
        "channel_sku", "product__quantity", "integration__stock_threshold", "integration__max_quantity_to_advertise"
    ):
        expected = quantity_to_advertise(quantity, stock_threshold=threshold, max_quantity_to_advertise=maximum)
        listing = sim.state.listing(SELLER, UK, channel_sku)
        if listing is None or listing.quantity != expected:
            wrong += 1
    return wrong == 0, wrong


def main() -> None:
    args = parse_args()
    from channels.amazon.simulator import AmazonSimulator

    sim = AmazonSimulator(speedup=args.speedup)
    base_url = sim.start(port=0)
    calls = collections.Counter()
    record_call = sim.state.record_call

    def counting(call):
        calls[call.operation] += 1
        record_call(call)

    sim.state.record_call = counting  # the bench's own simulator: count every call it answers

    name = args.postgres.rsplit("/", 1)[-1]
    database_admin(args.postgres, f'DROP DATABASE IF EXISTS "{name}"')
    database_admin(args.postgres, f'CREATE DATABASE "{name}"')
    env = environment(args, base_url)
    subprocess.run([sys.executable, "manage.py", "migrate", "--no-input", "-v", "0"], cwd=ROOT, env=env, check=True)
    os.environ.update(env)
    os.environ["DJANGO_SETTINGS_MODULE"] = "avasam.settings"
    import django

    django.setup()
    from avasam.celery import app
    from stock.push.models import ListingPush, PushFeed

    processes = []
    watcher = DropWatcher(sim)
    try:
        started = time.perf_counter()
        integration_id, token, skus, _ = setup_catalogue(args, sim)
        print(f"{len(skus):,} mapped listings in step with the simulator ({time.perf_counter() - started:.0f} s)")
        app.control.purge()
        processes, url = start_app(args, env)
        if not wait_until_up(url, seconds=20):
            sys.exit("gunicorn did not start")
        beat_stop = threading.Event()

        def beat() -> None:
            while not beat_stop.wait(args.drain):
                app.send_task("stock.push.drain.stock_push_drain")

        threading.Thread(target=beat, daemon=True).start()
        watcher.start()

        bodies, drops = bodies_for(args, skus)
        posting_started = time.perf_counter()
        last_update = post_updates(url, token, bodies, drops, args.clients, watcher)
        posting = last_update - posting_started
        print(
            f"{len(bodies) * args.batch:,} updates posted in {posting:.1f} s "
            f"({len(bodies) * args.batch / posting:,.0f}/s, {args.clients} clients)",
            flush=True,
        )

        correct_after = None
        while time.perf_counter() - last_update < args.timeout:
            ok, wrong = all_correct(sim)
            if ok:
                correct_after = time.perf_counter() - last_update
                break
            print(f"  {wrong:,} listings not yet showing the rule's value …", flush=True)
            time.sleep(2)
        beat_stop.set()
        time.sleep(1)
        watcher.stopped.set()

        feeds = PushFeed.objects.filter(integration_id=integration_id, amazon_feed_id__gt="")
        feed_messages = sum(feeds.values_list("message_count", flat=True))
        changed = ListingPush.objects.filter(integration_id=integration_id, version__gt=1)
        distinct_changed = changed.count()
        value_changes = sum(version - 1 for version in changed.values_list("version", flat=True))
        patches = calls["patchListingsItem"]
        print(
            f"\nstock push, {args.listings:,} listings, {len(bodies) * args.batch:,} supplier updates, "
            f"simulator speedup {args.speedup:g}, worker concurrency {args.concurrency}, {os.cpu_count()} CPU(s):"
        )
        print(
            f"  createFeed calls {calls['createFeed']}, feeds recorded {feeds.count()}, "
            f"patchListingsItem calls {patches}, getFeed calls {calls['getFeed']}"
        )
        print(
            f"  messages sent {feed_messages + patches:,} ({feed_messages:,} in feeds + {patches:,} patches) "
            f"against {distinct_changed:,} distinct listings changed ({value_changes:,} value changes)"
        )
        if correct_after is None:
            print(f"  NOT all listings correct after {args.timeout:.0f} s")
        else:
            print(f"  all {args.listings:,} listings correct {correct_after:.1f} s after the last update")
        latencies = watcher.latencies
        missing = len(watcher.pending)
        if latencies:
            print(
                f"  drop to zero: {len(latencies)} measured, p50 {percentile(latencies, 0.5):.2f} s, "
                f"p99 {percentile(latencies, 0.99):.2f} s, max {max(latencies):.2f} s"
                + (f"; {missing} never seen at 0" if missing else "")
            )
    finally:
        stop(processes)
        sim.stop()
        from django.db import connections

        connections.close_all()
        if not args.keep_db:
            database_admin(args.postgres, f'DROP DATABASE IF EXISTS "{name}"')


if __name__ == "__main__":
    main()
