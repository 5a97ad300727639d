from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from stock.models import StockChange, SupplierToken, token_hash
from stock.services import stock_updates_apply, supplier_token_issue
from stock.tests.factories import ListingSendFactory, ProductFactory, SupplierFactory

pytestmark = pytest.mark.django_db


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def test_issuing_a_token_shows_it_once_and_stores_only_its_hash(admin_client):
    supplier = SupplierFactory(name="Acme")

    response = admin_client.post(
        "/admin/stock/supplier/", {"action": "issue_token", "_selected_action": [supplier.pk]}, follow=True
    )

    [message] = [m for m in messages_of(response) if "New API token for Acme" in m]
    token = message.rsplit(" ", 1)[-1]
    assert SupplierToken.objects.get(supplier=supplier).token_hash == token_hash(token)
    assert token not in admin_client.get(f"/admin/stock/supplier/{supplier.pk}/change/").content.decode()


def test_revoking_a_suppliers_tokens_stops_them_working(admin_client, client):
    supplier = SupplierFactory()
    token = supplier_token_issue(supplier=supplier)

    admin_client.post("/admin/stock/supplier/", {"action": "revoke_tokens", "_selected_action": [supplier.pk]})

    response = client.post(
        "/api/v1/stock", data='{"updates": []}', content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}"
    )
    assert response.status_code == 401


def test_revoking_one_token_leaves_the_others(admin_client):
    supplier = SupplierFactory()
    supplier_token_issue(supplier=supplier)
    supplier_token_issue(supplier=supplier)
    first = SupplierToken.objects.order_by("pk").first()

    admin_client.post("/admin/stock/suppliertoken/", {"action": "revoke", "_selected_action": [first.pk]})

    first.refresh_from_db()
    assert first.revoked_at is not None
    assert SupplierToken.objects.live().count() == 1


def test_products_are_searchable_by_sku_and_title_and_filterable_by_supplier(admin_client):
    acme = SupplierFactory(name="Acme")
    ProductFactory(sku="MUG-1", title="Blue mug", supplier=acme)
    ProductFactory(sku="PLATE-1", title="Plate")

    def listed(**params):
        return sorted(p.sku for p in admin_client.get("/admin/stock/product/", params).context["cl"].result_list)

    assert listed(q="MUG") == ["MUG-1"]
    assert listed(q="plate") == ["PLATE-1"]
    assert listed(supplier__id__exact=acme.pk) == ["MUG-1"]


def test_a_products_page_shows_its_stock_history(admin_client):
    product = ProductFactory(sku="MUG-1")
    for quantity, hour in ((4, 2), (7, 1)):
        stock_updates_apply(
            supplier=product.supplier,
            updates=[
                {"sku": "MUG-1", "quantity": quantity, "as_of": (timezone.now() - timedelta(hours=hour)).isoformat()}
            ],
        )

    response = admin_client.get(f"/admin/stock/product/{product.pk}/change/")

    assert response.status_code == 200
    page = response.content.decode()
    assert "stock history" in page.lower()
    assert StockChange.objects.count() == 2
    [formset] = [f for f in response.context["inline_admin_formsets"] if f.formset.model is StockChange]
    assert [form.instance.quantity for form in formset.formset.forms] == [7, 4]


def test_ops_list_listing_sends(admin_client):
    ListingSendFactory(channel_sku="SKU-IN-ADMIN")
    assert "SKU-IN-ADMIN" in admin_client.get("/admin/stock/listingsend/").content.decode()
