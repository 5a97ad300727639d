from django.contrib import admin

from activity.models import Run


@admin.register(Run)
class RunAdmin(admin.ModelAdmin):
    list_display = [
        "started_at",
        "integration",
        "account",
        "kind",
        "lane",
        "outcome",
        "orders_brought",
        "listings_changed",
        "error_count",
        "finished_at",
    ]
    list_filter = ["kind", "outcome", "lane", "started_at"]
    search_fields = ["integration__name", "integration__selling_partner_id", "error", "amazon_feed_id"]
    list_select_related = ["integration__account"]
    date_hierarchy = "started_at"
    readonly_fields = [field.name for field in Run._meta.fields]

    @admin.display(description="seller account")
    def account(self, run: Run):
        return run.integration.account

    def has_add_permission(self, request):
        return False
