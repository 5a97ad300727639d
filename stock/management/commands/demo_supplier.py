import random

from django.core.management.base import BaseCommand
from django.db import transaction

from stock.demo import DEMO_SUPPLIER
from stock.models import Supplier
from stock.services import product_upsert, supplier_create

# The simulator's demo seller lists DEMO-SKU-001..020; the supplier carries the first 15, so auto-map finds
# matches and some demo orders stay non-Avasam.
DEMO_PRODUCT_COUNT = 15


class Command(BaseCommand):
    help = "Create the demo supplier and its products (SKUs DEMO-SKU-001..015) if they are missing."

    def handle(self, *args, **options):
        if Supplier.objects.filter(name=DEMO_SUPPLIER).exists():
            self.stdout.write(f"{DEMO_SUPPLIER} exists.")
            return
        rng = random.Random(20261127)
        products = [
            {
                "sku": f"DEMO-SKU-{number:03d}",
                "title": f"Demo product {number}",
                "quantity": rng.randrange(0, 40),
                "price": f"{rng.randrange(499, 4999) / 100:.2f}",
            }
            for number in range(1, DEMO_PRODUCT_COUNT + 1)
        ]
        with transaction.atomic():
            supplier = supplier_create(name=DEMO_SUPPLIER)
            product_upsert(supplier=supplier, products=products)
        self.stdout.write(
            f"Created {DEMO_SUPPLIER} with {len(products)} products. "
            "Issue it an API token with `create_supplier` or in Django admin."
        )
