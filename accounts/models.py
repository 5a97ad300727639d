"""Seller accounts (tenants) and the users who belong to them."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class SellerAccount(models.Model):
    company = models.CharField(max_length=200)
    # Dates and times on the seller's pages are shown in this zone (files and the API stay in UTC).
    time_zone = models.CharField(max_length=64, default="UTC")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["company"]

    def __str__(self) -> str:
        return self.company


class Membership(models.Model):
    """Puts a user in exactly one seller account."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="membership")
    account = models.ForeignKey(SellerAccount, on_delete=models.CASCADE, related_name="memberships")
    is_owner = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.user} in {self.account}"
