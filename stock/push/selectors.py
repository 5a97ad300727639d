"""Reads for the mappings page: each listing's push status, its last error, and the region-shared quantity."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q

from bulk.where import column_in
from channels.eligibility import Work, may
from channels.models import Integration
from stock.push.marking import region_peers
from stock.push.models import ListingPush


@dataclass(frozen=True)
class ListingPushStatus:
    channel_sku: str
    desired_quantity: int
    desired_price: Decimal | None
    accepted_quantity: int | None  # what Amazon last accepted from us (None: not known)
    accepted_price: Decimal | None
    pending: bool
    error: str  # a plain sentence from Amazon, or ""
    unknown_sku: bool
    limited_by: str  # the other integration whose lower quantity we send, or ""

    @property
    def sentence(self) -> str:
        if self.unknown_sku:
            return f"Amazon does not know SKU {self.channel_sku} on this site: create the listing in Seller Central."
        if self.error:
            return f"Amazon rejected the last update: {self.error} We will try again."
        if self.pending:
            return f"Sending {self.desired_quantity} to Amazon."
        return f"Amazon shows {self.accepted_quantity}."


def listing_push_statuses_and_errors(
    *, integration: Integration, channel_skus: list[str]
) -> tuple[dict[str, ListingPushStatus], list[ListingPushStatus]]:
    """The push status of these listings (only those marked at least once), and every listing of the integration
    whose last update Amazon rejected, by SKU: what the mappings page shows, in one query."""
    wanted = set(channel_skus)
    rejected = ~Q(last_error="")
    rows = ListingPush.objects.for_integration(integration.pk)
    rows = rows.filter(Q(column_in(ListingPush, "channel_sku", wanted)) | rejected) if wanted else rows.filter(rejected)
    statuses = _statuses(rows)
    errors = sorted((status for status in statuses.values() if status.error), key=lambda status: status.channel_sku)
    return {sku: status for sku, status in statuses.items() if sku in wanted}, errors


def _statuses(rows) -> dict[str, ListingPushStatus]:
    columns = ("desired_quantity", "desired_price", "accepted_quantity", "accepted_price", "pending", "unknown_sku")
    # Plain values, no model instances: the mappings page reads a hundred at a time.
    return {
        row["channel_sku"]: ListingPushStatus(
            channel_sku=row["channel_sku"],
            **{column: row[column] for column in columns},
            error=row["last_error"],
            limited_by=row["limited_by__name"] or "",
        )
        for row in rows.values("channel_sku", *columns, "last_error", "limited_by__name")
    }


@dataclass(frozen=True)
class RegionShared:
    """Amazon shares one quantity per SKU between these integrations (same seller id, same region)."""

    peers: list[Integration]
    limited_listings: int  # listings of this integration sent at a peer's lower quantity

    @property
    def sentence(self) -> str:
        names = ", ".join(f"“{peer.name}” ({peer.marketplace.site_name})" for peer in self.peers)
        return (
            f"Amazon shares one quantity per SKU between this integration and {names}: when they would "
            "advertise different quantities for a SKU, both send the lower one."
        )


def integration_region_shared(*, integration: Integration) -> RegionShared | None:
    """The integrations sharing quantities with this one, or None when it shares with nobody."""
    if not integration.selling_partner_id or not may(integration, Work.STOCK):
        return None
    candidates = (
        Integration.objects.filter(selling_partner_id=integration.selling_partner_id)
        .exclude(pk=integration.pk)
        .defer("refresh_token")
    )
    peers = region_peers(integration, candidates)
    if not peers:
        return None
    limited = ListingPush.objects.for_integration(integration.pk).filter(limited_by__isnull=False).count()
    return RegionShared(peers=peers, limited_listings=limited)
