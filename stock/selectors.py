"""Reads of the supplier catalogue and of sellers' listing mappings."""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.db.models import Q, QuerySet

from bulk.keys import rows_by_key
from channels.listings import channel_skus_seen
from channels.models import Integration
from stock.models import ListingMapping, MappingUpload, Product
from stock.rules import quantity_to_advertise

LOOKUP_CHUNK = 10_000  # values per IN list: few round trips, and far below any SQL limit


def product_for_sku(*, sku: str) -> Product | None:
    return Product.objects.filter(sku=sku).first()


def products_by_sku(*, skus: Collection[str]) -> dict[str, Product]:
    """Products by SKU; queried in chunks so a file or an order history of any size stays within SQL limits."""
    skus = sorted(set(skus))
    found: dict[str, Product] = {}
    for start in range(0, len(skus), 2000):
        found.update((product.sku, product) for product in Product.objects.filter(sku__in=skus[start : start + 2000]))
    return found


def product_ids_by_sku(*, skus: Collection[str]) -> dict[str, int]:
    """Product ids by SKU, for those that exist (rows, not model instances: a file may name 100,000)."""
    skus = sorted(set(skus))
    found: dict[str, int] = {}
    for start in range(0, len(skus), LOOKUP_CHUNK):
        found.update(Product.objects.filter(sku__in=skus[start : start + LOOKUP_CHUNK]).values_list("sku", "pk"))
    return found


@dataclass(frozen=True)
class MappingState:
    pk: int
    product_id: int
    price: Decimal | None


def mapping_states_for_channel_skus(
    *, integration: Integration, channel_skus: Collection[str]
) -> dict[str, MappingState]:
    """The integration's current mappings of these listing SKUs, by channel SKU."""
    channel_skus = sorted(set(channel_skus))
    mappings = ListingMapping.objects.for_integration(integration)
    found: dict[str, MappingState] = {}
    for start in range(0, len(channel_skus), LOOKUP_CHUNK):
        chunk = mappings.filter(channel_sku__in=channel_skus[start : start + LOOKUP_CHUNK])
        found.update(
            (sku, MappingState(pk, product_id, price))
            for sku, pk, product_id, price in chunk.values_list("channel_sku", "pk", "product_id", "price")
        )
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


def quantity_to_advertise_on(*, integration: Integration, product_quantity: int | None) -> int:
    return quantity_to_advertise(
        product_quantity,
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
        rows_by_key(
            ListingMapping,
            scope={"integration": integration_id},
            key="channel_sku",
            values=set(channel_skus),
            columns=["channel_sku", "product"],
        )
    )


def mapping_upload_latest(*, integration: Integration) -> MappingUpload | None:
    """The integration's most recent CSV upload applied in the background, for its progress or its outcome."""
    return MappingUpload.objects.for_integration(integration).defer("content").first()


def mapping_uploads_stalled(*, now: datetime, waited: timedelta = timedelta(minutes=1)) -> list[int]:
    """Uploads waiting for a worker for a while, or whose worker's lease ran out (its task was lost or it died)."""
    waiting = Q(status=MappingUpload.Status.QUEUED, created_at__lt=now - waited, lease_until__isnull=True)
    abandoned = Q(lease_until__lt=now)
    return list(MappingUpload.objects.active().filter(waiting | abandoned).values_list("pk", flat=True))
