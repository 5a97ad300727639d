"""What suppliers must ship for Amazon orders (dispatches), and the parcels they report, confirmed to Amazon once."""

from __future__ import annotations

import json

from django.db import models
from django.db.models import Q

from accounts.tenancy import TenantQuerySet
from channels.encryption import EncryptedTextField


class DispatchStatus(models.TextChoices):
    OPEN = "open", "Waiting for the supplier"
    PARTIALLY_SHIPPED = "partially_shipped", "Partially shipped"
    SHIPPED = "shipped", "Shipped"
    CANCELLED = "cancelled", "Cancelled"


CLOSED_STATUSES = (DispatchStatus.SHIPPED, DispatchStatus.CANCELLED)


class DispatchQuerySet(TenantQuerySet):
    account_path = "account"


class Dispatch(models.Model):
    """What one supplier must ship for one Amazon order: once per seller account and Amazon order id.

    It belongs to the Amazon order, not to one integration's copy of it: `order` is the copy of the integration
    that downloaded it last while live, so a removed and re-added integration takes it over.
    """

    account = models.ForeignKey("accounts.SellerAccount", on_delete=models.CASCADE, related_name="+", db_index=False)
    amazon_order_id = models.CharField("Amazon order id", max_length=50)
    supplier = models.ForeignKey("stock.Supplier", on_delete=models.PROTECT, related_name="dispatches", db_index=False)
    order = models.ForeignKey(
        "orders.Order", on_delete=models.SET_NULL, null=True, blank=True, related_name="dispatches"
    )
    marketplace_id = models.CharField(max_length=20)
    ordered_at = models.DateTimeField()
    ship_by = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=DispatchStatus.choices, default=DispatchStatus.OPEN)
    # The recipient's name, address and phone as JSON, encrypted; empty once wiped (or never given).
    recipient_data = EncryptedTextField(blank=True, editable=False)
    # When it became shipped or cancelled (the personal data is wiped FULFILMENT_PERSONAL_DATA_DAYS later).
    closed_at = models.DateTimeField(null=True, blank=True)
    personal_data_wiped_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    # Moves only when something the supplier sees changed (the API's `updated_since` relies on it).
    updated_at = models.DateTimeField()

    objects = DispatchQuerySet.as_manager()

    class Meta:
        ordering = ["updated_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "amazon_order_id", "supplier"], name="dispatch_once_per_amazon_order_and_supplier"
            ),
        ]
        indexes = [
            models.Index(fields=["supplier", "updated_at", "id"], name="dispatch_supplier_updated"),
            models.Index(
                fields=["closed_at"], condition=Q(personal_data_wiped_at__isnull=True), name="dispatch_to_wipe"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.amazon_order_id} ({self.supplier_id})"

    @property
    def recipient(self) -> dict | None:
        return json.loads(self.recipient_data) if self.recipient_data else None


class DispatchLine(models.Model):
    dispatch = models.ForeignKey(Dispatch, on_delete=models.CASCADE, related_name="lines", db_index=False)
    order_item_id = models.CharField("Amazon order item id", max_length=50)
    product = models.ForeignKey("stock.Product", on_delete=models.PROTECT, related_name="+")
    sku = models.CharField("SKU", max_length=100)
    title = models.CharField(max_length=500, blank=True)
    quantity = models.PositiveIntegerField()
    quantity_shipped = models.PositiveIntegerField(default=0)
    quantity_cancelled = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["dispatch_id", "order_item_id"]
        constraints = [
            models.UniqueConstraint(fields=["dispatch", "order_item_id"], name="dispatchline_unique_per_dispatch"),
        ]

    def __str__(self) -> str:
        return f"{self.sku} x {self.quantity}"

    @property
    def quantity_to_ship(self) -> int:
        return max(0, self.quantity - self.quantity_cancelled - self.quantity_shipped)


class ParcelState(models.TextChoices):
    PENDING = "pending", "Shipped, not yet confirmed on Amazon"
    # Committed before confirmShipment is called: found so later, the attempt died and Amazon is asked first.
    SENDING = "sending", "Being confirmed on Amazon"
    CONFIRMED = "confirmed", "Confirmed on Amazon"
    REFUSED = "refused", "Refused by Amazon"


class ParcelQuerySet(TenantQuerySet):
    account_path = "dispatch__account"

    def unconfirmed(self) -> ParcelQuerySet:
        return self.filter(state__in=[ParcelState.PENDING, ParcelState.SENDING])


class Parcel(models.Model):
    """A parcel a supplier reported: identified by its dispatch and tracking number; its id is Amazon's
    packageReferenceId."""

    dispatch = models.ForeignKey(Dispatch, on_delete=models.CASCADE, related_name="parcels", db_index=False)
    carrier = models.CharField("carrier as sent", max_length=100)
    carrier_code = models.CharField("Amazon carrier code", max_length=100)
    carrier_name = models.CharField("Amazon carrier name", max_length=100, blank=True)
    tracking_number = models.CharField(max_length=100)
    ship_date = models.DateTimeField()
    shipping_method = models.CharField(max_length=100, blank=True)
    state = models.CharField(max_length=10, choices=ParcelState.choices, default=ParcelState.PENDING)
    refusal_reason = models.CharField("Amazon's reason", max_length=1000, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    # Unavailable answers in a row (for the backoff); throttling is not counted.
    failures = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    sending_since = models.DateTimeField(null=True, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ParcelQuerySet.as_manager()

    class Meta:
        ordering = ["dispatch_id", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["dispatch", "tracking_number"], name="parcel_unique_per_dispatch"),
        ]
        indexes = [
            models.Index(
                fields=["next_attempt_at"], condition=Q(state__in=["pending", "sending"]), name="parcel_unconfirmed"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.carrier} {self.tracking_number}"


class ParcelLine(models.Model):
    parcel = models.ForeignKey(Parcel, on_delete=models.CASCADE, related_name="lines")
    dispatch_line = models.ForeignKey(DispatchLine, on_delete=models.CASCADE, related_name="parcel_lines")
    quantity = models.PositiveIntegerField()

    class Meta:
        ordering = ["parcel_id", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["parcel", "dispatch_line"], name="parcelline_unique_per_parcel"),
            models.CheckConstraint(condition=Q(quantity__gte=1), name="parcelline_quantity_gte_1"),
        ]

    def __str__(self) -> str:
        return f"{self.dispatch_line_id} x {self.quantity}"
