from django.contrib import admin

from channels.amazon.models import AppCredentialsPause, RateLimitBucket


@admin.register(AppCredentialsPause)
class AppCredentialsPauseAdmin(admin.ModelAdmin):
    """Ops delete the pause here once the app's LWA credentials are fixed; Amazon calls then resume."""

    list_display = ["paused_at", "problem"]
    readonly_fields = ["paused_at", "problem"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(RateLimitBucket)
class RateLimitBucketAdmin(admin.ModelAdmin):
    list_display = ["selling_partner_id", "operation", "rate", "burst", "tokens", "throttle_count"]
    list_filter = ["operation"]
    search_fields = ["selling_partner_id"]
