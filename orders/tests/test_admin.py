"""Ops find orders and lines in the Django admin by Amazon order id, integration and status."""

from __future__ import annotations

import pytest

from orders.tests.factories import OrderFactory, OrderLineFactory

pytestmark = pytest.mark.django_db


def _listed(response) -> list[str]:
    return [str(order) for order in response.context["cl"].result_list]


def test_orders_are_searchable_by_amazon_order_id_and_filterable(admin_client):
    wanted = OrderFactory(amazon_order_id="203-1111111-1111111", status="SHIPPED")
    OrderFactory(amazon_order_id="203-2222222-2222222", status="UNSHIPPED")

    assert _listed(admin_client.get("/admin/orders/order/", {"q": "203-1111111"})) == [wanted.amazon_order_id]
    assert _listed(admin_client.get("/admin/orders/order/", {"status": "SHIPPED"})) == [wanted.amazon_order_id]
    by_integration = admin_client.get("/admin/orders/order/", {"integration__id__exact": wanted.integration_id})
    assert _listed(by_integration) == [wanted.amazon_order_id]
    assert admin_client.get(f"/admin/orders/order/{wanted.pk}/change/").status_code == 200


def test_lines_are_searchable_by_amazon_order_id(admin_client):
    line = OrderLineFactory(order=OrderFactory(amazon_order_id="203-3333333-3333333"), channel_sku="SKU-1")
    OrderLineFactory(channel_sku="SKU-2")

    response = admin_client.get("/admin/orders/orderline/", {"q": "203-3333333"})

    assert [found.pk for found in response.context["cl"].result_list] == [line.pk]


def test_no_refresh_token_appears_on_the_order_admin(admin_client):
    order = OrderFactory()

    content = admin_client.get(f"/admin/orders/order/{order.pk}/change/").content.decode()

    assert order.integration.refresh_token not in content
