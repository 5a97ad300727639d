"""Two questions about an integration's listings (its channel SKUs), asked across apps that must not import
each other.

stock keeps the mappings (which product each listing is), orders keeps the order lines (which listings were
sold). The order download needs the first, auto-map needs the second. Each app registers its answer here when
Django starts (its AppConfig.ready), and the other asks through this module: orders and stock stay independent
(see .importlinter), and channels imports neither.
"""

from __future__ import annotations

from collections.abc import Callable, Collection

# Called with keyword arguments only, as below.
MappedProducts = Callable[..., dict[str, int]]
ChannelSkusSeen = Callable[..., set[str]]

_mapped_products: MappedProducts | None = None
_channel_skus_seen: ChannelSkusSeen | None = None


class NotRegistered(LookupError):
    """The app that answers this question is not installed."""


def register(*, mapped_products: MappedProducts | None = None, channel_skus_seen: ChannelSkusSeen | None = None):
    global _mapped_products, _channel_skus_seen
    _mapped_products = mapped_products or _mapped_products
    _channel_skus_seen = channel_skus_seen or _channel_skus_seen


def mapped_products(*, integration_id: int, channel_skus: Collection[str]) -> dict[str, int]:
    """Channel SKU -> product id, for those of `channel_skus` the integration has mapped."""
    if _mapped_products is None:
        raise NotRegistered("No installed app keeps listing mappings (stock registers them).")
    return _mapped_products(integration_id=integration_id, channel_skus=channel_skus)


def channel_skus_seen(*, integration_id: int) -> set[str]:
    """Every listing SKU that appears in the integration's orders."""
    if _channel_skus_seen is None:
        raise NotRegistered("No installed app keeps orders (orders registers them).")
    return _channel_skus_seen(integration_id=integration_id)
