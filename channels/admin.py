from __future__ import annotations

from django.contrib import admin, messages
from django.db import transaction

from channels import services
from channels.eligibility import Work, eligible
from channels.models import Integration
from channels.signals import work_requested


@admin.register(Integration)
class IntegrationAdmin(admin.ModelAdmin):
    """Ops view of integrations. The refresh token is never loaded, shown or editable here."""

    list_display = [
        "name",
        "account",
        "site",
        "enabled",
        "authorisation_state",
        "last_order_download",
        "last_stock_push",
        "removed_at",
    ]
    list_filter = ["enabled", "authorisation_state", "marketplace_id", ("removed_at", admin.EmptyFieldListFilter)]
    search_fields = ["name", "selling_partner_id", "account__company"]
    list_select_related = ["account", "order_download", "push_lane"]
    exclude = ["refresh_token"]
    readonly_fields = [
        "account",
        "channel",
        "marketplace_id",
        "selling_partner_id",
        "authorisation_state",
        "authorised_at",
        "authorisation_problem",
        "removed_at",
        "created_at",
        "updated_at",
    ]
    actions = ["disable", "download_orders_now", "push_stock_now"]

    def get_queryset(self, request):
        return super().get_queryset(request).defer("refresh_token")

    def has_add_permission(self, request):
        # Integrations are created by sellers through the authorisation flow, never by hand.
        return False

    def save_model(self, request, obj, form, change):
        # Through the services, so a change to what listings advertise re-sends stock as it does for sellers.
        settings = {name: form.cleaned_data[name] for name in form.changed_data if name in services.EDITABLE_SETTINGS}
        if settings:
            services.integration_update_settings(integration=obj, **settings)
        if "enabled" in form.changed_data:
            services.integration_set_enabled(integration=obj, enabled=form.cleaned_data["enabled"])

    @admin.display(description="last order download", ordering="order_download__last_succeeded_at")
    def last_order_download(self, integration: Integration):
        download = getattr(integration, "order_download", None)
        return download.last_succeeded_at if download else None

    @admin.display(description="last stock push", ordering="push_lane__last_run_at")
    def last_stock_push(self, integration: Integration):
        lane = getattr(integration, "push_lane", None)
        return lane.last_run_at if lane else None

    @admin.display(description="site", ordering="marketplace_id")
    def site(self, integration: Integration) -> str:
        return integration.marketplace.site_name

    @admin.action(description="Disable selected integrations")
    def disable(self, request, queryset):
        disabled = 0
        for integration in queryset.filter(enabled=True):
            services.integration_set_enabled(integration=integration, enabled=False)
            disabled += 1
        self.message_user(request, f"Disabled {disabled} integration(s).", messages.SUCCESS)

    @admin.action(description="Download orders now")
    def download_orders_now(self, request, queryset):
        self._request(request, queryset, Work.ORDERS, "order downloads")

    @admin.action(description="Push stock now (re-send every listing's current values)")
    def push_stock_now(self, request, queryset):
        self._request(request, queryset, Work.STOCK, "stock pushes")

    def _request(self, request, queryset, work: Work, what: str) -> None:
        """The apps that do the work hear about it (orders, stock) and start it once this transaction commits."""
        integration_ids = list(eligible(work, among=queryset).values_list("pk", flat=True))
        with transaction.atomic():
            work_requested.send(sender=Integration, integration_ids=integration_ids, work=work)
        self.message_user(request, f"Started {what} for {len(integration_ids)} integration(s).", messages.SUCCESS)
        skipped = queryset.count() - len(integration_ids)
        if skipped:
            why = "disabled, removed or not authorised" + (" (or have stock updates off)" if work is Work.STOCK else "")
            self.message_user(request, f"Skipped {skipped} integration(s) that are {why}.", messages.WARNING)
