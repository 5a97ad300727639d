"""The demo supplier of `make run` ships its dispatches through the supplier API, a while after they arrive."""

from __future__ import annotations

from dataclasses import replace

import httpx
import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from channels.amazon.types import AmazonRecipient
from channels.tests.factories import IntegrationFactory
from fulfilment.models import Dispatch, Parcel
from orders.download import orders_store_page
from orders.tests.amazon_orders import amazon_order
from orders.tests.factories import ListingMappingFactory
from stock.demo import DEMO_SUPPLIER, TOKEN_FILE, DemoShipper, demo_supplier_token, parcel_for
from stock.models import SupplierToken
from stock.services import supplier_tokens_revoke
from stock.tests.factories import ProductFactory, SupplierFactory

pytestmark = pytest.mark.django_db

RECIPIENT = AmazonRecipient("Jane Buyer", ("1 High Street",), "Leeds", None, "LS1 1AA", "GB", None)


@pytest.fixture
def supplier():
    return SupplierFactory(name=DEMO_SUPPLIER)


@pytest.fixture
def integration(supplier):
    integration = IntegrationFactory()
    for sku in ("A", "B"):
        ListingMappingFactory(
            integration=integration, channel_sku=sku, product=ProductFactory(sku=f"P-{sku}", supplier=supplier)
        )
    return integration


def download(integration, *orders):
    orders_store_page(integration=integration, orders=list(orders), now=timezone.now())


def an_order(amazon_id: str, skus: list[str]):
    return replace(amazon_order(amazon_id, skus), recipient=RECIPIENT, ship_by=timezone.now())


@pytest.fixture
def api(supplier, tmp_path):
    """An httpx client reaching the supplier API in this process, with the demo supplier's token."""
    django_client = Client()

    def handle(request: httpx.Request) -> httpx.Response:
        response = django_client.generic(
            request.method,
            request.url.raw_path.decode(),
            data=request.content,
            content_type=request.headers.get("content-type", ""),
            HTTP_AUTHORIZATION=request.headers["authorization"],
        )
        return httpx.Response(
            response.status_code, content=response.content, headers={"content-type": "application/json"}
        )

    token = demo_supplier_token(var_dir=tmp_path)
    with httpx.Client(
        transport=httpx.MockTransport(handle),
        base_url="http://testserver",
        headers={"Authorization": f"Bearer {token}"},
    ) as client:
        yield client


def test_a_dispatch_is_shipped_a_minute_after_it_first_shows_up_and_only_once(integration, api):
    download(integration, an_order("202-0000000-0000001", ["A", "B"]))
    shipper = DemoShipper(api, delay=60)

    assert shipper.ship_due(now=1000.0) == []
    assert shipper.ship_due(now=1059.0) == []
    [parcel] = shipper.ship_due(now=1060.0)

    dispatch = Dispatch.objects.get()
    assert parcel["dispatch_id"] == dispatch.pk
    assert sorted((line["sku"], line["quantity"]) for line in parcel["lines"]) == [("P-A", 1), ("P-B", 1)]
    assert Parcel.objects.filter(dispatch=dispatch).count() == 1
    assert shipper.ship_due(now=2000.0) == [], "a shipped dispatch is no longer open"
    assert Parcel.objects.count() == 1


def test_the_same_batch_sent_again_after_a_lost_answer_is_unchanged(integration, api):
    download(integration, an_order("202-0000000-0000002", ["A"]))
    first = DemoShipper(api, delay=0).ship_due(now=0.0)

    again = api.post("/api/v1/shipments", json={"shipments": first})

    assert again.json() == {"received": 1, "created": 0, "unchanged": 1}


def test_a_refused_parcel_does_not_hold_back_the_others(integration, api):
    download(integration, an_order("202-0000000-0000003", ["A"]), an_order("202-0000000-0000004", ["B"]))
    shipper = DemoShipper(api, delay=0)
    dispatches = list(shipper._open_dispatches())
    # The first one is cancelled on Amazon between the look and the post.
    cancelled = an_order("202-0000000-0000003", ["A"])
    lines = [replace(line, quantity_cancelled=line.quantity) for line in cancelled.lines]
    download(integration, replace(cancelled, status="CANCELLED", lines=lines))

    shipped = shipper._post([parcel_for(dispatch) for dispatch in dispatches])

    assert [parcel["dispatch_id"] for parcel in shipped] == [
        Dispatch.objects.get(amazon_order_id="202-0000000-0000004").pk
    ]


def test_the_token_is_kept_under_var_and_replaced_once_revoked(supplier, tmp_path):
    token = demo_supplier_token(var_dir=tmp_path)

    assert demo_supplier_token(var_dir=tmp_path) == token
    assert (tmp_path / TOKEN_FILE).stat().st_mode & 0o777 == 0o600
    supplier_tokens_revoke(supplier=supplier)
    assert demo_supplier_token(var_dir=tmp_path) != token
    assert SupplierToken.objects.live().count() == 1


def test_the_command_waits_for_the_web_server_rather_than_failing(supplier, settings, tmp_path, caplog):
    settings.VAR_DIR = tmp_path

    call_command("demo_supplier_ships", "--once", "--api-url", "http://127.0.0.1:9")

    assert "could not reach the supplier API" in caplog.text
    assert (tmp_path / TOKEN_FILE).exists()
