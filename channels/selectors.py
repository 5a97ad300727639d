"""Reads for integrations."""

from __future__ import annotations

from django.db.models import Q

from accounts.models import SellerAccount
from channels.models import Integration, IntegrationQuerySet


def integration_list_for_account(*, account: SellerAccount) -> IntegrationQuerySet:
    """The seller's integrations that are not removed, without decrypting any token."""
    return Integration.objects.for_account(account).active().defer("refresh_token")


def integration_search(*, account: SellerAccount, query: str = "") -> IntegrationQuerySet:
    """The seller's integrations whose name or seller id contains `query` (all of them for an empty one)."""
    integrations = integration_list_for_account(account=account)
    if query:
        integrations = integrations.filter(Q(name__icontains=query) | Q(selling_partner_id__icontains=query))
    return integrations.order_by("name", "pk")


def integration_owned_queryset() -> IntegrationQuerySet:
    """Where a seller's integration pages look first: removed ones too, so their owner is told they were removed."""
    return Integration.objects.defer("refresh_token")
