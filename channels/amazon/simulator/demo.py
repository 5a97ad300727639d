"""Demo data for `make run`: the demo seller's listings and orders, and a trickle of new orders."""

from __future__ import annotations

import random
import threading
from datetime import datetime, timedelta
from decimal import Decimal

from channels.amazon.simulator import config
from channels.amazon.simulator.state import SimulatorState

DEMO_SKU_COUNT = 20
DEMO_PAST_ORDERS = 8
NEW_ORDER_SECONDS = 20.0
_PRODUCTS = ("Garden Hose", "Desk Lamp", "Yoga Mat", "Coffee Grinder", "Phone Stand")


def demo_sku(number: int) -> str:
    return f"DEMO-SKU-{number:03d}"


def seed_demo_data(state: SimulatorState) -> None:
    """Listings DEMO-SKU-001..020 on UK and DE, and a few orders from the last two days."""
    rng = random.Random(20261127)  # the same demo every run
    for number in range(1, DEMO_SKU_COUNT + 1):
        title = f"{_PRODUCTS[number % len(_PRODUCTS)]} #{number}"
        price = Decimal(rng.randrange(499, 4999)) / 100
        for marketplace_id in config.DEMO_MARKETPLACE_IDS:
            state.set_listing(
                config.DEMO_SELLER_ID,
                marketplace_id,
                demo_sku(number),
                quantity=rng.randrange(0, 40),
                price=price,
                title=title,
            )
    now = state.now()
    for index in range(DEMO_PAST_ORDERS):
        status = "SHIPPED" if index < DEMO_PAST_ORDERS // 2 else "UNSHIPPED"
        created_at = now - timedelta(hours=rng.randrange(1, 48))
        _add_demo_order(state, rng, status=status, created_at=created_at)


class DemoOrderStream:
    """A background thread placing a demo order every ~20 seconds (divided by the speedup)."""

    def __init__(self, state: SimulatorState) -> None:
        self._state = state
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._run, name="amazon-simulator-demo-orders", daemon=True)
        self._rng = random.Random()

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stopped.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stopped.wait(NEW_ORDER_SECONDS / self._state.speedup):
            _add_demo_order(self._state, self._rng, status="UNSHIPPED")


def _add_demo_order(
    state: SimulatorState, rng: random.Random, *, status: str, created_at: datetime | None = None
) -> None:
    marketplace_id = rng.choice(config.DEMO_MARKETPLACE_IDS)
    lines = []
    for number in rng.sample(range(1, DEMO_SKU_COUNT + 1), rng.randint(1, 2)):
        listing = state.listing(config.DEMO_SELLER_ID, marketplace_id, demo_sku(number))
        if listing is not None:  # a feed may have deleted it
            lines.append(
                {
                    "sku": listing.sku,
                    "quantity": rng.randint(1, 3),
                    "unit_price": listing.price or Decimal("9.99"),
                    "title": listing.title,
                    "asin": listing.asin,
                }
            )
    state.add_order(config.DEMO_SELLER_ID, marketplace_id, lines=lines or None, status=status, created_at=created_at)
