"""The activity log: one Run per order download and per stock/price push, and what each listing send became."""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from accounts.tenancy import TenantQuerySet


class RunQuerySet(TenantQuerySet):
    account_path = "integration__account"

    def for_integration(self, integration_id: int) -> RunQuerySet:
        return self.filter(integration_id=integration_id)

    def finished(self) -> RunQuerySet:
        return self.exclude(outcome=Run.Outcome.RUNNING)


class Run(models.Model):
    """One order download or one stock/price push of one integration, as the seller and ops see it."""

    class Kind(models.TextChoices):
        ORDER_DOWNLOAD = "order_download", "Order download"
        STOCK_PUSH = "stock_push", "Stock and price push"

    class Lane(models.TextChoices):
        NONE = "", "—"
        BULK = "bulk", "Feed (bulk)"
        FAST = "fast", "Fast lane (single listing update)"

    class Outcome(models.TextChoices):
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        PARTIAL = "partial", "Partly failed"
        FAILED = "failed", "Failed"
        DEFERRED = "deferred", "Postponed (Amazon asked us to slow down)"

    integration = models.ForeignKey("channels.Integration", on_delete=models.CASCADE, related_name="runs")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    lane = models.CharField(max_length=10, choices=Lane.choices, blank=True, default=Lane.NONE)
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=20, choices=Outcome.choices, default=Outcome.RUNNING)
    orders_brought = models.PositiveIntegerField(default=0)
    listings_changed = models.PositiveIntegerField(default=0)
    error_count = models.PositiveIntegerField("errors", default=0)
    # In plain words, for the seller: what went wrong and what happens next.
    error = models.TextField(blank=True)
    amazon_feed_id = models.CharField(max_length=100, blank=True)

    objects = RunQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at", "-pk"]
        indexes = [
            models.Index(fields=["integration", "kind", "-started_at"], name="run_integration_kind_started"),
            models.Index(fields=["started_at"], name="run_started"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} of {self.integration_id} at {self.started_at:%Y-%m-%d %H:%M}"

    @property
    def duration_seconds(self) -> float | None:
        if self.finished_at is None:
            return None
        return (self.finished_at - self.started_at).total_seconds()


class ListingSendQuerySet(TenantQuerySet):
    account_path = "integration__account"


class ListingSend(models.Model):
    """One value sent to Amazon for one listing, and Amazon's answer (the trail behind "why this quantity")."""

    class Outcome(models.TextChoices):
        ACCEPTED = "accepted", "Accepted by Amazon"
        REJECTED = "rejected", "Rejected by Amazon"
        NOT_PROCESSED = "not_processed", "Not processed (sent again)"

    integration = models.ForeignKey("channels.Integration", on_delete=models.CASCADE, related_name="+")
    channel_sku = models.CharField("channel SKU", max_length=200)
    lane = models.CharField(max_length=10, choices=Run.Lane.choices)
    version = models.BigIntegerField()
    quantity = models.IntegerField(null=True, blank=True)
    price = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(default=timezone.now)
    outcome = models.CharField(max_length=20, choices=Outcome.choices)
    error_code = models.CharField(max_length=40, blank=True)
    error = models.TextField(blank=True)
    amazon_feed_id = models.CharField(max_length=100, blank=True)

    objects = ListingSendQuerySet.as_manager()

    class Meta:
        ordering = ["-answered_at", "-pk"]
        indexes = [
            models.Index(fields=["integration", "channel_sku", "-answered_at"], name="listingsend_listing"),
            models.Index(fields=["answered_at"], name="listingsend_answered"),
        ]

    def __str__(self) -> str:
        return f"{self.channel_sku}: {self.quantity} ({self.get_outcome_display()})"


class PurgedOrdersDay(models.Model):
    """Non-Avasam orders deleted after their retention, counted first so analytics keep them (one row per batch)."""

    integration = models.ForeignKey("channels.Integration", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()  # the UTC date of purchase
    currency = models.CharField(max_length=3, blank=True)
    orders = models.PositiveIntegerField()
    revenue = models.DecimalField(max_digits=16, decimal_places=2, default=0)

    class Meta:
        indexes = [models.Index(fields=["integration", "day"], name="purgedordersday_day")]

    def __str__(self) -> str:
        return f"{self.orders} purged orders of {self.integration_id} on {self.day}"
