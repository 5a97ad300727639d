"""What each listing should show on Amazon, what Amazon last accepted, the feeds that carry the difference, and
every value sent with Amazon's answer."""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from accounts.tenancy import TenantQuerySet
from activity.models import Run


class ListingPushQuerySet(TenantQuerySet):
    account_path = "integration__account"

    def pending(self) -> ListingPushQuerySet:
        return self.filter(pending=True)

    def for_integration(self, integration_id: int) -> ListingPushQuerySet:
        return self.filter(integration_id=integration_id)

    def idle(self) -> ListingPushQuerySet:
        """Not being carried by a feed or a patch right now."""
        return self.filter(feed__isnull=True, patch_version__isnull=True)


class ListingPush(models.Model):
    """The push state of one listing (an integration's channel SKU), mapped now or before.

    `version` grows by one every time the desired values change; Amazon's copy is recorded only from
    its own acceptance, with the version it accepted, so an older value never overwrites a newer one.
    """

    # Indexed by the unique (integration, channel SKU), which leads with it: a second index would cost every write.
    integration = models.ForeignKey(
        "channels.Integration", on_delete=models.CASCADE, related_name="listing_pushes", db_index=False
    )
    channel_sku = models.CharField("channel SKU", max_length=200)
    mapping = models.ForeignKey(
        "stock.ListingMapping", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    # This integration's own rule value, before the region-shared minimum.
    own_quantity = models.IntegerField(default=0)
    desired_quantity = models.IntegerField(default=0)
    # Null: prices are not pushed for this listing (price updates off, unmapped, or no price known).
    desired_price = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    currency = models.CharField(max_length=3, blank=True)
    # Another integration on the same seller id and region advertises less: we send its (lower) quantity.
    limited_by = models.ForeignKey(
        "channels.Integration", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    version = models.BigIntegerField(default=0)

    # What Amazon accepted last (null quantity: not known to be on Amazon).
    accepted_quantity = models.IntegerField(null=True, blank=True)
    accepted_price = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    accepted_version = models.BigIntegerField(default=0)
    accepted_at = models.DateTimeField(null=True, blank=True)

    pending = models.BooleanField(default=False)
    pending_since = models.DateTimeField(null=True, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)

    # In flight in a feed (bulk lane): the values sent and their version.
    feed = models.ForeignKey(
        "stock.PushFeed", on_delete=models.SET_NULL, null=True, blank=True, related_name="listings"
    )
    feed_message_id = models.PositiveIntegerField(null=True, blank=True)
    feed_version = models.BigIntegerField(null=True, blank=True)
    feed_quantity = models.IntegerField(null=True, blank=True)
    feed_price = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    # In flight through patchListingsItem (fast lane).
    patch_version = models.BigIntegerField(null=True, blank=True)
    patch_started_at = models.DateTimeField(null=True, blank=True)

    last_error = models.TextField(blank=True)
    last_error_code = models.CharField(max_length=40, blank=True)
    last_error_at = models.DateTimeField(null=True, blank=True)
    # Amazon does not know this SKU: reported, and not retried until its values change again.
    unknown_sku = models.BooleanField(default=False)

    updated_at = models.DateTimeField(auto_now=True)

    objects = ListingPushQuerySet.as_manager()

    class Meta:
        ordering = ["integration_id", "channel_sku"]
        constraints = [
            models.UniqueConstraint(fields=["integration", "channel_sku"], name="listingpush_one_per_channel_sku"),
            models.CheckConstraint(
                condition=Q(accepted_version__lte=F("version")), name="listingpush_accepted_le_version"
            ),
        ]
        indexes = [
            models.Index(fields=["integration", "pending", "next_attempt_at"], name="listingpush_pending"),
        ]

    def __str__(self) -> str:
        return f"{self.channel_sku}: {self.desired_quantity} (v{self.version}, Amazon v{self.accepted_version})"


class PushFeed(models.Model):
    """One JSON_LISTINGS_FEED sent for one integration, followed until Amazon has processed it."""

    class State(models.TextChoices):
        PREPARING = "preparing", "Preparing"  # listings claimed, not yet known to Amazon
        SUBMITTED = "submitted", "Submitted"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    integration = models.ForeignKey("channels.Integration", on_delete=models.CASCADE, related_name="push_feeds")
    state = models.CharField(max_length=20, choices=State.choices, default=State.PREPARING)
    amazon_feed_id = models.CharField(max_length=100, blank=True)
    amazon_status = models.CharField(max_length=20, blank=True)
    message_count = models.PositiveIntegerField(default=0)
    messages_accepted = models.PositiveIntegerField(null=True, blank=True)
    messages_invalid = models.PositiveIntegerField(null=True, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["integration", "state"], name="pushfeed_integration_state")]

    def __str__(self) -> str:
        return f"feed {self.amazon_feed_id or '(unsent)'} for {self.integration_id}: {self.state}"


class PushLane(models.Model):
    """One per integration: when its bulk lane last ran, and whether it was sending (who sends: channels.holding)."""

    integration = models.OneToOneField("channels.Integration", on_delete=models.CASCADE, related_name="push_lane")
    last_run_at = models.DateTimeField(null=True, blank=True)
    # Whether the integration was sending when its listings were last marked: coming back re-sends everything.
    was_pushing = models.BooleanField(default=False)

    def __str__(self) -> str:
        return f"push lane of {self.integration_id}"


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
