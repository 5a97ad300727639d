"""Marking listings as needing a push, in the same transaction as the change that moved them.

Whatever changes what a listing should show (supplier stock, a mapping, an integration's settings,
enabling, re-authorising) calls `listings_mark_pending` inside its own transaction. The periodic
drain then finds every pending listing, so a lost Celery message loses nothing.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable
from contextlib import suppress
from decimal import Decimal
from functools import cache, partial

from django.conf import settings
from django.db import connection, transaction
from django.db.models.expressions import RawSQL
from django.utils import timezone

from bulk.rows import converted, field_converters, rows_where
from bulk.update import bulk_update_rows
from bulk.where import column_in, pairs_in, qualified_column
from channels.amazon.marketplaces import UnknownMarketplace, marketplace_by_id
from channels.coalesce import enqueue_once
from channels.eligibility import Work, eligible, may
from channels.models import Integration
from stock.models import ListingMapping, Product
from stock.push import planning
from stock.push.lanes import FAST_LANE
from stock.push.models import ListingPush, PushLane
from stock.push.tasks import stock_push_fast_lane

Key = tuple[int, str]  # (integration id, channel SKU)


def listings_mark_pending(
    *,
    product_ids: Collection[int] | None = None,
    integration_id: int | None = None,
    channel_skus: Collection[str] | None = None,
    integration_ids: Collection[int] | None = None,
    force: bool = False,
) -> int:
    """Recompute what the affected listings should show and mark those whose values changed as pending.

    Affected: every mapping of `product_ids`; the `channel_skus` of `integration_id` (mapped or just
    unmapped); every listing of `integration_ids` (and of `integration_id` when no SKUs are given).
    `force` re-sends even unchanged values (an integration coming back: Amazon may show anything).
    Call it inside the transaction of the change. Returns how many listings became pending.
    """
    keys, known_mappings = _affected_keys(
        product_ids=product_ids,
        integration_id=integration_id,
        channel_skus=channel_skus,
        integration_ids=integration_ids,
    )
    if not keys:
        return 0
    forced_integrations = set(integration_ids or ()) | ({integration_id} if integration_id and force else set())
    # No savepoint of its own: it runs inside the change's transaction, and a failure here fails the change.
    with transaction.atomic(savepoint=False):
        integrations = _integrations_with_peers({integration_id for integration_id, _ in keys})
        keys = _with_region_peers(keys, integrations)
        marked = 0
        fast_lane: set[int] = set()
        size = settings.STOCK_PUSH_MARK_BATCH_SIZE
        for batch in _batches_by_sku(keys, size):
            marked += _mark_batch(
                batch, integrations, forced_integrations if force else set(), fast_lane, known_mappings
            )
    if fast_lane:  # coalesced: one queued fast-lane task per integration however many batches drop listings to 0
        transaction.on_commit(partial(enqueue_once, stock_push_fast_lane, sorted(fast_lane), lane=FAST_LANE))
    return marked


def integration_listings_mark_pending(*, integration_id: int) -> int:
    """An integration's settings, enabled state or authorisation changed: recompute all its listings.

    When it comes back (it was not sending and now is), every listing's current value goes out again,
    since Amazon may show anything by now. Call it inside the transaction of the change.
    """
    with transaction.atomic():
        lane, _ = PushLane.objects.select_for_update().get_or_create(integration_id=integration_id)
        pushing = may(Integration.objects.defer("refresh_token").get(pk=integration_id), Work.STOCK)
        came_back = pushing and not lane.was_pushing
        if lane.was_pushing != pushing:
            lane.was_pushing = pushing
            lane.save(update_fields=["was_pushing"])
        return listings_mark_pending(integration_ids=[integration_id], force=came_back)


def region_limits_refresh() -> int:
    """Listings sent at a region peer's lower quantity, where that peer stopped sending (removed, unauthorised by
    Amazon): send their own value again. The drain calls it, since those changes happen outside our hooks."""
    stale = (
        ListingPush.objects.filter(limited_by__isnull=False)
        .exclude(limited_by__in=eligible(Work.STOCK))
        .values_list("integration_id", "channel_sku")
    )
    by_integration: dict[int, set[str]] = defaultdict(set)
    for integration_id, sku in stale:
        by_integration[integration_id].add(sku)
    for integration_id, skus in by_integration.items():
        listings_mark_pending(integration_id=integration_id, channel_skus=skus)
    return sum(len(skus) for skus in by_integration.values())


# --- which listings --------------------------------------------------------------------------------------------


def _affected_keys(
    *,
    product_ids: Collection[int] | None,
    integration_id: int | None,
    channel_skus: Collection[str] | None,
    integration_ids: Collection[int] | None,
) -> tuple[set[Key], dict[Key, dict]]:
    """The listings affected, and the mappings already read on the way (those of `product_ids`: a supplier's stock
    change, the common case, then needs no second read of them)."""
    keys: set[Key] = set()
    known_mappings: dict[Key, dict] = {}
    if product_ids:
        known_mappings = _mapping_rows(column_in(ListingMapping, "product", product_ids))
        keys.update(known_mappings)
    whole = set(integration_ids or ())
    if integration_id is not None:
        if channel_skus is None:
            whole.add(integration_id)
        else:
            keys.update((integration_id, sku) for sku in channel_skus)
    if whole:
        keys.update(
            ListingMapping.objects.filter(integration_id__in=whole).values_list("integration_id", "channel_sku")
        )
        keys.update(ListingPush.objects.filter(integration_id__in=whole).values_list("integration_id", "channel_sku"))
    return keys, known_mappings


def _integrations_with_peers(integration_ids: set[int]) -> dict[int, Integration]:
    """The integrations, and every other live integration on the same Amazon seller ids (a removed one sends nothing,
    so it is no one's peer). One query of two index lookups: written as one condition with OR, PostgreSQL read every
    integration (3 ms a stock change at 10,000 integrations). Written here, not by the ORM, whose compiling of this
    union was a tenth of a stock update's CPU."""
    own = column_in(Integration, "id", integration_ids)
    table, columns = _integration_columns()
    # The conditions of the unique index on live seller ids and sites, so that it finds the peers.
    sql = (
        f"SELECT {columns} FROM {table} WHERE {own.sql} "  # noqa: S608 (names and placeholders only)
        f"UNION SELECT {columns} FROM {table} AS peer WHERE peer.removed_at IS NULL AND peer.selling_partner_id <> '' "
        f"AND peer.selling_partner_id IN (SELECT selling_partner_id FROM {table} WHERE {own.sql} "
        "AND selling_partner_id <> '')"
    )
    integrations = Integration.objects.raw(sql, [*own.params, *own.params])
    return {integration.pk: integration for integration in integrations}


@cache
def _integration_columns() -> tuple[str, str]:
    """The table and every column but the refresh token's, which the raw query then leaves deferred: marking needs
    no secret, and must not fail on one it cannot decrypt."""
    quote = connection.ops.quote_name
    fields = [field for field in Integration._meta.concrete_fields if field.name != "refresh_token"]
    return quote(Integration._meta.db_table), ", ".join(quote(field.column) for field in fields)


def _region(integration: Integration) -> str | None:
    try:
        return marketplace_by_id(integration.marketplace_id).region
    except UnknownMarketplace:
        return None


def region_peers(integration: Integration, integrations: Iterable[Integration]) -> list[Integration]:
    """Other pushing integrations on the same seller id and region: Amazon shares one quantity per SKU with them."""
    if not integration.selling_partner_id:
        return []
    region = _region(integration)
    return [
        other
        for other in integrations
        if other.pk != integration.pk
        and other.selling_partner_id == integration.selling_partner_id
        and _region(other) == region
        and may(other, Work.STOCK)
    ]


def _with_region_peers(keys: set[Key], integrations: dict[int, Integration]) -> set[Key]:
    """The same SKUs on region peers: their shared minimum may change too."""
    peers = {pk: region_peers(integration, integrations.values()) for pk, integration in integrations.items()}
    expanded = set(keys)
    for integration_id, sku in keys:
        expanded.update((peer.pk, sku) for peer in peers.get(integration_id, ()))
    return expanded


def _batches_by_sku(keys: set[Key], size: int) -> list[list[Key]]:
    """Batches of about `size` listings that never split one SKU's integrations (the region minimum needs all)."""
    by_sku: dict[str, list[Key]] = defaultdict(list)
    for key in keys:
        by_sku[key[1]].append(key)
    batches: list[list[Key]] = [[]]
    for sku in sorted(by_sku):
        if batches[-1] and len(batches[-1]) + len(by_sku[sku]) > size:
            batches.append([])
        batches[-1].extend(sorted(by_sku[sku]))
    return [batch for batch in batches if batch]


# --- one batch -------------------------------------------------------------------------------------------------


def _mapping_rows(condition: RawSQL) -> dict[Key, dict]:
    """What marking reads of each mapping matching `condition` (on ListingMapping's columns): its price, and its
    product's stock and price. In SQL written once, not compiled by the ORM each time (see bulk/rows.py)."""
    sql, converters = _mapping_select()
    with connection.cursor() as cursor:
        cursor.execute(f"{sql} WHERE {condition.sql}", condition.params)
        rows = converted(cursor.fetchall(), converters)
    return {(row[1], row[2]): dict(zip(_MAPPING_KEYS, row, strict=True)) for row in rows}


_MAPPING_KEYS = ("id", "integration_id", "channel_sku", "price", "product__quantity", "product__price")


@cache
def _mapping_select() -> tuple[str, list]:
    quote = connection.ops.quote_name
    read = [(ListingMapping, name) for name in ("id", "integration", "channel_sku", "price")]
    read += [(Product, name) for name in ("quantity", "price")]
    fields = [model._meta.get_field(name) for model, name in read]
    columns = ", ".join(qualified_column(model, name) for model, name in read)
    sql = (
        f"SELECT {columns} FROM {quote(ListingMapping._meta.db_table)} "  # noqa: S608 (names only)
        f"INNER JOIN {quote(Product._meta.db_table)} "
        f"ON {qualified_column(ListingMapping, 'product')} = {qualified_column(Product, 'id')}"
    )
    return sql, field_converters(fields, "")


def _mappings(keys: list[Key], known: dict[Key, dict]) -> dict[Key, dict]:
    """The mappings of these listings: those already read, and one query for the rest (if any)."""
    mappings = {key: known[key] for key in keys if key in known}
    if unknown := [key for key in keys if key not in known]:
        mappings.update(_mapping_rows(pairs_in(ListingMapping, "integration", "channel_sku", unknown)))
    return mappings


# What marking reads and writes of a listing's push row.
_ROW_FIELDS = (
    "id",
    "integration_id",
    "channel_sku",
    "mapping_id",
    "own_quantity",
    "desired_quantity",
    "desired_price",
    "currency",
    "limited_by_id",
    "version",
    "accepted_quantity",
    "accepted_price",
    "pending",
    "pending_since",
    "next_attempt_at",
    "attempts",
    "unknown_sku",
    "updated_at",
)


class _PushRow:
    """One push row's `_ROW_FIELDS`. Every stock change reads a hundred rows or so, and a model instance (thirty
    fields, four relations) took longer to make than the rest of marking them."""

    __slots__ = _ROW_FIELDS

    def __init__(self, values: tuple) -> None:
        for name, value in zip(_ROW_FIELDS, values, strict=True):
            setattr(self, name, value)

    @property
    def pk(self) -> int:
        return self.id


def _locked_rows(keys: Iterable[Key]) -> dict[Key, _PushRow]:
    condition = pairs_in(ListingPush, "integration", "channel_sku", keys)
    rows = rows_where(ListingPush, _ROW_FIELDS, condition, order_by="id", lock=True)
    return {(row.integration_id, row.channel_sku): row for row in map(_PushRow, rows)}


def _rules(integration: Integration) -> planning.IntegrationRules:
    marketplace_currency = ""
    with suppress(UnknownMarketplace):
        marketplace_currency = marketplace_by_id(integration.marketplace_id).currency
    return planning.IntegrationRules(
        integration_id=integration.pk,
        stock_threshold=integration.stock_threshold,
        max_quantity_to_advertise=integration.max_quantity_to_advertise,
        price_updates_enabled=integration.price_updates_enabled,
        currency=marketplace_currency,
    )


def _mark_batch(
    keys: list[Key],
    integrations: dict[int, Integration],
    forced: set[int],
    fast_lane: set[int],
    known_mappings: dict[Key, dict],
) -> int:
    """Steps (a constant number of queries per batch):
    1. read the mappings (with product stock and price) of these listings, unless already read;
    2. lock their push rows in primary-key order, creating the missing ones for mapped listings;
    3. compute each listing's own value and the region-shared minimum;
    4. bump the version and mark pending where the values changed (or are forced); one bulk UPDATE.
    """
    mappings = _mappings(keys, known_mappings)
    rows = _locked_rows(keys)
    missing = [key for key in keys if key not in rows and key in mappings and key[0] in integrations]
    if missing:
        ListingPush.objects.bulk_create(
            [ListingPush(integration_id=i, channel_sku=sku) for i, sku in missing], ignore_conflicts=True
        )
        rows.update(_locked_rows(missing))

    rules = {pk: _rules(integration) for pk, integration in integrations.items()}
    own: dict[Key, int] = {}
    for key, mapping in mappings.items():
        if key[0] in rules:
            own[key] = planning.own_quantity(mapping["product__quantity"], rules[key[0]])
    peers_of = {pk: region_peers(integration, integrations.values()) for pk, integration in integrations.items()}
    pushing = {pk: may(integration, Work.STOCK) for pk, integration in integrations.items()}

    now = timezone.now()
    changed: list[_PushRow] = []
    fields: set[str] = set()
    for key, row in rows.items():
        integration = integrations.get(key[0])
        if integration is None:
            continue
        mapping = mappings.get(key)
        own_quantity = own.get(key)
        if pushing[key[0]]:
            peer_values = {peer.pk: own[(peer.pk, key[1])] for peer in peers_of[key[0]] if (peer.pk, key[1]) in own}
        else:
            peer_values = {}
        quantity, limited_by = planning.region_minimum(own_quantity, peer_values)
        price = planning.own_price(mapping["price"], mapping["product__price"], rules[key[0]]) if mapping else None
        if row_fields := _apply(
            row,
            mapping,
            own_quantity or 0,
            quantity,
            price,
            limited_by,
            rules[key[0]].currency,
            now,
            force=key[0] in forced,
        ):
            changed.append(row)
            fields |= row_fields
            if pushing[key[0]] and planning.goes_fast_lane(
                desired_quantity=row.desired_quantity, accepted_quantity=row.accepted_quantity
            ):
                fast_lane.add(key[0])
    if changed:
        # Only the columns some row changed: a stock change moves a few of them, and the statement's size follows.
        bulk_update_rows(ListingPush, changed, sorted(fields))
    return sum(1 for row in changed if row.pending)


def _assign(row: _PushRow, **values) -> set[str]:
    """Set these fields of the row; returns the names of those whose value changed."""
    changed = {name for name, value in values.items() if getattr(row, name) != value}
    for name in changed:
        setattr(row, name, values[name])
    return changed


def _apply(
    row: _PushRow,
    mapping: dict | None,
    own_quantity: int,
    quantity: int,
    price: Decimal | None,
    limited_by: int | None,
    currency: str,
    now,
    *,
    force: bool,
) -> set[str]:
    """Set the row's desired values; bump its version when they change. Returns the fields to save (none: the row
    stays as it is)."""
    mapping_id = mapping["id"] if mapping else None
    values_changed = (row.desired_quantity, row.desired_price) != (quantity, price) or row.version == 0
    bookkeeping_changed = (row.mapping_id, row.own_quantity, row.limited_by_id, row.currency) != (
        mapping_id,
        own_quantity,
        limited_by,
        currency,
    )
    # Prices not pushed: the seller manages them in Seller Central, so what Amazon shows is no longer known
    # and turning price updates back on sends them again.
    forget_price = price is None and row.accepted_price is not None
    if not (values_changed or force or bookkeeping_changed or forget_price):
        return set()
    fields = _assign(row, mapping_id=mapping_id, own_quantity=own_quantity, limited_by_id=limited_by, currency=currency)
    if forget_price:
        fields |= _assign(row, accepted_price=None)
    if values_changed or force:
        fields |= _assign(row, desired_quantity=quantity, desired_price=price, version=row.version + 1)
        if force:
            # We were not sending: Amazon may show anything now, so send even an unchanged value (the price too:
            # a drop to 0 goes through the fast lane with the quantity alone, and the next feed carries the price).
            fields |= _assign(row, accepted_quantity=None, accepted_price=None)
        fields |= _assign(
            row,
            pending=True,
            pending_since=row.pending_since or now,
            next_attempt_at=None,
            attempts=0,
            unknown_sku=False,
        )
    return fields | _assign(row, updated_at=now)
