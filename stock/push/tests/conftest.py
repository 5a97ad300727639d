"""Fixtures for the stock push: integrations authorised against the simulator, and mapped listings."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from channels.tests.factories import IntegrationFactory
from stock.models import ListingMapping, Product
from stock.services import mapping_create, stock_updates_apply
from stock.tests.factories import ProductFactory, SupplierFactory

UK = "A1F83G8C2ARO7P"
DE = "A1PA6795UKMFR9"
JP = "A1VC38T7YXB528"
SELLER = "A2SIMDEMOSELLER"


def forget_rate_limits() -> None:
    """Full rate-limit buckets for the test sellers, as after a long quiet spell (Redis keys outlive a test)."""
    from django.conf import settings

    from channels.amazon import ratelimit
    from channels.amazon.models import RateLimitBucket

    RateLimitBucket.objects.all().delete()
    if settings.REDIS_URL:
        import redis

        client = redis.Redis.from_url(settings.REDIS_URL)
        for key in client.scan_iter(f"{ratelimit.KEY_PREFIX}:{SELLER}:*"):
            client.delete(key)


@pytest.fixture(autouse=True)
def feeds_without_waiting(settings):
    """Feeds go as soon as one is due (tests of the waiting set these themselves)."""
    settings.STOCK_PUSH_FEED_QUIET_SECONDS = 0


@pytest.fixture
def sim(amazon_simulator):
    """The simulator, sped up so feeds finish in a few hundredths of a second."""
    amazon_simulator.state.speedup = 200
    forget_rate_limits()
    return amazon_simulator


@pytest.fixture
def connect(sim):
    """Make an integration authorised against the simulator (a real refresh token for the seller)."""

    def connect(marketplace_id: str = UK, selling_partner_id: str = SELLER, **fields):
        sim.state.add_seller(selling_partner_id, [marketplace_id])
        code = sim.state.issue_authorization_code(selling_partner_id)
        refresh_token, _ = sim.state.tokens.redeem_authorization_code(code)
        return IntegrationFactory(
            selling_partner_id=selling_partner_id, marketplace_id=marketplace_id, refresh_token=refresh_token, **fields
        )

    return connect


@pytest.fixture
def supplier(db):
    return SupplierFactory()


class Clock:
    """Supplier timestamps that always move forward, so each update is the newest."""

    def __init__(self):
        self.moment = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)

    def next(self) -> str:
        self.moment += timedelta(seconds=1)
        return self.moment.isoformat().replace("+00:00", "Z")


@pytest.fixture
def supply(supplier):
    """Send supplier stock updates through the real service: supply({"SKU": 7, ...})."""
    clock = Clock()

    def supply(levels: dict[str, int], *, as_of: str | None = None):
        updates = [
            {"sku": sku, "quantity": quantity, "as_of": as_of or clock.next()} for sku, quantity in levels.items()
        ]
        return stock_updates_apply(supplier=supplier, updates=updates)

    supply.clock = clock
    return supply


@pytest.fixture
def listing(supplier, supply):
    """A product with stock, mapped on the integration through the service (which marks it pending)."""

    def listing(
        integration,
        channel_sku: str,
        *,
        quantity: int | None = 20,
        product: Product | None = None,
        price: Decimal | None = None,
    ) -> ListingMapping:
        if product is None:
            product = ProductFactory(supplier=supplier, sku=f"P-{integration.pk}-{channel_sku}")
            if quantity is not None:
                supply({product.sku: quantity})
        return mapping_create(integration=integration, channel_sku=channel_sku, product=product, price=price)

    return listing
