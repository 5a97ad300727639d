"""Builders of the gateway's AmazonOrder dataclasses (what the gateway returns), for storing pages directly."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from django.utils import timezone

from channels.amazon.types import AmazonOrder, AmazonOrderLine

UK = "A1F83G8C2ARO7P"
DE = "A1PA6795UKMFR9"


def amazon_order(
    amazon_order_id: str,
    skus: list[str],
    *,
    status: str = "UNSHIPPED",
    fulfilled_by: str = "MERCHANT",
    marketplace_id: str = UK,
    updated: datetime | None = None,
) -> AmazonOrder:
    updated = updated or timezone.now()
    return AmazonOrder(
        amazon_order_id=amazon_order_id,
        marketplace_id=marketplace_id,
        status=status,
        fulfilled_by=fulfilled_by,
        created_at=updated - timedelta(hours=1),
        last_updated_at=updated,
        currency="GBP",
        total=Decimal("10.00") * len(skus),
        lines=[
            AmazonOrderLine(
                order_item_id=f"{amazon_order_id}-{index}",
                seller_sku=sku,
                asin=f"B0000000{index:02d}",
                title=f"Item {sku}",
                quantity=1,
                unit_price=Decimal("10.00"),
            )
            for index, sku in enumerate(skus)
        ],
    )
