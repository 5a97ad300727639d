"""Pure decisions of the push: what each listing should show, the region-shared minimum, what to send, backoff.

No ORM here: every function takes plain values, so each rule is tested from tables.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from channels.amazon.marketplaces import round_price
from stock.rules import quantity_to_advertise


@dataclass(frozen=True)
class IntegrationRules:
    """The integration settings that decide what its listings show."""

    integration_id: int
    stock_threshold: int
    max_quantity_to_advertise: int
    price_updates_enabled: bool
    currency: str


def own_quantity(available: int | None, rules: IntegrationRules) -> int:
    return quantity_to_advertise(
        available, stock_threshold=rules.stock_threshold, max_quantity_to_advertise=rules.max_quantity_to_advertise
    )


def own_price(mapping_price: Decimal | None, product_price: Decimal | None, rules: IntegrationRules) -> Decimal | None:
    """The mapping's price, else the product's, in the currency's minor unit; None when prices are not pushed."""
    if not rules.price_updates_enabled:
        return None
    price = mapping_price if mapping_price is not None else product_price
    return None if price is None else round_price(price, rules.currency)


def region_minimum(own: int | None, peers: dict[int, int]) -> tuple[int, int | None]:
    """The quantity to send for a SKU whose quantity Amazon shares across a region.

    `own` is this integration's rule value (None: not mapped here), `peers` the rule values of the
    other live integrations on the same seller id and region that map the SKU. Every integration
    sends the lowest of them, so none contradicts another. Returns (quantity, peer it came from).
    """
    lowest, source = (own, None) if own is not None else (None, None)
    for peer_id, value in sorted(peers.items()):
        if lowest is None or value < lowest:
            lowest, source = value, peer_id
    return (0, None) if lowest is None else (lowest, source)


def needs_sending(
    *,
    desired_quantity: int,
    desired_price: Decimal | None,
    accepted_quantity: int | None,
    accepted_price: Decimal | None,
) -> bool:
    """False when Amazon already shows what we want (several changes that cancel out send nothing)."""
    if accepted_quantity is None or accepted_quantity != desired_quantity:
        return True
    return desired_price is not None and desired_price != accepted_price


def goes_fast_lane(*, desired_quantity: int, accepted_quantity: int | None) -> bool:
    """A listing going to 0 is sent at once (patch), so Amazon stops selling within seconds."""
    return desired_quantity == 0 and accepted_quantity != 0


def backoff_seconds(attempts: int, *, base: int, cap: int) -> int:
    """Exponential: base, 2*base, 4*base ... capped."""
    if attempts <= 0:
        return 0
    return min(cap, base * 2 ** min(attempts - 1, 30))


# What Amazon says when the SKU is not a listing of this seller on this marketplace.
UNKNOWN_SKU_CODES = frozenset({"4000004", "8541", "8560"})
_UNKNOWN_SKU_WORDS = re.compile(
    r"(not found|does not exist|unknown sku|no listing|not a listing|sku .*not .*exist)", re.IGNORECASE
)


def is_unknown_sku(code: str | None, message: str | None) -> bool:
    return (code or "") in UNKNOWN_SKU_CODES or bool(_UNKNOWN_SKU_WORDS.search(message or ""))
