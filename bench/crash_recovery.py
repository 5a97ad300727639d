"""Crash recovery benchmark: for each kill point, the time from a SIGKILL to the work being complete.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/avasam REDIS_URL=redis://127.0.0.1:6379/3 \
        .venv/bin/python bench/crash_recovery.py [--orders 600] [--listings 200]

Creates a throwaway database (<name>_bench_crash, migrated, dropped at the end) and starts the Amazon simulator
in this process. Every process below is real (`manage.py` commands, `celery worker`), in its own process group,
and is killed whole with SIGKILL at a point the simulator makes deterministic (a slow page, a late answer):
  - sync_orders killed after page k of n; the next sync_orders is started at once;
  - push_stock killed between marking and sending, between createFeed and recording the feed id, and between
    Amazon processing the feed and recording its report; the next push_stock is started at once;
  - a Celery worker killed mid-download and mid-push; another worker (with beat: the sweeper, the drain) is
    started at once.
"Complete" is: every order stored with its lines and the window closed; every listing accepted by Amazon with
its latest value. The Redis database in REDIS_URL is used as the broker and emptied of Celery's queues.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "avasam.settings")
os.environ.setdefault("DEBUG", "true")

UK = "A1F83G8C2ARO7P"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=600)
    parser.add_argument("--page-size", type=int, default=100)
    parser.add_argument("--listings", type=int, default=200)
    parser.add_argument("--keep-db", action="store_true")
    options = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.db import connection

    if connection.vendor != "postgresql" or not settings.REDIS_URL:
        print("This benchmark needs PostgreSQL and Redis: set DATABASE_URL and REDIS_URL.", file=sys.stderr)
        return 2
    database = settings.DATABASES["default"]
    database.setdefault("TEST", {})["NAME"] = f"{database['NAME']}_bench_crash"
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False, serialize=False)
    try:
        return _run(options)
    finally:
        if not options.keep_db:
            connection.creation.destroy_test_db(settings.DATABASES["default"]["NAME"], verbosity=0)


class Bench:
    def __init__(self, options, simulator, broker_url: str, schedule_dir: Path) -> None:
        self.options, self.simulator, self.broker_url, self.schedule_dir = options, simulator, broker_url, schedule_dir
        self.rows: list[tuple[str, float, str]] = []
        self.clock = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)

    # --- set-up ------------------------------------------------------------------------------------------------

    def integration_with_orders(self):
        from orders.tests.simulated import connected_integration, place_orders

        self.simulator.state.speedup = 1000
        integration = connected_integration(self.simulator)
        placed = place_orders(self.simulator, integration, self.options.orders)
        return integration, placed

    def integration_with_listings(self):
        from channels.amazon.simulator.testing import authorise
        from channels.tests.factories import IntegrationFactory
        from stock.services import mapping_create
        from stock.tests.factories import ProductFactory, SupplierFactory

        self.simulator.state.speedup = 5  # a feed takes about a second
        seller = f"A{uuid.uuid4().hex[:13].upper()}"
        self.simulator.state.add_seller(seller, [UK])
        refresh_token = authorise(self.simulator.base_url, seller)["refresh_token"]
        integration = IntegrationFactory(selling_partner_id=seller, marketplace_id=UK, refresh_token=refresh_token)
        supplier = SupplierFactory()
        products = []
        for number in range(self.options.listings):
            self.simulator.state.set_listing(seller, UK, f"SKU-{number}", quantity=0)
            product = ProductFactory(supplier=supplier, sku=f"P-{integration.pk}-{number}")
            products.append(product)
        self.supply(supplier, {product.sku: 20 for product in products})
        for number, product in enumerate(products):
            mapping_create(integration=integration, channel_sku=f"SKU-{number}", product=product)
        return integration, supplier, products

    def supply(self, supplier, levels: dict[str, int]) -> None:
        from stock.services import stock_updates_apply

        updates = []
        for sku, quantity in levels.items():
            self.clock += timedelta(seconds=1)
            updates.append({"sku": sku, "quantity": quantity, "as_of": self.clock.isoformat().replace("+00:00", "Z")})
        stock_updates_apply(supplier=supplier, updates=updates)

    # --- what "complete" means ---------------------------------------------------------------------------------

    @staticmethod
    def orders_complete(integration, placed) -> bool:
        from orders.models import OrderDownload
        from orders.tests.simulated import expected, stored

        row = OrderDownload.objects.filter(integration=integration).first()
        return row is not None and not row.window_in_progress and stored(integration) == expected(placed)

    def listings_complete(self, integration) -> bool:
        from stock.push.models import ListingPush

        rows = ListingPush.objects.filter(integration=integration)
        if rows.filter(pending=True).exists():
            return False
        return all(
            self.simulator.state.listing(integration.selling_partner_id, UK, row.channel_sku).quantity
            == row.desired_quantity
            for row in rows
        )

    # --- kill points -------------------------------------------------------------------------------------------

    def record(self, name: str, seconds: float, note: str = "") -> None:
        self.rows.append((name, seconds, note))
        print(f"{name:<62} {seconds:7.2f} s  {note}", flush=True)

    def sync_orders_killed_after_page(self, page: int) -> None:
        from channels.tests.processes import kill, manage_py, wait_for
        from orders.models import OrderDownload

        integration, placed = self.integration_with_orders()
        pages = -(-self.options.orders // self.options.page_size)
        self.simulator.state.inject_fault(
            "searchOrders", "slow", count=None, delay=0.3, selling_partner_id=integration.selling_partner_id
        )
        env = {"ORDER_DOWNLOAD_PAGE_SIZE": str(self.options.page_size)}
        first = manage_py(self.simulator, "sync_orders", "--integration", str(integration.pk), **env)
        done = OrderDownload.objects.filter(integration=integration, pages_done__gte=page)
        wait_for(done.exists, first, timeout=120)
        killed_at = kill(first)
        self.simulator.state.faults.clear()
        second = manage_py(self.simulator, "sync_orders", "--integration", str(integration.pk), **env)
        second.communicate(timeout=300)
        wait_for(lambda: self.orders_complete(integration, placed), timeout=10)
        self.record(f"sync_orders killed after page {page} of {pages}", time.monotonic() - killed_at, "next run")

    def push_stock_killed(self, name: str, operation: str, fault: str, moment) -> None:
        from channels.tests.processes import kill, manage_py, wait_for

        integration, supplier, products = self.integration_with_listings()
        self.simulator.state.inject_fault(
            operation, fault, count=1, delay=30, selling_partner_id=integration.selling_partner_id
        )
        args = ("push_stock", "--integration", str(integration.pk), "--timeout", "120")
        first = manage_py(self.simulator, *args, STOCK_PUSH_FEED_POLL_SECONDS="0.1")
        wait_for(lambda: moment(integration), first, timeout=120)
        killed_at = kill(first)
        self.simulator.state.faults.clear()
        self.supply(supplier, {product.sku: 7 for product in products[: len(products) // 3]})  # newer values
        second = manage_py(self.simulator, *args, STOCK_PUSH_FEED_POLL_SECONDS="0.1")
        second.communicate(timeout=300)
        wait_for(lambda: self.listings_complete(integration), timeout=10)
        self.record(f"push_stock killed {name}", time.monotonic() - killed_at, "next run")

    def worker_killed_mid_download(self) -> None:
        from channels.tests.processes import celery_worker, kill, send_task, stop, wait_for
        from orders.models import OrderDownload

        integration, placed = self.integration_with_orders()
        self.simulator.state.inject_fault(
            "searchOrders", "slow", count=None, delay=0.3, selling_partner_id=integration.selling_partner_id
        )
        env = {"ORDER_DOWNLOAD_PAGE_SIZE": str(self.options.page_size)}
        first = celery_worker(self.simulator, self.broker_url, "first", self.schedule_dir, with_beat=False, **env)
        second = None
        try:
            send_task(self.broker_url, "orders.tasks.download_orders", integration.pk)
            done = OrderDownload.objects.filter(integration=integration, pages_done__gte=2)
            wait_for(done.exists, first, timeout=120)
            killed_at = kill(first)
            self.simulator.state.faults.clear()
            second = celery_worker(self.simulator, self.broker_url, "second", self.schedule_dir, with_beat=True, **env)
            wait_for(lambda: self.orders_complete(integration, placed), second, timeout=120)
            self.record("celery worker killed mid-download", time.monotonic() - killed_at, "another worker + sweeper")
        finally:
            stop(first, second)

    def worker_killed_mid_push(self) -> None:
        from channels.tests.processes import celery_worker, kill, send_task, stop, wait_for

        integration, _, _ = self.integration_with_listings()
        self.simulator.state.inject_fault(
            "getFeedDocument", "slow", count=1, delay=30, selling_partner_id=integration.selling_partner_id
        )
        env = {"STOCK_PUSH_FEED_QUIET_SECONDS": "0", "STOCK_PUSH_FEED_INTERVAL_SECONDS": "0"}
        first = celery_worker(self.simulator, self.broker_url, "first", self.schedule_dir, with_beat=False, **env)
        second = None
        try:
            for _ in range(5):
                send_task(self.broker_url, "stock.push.tasks.stock_push_integration", integration.pk)
            wait_for(lambda: self.processed_not_recorded(integration), first, timeout=120)
            time.sleep(0.5)
            killed_at = kill(first)
            self.simulator.state.faults.clear()
            second = celery_worker(self.simulator, self.broker_url, "second", self.schedule_dir, with_beat=True, **env)
            wait_for(lambda: self.listings_complete(integration), second, timeout=120)
            took = time.monotonic() - killed_at
            self.record("celery worker killed mid-push", took, "another worker (a queued follow-up, else the drain)")
        finally:
            stop(first, second)

    # The moments of push_stock's three kill points.

    @staticmethod
    def prepared(integration) -> bool:
        from stock.push.models import PushFeed

        return PushFeed.objects.filter(integration=integration, state=PushFeed.State.PREPARING).exists()

    def created_on_amazon(self, integration) -> bool:
        return bool(self.simulator.state.feeds_of(integration.selling_partner_id))

    def processed_not_recorded(self, integration) -> bool:
        from stock.push.models import PushFeed

        feeds = self.simulator.state.feeds_of(integration.selling_partner_id)
        submitted = PushFeed.objects.filter(integration=integration, state=PushFeed.State.SUBMITTED).exists()
        return submitted and any(feed.processing_status == "DONE" for feed in feeds)


def _run(options) -> int:
    import redis
    from django.conf import settings

    from channels.amazon.simulator import AmazonSimulator
    from channels.tests.processes import empty_celery_queues

    simulator = AmazonSimulator()
    base_url = simulator.start(port=0)
    settings.AMAZON_SP_API_ENDPOINT = base_url
    settings.AMAZON_LWA_TOKEN_URL = f"{base_url}/auth/o2/token"
    settings.AMAZON_SELLER_CENTRAL_URL = base_url
    empty_celery_queues(redis.Redis.from_url(settings.REDIS_URL))
    try:
        with tempfile.TemporaryDirectory() as schedule_dir:
            bench = Bench(options, simulator, settings.REDIS_URL, Path(schedule_dir))
            print(f"{'kill point':<62} {'kill → complete':>9}")
            pages = -(-options.orders // options.page_size)
            for page in sorted({1, pages // 2, pages - 1} - {0}):
                bench.sync_orders_killed_after_page(page)
            bench.push_stock_killed("between marking and sending", "createFeedDocument", "slow", bench.prepared)
            bench.push_stock_killed(
                "between createFeed and recording the feed id", "createFeed", "slow_answer", bench.created_on_amazon
            )
            bench.push_stock_killed(
                "between sending and recording the report", "getFeedDocument", "slow", bench.processed_not_recorded
            )
            bench.worker_killed_mid_download()
            bench.worker_killed_mid_push()
    finally:
        empty_celery_queues(redis.Redis.from_url(settings.REDIS_URL))
        simulator.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
