"""Mappings CSV upload benchmark: a file at the limits (100,000 rows, about 5 MB) through the real page.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/avasam .venv/bin/python bench/mappings_upload.py [--rows 100000]

Creates a throwaway database (<name>_bench_mappings, migrated, dropped at the end) with one seller, an authorised
integration with stock updates on, N catalogue products with stock, and recent orders whose lines use a tenth of
the listing SKUs. Then POSTs to /settings/channels/<id>/mappings/upload/ as the seller (Django's test client, so
every middleware and the form run) three files of N rows:
  1. new: every listing mapped for the first time;
  2. again: the same file (nothing changes);
  3. re-point: every listing mapped to another product, with new prices.
For each it prints the request's wall time and queries and, when the app applies the file in the background,
the time a worker (run here, in this process) takes to apply it, then what was done (mappings, orders
reclassified, listings marked for a stock push). Target: the request under 5 s on this machine.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "avasam.settings")
os.environ.setdefault("DEBUG", "true")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--orders", type=int, default=5_000, help="recent orders, two lines each, on mapped SKUs")
    parser.add_argument("--keep-db", action="store_true", help="keep the benchmark database afterwards")
    options = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.db import connection

    if connection.vendor != "postgresql":
        print("This benchmark needs PostgreSQL: set DATABASE_URL=postgres://...", file=sys.stderr)
        return 2
    settings.ALLOWED_HOSTS = ["testserver"]
    database = settings.DATABASES["default"]
    database.setdefault("TEST", {})["NAME"] = f"{database['NAME']}_bench_mappings"
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False, serialize=False)
    try:
        return _run(options)
    finally:
        if not options.keep_db:
            connection.creation.destroy_test_db(settings.DATABASES["default"]["NAME"], verbosity=0)


def _csv(rows: int, *, product_offset: int, price: str) -> bytes:
    lines = ["channel_sku,product_sku,price"]
    lines += [f"AMZ-LISTING-{n:08d},PRODUCT-{(n + product_offset) % rows:08d},{price}" for n in range(rows)]
    return ("\n".join(lines) + "\n").encode()


def _seed(options):
    from decimal import Decimal

    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from accounts.models import Membership, SellerAccount
    from channels.models import Integration
    from orders.models import FulfilledBy, Order, OrderKind, OrderLine
    from stock.models import Product, Supplier

    account = SellerAccount.objects.create(company="Bench Ltd")
    user = get_user_model().objects.create_user("bench@example.com", password="bench-password-1")
    Membership.objects.create(user=user, account=account, is_owner=True)
    integration = Integration.objects.create(
        account=account,
        name="Amazon UK",
        marketplace_id="A1F83G8C2ARO7P",
        selling_partner_id="ABENCHSELLER",
        refresh_token="Atzr|bench",
        authorisation_state=Integration.AuthorisationState.AUTHORISED,
        authorised_at=timezone.now(),
    )
    supplier = Supplier.objects.create(name="Bench supplier")
    now = timezone.now()
    Product.objects.bulk_create(
        [
            Product(
                supplier=supplier,
                sku=f"PRODUCT-{n:08d}",
                title=f"Product {n}",
                price=Decimal("9.99"),
                quantity=n % 50,
                quantity_as_of=now,
            )
            for n in range(options.rows)
        ],
        batch_size=5000,
    )
    orders = Order.objects.bulk_create(
        [
            Order(
                integration=integration,
                amazon_order_id=f"203-{n:07d}-0000000",
                marketplace_id=integration.marketplace_id,
                status="UNSHIPPED",
                fulfilled_by=FulfilledBy.MERCHANT,
                purchased_at=now,
                amazon_updated_at=now,
                currency="GBP",
                total=Decimal("19.98"),
                kind=OrderKind.NON_AVASAM,
                imported_at=now,
                retention_expires_at=now + timezone.timedelta(days=3),
            )
            for n in range(options.orders)
        ],
        batch_size=5000,
    )
    step = max(1, options.rows // (2 * options.orders) or 1)
    OrderLine.objects.bulk_create(
        [
            OrderLine(
                order=order,
                order_item_id=f"{index}{side}",
                channel_sku=f"AMZ-LISTING-{((2 * index + side) * step) % options.rows:08d}",
                asin="B000000001",
                title="A thing",
                quantity=1,
                unit_price=Decimal("9.99"),
            )
            for index, order in enumerate(orders)
            for side in (0, 1)
        ],
        batch_size=5000,
    )
    return user, integration


def _apply_in_background() -> tuple[float, int]:
    """Run, in this process, what a worker does with a stored upload; (seconds, tasks). (0, 0) if none was stored."""
    from django.apps import apps

    try:
        upload_model = apps.get_model("stock", "MappingUpload")
    except LookupError:  # an app that applies every file within the request
        return 0.0, 0
    from stock.services import mapping_upload_apply

    upload = upload_model.objects.filter(status="queued").first()
    if upload is None:
        return 0.0, 0
    started, tasks = time.perf_counter(), 1
    while not mapping_upload_apply(upload_id=upload.pk):
        tasks += 1
    return time.perf_counter() - started, tasks


def _run(options) -> int:
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from avasam.celery import app
    from orders.models import Order, OrderKind
    from stock.models import ListingMapping
    from stock.push.models import ListingPush

    # Tasks the page enqueues go nowhere: this process plays the worker.
    app.conf.update(task_always_eager=False, broker_url="memory://")
    user, integration = _seed(options)
    client = Client()
    client.force_login(user)
    url = f"/settings/channels/{integration.pk}/mappings/upload/"
    files = [
        ("new", _csv(options.rows, product_offset=0, price="12.34")),
        ("again", _csv(options.rows, product_offset=0, price="12.34")),
        ("re-point", _csv(options.rows, product_offset=1, price="23.45")),
    ]
    print(f"{options.rows:,} rows, {options.orders:,} recent orders ({2 * options.orders:,} lines on mapped SKUs)")
    slowest_request = 0.0
    for name, data in files:
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = client.post(url, {"file": SimpleUploadedFile("mappings.csv", data, "text/csv")})
            elapsed = time.perf_counter() - started
        if response.status_code != 302:
            print(f"{name}: HTTP {response.status_code}: {response.content.decode()[-2000:]}", file=sys.stderr)
            return 1
        background, tasks = _apply_in_background()
        slowest_request = max(slowest_request, elapsed)
        pending = ListingPush.objects.filter(integration=integration, pending=True).count()
        avasam = Order.objects.filter(integration=integration, kind=OrderKind.AVASAM).count()
        print(
            f"{name:>9}: request {elapsed:6.2f} s ({len(queries):>4} queries, {len(data) / 1e6:.1f} MB)  "
            f"background {background:6.2f} s ({tasks} task(s))  "
            f"mappings {ListingMapping.objects.filter(integration=integration).count():,}  "
            f"Avasam orders {avasam:,}  listings pending {pending:,}"
        )
    print(f"slowest request: {slowest_request:.2f} s (target: under 5 s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
