"""The activity log: one Run per order download and per stock/price push of an integration."""

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
    # Orders Amazon sent that the integration's settings kept out (exclude non-Avasam orders, or already purged).
    orders_not_imported = models.PositiveIntegerField(default=0)
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
