"""Writes for integrations."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from accounts.models import SellerAccount
from channels.amazon.marketplaces import MARKETPLACES, marketplace_by_id
from channels.models import Integration

MARKETPLACE_IDS = {marketplace.marketplace_id for marketplace in MARKETPLACES}

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


def integration_mark_needs_reauthorisation(*, integration_id: int, problem: str) -> None:
    """Amazon no longer accepts this integration's authorisation: stop calling until the seller re-authorises."""
    Integration.objects.filter(pk=integration_id).update(
        authorisation_state=Integration.AuthorisationState.NEEDS_REAUTHORISATION,
        authorisation_problem=problem[:300],
    )


def integration_listings_need_push(*, integration: Integration) -> None:
    """What this integration's listings should advertise may have changed, so send current stock again.

    Every caller already runs inside the transaction that made the change.
    """
    from stock.push.marking import integration_listings_mark_pending  # stock imports channels: import late

    integration_listings_mark_pending(integration_id=integration.pk)


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
        raise AuthorisationRefused(
            f"Amazon seller id {selling_partner_id} is already connected for {integration.marketplace.site_name} "
            f"in your integration “{duplicate.name}”. Use that one, or remove it before connecting again."
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
            integration_listings_need_push(integration=locked)
    except IntegrityError:
        raise AuthorisationRefused(
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
            integration_listings_need_push(integration=integration)
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
            integration_listings_need_push(integration=integration)
    return integration


def integration_remove(*, integration: Integration) -> None:
    """Wipe the credentials and hide the integration for good; its orders stay attributed to it."""
    Integration.objects.filter(pk=integration.pk, removed_at__isnull=True).update(
        refresh_token="",
        enabled=False,
        removed_at=timezone.now(),
        updated_at=timezone.now(),
    )


@dataclass(frozen=True)
class Check:
    """One line of a verification: `ok` is None when it could not be told."""

    subject: str
    ok: bool | None
    sentence: str


@dataclass(frozen=True)
class Verification:
    checks: list[Check]

    @property
    def ok(self) -> bool:
        return all(check.ok for check in self.checks)


def _site_check(integration: Integration, participations) -> Check:
    site = integration.marketplace.site_name
    here = [p for p in participations if p.marketplace_id == integration.marketplace_id]
    if here and here[0].is_participating:
        sentence = f"Your seller account sells on Amazon {site}."
        if here[0].has_suspended_listings:
            sentence += " Amazon reports suspended listings there: check them in Seller Central."
        return Check("Site", True, sentence)
    others = sorted(
        marketplace_by_id(p.marketplace_id).site_name
        for p in participations
        if p.is_participating and p.marketplace_id in MARKETPLACE_IDS
    )
    elsewhere = f" It sells on: {', '.join(others)}." if others else ""
    return Check(
        "Site",
        False,
        f"Your seller account does not sell on Amazon {site}.{elsewhere} "
        "Remove this integration and add one for a site you sell on.",
    )


def integration_verify(*, integration: Integration) -> Verification:
    """Ask Amazon whether the stored authorisation works: auth key, seller id and site, in plain words."""
    # Imported here: the gateway imports this module (integration_mark_needs_reauthorisation).
    from channels.amazon import errors, lwa
    from channels.amazon.gateway import AmazonGateway, SellingPartner

    seller_id = integration.selling_partner_id
    if not integration.refresh_token:
        return Verification(
            [Check("Auth key", False, "This integration is not authorised yet: click Authorise and follow the steps.")]
        )
    not_checked = Check("Seller id", None, f"Seller id {seller_id} could not be checked.")
    # Verify means "does the auth key work now": fetch a fresh access token rather than a cached one.
    lwa.forget_access_token(integration.refresh_token)
    try:
        with AmazonGateway(SellingPartner.for_integration(integration)) as gateway:
            participations = gateway.get_marketplace_participations()
    except errors.AuthorisationRevoked:
        return Verification(
            [
                Check(
                    "Auth key",
                    False,
                    "Amazon no longer accepts the auth key (the app may have been removed in Seller Central): "
                    "click Reauthorise.",
                ),
                not_checked,
            ]
        )
    except errors.Throttled as error:
        wait = max(1, round(error.retry_after or 60))
        return Verification([Check("Auth key", None, f"Amazon asked us to slow down: try again in {wait} seconds.")])
    except errors.AppCredentialsInvalid:
        return Verification(
            [
                Check(
                    "Auth key",
                    None,
                    "Amazon refused Avasam's own app credentials; this is not a problem with your account. "
                    "Please contact support.",
                )
            ]
        )
    except errors.AmazonError as error:
        return Verification(
            [Check("Auth key", None, f"Amazon could not be asked just now ({error.message}). Try again in a minute.")]
        )
    return Verification(
        [
            Check("Auth key", True, "The auth key works: Amazon gave us access with it."),
            Check("Seller id", True, f"Seller id {seller_id} is the Amazon seller account this auth key belongs to."),
            _site_check(integration, participations),
        ]
    )
