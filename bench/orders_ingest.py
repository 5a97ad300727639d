"""Order download benchmark: the real download of N simulated orders into PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/avasam REDIS_URL=redis://127.0.0.1:6379/8 \
        .venv/bin/python bench/orders_ingest.py [--orders 10000]

Creates a throwaway database (<name>_bench_orders, migrated, dropped at the end), starts the Amazon simulator in a
separate process (so it does not share this process's GIL with the floors and the download) with its rate limits
sped up, places N orders of two lines each for one integration (half the SKUs
mapped to products), then:
  1. fetches and parses every page through the gateway with no database work (the library floor),
  1b. fetches the same pages (same includedData) with a bare httpx.Client and json.loads alone (the plain floor),
  2. runs the real download (orders.download.orders_download) over the same orders,
and prints orders per second, database queries per page, SP-API calls, peak memory, and the ratio of the download
to each floor. Targets (issue 17): >= 3,000 orders/s on PostgreSQL on 2 cores, constant queries per page, download
<= 2x the plain floor. Run it with REDIS_URL, as production runs: without it the rate-limit buckets are rows in the
database, and each page's token is a transaction of its own (about a tenth more CPU here and in PostgreSQL).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import multiprocessing
import os
import re
import resource
import statistics
import sys
import time
import tracemalloc
import uuid
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.cpu import machine_speed_ms, postgres_cpu_seconds, process_cpu_seconds
from bench.throwaway import in_throwaway_database

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "avasam.settings")
os.environ.setdefault("DEBUG", "true")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=10_000)
    parser.add_argument("--page-size", type=int, default=100)
    parser.add_argument("--skus", type=int, default=1_000, help="distinct listing SKUs (half of them mapped)")
    parser.add_argument("--speedup", type=float, default=1_000_000, help="simulator rate limits, times faster")
    parser.add_argument("--rounds", type=int, default=3, help="measure each pass this many times, report the best")
    parser.add_argument("--profile", type=int, default=0, help="then profile one download: print its top N entries")
    parser.add_argument("--keep-db", action="store_true", help="keep the benchmark database afterwards")
    options = parser.parse_args()

    return in_throwaway_database("bench_orders", lambda: _run(options), keep=options.keep_db)


def _run(options) -> int:
    from django.conf import settings
    from django.db import connection

    settings.ORDER_DOWNLOAD_PAGE_SIZE = options.page_size
    # DEBUG only lets this bench start without production's secrets: a worker runs with it off, and so does the
    # download here (with it on, Django keeps the text of every statement, 0.5 MB a page).
    settings.DEBUG = False

    from accounts.models import SellerAccount
    from avasam.garbage_collection import collect_for_a_server_process
    from channels.amazon.gateway import ORDER_DATA, gateway_for
    from channels.amazon.simulator.testing import authorise, token_request
    from channels.models import Integration
    from orders.download import orders_download
    from orders.models import Order, OrderLine
    from stock.models import ListingMapping, Product, Supplier

    uk = "A1F83G8C2ARO7P"
    selling_partner_id = f"ABENCH{uuid.uuid4().hex[:8].upper()}"
    skus = [f"BENCH-{index:05d}" for index in range(options.skus)]
    simulator = _SimulatorProcess(options, selling_partner_id, uk, skus)
    base_url = simulator.start()
    settings.AMAZON_SP_API_ENDPOINT = base_url
    settings.AMAZON_LWA_TOKEN_URL = f"{base_url}/auth/o2/token"
    settings.AMAZON_SELLER_CENTRAL_URL = base_url
    try:
        # The seller's integration, and a catalogue with half the listing SKUs mapped.
        integration = Integration.objects.create(
            account=SellerAccount.objects.create(company="Benchmark Ltd"),
            name="Amazon UK (benchmark)",
            marketplace_id=uk,
            selling_partner_id=selling_partner_id,
            refresh_token=authorise(base_url, selling_partner_id)["refresh_token"],
            authorisation_state=Integration.AuthorisationState.AUTHORISED,
        )
        supplier = Supplier.objects.create(name="Benchmark supplier")
        products = Product.objects.bulk_create(
            Product(sku=f"AV-{sku}", title=f"Product {sku}", supplier=supplier, quantity=10) for sku in skus[::2]
        )
        ListingMapping.objects.bulk_create(
            ListingMapping(integration=integration, channel_sku=sku, product=product)
            for sku, product in zip(skus[::2], products, strict=True)
        )
        print(
            f"{options.orders:,} orders of 2 lines placed on the simulator ({base_url}, speedup {options.speedup:g})."
        )

        from django.utils import timezone

        def fetch_and_parse() -> tuple[float, int, int]:
            """1. The floor: the same pages through the same gateway, parsed, with no database work."""
            gateway = gateway_for(integration, wait_for_rate_limit=True)
            created_after = timezone.now() - timezone.timedelta(days=settings.ORDER_FIRST_DOWNLOAD_DAYS)
            token, fetched, pages = None, 0, 0
            cpu.start()
            started = time.perf_counter()
            while True:
                page = gateway.search_orders(
                    created_after=created_after, pagination_token=token, max_results=options.page_size
                )
                fetched, pages, token = fetched + len(page.orders), pages + 1, page.next_token
                if not token:
                    break
            seconds = time.perf_counter() - started
            cpu.stop("fetch+parse")
            gateway.close()
            return seconds, fetched, pages

        def plain_floor() -> tuple[float, int, int]:
            """1b. The plain floor: a bare httpx.Client and json.loads per page, same pages and includedData."""
            access_token = token_request(
                base_url, grant_type="refresh_token", refresh_token=integration.refresh_token
            ).json()["access_token"]
            created_after = timezone.now() - timezone.timedelta(days=settings.ORDER_FIRST_DOWNLOAD_DAYS)
            params = {
                "marketplaceIds": uk,
                "includedData": ",".join(ORDER_DATA),  # what the download asks for
                "maxResultsPerPage": options.page_size,
                "createdAfter": created_after.isoformat().replace("+00:00", "Z"),
            }
            fetched, pages = 0, 0
            with httpx.Client(base_url=base_url, headers={"x-amz-access-token": access_token}) as client:
                cpu.start()
                started = time.perf_counter()
                while True:
                    body = json.loads(client.get("/orders/2026-01-01/orders", params=params).content)
                    fetched, pages = fetched + len(body["orders"]), pages + 1
                    token = body.get("pagination", {}).get("nextToken")
                    if not token:
                        break
                    params = {**params, "paginationToken": token}
                seconds = time.perf_counter() - started
                cpu.stop("plain floor")
            return seconds, fetched, pages

        counter = _QueryCounter()
        cpu = _CpuTimes(simulator_pid=simulator.process.pid, connection=connection)

        def download():
            """2. The real download from scratch, counting the queries of each page (split where it commits)."""
            with connection.cursor() as cursor:  # a throwaway database: start each round from empty tables
                cursor.execute("TRUNCATE orders_orderline, orders_order, orders_orderdownload CASCADE")
            counter.reset()
            calls_before = _sim_counts(base_url)
            cpu.start()  # outside the counter: reading the server's CPU time is a query of its own
            with connection.execute_wrapper(counter), counter.timing_commits(connection):
                started = time.perf_counter()
                result = orders_download(integration_id=integration.pk, wait_for_rate_limit=True)
                seconds = time.perf_counter() - started
            cpu.stop("download")
            calls = {
                operation: count - calls_before.get(operation, 0) for operation, count in _sim_counts(base_url).items()
            }
            return seconds, result, sum(calls.values()), calls.get("searchOrders", 0)

        collect_for_a_server_process()  # what each worker process does once it has forked
        fetch_times, plain_times, download_times, rss_after_fetch = [], [], [], 0.0
        for _ in range(options.rounds):
            fetch_seconds, fetched, fetch_pages = fetch_and_parse()
            fetch_times.append(fetch_seconds)
            plain_seconds, plain_fetched, plain_pages = plain_floor()
            plain_times.append(plain_seconds)
            rss_after_fetch = max(rss_after_fetch, _peak_rss_mb())
            download_seconds, result, sp_api_calls, search_calls = download()
            download_times.append(download_seconds)
        rss_after_download = _peak_rss_mb()
        # The timed rounds only.
        cpu_spent = {name: cpu.summary(name) for name in ("download", "fetch+parse", "plain floor")}
        counter.timed = False
        # One more, untimed, round under tracemalloc: the Python memory the download itself peaks at.
        tracemalloc.start()
        download()
        traced_peak_mb = tracemalloc.get_traced_memory()[1] / 1024 / 1024
        tracemalloc.stop()
        fetch_seconds, download_seconds, plain_seconds = min(fetch_times), min(download_times), min(plain_times)

        orders_stored = Order.objects.filter(integration=integration).count()
        lines_stored = OrderLine.objects.filter(order__integration=integration).count()
        ok = result.outcome == "done" and orders_stored == options.orders and lines_stored == 2 * options.orders
        per_page = counter.segments()
        middle_pages = per_page[1:-1] or per_page
        print(f"download result        {result.summary()}")
        print(f"stored                 {orders_stored:,} orders, {lines_stored:,} lines ({'OK' if ok else 'MISMATCH'})")
        print(
            f"download               {download_seconds:.2f} s = {options.orders / download_seconds:,.0f} orders/s "
            f"(best of {options.rounds}; median {statistics.median(download_times):.2f} s)"
        )
        print(
            f"fetch + parse only     {fetch_seconds:.2f} s = {fetched / fetch_seconds:,.0f} orders/s "
            f"({fetch_pages} pages; best of {options.rounds}; median {statistics.median(fetch_times):.2f} s)"
        )
        print(
            f"plain httpx + json     {plain_seconds:.2f} s = {plain_fetched / plain_seconds:,.0f} orders/s "
            f"({plain_pages} pages; best of {options.rounds}; median {statistics.median(plain_times):.2f} s)"
        )
        print(
            f"download / fetch+parse {download_seconds / fetch_seconds:.2f}x best to best, "
            f"{statistics.median(download_times) / statistics.median(fetch_times):.2f}x median to median"
        )
        print(
            f"download / plain floor {download_seconds / plain_seconds:.2f}x best to best, "
            f"{statistics.median(download_times) / statistics.median(plain_times):.2f}x median to median "
            "(target <= 2x)"
        )
        print(
            f"DB queries per page    min {min(middle_pages)}, max {max(middle_pages)} (pages after the first; "
            f"before the first page, the hold and window: {per_page[0]}, last page incl. letting go: {per_page[-1]}); "
            f"total {sum(per_page)} for {result.pages} pages"
        )
        print(
            f"SP-API calls           {search_calls} searchOrders during the download "
            f"({sp_api_calls} requests incl. LWA token); {fetch_pages} in the fetch-only pass"
        )
        print(
            f"peak memory            {traced_peak_mb:.1f} MB allocated at most during one download (tracemalloc); "
            f"process RSS peak {rss_after_fetch:.0f} MB after the fetch-only passes, {rss_after_download:.0f} MB "
            f"after the downloads (the simulator runs in its own process)"
        )
        for name, spent in cpu_spent.items():
            print(f"CPU in the {name:11s} {spent}")
        cpu_bound = sum(cpu.medians("download")) / os.cpu_count()
        print(
            f"CPU-bound limit        {cpu_bound:.2f} s: the download's CPU in all three processes over "
            f"{os.cpu_count()} cores, {cpu_bound / statistics.median(plain_times):.2f}x the plain floor's median "
            "(no download that takes this much CPU is faster on this machine)"
        )
        timed_pages = options.rounds * result.pages
        page_ms = 1000 * sum(download_times) / timed_pages
        statements_ms = {kind: 1000 * seconds / timed_pages for kind, seconds in counter.seconds.items()}
        waiting_ms = sum(statements_ms.values())
        print(
            f"per page               {page_ms:.1f} ms of the download on average, in the storing thread: "
            f"{waiting_ms:.1f} ms waiting for the database (its statements and commits, the main kinds below), "
            f"{page_ms - waiting_ms:.1f} ms in Python (this thread's, and waiting for the fetching thread to let go "
            "of the GIL)"
        )
        for kind, ms in sorted(statements_ms.items(), key=lambda item: -item[1])[:8]:
            print(f"  {ms:5.2f} ms  {kind}")
        print(f"cores                  {os.cpu_count()}; machine speed {machine_speed_ms():.0f} ms (bench/cpu.py)")
        # Each page takes a token from the seller's rate-limit bucket: in production Redis holds the buckets; without
        # REDIS_URL the database does, a transaction of its own per page.
        buckets = "Redis (REDIS_URL)" if settings.REDIS_URL else "the database (no REDIS_URL; production has Redis)"
        print(f"rate-limit buckets     in {buckets}")
        if options.profile:
            _print_profile(download, options.profile)
        return 0 if ok else 1
    finally:
        simulator.stop()


class _SimulatorProcess:
    """The Amazon simulator in a forked child process, seeded there with the seller and its N orders."""

    def __init__(self, options, selling_partner_id: str, marketplace_id: str, skus: list[str]) -> None:
        self.options, self.selling_partner_id, self.marketplace_id, self.skus = (
            options,
            selling_partner_id,
            marketplace_id,
            skus,
        )
        self.process = None

    def start(self) -> str:
        context = multiprocessing.get_context("fork")
        receiving, sending = context.Pipe(duplex=False)
        self.process = context.Process(target=self._serve, args=(sending,), daemon=True)
        self.process.start()
        return receiving.recv()

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.join(10)

    def _serve(self, sending) -> None:
        from channels.amazon.simulator import AmazonSimulator

        options, skus = self.options, self.skus
        simulator = AmazonSimulator(speedup=options.speedup)
        simulator.state.add_seller(self.selling_partner_id, [self.marketplace_id])
        for index in range(options.orders):
            simulator.state.add_order(
                self.selling_partner_id,
                self.marketplace_id,
                lines=[
                    {"sku": skus[(2 * index) % len(skus)], "quantity": 1, "unit_price": "9.99"},
                    {"sku": skus[(2 * index + 3) % len(skus)], "quantity": 2, "unit_price": "4.50"},
                ],
            )
        sending.send(simulator.start(port=0))
        while True:  # serving in the simulator's own threads until the parent terminates this process
            time.sleep(3600)


def _print_profile(download, top: int) -> None:
    """One more download under cProfile: where its time goes, by own time and by cumulative time."""
    import cProfile
    import pstats

    profiler = cProfile.Profile()
    profiler.runcall(download)
    for order in ("tottime", "cumulative"):
        print(f"--- profile of one download, top {top} by {order} ---")
        pstats.Stats(profiler, stream=sys.stdout).sort_stats(order).print_stats(top)


def _statement_kind(sql: str) -> str:
    """A statement's verb and first table: 'INSERT orders_order' (with its lines, in one statement), 'SELECT ...'."""
    verb = "INSERT" if sql.startswith("WITH parent AS (INSERT") else sql.split(None, 1)[0].upper()
    table = re.search(r'(?:INTO|UPDATE|FROM) "(\w+)"', sql)
    return f"{verb} {table.group(1)}" if table else verb


def _sim_counts(base_url: str) -> dict[str, int]:
    return httpx.get(base_url + "/_sim/counts").json()["calls"]


class _CpuTimes:
    """CPU seconds of each pass in this process (all threads), in the PostgreSQL server process serving it and in
    the simulator (the median over the rounds): where the download's time goes, beside the floor's."""

    def __init__(self, *, simulator_pid: int, connection) -> None:
        self.simulator_pid, self.connection = simulator_pid, connection
        self.passes: dict[str, list[tuple[float, float, float]]] = {}
        self.started = (0.0, 0.0, 0.0)

    def _now(self) -> tuple[float, float, float]:
        return (
            time.process_time(),
            postgres_cpu_seconds(self.connection),
            process_cpu_seconds(self.simulator_pid),
        )

    def start(self) -> None:
        self.started = self._now()

    def stop(self, name: str) -> None:
        spent = tuple(now - then for now, then in zip(self._now(), self.started, strict=True))
        self.passes.setdefault(name, []).append(spent)

    def medians(self, name: str) -> tuple[float, float, float]:
        process, server, simulator = (statistics.median(column) for column in zip(*self.passes[name], strict=True))
        return process, server, simulator

    def summary(self, name: str) -> str:
        process, server, simulator = self.medians(name)
        return f"this process {process:.2f} s, PostgreSQL {server:.2f} s, simulator {simulator:.2f} s (median)"


class _QueryCounter:
    """Counts queries, starting a new segment at each page's commit (its first statement moves the resume point), and
    adds up how long each kind of statement takes, from sending it to having its answer (`timed` rounds only)."""

    def __init__(self) -> None:
        self.counts = [0]
        self.timed = True
        self.seconds: dict[str, float] = {}

    def __call__(self, execute, sql, params, many, context):
        if sql.startswith('UPDATE "orders_orderdownload"') and '"pages_done"' in sql:
            self.counts.append(0)
        self.counts[-1] += 1
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            if self.timed:
                kind = _statement_kind(sql)
                self.seconds[kind] = self.seconds.get(kind, 0.0) + time.perf_counter() - started

    @contextlib.contextmanager
    def timing_commits(self, connection):
        """Commits timed too (a page's deferred foreign-key checks run in its commit), as 'COMMIT'."""
        commit = connection._commit

        def timed_commit():
            started = time.perf_counter()
            try:
                return commit()
            finally:
                if self.timed:
                    self.seconds["COMMIT"] = self.seconds.get("COMMIT", 0.0) + time.perf_counter() - started

        connection._commit = timed_commit
        try:
            yield
        finally:
            del connection._commit  # the backend's own method again

    def reset(self) -> None:
        self.counts = [0]

    def segments(self) -> list[int]:
        return list(self.counts)


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


if __name__ == "__main__":
    sys.exit(main())
