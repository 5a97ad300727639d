from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection

from stock.models import Product, StockChange
from stock.services import stock_updates_apply
from stock.tests.factories import ProductFactory, SupplierFactory

T0 = datetime.now(UTC) - timedelta(days=1)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_batches_on_the_same_skus_neither_deadlock_nor_lose_the_newest_value():
    supplier = SupplierFactory()
    skus = [product.sku for product in ProductFactory.create_batch(300, supplier=supplier)]
    rounds, failures = 8, []
    barrier = threading.Barrier(4)

    def client(worker: int) -> None:
        try:
            order = skus if worker % 2 == 0 else list(reversed(skus))  # opposite orders invite deadlocks
            for round_ in range(rounds):
                barrier.wait()
                as_of = T0 + timedelta(seconds=round_ * 10 + worker)
                updates = [{"sku": sku, "quantity": round_ * 10 + worker, "as_of": as_of.isoformat()} for sku in order]
                stock_updates_apply(supplier=supplier, updates=updates)
        except Exception as error:  # reported below, with the thread's error
            failures.append(error)
            barrier.abort()
        finally:
            connection.close()

    threads = [threading.Thread(target=client, args=(worker,)) for worker in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert not failures
    newest = (rounds - 1) * 10 + 3
    assert set(Product.objects.values_list("quantity", flat=True)) == {newest}
    assert set(Product.objects.values_list("quantity_as_of", flat=True)) == {T0 + timedelta(seconds=newest)}
    # Every recorded change is a step forward in time for its product.
    for product_id in Product.objects.values_list("pk", flat=True)[:20]:
        as_ofs = list(StockChange.objects.filter(product_id=product_id).order_by("pk").values_list("as_of", flat=True))
        assert as_ofs == sorted(as_ofs)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_creating_a_sku_another_request_is_creating_at_the_same_moment_is_409_and_applies_nothing():
    import json
    import time

    from django.db import transaction
    from django.test import Client

    from stock.services import supplier_token_issue

    supplier = SupplierFactory()
    token = supplier_token_issue(supplier=supplier)
    answers = []

    def create_through_the_api() -> None:
        body = {"products": [{"sku": "OTHER", "title": "Other"}, {"sku": "NEW", "title": "Mine"}]}
        response = Client().post(
            "/api/v1/products",
            data=json.dumps(body),
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {token}",
        )
        answers.append(response)
        connection.close()

    request = threading.Thread(target=create_through_the_api)
    with transaction.atomic():  # the other request: its new row not yet committed
        ProductFactory(sku="NEW", supplier=supplier)
        request.start()
        time.sleep(0.5)  # the API's insert now waits on this transaction's row
    request.join(timeout=30)

    [response] = answers
    assert response.status_code == 409
    assert "send it again" in response.json()["error"]
    assert not Product.objects.filter(sku="OTHER").exists()
