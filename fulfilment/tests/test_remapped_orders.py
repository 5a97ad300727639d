"""An order downloaded before its SKU was mapped is dispatched when the seller maps it, against the simulator:
the recipient read again from Amazon in the background, once per Amazon order and supplier."""

from __future__ import annotations

import pytest
from celery.exceptions import Retry
from django.utils import timezone

from channels.amazon.simulator.testing import cancel_order
from fulfilment.models import Dispatch
from fulfilment.tasks import dispatch_remapped_order
from orders.download import orders_download
from orders.models import Order
from orders.tests.simulated import UK, connected_integration
from stock.services import supplier_token_issue
from stock.services.mappings import mapping_create, mapping_remove
from stock.tests.factories import ProductFactory, SupplierFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def simulator(amazon_simulator):
    amazon_simulator.state.speedup = 1000
    return amazon_simulator


@pytest.fixture
def integration(simulator):
    return connected_integration(simulator)


@pytest.fixture
def supplier():
    supplier = SupplierFactory(name="One")
    return supplier, supplier_token_issue(supplier=supplier)


def place(simulator, integration, skus=("SKU-A",), **fields):
    return simulator.state.add_order(
        integration.selling_partner_id,
        UK,
        lines=[{"sku": sku, "quantity": 2, "unit_price": "5.00"} for sku in skus],
        **fields,
    )


def mapped(integration, channel_sku, product, capture):
    """Map the SKU the way the seller does and run what it enqueued after the commit."""
    with capture(execute=True):
        return mapping_create(integration=integration, channel_sku=channel_sku, product=product)


def listed(client, token) -> list[dict]:
    response = client.get("/api/v1/dispatches", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200
    return response.json()["dispatches"]


def get_order_calls(simulator) -> int:
    return simulator.state.call_count("getOrder")


def test_mapping_the_sku_after_the_download_dispatches_the_order_with_its_recipient(
    simulator, integration, supplier, client, django_capture_on_commit_callbacks
):
    supplier, token = supplier
    order = place(simulator, integration)
    orders_download(integration_id=integration.pk)
    assert listed(client, token) == [] and Dispatch.objects.count() == 0

    mapped(integration, "SKU-A", ProductFactory(sku="P-A", supplier=supplier), django_capture_on_commit_callbacks)

    [dispatch] = listed(client, token)
    assert dispatch["amazon_order_id"] == order.order_id
    assert [(line["sku"], line["quantity"]) for line in dispatch["lines"]] == [("P-A", 2)]
    assert dispatch["recipient"]["name"] == order.recipient["name"]
    assert Dispatch.objects.get().order == Order.objects.get(integration=integration)
    assert get_order_calls(simulator) == 1


def test_mapping_again_or_twice_before_the_background_ran_makes_one_dispatch_and_asks_amazon_once(
    simulator, integration, supplier, client, django_capture_on_commit_callbacks
):
    supplier, token = supplier
    place(simulator, integration, skus=("SKU-A", "SKU-C"))
    orders_download(integration_id=integration.pk)
    product_a, product_c = ProductFactory(supplier=supplier), ProductFactory(supplier=supplier)
    with django_capture_on_commit_callbacks(execute=False) as enqueued:
        mapping = mapping_create(integration=integration, channel_sku="SKU-A", product=product_a)
        mapping_create(integration=integration, channel_sku="SKU-C", product=product_c)
    for callback in enqueued:  # two tasks for the order: the first dispatches both lines, the second has nothing
        callback()
    assert get_order_calls(simulator) == 1

    mapping_remove(mapping=mapping)
    mapped(integration, "SKU-A", mapping.product, django_capture_on_commit_callbacks)  # the line is on its dispatch
    dispatch_remapped_order(order_id=Order.objects.get().pk, integration_id=integration.pk)  # a duplicate task

    [dispatch] = listed(client, token)
    assert len(dispatch["lines"]) == 2
    assert get_order_calls(simulator) == 1


def test_a_sku_mapped_to_another_supplier_later_makes_that_suppliers_dispatch_only(
    simulator, integration, supplier, client, django_capture_on_commit_callbacks
):
    supplier, token = supplier
    other = SupplierFactory(name="Two")
    place(simulator, integration, skus=("SKU-A", "SKU-B"))
    mapped(integration, "SKU-A", ProductFactory(supplier=supplier), django_capture_on_commit_callbacks)
    orders_download(integration_id=integration.pk)
    mapped(integration, "SKU-B", ProductFactory(supplier=other), django_capture_on_commit_callbacks)

    assert sorted(Dispatch.objects.values_list("supplier__name", flat=True)) == ["One", "Two"]
    assert len(listed(client, token)) == 1
    assert len(listed(client, supplier_token_issue(supplier=other))) == 1


@pytest.mark.parametrize("amazon_side", ["pending", "cancelled before the download", "cancelled since"])
def test_an_order_not_ready_to_ship_is_not_dispatched(
    simulator, integration, supplier, django_capture_on_commit_callbacks, amazon_side
):
    supplier, _ = supplier
    order = place(simulator, integration, status="PENDING" if amazon_side == "pending" else "UNSHIPPED")
    if amazon_side == "cancelled before the download":
        cancel_order(simulator.base_url, order.order_id)
    orders_download(integration_id=integration.pk)
    if amazon_side == "cancelled since":
        cancel_order(simulator.base_url, order.order_id)

    mapped(integration, "SKU-A", ProductFactory(supplier=supplier), django_capture_on_commit_callbacks)

    assert Dispatch.objects.count() == 0
    # Only an order stored as ready to ship is worth asking Amazon about.
    assert get_order_calls(simulator) == (1 if amazon_side == "cancelled since" else 0)


def test_throttling_and_a_500_are_retried_by_the_task_and_dispatch_once(
    simulator, integration, supplier, django_capture_on_commit_callbacks
):
    supplier, _ = supplier
    place(simulator, integration)
    orders_download(integration_id=integration.pk)
    simulator.state.inject_fault("getOrder", "throttle")
    simulator.state.inject_fault("getOrder", "server_error")

    # The task asks to be run again later (a worker would, after the countdown); it never sleeps.
    with pytest.raises(Retry) as throttled:
        mapped(integration, "SKU-A", ProductFactory(supplier=supplier), django_capture_on_commit_callbacks)
    assert Dispatch.objects.count() == 0
    with pytest.raises(Retry) as unavailable:
        throttled.value.sig.apply()
    assert unavailable.value.sig.kwargs["failures"] == 1 and unavailable.value.when >= 1
    unavailable.value.sig.apply()

    assert Dispatch.objects.count() == 1
    assert simulator.state.call_count("getOrder", status=200) == 1


def test_another_tenants_order_with_the_same_sku_is_unaffected(
    simulator, integration, supplier, django_capture_on_commit_callbacks
):
    supplier, _ = supplier
    other_seller = connected_integration(simulator)
    place(simulator, other_seller)
    orders_download(integration_id=other_seller.pk)
    place(simulator, integration)
    orders_download(integration_id=integration.pk)

    mapped(integration, "SKU-A", ProductFactory(supplier=supplier), django_capture_on_commit_callbacks)

    assert list(Dispatch.objects.values_list("account_id", flat=True)) == [integration.account_id]
    assert Order.objects.get(integration=other_seller).lines.get().product is None


def test_an_order_of_a_removed_integration_is_not_dispatched(
    simulator, integration, supplier, django_capture_on_commit_callbacks
):
    supplier, _ = supplier
    place(simulator, integration)
    orders_download(integration_id=integration.pk)
    integration.removed_at = timezone.now()
    integration.save()

    mapped(integration, "SKU-A", ProductFactory(supplier=supplier), django_capture_on_commit_callbacks)

    assert Dispatch.objects.count() == 0 and get_order_calls(simulator) == 0
