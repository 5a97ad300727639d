"""Reads of the supplier catalogue and of sellers' listing mappings."""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Iterator
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from channels.listings import channel_skus_seen
from channels.models import Integration
from stock.models import ListingMapping, Product
from stock.rules import quantity_to_advertise


def product_for_sku(*, sku: str) -> Product | None:
    return Product.objects.filter(sku=sku).first()


def products_by_sku(*, skus: Collection[str]) -> dict[str, Product]:
    """Products by SKU; queried in chunks so a file or an order history of any size stays within SQL limits."""
    skus = sorted(set(skus))
    found: dict[str, Product] = {}
    for start in range(0, len(skus), 2000):
        found.update((product.sku, product) for product in Product.objects.filter(sku__in=skus[start : start + 2000]))
    return found


def mappings_for_channel_skus(*, integration: Integration, channel_skus: Collection[str]) -> dict[str, ListingMapping]:
    channel_skus = sorted(set(channel_skus))
    mappings = ListingMapping.objects.for_integration(integration).select_related("product")
    found: dict[str, ListingMapping] = {}
    for start in range(0, len(channel_skus), 2000):
        chunk = mappings.filter(channel_sku__in=channel_skus[start : start + 2000])
        found.update((mapping.channel_sku, mapping) for mapping in chunk)
    return found


def mappings_search(*, integration: Integration, search: str = "") -> QuerySet[ListingMapping]:
    """The integration's mappings with their products, optionally matching a channel SKU, product SKU or title."""
    mappings = ListingMapping.objects.for_integration(integration).select_related("product", "product__supplier")
    search = search.strip()
    if search:
        mappings = mappings.filter(
            Q(channel_sku__icontains=search) | Q(product__sku__icontains=search) | Q(product__title__icontains=search)
        )
    return mappings.order_by("channel_sku", "pk")


def mapping_quantity_to_advertise(*, mapping: ListingMapping, integration: Integration) -> int:
    return quantity_to_advertise(
        mapping.product.quantity,
        stock_threshold=integration.stock_threshold,
        max_quantity_to_advertise=integration.max_quantity_to_advertise,
    )


def mappings_csv_rows(*, integration: Integration) -> Iterator[list[str]]:
    """The rows of the mappings CSV download, header first (the same columns the upload takes, plus price)."""
    yield ["channel_sku", "product_sku", "price"]
    mappings = ListingMapping.objects.for_integration(integration).order_by("channel_sku", "pk")
    for channel_sku, product_sku, price in mappings.values_list("channel_sku", "product__sku", "price").iterator():
        yield [channel_sku, product_sku, "" if price is None else str(price)]


@dataclass(frozen=True)
class AutoMapCandidate:
    channel_sku: str
    product: Product


def auto_map_candidates(*, integration: Integration) -> list[AutoMapCandidate]:
    """Listing SKUs seen in this integration's orders, not mapped yet, that equal a product SKU exactly."""
    seen = channel_skus_seen(integration_id=integration.pk)
    mapped = set(ListingMapping.objects.for_integration(integration).values_list("channel_sku", flat=True))
    products = products_by_sku(skus=seen - mapped)
    return [
        AutoMapCandidate(channel_sku=sku, product=products[sku])
        for sku in sorted(products)
        if sku  # an order line without a SKU maps to nothing
    ]


def auto_map_fingerprint(candidates: list[AutoMapCandidate]) -> str:
    """Identifies exactly what a preview showed, so confirming applies that and nothing else."""
    text = "\n".join(f"{candidate.channel_sku}\t{candidate.product.pk}" for candidate in candidates)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def mapped_products(*, integration_id: int, channel_skus: Collection[str]) -> dict[str, int]:
    """Channel SKU -> product id for those of `channel_skus` the integration has mapped (one query)."""
    return dict(
        ListingMapping.objects.filter(integration_id=integration_id, channel_sku__in=set(channel_skus))
        .order_by()
        .values_list("channel_sku", "product_id")
    )
