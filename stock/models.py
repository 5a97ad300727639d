"""The supplier catalogue (suppliers, their API tokens, products, stock history) and sellers' listing mappings."""

from __future__ import annotations

import hashlib
import secrets

from django.db import models
from django.db.models import Q
from django.utils import timezone

from accounts.tenancy import TenantQuerySet


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class Supplier(models.Model):
    name = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name


class SupplierTokenQuerySet(models.QuerySet):
    def live(self) -> SupplierTokenQuerySet:
        return self.filter(revoked_at__isnull=True)


class SupplierToken(models.Model):
    """An API token; only its SHA-256 is stored, the token itself is shown once when issued."""

    supplier = models.ForeignKey(Supplier, on_delete=models.CASCADE, related_name="tokens")
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    # The first characters of the token, so ops can tell tokens apart without the secret.
    prefix = models.CharField(max_length=8, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    # When the supplier API last accepted a request with this token (kept to the minute).
    last_used_at = models.DateTimeField("last used", null=True, blank=True, editable=False)
    # The rate limit's state when it is kept in the database (no Redis): the "theoretical arrival time" of
    # generic cell rate algorithm, in seconds since the epoch.
    rate_limit_tat = models.FloatField(null=True, blank=True, editable=False)

    objects = SupplierTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.prefix}… ({'revoked' if self.revoked_at else 'live'})"

    @staticmethod
    def new_token() -> str:
        return secrets.token_urlsafe(32)


class Product(models.Model):
    sku = models.CharField("SKU", max_length=100, unique=True)
    title = models.CharField(max_length=500)
    supplier = models.ForeignKey(Supplier, on_delete=models.PROTECT, related_name="products")
    price = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    # Available quantity at the supplier; null = never told.
    quantity = models.IntegerField(null=True, blank=True)
    # When the supplier says that quantity was true (updates older than this are ignored).
    quantity_as_of = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["sku"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=0), name="product_quantity_gte_0"),
            models.CheckConstraint(condition=Q(price__gte=0), name="product_price_gte_0"),
        ]

    def __str__(self) -> str:
        return self.sku


class StockChange(models.Model):
    """One accepted stock level for a product: the start of the trail behind every quantity sent to Amazon."""

    class Source(models.TextChoices):
        API_STOCK = "api_stock", "Supplier API: stock"
        API_PRODUCTS = "api_products", "Supplier API: products"
        ADMIN = "admin", "Admin"

    # Indexed by stockchange_product_recorded, which leads with it: a second index would cost every insert.
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="stock_changes", db_index=False)
    quantity = models.IntegerField()
    previous_quantity = models.IntegerField(null=True, blank=True)
    as_of = models.DateTimeField()
    source = models.CharField(max_length=20, choices=Source.choices)
    # Which token sent it (kept when the token is later revoked).
    token = models.ForeignKey(SupplierToken, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-recorded_at", "-pk"]
        indexes = [models.Index(fields=["product", "-recorded_at"], name="stockchange_product_recorded")]

    def __str__(self) -> str:
        return f"{self.product_id}: {self.quantity} as of {self.as_of:%Y-%m-%d %H:%M:%S}"


class ListingMappingQuerySet(TenantQuerySet):
    account_path = "integration__account"

    def for_integration(self, integration) -> ListingMappingQuerySet:
        return self.filter(integration=integration)


class ListingMapping(models.Model):
    """A seller's listing (channel SKU on one integration) mapped to a catalogue product."""

    # No index of its own: the unique (integration, channel SKU) index leads with it. A second one let PostgreSQL,
    # with stale statistics, read all of an integration's mappings for each SKU it looked up.
    integration = models.ForeignKey(
        "channels.Integration", on_delete=models.CASCADE, related_name="mappings", db_index=False
    )
    channel_sku = models.CharField("channel SKU", max_length=200)
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="mappings")
    # The price to advertise for this listing; null = the product's price.
    price = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ListingMappingQuerySet.as_manager()

    class Meta:
        ordering = ["channel_sku", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["integration", "channel_sku"],
                name="listingmapping_one_per_channel_sku",
                violation_error_message="This channel SKU is already mapped on this integration.",
            ),
            models.CheckConstraint(condition=Q(price__gte=0), name="listingmapping_price_gte_0"),
        ]

    def __str__(self) -> str:
        return f"{self.channel_sku} → {self.product_id}"


class MappingUploadQuerySet(TenantQuerySet):
    account_path = "integration__account"

    def for_integration(self, integration) -> MappingUploadQuerySet:
        return self.filter(integration=integration)

    def active(self) -> MappingUploadQuerySet:
        return self.filter(status__in=[MappingUpload.Status.QUEUED, MappingUpload.Status.APPLYING])


class MappingUpload(models.Model):
    """A mappings CSV too large to apply within the request: checked whole, then applied in chunks by a worker,
    each chunk in one transaction with its side effects, the progress committed with it."""

    class Status(models.TextChoices):
        QUEUED = "queued", "waiting to be applied"
        APPLYING = "applying", "being applied"
        DONE = "done", "applied"
        FAILED = "failed", "stopped"

    integration = models.ForeignKey("channels.Integration", on_delete=models.CASCADE, related_name="mapping_uploads")
    file_name = models.CharField(max_length=255)
    content = models.TextField(help_text="The file as uploaded; emptied once it has been applied.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    rows_total = models.PositiveIntegerField()
    rows_applied = models.PositiveIntegerField(default=0)
    mappings_created = models.PositiveIntegerField(default=0)
    mappings_changed = models.PositiveIntegerField(default=0)
    mappings_unchanged = models.PositiveIntegerField(default=0)
    problem = models.CharField(max_length=500, blank=True)
    # A worker applying it holds it until then; past that, another may take over (the first one died).
    lease_until = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = MappingUploadQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.rows_applied}/{self.rows_total}, {self.status})"

    @property
    def is_active(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.APPLYING)

    @property
    def percent_applied(self) -> int:
        return self.rows_applied * 100 // self.rows_total if self.rows_total else 100


from stock.push.models import ListingPush, ListingSend, PushFeed, PushLane  # noqa: E402,F401
