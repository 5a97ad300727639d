"""Verify: ask Amazon whether an integration's stored authorisation works for its seller id and site, and say so in
plain words."""

from __future__ import annotations

from dataclasses import dataclass

from channels.amazon import lwa
from channels.amazon.errors import AmazonError
from channels.amazon.gateway import gateway_for
from channels.amazon.marketplaces import MARKETPLACES, marketplace_by_id
from channels.amazon.outcomes import Cause, outcome_of
from channels.amazon.types import Participation
from channels.models import Integration

MARKETPLACE_IDS = {marketplace.marketplace_id for marketplace in MARKETPLACES}


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


def _site_check(integration: Integration, participations: list[Participation]) -> Check:
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


def _refused(integration: Integration, error: AmazonError) -> Verification:
    outcome = outcome_of(error, integration_id=integration.pk)
    if outcome.cause is Cause.REVOKED:
        return Verification(
            [
                Check(
                    "Auth key",
                    False,
                    "Amazon no longer accepts the auth key (the app may have been removed in Seller Central): "
                    "click Reauthorise.",
                ),
                Check("Seller id", None, f"Seller id {integration.selling_partner_id} could not be checked."),
            ]
        )
    if outcome.cause is Cause.THROTTLED:
        wait = max(1, round(outcome.retry_after or 60))
        return Verification([Check("Auth key", None, f"Amazon asked us to slow down: try again in {wait} seconds.")])
    if outcome.cause is Cause.APP_PAUSED:
        sentence = (
            "Amazon refused Avasam's own app credentials; this is not a problem with your account. "
            "Please contact support."
        )
        return Verification([Check("Auth key", None, sentence)])
    return Verification(
        [Check("Auth key", None, f"Amazon could not be asked just now ({outcome.message}). Try again in a minute.")]
    )


def integration_verify(*, integration: Integration) -> Verification:
    """Ask Amazon whether the stored authorisation works: auth key, seller id and site, in plain words."""
    if not integration.refresh_token:
        return Verification(
            [Check("Auth key", False, "This integration is not authorised yet: click Authorise and follow the steps.")]
        )
    # Verify means "does the auth key work now": fetch a fresh access token rather than a cached one.
    lwa.forget_access_token(integration.refresh_token)
    try:
        with gateway_for(integration) as gateway:
            participations = gateway.get_marketplace_participations()
            seller_id_accepted = gateway.seller_id_accepted()
    except AmazonError as error:
        return _refused(integration, error)
    return Verification(
        [
            Check("Auth key", True, "The auth key works: Amazon gave us access with it."),
            _seller_id_check(integration.selling_partner_id, accepted=seller_id_accepted),
            _site_check(integration, participations),
        ]
    )


def _seller_id_check(seller_id: str, *, accepted: bool) -> Check:
    """Amazon itself says whether the seller id belongs to the auth key (a call scoped to that seller id)."""
    if accepted:
        return Check("Seller id", True, f"Seller id {seller_id} is the Amazon seller account this auth key belongs to.")
    return Check(
        "Seller id",
        False,
        f"Amazon refused seller id {seller_id} with this auth key: it belongs to another Amazon seller account. "
        f"Click Reauthorise while logged in to Seller Central as {seller_id}, or remove this integration.",
    )
