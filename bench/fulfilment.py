"""Benchmark: dropship fulfilment, from Avasam orders to parcels confirmed on Amazon (the simulator).

20 sellers (one authorised integration each) with 2,000 Avasam orders between them on the in-process Amazon
simulator; `sync_orders` downloads them and makes one dispatch per order for the one supplier. gunicorn serves
the supplier API and a Celery worker (Redis broker) confirms parcels; the bench plays beat (the confirmation
sweep every `--beat` seconds, FULFILMENT_CONFIRM_INTERVAL_SECONDS in production). The supplier lists its
dispatches (GET /api/v1/dispatches) and ships them in batches (POST /api/v1/shipments) from `--clients` clients.

Prints: the supplier API's parcels per second, confirmShipment calls per parcel (must be 1), and the time from a
parcel posted to the simulator holding its package (p50, p99), with the simulator at `--speedup` (1 = Amazon's
published rates: confirmShipment 2/s, burst 10, per seller).

    REDIS_URL=redis://127.0.0.1:6379/5 .venv/bin/python bench/fulfilment.py [--speedup 1] [--orders 2000]
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import ROOT, add_app_arguments, start_app, stop
from supplier_stock import app_environment, database_admin, percentile, wait_until_up

UK = "A1F83G8C2ARO7P"
SKUS_PER_SELLER = 10


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_app_arguments(parser, database="avasam_bench_fulfilment", redis_db=5)
    parser.add_argument("--sellers", type=int, default=20)
    parser.add_argument("--orders", type=int, default=2_000, help="Avasam orders, spread over the sellers")
    parser.add_argument("--batch", type=int, default=100, help="parcels per POST /api/v1/shipments")
    parser.add_argument("--clients", type=int, default=2, help="concurrent supplier API clients")
    parser.add_argument("--speedup", type=float, default=1.0, help="simulator speedup (1 = Amazon's rates)")
    parser.add_argument("--beat", type=float, default=30.0, help="seconds between confirmation sweeps")
    parser.add_argument("--timeout", type=float, default=1800, help="give up waiting for Amazon after this")
    return parser.parse_args()


def environment(args, base_url: str) -> dict[str, str]:
    return {
        **app_environment(args.postgres),
        "REDIS_URL": args.redis,
        "AMAZON_SP_API_ENDPOINT": base_url,
        "AMAZON_LWA_TOKEN_URL": f"{base_url}/auth/o2/token",
        "AMAZON_SELLER_CENTRAL_URL": base_url,
        "FULFILMENT_CONFIRM_INTERVAL_SECONDS": str(args.beat),
    }


def seller_ids(args) -> list[str]:
    return [f"ABENCHFUL{number:04d}" for number in range(args.sellers)]


def setup_sellers(args, sim) -> str:
    """Sellers, integrations, the supplier and its products, mappings, and the orders on Amazon. Returns the
    supplier's API token."""
    from accounts.models import SellerAccount
    from channels.models import Integration
    from stock.models import ListingMapping, Product, Supplier
    from stock.services import supplier_token_issue

    supplier = Supplier.objects.create(name="Bench supplier")
    as_of = datetime.now(UTC) - timedelta(days=1)
    products = Product.objects.bulk_create(
        [
            Product(
                sku=f"SUP-{n:03d}",
                title=f"Product {n}",
                supplier=supplier,
                price="9.99",
                quantity=10_000,
                quantity_as_of=as_of,
            )
            for n in range(SKUS_PER_SELLER)
        ]
    )
    rng = random.Random(15)
    created = datetime.now(UTC) - timedelta(minutes=30)
    for number, seller in enumerate(seller_ids(args)):
        sim.state.add_seller(seller, [UK])
        refresh_token, _ = sim.state.tokens.redeem_authorization_code(sim.state.issue_authorization_code(seller))
        account = SellerAccount.objects.create(company=f"Bench seller {number}")
        integration = Integration.objects.create(
            account=account,
            name=f"Bench UK {number}",
            marketplace_id=UK,
            selling_partner_id=seller,
            refresh_token=refresh_token,
            authorisation_state=Integration.AuthorisationState.AUTHORISED,
        )
        ListingMapping.objects.bulk_create(
            [ListingMapping(integration=integration, channel_sku=f"AMZ-{p.sku}", product=p) for p in products]
        )
        share = args.orders // args.sellers + (1 if number < args.orders % args.sellers else 0)
        for _ in range(share):
            lines = [
                {"sku": f"AMZ-{product.sku}", "quantity": rng.randint(1, 2), "unit_price": "9.99"}
                for product in rng.sample(products, rng.randint(1, 2))
            ]
            sim.state.add_order(seller, UK, lines=lines, created_at=created)
    return supplier_token_issue(supplier=supplier)


class PackageWatcher(threading.Thread):
    """Polls the simulator for each posted parcel's order until Amazon holds a package for it."""

    def __init__(self, sim, sellers: list[str]):
        super().__init__(daemon=True)
        self.pending, self.latencies = {}, []
        self.lock, self.stopped = threading.Lock(), threading.Event()
        # The simulator's live records: a package shows up on them the moment confirmShipment is answered.
        self._orders = {order.order_id: order for seller in sellers for order in sim.state.visible_orders(seller)}

    def expect(self, amazon_order_ids: list[str], since: float) -> None:
        with self.lock:
            self.pending.update(dict.fromkeys(amazon_order_ids, since))

    def run(self) -> None:
        while not self.stopped.is_set():
            with self.lock:
                watched = list(self.pending.items())
            now = time.perf_counter()
            arrived = [order_id for order_id, _ in watched if self._orders[order_id].packages]
            with self.lock:
                for order_id in arrived:
                    self.latencies.append(now - self.pending.pop(order_id))
            time.sleep(0.05)


def list_dispatches(client: httpx.Client) -> list[dict]:
    dispatches, params = [], {"status": "open"}
    while True:
        page = client.get("/api/v1/dispatches", params=params).raise_for_status().json()
        dispatches += page["dispatches"]
        if not page["next_cursor"]:
            return dispatches
        params = {"status": "open", "cursor": page["next_cursor"]}


def parcel_for(dispatch: dict) -> dict:
    return {
        "dispatch_id": dispatch["id"],
        "carrier": random.choice(("Royal Mail", "DPD", "Evri", "Parcelforce")),
        "tracking_number": f"BENCH{dispatch['id']:010d}",
        "ship_date": (datetime.now(UTC) - timedelta(minutes=5)).isoformat().replace("+00:00", "Z"),
        "lines": [{"sku": line["sku"], "quantity": line["quantity"]} for line in dispatch["lines"]],
    }


def ship(url: str, token: str, dispatches: list[dict], args, watcher: PackageWatcher) -> float:
    """Post every dispatch's parcel in batches from `--clients` clients; returns the seconds it took."""
    batches = [dispatches[start : start + args.batch] for start in range(0, len(dispatches), args.batch)]
    lock = threading.Lock()

    def client_loop() -> None:
        with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=300) as client:
            while True:
                with lock:
                    if not batches:
                        return
                    batch = batches.pop()
                started = time.perf_counter()
                response = client.post("/api/v1/shipments", json={"shipments": [parcel_for(d) for d in batch]})
                if response.status_code != 200 or response.json()["created"] != len(batch):
                    sys.exit(f"POST /api/v1/shipments answered {response.status_code}: {response.text[:300]}")
                watcher.expect([d["amazon_order_id"] for d in batch], started)  # from when the request was sent

    started = time.perf_counter()
    threads = [threading.Thread(target=client_loop) for _ in range(args.clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - started


def main() -> None:
    args = parse_args()
    from channels.amazon.simulator import AmazonSimulator

    sim = AmazonSimulator(speedup=args.speedup)
    base_url = sim.start(port=0)
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
    from fulfilment.models import Dispatch, Parcel

    processes: list[subprocess.Popen] = []
    beat_stop = threading.Event()
    try:
        token = setup_sellers(args, sim)
        started = time.perf_counter()
        subprocess.run([sys.executable, "manage.py", "sync_orders"], cwd=ROOT, env=env, check=True, capture_output=True)
        print(
            f"{args.orders:,} orders of {args.sellers} sellers downloaded, {Dispatch.objects.count():,} dispatches "
            f"({time.perf_counter() - started:.0f} s)",
            flush=True,
        )
        app.control.purge()
        processes, url = start_app(args, env)
        if not wait_until_up(url, seconds=20):
            sys.exit("gunicorn did not start")

        def beat() -> None:
            while not beat_stop.wait(args.beat):
                app.send_task("fulfilment.tasks.confirm_shipments_for_all_integrations")

        threading.Thread(target=beat, daemon=True).start()
        watcher = PackageWatcher(sim, seller_ids(args))
        watcher.start()
        with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=300) as client:
            listing_started = time.perf_counter()
            dispatches = list_dispatches(client)
            listing = time.perf_counter() - listing_started
        posting = ship(url, token, dispatches, args, watcher)
        parcels = Parcel.objects.count()
        print(
            f"listed {len(dispatches):,} dispatches in {listing:.1f} s; posted {parcels:,} parcels in {posting:.1f} s",
            flush=True,
        )
        last_post = time.perf_counter()
        while watcher.pending and time.perf_counter() - last_post < args.timeout:
            print(f"  {len(watcher.pending):,} parcels not yet on Amazon …", flush=True)
            time.sleep(5)
        beat_stop.set()
        time.sleep(2)  # a confirmation in flight may still arrive: it would count against "once"
        watcher.stopped.set()

        confirmed = sim.state.call_count("confirmShipment", status=204)
        attempts = sim.state.call_count("confirmShipment")
        print(
            f"\nfulfilment, {args.sellers} sellers, {parcels:,} parcels, simulator speedup {args.speedup:g}, "
            f"beat every {args.beat:g} s, worker concurrency {args.concurrency}, {os.cpu_count()} CPU(s):"
        )
        print(f"  supplier API: {parcels / posting:,.0f} parcels/s ({args.batch} a request, {args.clients} clients)")
        package_checks = sim.state.call_count("getOrder")
        print(
            f"  confirmShipment: {confirmed / parcels:.3f} accepted calls per parcel ({confirmed:,} accepted, "
            f"{attempts - confirmed:,} refused or throttled; {package_checks} getOrder package checks)"
        )
        latencies = watcher.latencies
        if latencies:
            print(
                f"  posted to on Amazon: {len(latencies):,} measured, p50 {percentile(latencies, 0.5):.1f} s, "
                f"p99 {percentile(latencies, 0.99):.1f} s, max {max(latencies):.1f} s"
                + (f"; {len(watcher.pending)} never arrived" if watcher.pending else "")
            )
    finally:
        beat_stop.set()
        stop(processes)
        sim.stop()
        from django.db import connections

        connections.close_all()
        if not args.keep_db:
            database_admin(args.postgres, f'DROP DATABASE IF EXISTS "{name}"')


if __name__ == "__main__":
    main()
