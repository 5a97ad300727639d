"""Sales channel integrations: one connected Amazon seller account on one site."""

from __future__ import annotations

from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q

from accounts.models import SellerAccount
from accounts.tenancy import TenantQuerySet
from bulk.limits import INTEGER_MAX
from channels.amazon.marketplaces import Marketplace, marketplace_by_id, site_choices
from channels.encryption import EncryptedTextField


class IntegrationQuerySet(TenantQuerySet):
    def active(self) -> IntegrationQuerySet:
        """Not removed (removed integrations are kept only for their orders)."""
        return self.filter(removed_at__isnull=True)


class Integration(models.Model):
    class Channel(models.TextChoices):
        AMAZON = "amazon", "Amazon"

    class AuthorisationState(models.TextChoices):
        AWAITING = "awaiting", "Awaiting authorisation"
        AUTHORISED = "authorised", "Authorised"
        NEEDS_REAUTHORISATION = "needs_reauthorisation", "Needs re-authorisation"

    account = models.ForeignKey(SellerAccount, on_delete=models.CASCADE, related_name="integrations")
    name = models.CharField(max_length=100)
    channel = models.CharField(max_length=20, choices=Channel.choices, default=Channel.AMAZON)
    marketplace_id = models.CharField("site", max_length=20, choices=site_choices())
    enabled = models.BooleanField(default=True)

    selling_partner_id = models.CharField("seller id", max_length=40, blank=True)
    refresh_token = EncryptedTextField(blank=True, editable=False)
    authorisation_state = models.CharField(
        max_length=30, choices=AuthorisationState.choices, default=AuthorisationState.AWAITING
    )
    authorised_at = models.DateTimeField(null=True, blank=True)
    # A plain sentence for the seller: why Amazon stopped accepting this authorisation.
    authorisation_problem = models.CharField(max_length=300, blank=True)

    stock_updates_enabled = models.BooleanField(default=True)
    price_updates_enabled = models.BooleanField(default=False)
    # Held to PostgreSQL's limit on every database: the form and the admin refuse on SQLite what PostgreSQL would.
    max_quantity_to_advertise = models.PositiveIntegerField(default=0, validators=[MaxValueValidator(INTEGER_MAX)])
    stock_threshold = models.PositiveIntegerField(default=5, validators=[MaxValueValidator(INTEGER_MAX)])
    exclude_non_avasam_orders = models.BooleanField(default=False)
    split_orders_with_unknown_skus = models.BooleanField(default=False)

    removed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = IntegrationQuerySet.as_manager()

    class Meta:
        ordering = ["name", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~(Q(exclude_non_avasam_orders=True) & Q(split_orders_with_unknown_skus=True)),
                name="integration_exclude_and_split_not_both",
                violation_error_message=(
                    "Exclude non-Avasam orders and split orders with unknown SKUs cannot both be on."
                ),
            ),
            models.CheckConstraint(condition=Q(stock_threshold__gte=0), name="integration_stock_threshold_gte_0"),
            models.CheckConstraint(
                condition=Q(max_quantity_to_advertise__gte=0), name="integration_max_quantity_gte_0"
            ),
            models.UniqueConstraint(
                fields=["selling_partner_id", "marketplace_id"],
                condition=Q(removed_at__isnull=True) & ~Q(selling_partner_id=""),
                name="integration_one_live_per_seller_id_and_site",
                violation_error_message="This Amazon seller id is already connected for this site.",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def marketplace(self) -> Marketplace:
        return marketplace_by_id(self.marketplace_id)

    @property
    def is_removed(self) -> bool:
        return self.removed_at is not None


class IntegrationHold(models.Model):
    """Embedded SQLite only (PostgreSQL uses advisory locks): who holds an integration's lane, while its lease,
    renewed by the holder's heartbeat, runs. See channels/holding.py."""

    integration = models.ForeignKey(Integration, on_delete=models.CASCADE, related_name="+", db_index=False)
    lane = models.CharField(max_length=20)
    holder = models.CharField(max_length=32, blank=True)
    expires_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["integration", "lane"], name="integrationhold_unique_lane")]

    def __str__(self) -> str:
        return f"{self.lane} of integration {self.integration_id}"
