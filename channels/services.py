"""Writes for integrations."""

from __future__ import annotations

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from accounts.models import SellerAccount
from channels.models import Integration
from channels.signals import integration_listings_changed

# The settings that change what a listing should advertise on Amazon: changing one re-sends stock.
LISTING_SETTINGS = ("stock_updates_enabled", "price_updates_enabled", "max_quantity_to_advertise", "stock_threshold")
EDITABLE_SETTINGS = (
    "name",
    *LISTING_SETTINGS,
    "exclude_non_avasam_orders",
    "split_orders_with_unknown_skus",
)


class AuthorisationRefused(Exception):
    """Amazon authorised a seller id that this integration may not use; `.message` says why and what to do."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class DuplicateConnection(AuthorisationRefused):
    """The seller id and site are already connected in this seller account (`existing`, when known)."""

    def __init__(self, message: str, existing: Integration | None = None):
        super().__init__(message)
        self.existing = existing


def integration_discard_if_never_connected(*, integration: Integration) -> bool:
    """Delete an integration that was never authorised and has nothing of its own; True when it went.

    A connection refused as a duplicate would otherwise leave an enabled "Awaiting authorisation" orphan.
    """
    deleted, _ = (
        Integration.objects.filter(
            pk=integration.pk,
            selling_partner_id="",
            authorisation_state=Integration.AuthorisationState.AWAITING,
            removed_at__isnull=True,
        )
        .exclude(orders__isnull=False)
        .delete()
    )
    return bool(deleted)


def integration_mark_needs_reauthorisation(*, integration_id: int, problem: str) -> None:
    """Amazon no longer accepts this integration's authorisation: stop calling until the seller re-authorises."""
    Integration.objects.filter(pk=integration_id).update(
        authorisation_state=Integration.AuthorisationState.NEEDS_REAUTHORISATION,
        authorisation_problem=problem[:300],
    )


def _listings_changed(integration: Integration) -> None:
    """What this integration's listings should advertise may have changed: the stock push hears it now.

    Every caller already runs inside the transaction that made the change.
    """
    integration_listings_changed.send(sender=Integration, integration=integration)


def integration_create(*, account: SellerAccount, name: str, marketplace_id: str) -> Integration:
    """A new Amazon integration for one site, enabled and awaiting the seller's authorisation."""
    return Integration.objects.create(
        account=account,
        name=name,
        channel=Integration.Channel.AMAZON,
        marketplace_id=marketplace_id,
        authorisation_state=Integration.AuthorisationState.AWAITING,
    )


def _lock_seller_id(selling_partner_id: str) -> None:
    # Two seller accounts connecting the same Amazon seller id at once must not both pass the check below.
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [f"amazon-seller:{selling_partner_id}"])


def _check_seller_id_is_free(*, integration: Integration, selling_partner_id: str) -> None:
    if integration.selling_partner_id and integration.selling_partner_id != selling_partner_id:
        raise AuthorisationRefused(
            f"This integration is connected to Amazon seller id {integration.selling_partner_id}, but you "
            f"authorised seller id {selling_partner_id}. Log in to Seller Central as "
            f"{integration.selling_partner_id} and authorise again, or add a new integration for the other account."
        )
    live = Integration.objects.active().filter(selling_partner_id=selling_partner_id).exclude(pk=integration.pk)
    if live.exclude(account=integration.account_id).exists():
        raise AuthorisationRefused(
            f"Amazon seller id {selling_partner_id} is already connected to another Avasam seller account. "
            "Remove it there first, or ask the owner of that account to do so."
        )
    duplicate = live.filter(account=integration.account_id, marketplace_id=integration.marketplace_id).first()
    if duplicate is not None:
        raise DuplicateConnection(
            f"Amazon seller id {selling_partner_id} is already connected for {integration.marketplace.site_name} "
            f"in your integration “{duplicate.name}”. Use that one, or remove it before connecting again.",
            existing=duplicate,
        )


def integration_authorise(*, integration: Integration, selling_partner_id: str, refresh_token: str) -> Integration:
    """Store a fresh authorisation from Amazon (first time or re-authorisation), replacing any old token.

    Raises AuthorisationRefused, changing nothing, when the seller id is taken elsewhere or differs from the
    one this integration already uses.
    """
    try:
        with transaction.atomic():
            _lock_seller_id(selling_partner_id)
            # NO KEY: rows inserted meanwhile that reference the integration (activity runs, pushes) take a
            # key-share lock for their foreign key; a full row lock here would deadlock with them.
            locked = Integration.objects.select_for_update(no_key=True).get(pk=integration.pk, removed_at__isnull=True)
            _check_seller_id_is_free(integration=locked, selling_partner_id=selling_partner_id)
            locked.selling_partner_id = selling_partner_id
            locked.refresh_token = refresh_token
            locked.authorisation_state = Integration.AuthorisationState.AUTHORISED
            locked.authorised_at = timezone.now()
            locked.authorisation_problem = ""
            locked.save()
            _listings_changed(locked)
    except IntegrityError:
        raise DuplicateConnection(
            f"Amazon seller id {selling_partner_id} is already connected for {integration.marketplace.site_name}. "
            "Use the existing integration, or remove it before connecting again."
        ) from None
    return locked


def integration_set_enabled(*, integration: Integration, enabled: bool) -> Integration:
    """Enable or disable syncing; enabling sends the current stock levels again. Settings stay as they are."""
    with transaction.atomic():
        changed = (
            Integration.objects.filter(pk=integration.pk)
            .exclude(enabled=enabled)
            .update(enabled=enabled, updated_at=timezone.now())
        )
        integration.enabled = enabled
        if changed:  # disabling matters too: region peers may now send their own, higher quantity
            _listings_changed(integration)
    return integration


def integration_update_settings(*, integration: Integration, **values) -> Integration:
    """Save the name and additional settings; a change to what listings advertise re-sends stock."""
    unknown = set(values) - set(EDITABLE_SETTINGS)
    if unknown:
        raise TypeError(f"not editable settings: {sorted(unknown)}")
    with transaction.atomic():
        current = Integration.objects.select_for_update(no_key=True).get(pk=integration.pk)  # NO KEY: see above
        listings_changed = any(name in values and getattr(current, name) != values[name] for name in LISTING_SETTINGS)
        for name, value in values.items():
            setattr(integration, name, value)
        integration.save(update_fields=[*values, "updated_at"])
        if listings_changed:
            _listings_changed(integration)
    return integration


def integration_remove(*, integration: Integration) -> None:
    """Wipe the credentials and hide the integration for good; its orders stay attributed to it."""
    Integration.objects.filter(pk=integration.pk, removed_at__isnull=True).update(
        refresh_token="",
        enabled=False,
        removed_at=timezone.now(),
        updated_at=timezone.now(),
    )
