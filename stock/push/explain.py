""" "Why this quantity": the chain from a supplier's stock report to what Amazon shows for one mapped listing."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from stock.models import ListingMapping, StockChange
from stock.push.models import ListingPush, ListingSend
from stock.rules import quantity_to_advertise

SENDS_SHOWN = 20
STOCK_CHANGES_SHOWN = 10


@dataclass(frozen=True)
class QuantityChain:
    mapping: ListingMapping  # product and supplier loaded
    supplier_quantity: int | None
    supplier_quantity_as_of: datetime | None
    stock_changes: list[StockChange]  # newest first
    stock_threshold: int
    max_quantity_to_advertise: int
    stock_updates_enabled: bool
    rule_quantity: int  # the rule applied to the supplier quantity with the settings in force
    push: ListingPush | None  # None if never marked
    sends: list[ListingSend] = field(default_factory=list)  # newest first

    @property
    def desired_quantity(self) -> int | None:
        return self.push.desired_quantity if self.push else None

    @property
    def limited_by_peer(self) -> bool:
        return bool(self.push and self.push.limited_by_id and self.push.desired_quantity < self.push.own_quantity)

    @property
    def in_flight(self) -> str:
        """The lane carrying a value to Amazon right now, or ""."""
        if self.push is None:
            return ""
        if self.push.patch_version is not None:
            return "fast"
        if self.push.feed_id is not None:
            return "bulk"
        return ""

    @property
    def summary(self) -> str:
        push = self.push
        if not self.stock_updates_enabled:
            return (
                "Stock updates are off for this integration, so nothing is sent: turn them on in Additional settings."
            )
        if push is None:
            return "This listing has not been sent to Amazon yet; it goes with the next stock push."
        if push.unknown_sku:
            return (
                f"Amazon does not know SKU {push.channel_sku} on this site, so it shows nothing from us: create the "
                "listing in Seller Central or remove the mapping."
            )
        if push.pending and push.last_error:
            return (
                f"Amazon rejected the last update ({push.last_error.rstrip('.')}). We send "
                f"{push.desired_quantity} again automatically."
            )
        if push.pending:
            return f"{push.desired_quantity} is on its way to Amazon."
        if push.accepted_quantity is not None:
            when = f" on {push.accepted_at:%d %B %Y at %H:%M} UTC" if push.accepted_at else ""
            return f"Amazon accepted {push.accepted_quantity}{when}, and that is what it shows."
        return "Amazon has not confirmed a quantity from us yet."


def quantity_chain(*, mapping) -> QuantityChain:
    """Everything behind one mapped listing's quantity (four queries)."""
    integration, product = mapping.integration, mapping.product
    push = (
        ListingPush.objects.filter(integration_id=integration.pk, channel_sku=mapping.channel_sku)
        .select_related("limited_by")
        .first()
    )
    changes = list(
        StockChange.objects.filter(product_id=product.pk).order_by("-recorded_at", "-pk")[:STOCK_CHANGES_SHOWN]
    )
    sends = list(
        ListingSend.objects.filter(integration_id=integration.pk, channel_sku=mapping.channel_sku).order_by(
            "-answered_at", "-pk"
        )[:SENDS_SHOWN]
    )
    return QuantityChain(
        mapping=mapping,
        supplier_quantity=product.quantity,
        supplier_quantity_as_of=product.quantity_as_of,
        stock_changes=changes,
        stock_threshold=integration.stock_threshold,
        max_quantity_to_advertise=integration.max_quantity_to_advertise,
        stock_updates_enabled=integration.stock_updates_enabled,
        rule_quantity=quantity_to_advertise(
            product.quantity,
            stock_threshold=integration.stock_threshold,
            max_quantity_to_advertise=integration.max_quantity_to_advertise,
        ),
        push=push,
        sends=sends,
    )


def price_in_force(mapping) -> Decimal | None:
    """The price pushed when price updates are on: the mapping's own, else the product's."""
    return mapping.price if mapping.price is not None else mapping.product.price
