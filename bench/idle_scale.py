"""Idle-scale benchmark: N sellers with nothing new, polled the way a worker does, and beat's fan-out of N.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/avasam REDIS_URL=redis://127.0.0.1:6379/0 \\
        .venv/bin/python bench/idle_scale.py [--integrations 2000] [--profile 200]

Creates a throwaway database (<name>_bench_idle, dropped at the end), starts the Amazon simulator in this process,
and gives one seller account N integrations, each a different simulated Amazon seller with no orders. Then:
  1. the first download of each (tokens fetched, download rows created), untimed;
  2. the idle poll of every integration in this one process (orders_download, as the task calls it): polls/s,
     database queries and LWA token calls per integration, SP-API calls;
  3. a cProfile of --profile idle polls (top functions by own time, then by cumulative time);
  4. the seller's /settings/channels/ page (time and size; best of 3);
  5. with REDIS_URL: beat's fan-out (download_orders_for_all_integrations) twice with no worker running (the time
     of one fan-out and the tasks queued after both), then a real Celery worker (threads, --worker-concurrency)
     on Redis until every integration's download has finished: the time of one full round of N.
Targets (issue 17): >= 100 idle polls/s in one process, <= 4 queries per idle integration, no LWA call while the
token is valid, fan-out of 10,000 < 5 s with one task each.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.cpu import machine_speed_ms
from bench.throwaway import in_throwaway_database

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "avasam.settings")
os.environ.setdefault("DEBUG", "true")
os.environ.setdefault("LOG_LEVEL", "WARNING")  # the worker's two lines per task would bury the figures

UK = "A1F83G8C2ARO7P"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--integrations", type=int, default=2_000)
    parser.add_argument("--profile", type=int, default=200, help="idle polls to profile (0: none)")
    parser.add_argument("--worker-concurrency", type=int, default=1, help="threads of the Celery worker")
    parser.add_argument("--keep-db", action="store_true", help="keep the benchmark database afterwards")
    options = parser.parse_args()

    return in_throwaway_database("bench_idle", lambda: _run(options), keep=options.keep_db)


def _run(options) -> int:
    from django.conf import settings

    from channels.amazon.simulator import AmazonSimulator

    simulator = AmazonSimulator(speedup=1)  # Amazon's own rates: an idle poll is one searchOrders per seller
    base_url = simulator.start(port=0)
    settings.AMAZON_SP_API_ENDPOINT = base_url
    settings.AMAZON_LWA_TOKEN_URL = f"{base_url}/auth/o2/token"
    settings.AMAZON_SELLER_CENTRAL_URL = base_url
    settings.ALLOWED_HOSTS = ["*"]
    calls: Counter[str] = Counter()
    record_call = simulator.state.record_call

    def counting(call) -> None:  # the simulator's call log keeps the last few hundred; count them all
        calls[call.operation] += 1
        record_call(call)

    simulator.state.record_call = counting
    try:
        owner, integration_ids = _sellers(simulator, options.integrations)
        print(f"{len(integration_ids):,} integrations of one seller account, each a different simulated seller.")
        _polls(integration_ids, calls, options.profile)
        _list_page(owner)
        if settings.REDIS_URL:
            _fan_out_round(integration_ids, options.worker_concurrency)
        else:
            print("beat fan-out            skipped: set REDIS_URL to drive it with a real worker on Redis")
        print(f"cores                   {os.cpu_count()}; machine speed {machine_speed_ms():.0f} ms (bench/cpu.py)")
        return 0
    finally:
        simulator.stop()


def _sellers(simulator, count: int):
    from accounts.tests.factories import SellerUserFactory
    from channels.models import Integration

    owner = SellerUserFactory(membership__account__company="Idle Sellers Ltd")
    account = owner.membership.account
    rows = []
    for index in range(count):
        selling_partner_id = f"AIDLE{index:09d}"
        simulator.state.add_seller(selling_partner_id, [UK])
        refresh_token, _ = simulator.state.tokens.redeem_authorization_code(
            simulator.state.issue_authorization_code(selling_partner_id)
        )
        rows.append(
            Integration(
                account=account,
                name=f"Amazon UK {index:05d}",
                marketplace_id=UK,
                selling_partner_id=selling_partner_id,
                refresh_token=refresh_token,
                authorisation_state=Integration.AuthorisationState.AUTHORISED,
            )
        )
    created = Integration.objects.bulk_create(rows, batch_size=1000)
    return owner, [integration.pk for integration in created]


def _polls(integration_ids: list[int], calls: Counter, profile: int) -> None:
    from django.db import connection

    from activity.models import Run
    from orders.download import orders_download

    started = time.perf_counter()
    for integration_id in integration_ids:
        orders_download(integration_id=integration_id)
    first = time.perf_counter() - started
    print(f"first downloads         {first:.1f} s ({len(integration_ids) / first:,.0f}/s; tokens fetched, rows made)")

    queries = [0]

    def count(execute, sql, params, many, context):
        queries[0] += 1
        return execute(sql, params, many, context)

    calls.clear()
    runs_before = Run.objects.count()
    outcomes: Counter[str] = Counter()
    with connection.execute_wrapper(count):
        started = time.perf_counter()
        for integration_id in integration_ids:
            outcomes[orders_download(integration_id=integration_id).outcome] += 1
        seconds = time.perf_counter() - started
    n = len(integration_ids)
    print(
        f"idle polls              {seconds:.2f} s for {n:,} = {n / seconds:,.0f} polls/s in one process "
        f"({1000 * seconds / n:.1f} ms each; outcomes {dict(outcomes)})"
    )
    print(f"queries per idle poll   {queries[0] / n:.2f} ({queries[0]:,} in all)")
    lwa, sp_api = calls["token"], {operation: n for operation, n in calls.items() if operation != "token"}
    print(f"LWA calls per poll      {lwa / n:.3f} ({lwa:,}); SP-API calls {sum(sp_api.values()):,} {sp_api}")
    print(f"activity runs written   {Run.objects.count() - runs_before:,} by the idle polls")
    if profile:
        profiler = cProfile.Profile()
        profiler.enable()
        for integration_id in integration_ids[:profile]:
            orders_download(integration_id=integration_id)
        profiler.disable()
        for order, limit in (("tottime", 15), ("cumulative", 25)):
            out = io.StringIO()
            pstats.Stats(profiler, stream=out).sort_stats(order).print_stats(limit)
            print(f"--- profile of {profile} idle polls, by {order} ---")
            print("\n".join(line for line in out.getvalue().splitlines()[4:] if line.strip()))


def _list_page(owner) -> None:
    from django.test import Client

    client = Client()
    client.force_login(owner)
    timings, size, status = [], 0, 0
    for _ in range(3):
        started = time.perf_counter()
        response = client.get("/settings/channels/")
        timings.append(time.perf_counter() - started)
        size, status = len(response.content), response.status_code
    print(f"/settings/channels/     {min(timings) * 1000:.0f} ms best of 3, {size / 1024:.0f} KiB, HTTP {status}")


def _fan_out_round(integration_ids: list[int], concurrency: int) -> None:
    import redis
    from celery.contrib.testing.worker import start_worker
    from django.conf import settings
    from django.utils import timezone

    from avasam.celery import app
    from orders.models import OrderDownload
    from orders.tasks import download_orders_for_all_integrations

    app.conf.task_always_eager = False
    app.control.purge()
    client = redis.Redis.from_url(settings.REDIS_URL)
    for key in client.scan_iter("avasam:queued:*"):
        client.delete(key)
    round_started = timezone.now()
    started = time.perf_counter()
    fanned = download_orders_for_all_integrations()
    fan_out = time.perf_counter() - started
    download_orders_for_all_integrations()  # beat again while no worker has taken anything
    queued = client.llen("celery")
    print(
        f"beat fan-out            {fan_out:.2f} s for {fanned:,} integrations; after two fan-outs with no worker, "
        f"{queued:,} tasks queued ({queued / max(fanned, 1):.2f} per integration)"
    )
    started = time.perf_counter()
    done = OrderDownload.objects.filter(last_finished_at__gte=round_started)
    with start_worker(app, pool="threads", concurrency=concurrency, perform_ping_check=False, shutdown_timeout=60):
        while done.count() < len(integration_ids) and time.perf_counter() - started < 3600:
            time.sleep(0.5)
        seconds = time.perf_counter() - started
        left = client.llen("celery")
    app.control.purge()
    print(
        f"fan-out round           {seconds:.1f} s for {done.count():,} of {len(integration_ids):,} downloads with a "
        f"{concurrency}-thread worker ({done.count() / seconds:,.0f}/s); {left:,} tasks still queued at the end"
    )


if __name__ == "__main__":
    sys.exit(main())
