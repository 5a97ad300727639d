"""Orders downloaded from sales channels, their lines, and each integration's download cursor."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from accounts.tenancy import TenantQuerySet


class OrderKind(models.TextChoices):
    AVASAM = "avasam", "Avasam"
    NON_AVASAM = "non_avasam", "Non-Avasam"
    MIXED = "mixed", "Mixed"


class FulfilledBy(models.TextChoices):
    MERCHANT = "MERCHANT", "Merchant"
    AMAZON = "AMAZON", "Amazon"


def status_in_words(status: str) -> str:
    """Amazon's constant as a seller reads it: UNSHIPPED → "Unshipped", PARTIALLY_SHIPPED → "Partially shipped"."""
    return status.replace("_", " ").capitalize() if status else "Unknown"


class OrderQuerySet(TenantQuerySet):
    account_path = "integration__account"

    def for_integration(self, integration) -> OrderQuerySet:
        return self.filter(integration=integration)

    def within_retention(self, now) -> OrderQuerySet:
        """Orders whose classification may still change (a non-Avasam one is deleted after this)."""
        return self.filter(retention_expires_at__gt=now)

    def expired_non_avasam(self, now) -> OrderQuerySet:
        return self.filter(kind=OrderKind.NON_AVASAM, retention_expires_at__lte=now)


class Order(models.Model):
    # Indexed by the unique constraint and the indexes below, which all start with it.
    integration = models.ForeignKey(
        "channels.Integration", on_delete=models.CASCADE, related_name="orders", db_index=False
    )
    # Amazon sets no length on its strings (Orders v2026-01-01), so they are stored as text, whatever they hold.
    amazon_order_id = models.TextField("Amazon order id")
    marketplace_id = models.TextField()
    # Amazon's fulfillment status as received: PENDING, UNSHIPPED, SHIPPED, CANCELLED, ...
    status = models.TextField(db_index=True)
    fulfilled_by = models.CharField(max_length=10, choices=FulfilledBy.choices)
    purchased_at = models.DateTimeField("purchase date")
    amazon_updated_at = models.DateTimeField("last updated on Amazon")
    currency = models.TextField(blank=True)
    total = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    kind = models.CharField(max_length=12, choices=OrderKind.choices)
    # Until then the order follows mapping changes; a non-Avasam order still non-Avasam then is deleted.
    retention_expires_at = models.DateTimeField()
    imported_at = models.DateTimeField()
    updated_at = models.DateTimeField(auto_now=True)

    objects = OrderQuerySet.as_manager()

    class Meta:
        ordering = ["-purchased_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["integration", "amazon_order_id"], name="order_unique_per_integration"),
        ]
        indexes = [
            models.Index(fields=["integration", "-purchased_at"], name="order_integration_purchased"),
            # For purge_orders; only non-Avasam orders are in it, so Avasam ones cost nothing to insert.
            models.Index(
                fields=["retention_expires_at"], condition=Q(kind="non_avasam"), name="order_non_avasam_expiry"
            ),
        ]

    def __str__(self) -> str:
        return self.amazon_order_id

    @property
    def status_words(self) -> str:
        return status_in_words(self.status)


class OrderLineQuerySet(TenantQuerySet):
    account_path = "order__integration__account"


class OrderLine(models.Model):
    # Indexed by the unique constraint, which starts with it.
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines", db_index=False)
    # Text: Amazon sets no length on these (Orders v2026-01-01).
    order_item_id = models.TextField("Amazon order item id")
    # Indexed for equality (Meta) without Django's second, prefix-search index: nothing searches it by prefix (the
    # admin's search is a substring match, which neither index serves), and each order line paid for both.
    channel_sku = models.TextField("channel SKU")
    asin = models.TextField("ASIN", blank=True)
    title = models.TextField(blank=True)
    quantity = models.PositiveIntegerField()
    unit_price = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    # Our catalogue product this line is mapped to; null = not an Avasam line.
    product = models.ForeignKey(
        "stock.Product", on_delete=models.PROTECT, null=True, blank=True, related_name="order_lines"
    )

    objects = OrderLineQuerySet.as_manager()

    class Meta:
        ordering = ["order_id", "order_item_id"]
        constraints = [
            models.UniqueConstraint(fields=["order", "order_item_id"], name="orderline_unique_per_order"),
        ]
        indexes = [models.Index(fields=["channel_sku"], name="orderline_channel_sku")]

    def __str__(self) -> str:
        return f"{self.channel_sku} x {self.quantity}"

    @property
    def is_mapped(self) -> bool:
        return self.product_id is not None


class PurgedOrder(models.Model):
    """A non-Avasam order deleted by purge_orders: a later update on Amazon must not bring it back as non-Avasam."""

    integration = models.ForeignKey("channels.Integration", on_delete=models.CASCADE, related_name="+", db_index=False)
    amazon_order_id = models.TextField("Amazon order id")
    purged_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["integration", "amazon_order_id"], name="purgedorder_unique_per_integration"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.amazon_order_id} (purged)"


class OrderDownload(models.Model):
    """One row per integration: where the next download starts (who downloads now: channels.holding).

    `cursor` moves only once a whole window has been committed. While a window is in progress its
    query and the next page's token are saved with each committed page, so a retried or restarted
    download resumes there instead of starting over (upserts make a repeated page harmless).
    """

    integration = models.OneToOneField("channels.Integration", on_delete=models.CASCADE, related_name="order_download")
    # Orders updated at or after (this minus the overlap) are asked for next; null = never downloaded.
    cursor = models.DateTimeField(null=True, blank=True)

    # The window in progress: its query (Amazon wants the same parameters with a pagination token).
    window_created_after = models.DateTimeField(null=True, blank=True)
    window_updated_after = models.DateTimeField(null=True, blank=True)
    window_until = models.DateTimeField(null=True, blank=True)
    next_page_token = models.TextField(blank=True)
    pages_done = models.PositiveIntegerField(default=0)

    last_started_at = models.DateTimeField(null=True, blank=True)
    # When the sweeper last enqueued this download (so a download waiting in the queue is not enqueued again).
    swept_at = models.DateTimeField(null=True, blank=True)
    last_finished_at = models.DateTimeField(null=True, blank=True)
    last_succeeded_at = models.DateTimeField(null=True, blank=True)
    last_problem = models.CharField(max_length=500, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(window_until__isnull=True)
                | Q(window_created_after__isnull=False) ^ Q(window_updated_after__isnull=False),
                name="orderdownload_window_has_one_lower_bound",
            )
        ]

    def __str__(self) -> str:
        return f"Order download of integration {self.integration_id}"

    @property
    def window_in_progress(self) -> bool:
        return self.window_until is not None


class PurgedOrdersDay(models.Model):
    """Non-Avasam orders deleted after their retention, counted first so analytics keep them (one row per batch)."""

    integration = models.ForeignKey("channels.Integration", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()  # the UTC date of purchase
    currency = models.TextField(blank=True)
    orders = models.PositiveIntegerField()
    revenue = models.DecimalField(max_digits=16, decimal_places=2, default=0)

    class Meta:
        indexes = [models.Index(fields=["integration", "day"], name="purgedordersday_day")]

    def __str__(self) -> str:
        return f"{self.orders} purged orders of {self.integration_id} on {self.day}"
