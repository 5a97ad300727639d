"""Amazon-wide state shared by every worker process: the app-credentials pause, rate-limit buckets, access tokens."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from channels.encryption import EncryptedTextField


class AppCredentialsPause(models.Model):
    """While this (single) row exists, every gateway call raises AppCredentialsInvalid.

    Amazon said the app's own LWA credentials are invalid; retrying would only hammer Amazon with bad
    credentials. Ops fix the credentials, then delete the row in the admin to resume.
    """

    singleton = models.BooleanField(default=True, unique=True, editable=False)
    problem = models.CharField(max_length=300)
    paused_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "Amazon app credentials pause"
        constraints = [models.CheckConstraint(condition=Q(singleton=True), name="app_credentials_pause_singleton")]

    def __str__(self) -> str:
        return f"Paused since {self.paused_at:%Y-%m-%d %H:%M} UTC: {self.problem}"


class RateLimitBucket(models.Model):
    """A token bucket per (selling partner, operation), used when there is no Redis."""

    selling_partner_id = models.CharField(max_length=40)
    operation = models.CharField(max_length=60)
    rate = models.FloatField(help_text="Tokens added per second.")
    burst = models.PositiveIntegerField(help_text="Most tokens the bucket holds.")
    tokens = models.FloatField()
    # time.time() of the last refill; a float avoids a datetime round trip in the hot path.
    refilled_at = models.FloatField()
    throttle_count = models.PositiveIntegerField(default=0, help_text="429s in a row, for backoff.")
    last_throttled_at = models.FloatField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["selling_partner_id", "operation"], name="rate_limit_bucket_unique")
        ]

    def __str__(self) -> str:
        return f"{self.selling_partner_id} {self.operation}"


class AccessToken(models.Model):
    """A seller's current LWA access token, shared by every process when there is no Redis (encrypted at rest).

    Keyed by a hash of the app's client id and the refresh token, so no secret is a lookup key.
    """

    key = models.CharField(max_length=64, unique=True)
    token = EncryptedTextField()
    expires_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"access token {self.key[:8]}… until {self.expires_at:%Y-%m-%d %H:%M}"
