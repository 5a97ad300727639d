from decimal import Decimal

import factory

from activity.models import Run
from channels.tests.factories import IntegrationFactory
from stock.models import ListingMapping, ListingSend, Product, Supplier


class SupplierFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Supplier

    name = factory.Sequence(lambda n: f"Supplier {n}")


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product

    sku = factory.Sequence(lambda n: f"AVS-{n:05d}")
    title = factory.Sequence(lambda n: f"Product {n}")
    supplier = factory.SubFactory(SupplierFactory)
    price = Decimal("9.99")
    quantity = None
    quantity_as_of = None


class ListingMappingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ListingMapping

    integration = factory.SubFactory(IntegrationFactory)
    channel_sku = factory.Sequence(lambda n: f"AMZ-{n:05d}")
    product = factory.SubFactory(ProductFactory)


class ListingSendFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ListingSend

    integration = factory.SubFactory(IntegrationFactory)
    channel_sku = factory.Sequence(lambda n: f"AMZ-{n:05d}")
    lane = Run.Lane.BULK
    version = 1
    quantity = 10
    outcome = ListingSend.Outcome.ACCEPTED
