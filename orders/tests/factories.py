from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import factory
from django.utils import timezone

from channels.tests.factories import IntegrationFactory
from orders.models import FulfilledBy, Order, OrderKind, OrderLine
from stock.tests.factories import ListingMappingFactory, ProductFactory

__all__ = ["ListingMappingFactory", "OrderFactory", "OrderLineFactory", "ProductFactory"]


class OrderFactory(factory.django.DjangoModelFactory):
    """A merchant-fulfilled UK order imported just now, non-Avasam until given mapped lines."""

    class Meta:
        model = Order

    integration = factory.SubFactory(IntegrationFactory)
    amazon_order_id = factory.Sequence(lambda n: f"203-{n:07d}-{n % 9973:07d}")
    marketplace_id = factory.SelfAttribute("integration.marketplace_id")
    status = "UNSHIPPED"
    fulfilled_by = FulfilledBy.MERCHANT
    purchased_at = factory.LazyFunction(lambda: timezone.now() - timedelta(hours=1))
    amazon_updated_at = factory.LazyFunction(timezone.now)
    currency = "GBP"
    total = Decimal("19.98")
    kind = OrderKind.NON_AVASAM
    imported_at = factory.LazyFunction(timezone.now)
    retention_expires_at = factory.LazyAttribute(lambda order: order.imported_at + timedelta(days=3))


class OrderLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrderLine

    order = factory.SubFactory(OrderFactory)
    order_item_id = factory.Sequence(lambda n: f"{n:014d}")
    channel_sku = factory.Sequence(lambda n: f"LISTING-{n:05d}")
    asin = "B000000001"
    title = "A thing"
    quantity = 1
    unit_price = Decimal("9.99")
    product = None
