import pytest
from django.core.management import call_command

from stock.models import Product


@pytest.mark.django_db
def test_demo_supplier_creates_products_matching_the_simulators_demo_listings_once():
    call_command("demo_supplier")
    call_command("demo_supplier")

    skus = sorted(Product.objects.values_list("sku", flat=True))
    assert skus == [f"DEMO-SKU-{number:03d}" for number in range(1, 16)]
    assert all(quantity is not None for quantity in Product.objects.values_list("quantity", flat=True))
