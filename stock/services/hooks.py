"""The one place where a change that alters what listings should advertise marks them for a push."""

from __future__ import annotations

from collections.abc import Collection

from stock.push.marking import listings_mark_pending


def listings_affected(
    *,
    product_ids: Collection[int] | None = None,
    integration_id: int | None = None,
    channel_skus: Collection[str] | None = None,
) -> None:
    """Call inside the transaction of the change: the push marks the affected listings pending."""
    if not product_ids and not channel_skus:
        return
    listings_mark_pending(product_ids=product_ids, integration_id=integration_id, channel_skus=channel_skus)
