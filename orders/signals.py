"""What other apps hear about orders, so that orders never imports them (fulfilment builds on these).

Each signal is sent inside the transaction of the change that caused it; receivers do their part in that same
transaction, so the change and its consequences commit (or roll back) together.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.dispatch import Signal

from channels.amazon.types import AmazonOrder, AmazonOrderLine


@dataclass(frozen=True)
class StoredOrder:
    """An order as a download just stored it: its row's id, Amazon's version, and the lines it keeps."""

    order_id: int
    amazon: AmazonOrder
    lines: tuple[tuple[AmazonOrderLine, int | None], ...]  # (Amazon's line, our product id or None)


# A download stored these orders (new or changed). Sent with `integration` and `orders` (a list of StoredOrder).
orders_stored = Signal()

# A mapping change gave lines of these orders a product (orders_reclassify). Sent with `integration_id` and
# `order_ids`; the stored orders hold no recipient, so whoever needs one asks Amazon (after the commit).
orders_remapped = Signal()

# purge_orders runs (the command or the daily beat task). Sent with `now`; each receiver returns a sentence
# saying what it purged.
orders_purging = Signal()
