from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import Count, Q
from django.forms.models import BaseInlineFormSet
from django.utils import timezone

from stock.models import ListingMapping, ListingSend, Product, StockChange, Supplier, SupplierToken
from stock.services import listings_affected, supplier_token_issue, supplier_tokens_revoke

RECENT_STOCK_CHANGES = 50


class SupplierTokenInline(admin.TabularInline):
    model = SupplierToken
    fields = ["prefix", "created_at", "last_used_at", "revoked_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Supplier)
class SupplierAdmin(admin.ModelAdmin):
    list_display = ["name", "live_tokens", "products", "created_at"]
    search_fields = ["name"]
    inlines = [SupplierTokenInline]
    actions = ["issue_token", "revoke_tokens"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                live_token_count=Count("tokens", filter=Q(tokens__revoked_at__isnull=True), distinct=True),
                product_count=Count("products", distinct=True),
            )
        )

    @admin.display(description="live API tokens", ordering="live_token_count")
    def live_tokens(self, supplier: Supplier) -> int:
        return supplier.live_token_count

    @admin.display(description="products", ordering="product_count")
    def products(self, supplier: Supplier) -> int:
        return supplier.product_count

    @admin.action(description="Issue a new API token (shown once)")
    def issue_token(self, request, queryset):
        for supplier in queryset:
            token = supplier_token_issue(supplier=supplier)
            self.message_user(
                request,
                f"New API token for {supplier.name} (copy it now, it is not shown again): {token}",
                messages.WARNING,
            )

    @admin.action(description="Revoke all API tokens")
    def revoke_tokens(self, request, queryset):
        revoked = sum(supplier_tokens_revoke(supplier=supplier) for supplier in queryset)
        self.message_user(request, f"Revoked {revoked} token(s).", messages.SUCCESS)


@admin.register(SupplierToken)
class SupplierTokenAdmin(admin.ModelAdmin):
    list_display = ["prefix", "supplier", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["supplier", ("revoked_at", admin.EmptyFieldListFilter)]
    readonly_fields = ["supplier", "prefix", "created_at", "last_used_at", "revoked_at"]
    fields = readonly_fields
    actions = ["revoke"]

    def has_add_permission(self, request) -> bool:
        return False  # issue tokens from the supplier list, where the new token is shown once

    @admin.action(description="Revoke the selected tokens")
    def revoke(self, request, queryset):
        revoked = queryset.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
        self.message_user(request, f"Revoked {revoked} token(s).", messages.SUCCESS)


class RecentStockChanges(BaseInlineFormSet):
    def get_queryset(self):
        return super().get_queryset().order_by("-recorded_at", "-pk")[:RECENT_STOCK_CHANGES]


class StockChangeInline(admin.TabularInline):
    model = StockChange
    formset = RecentStockChanges
    verbose_name_plural = f"stock history (latest {RECENT_STOCK_CHANGES})"
    fields = ["recorded_at", "as_of", "previous_quantity", "quantity", "source", "token"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ["sku", "title", "supplier", "price", "quantity", "quantity_as_of"]
    list_filter = ["supplier"]
    search_fields = ["sku", "title"]
    list_select_related = ["supplier"]
    readonly_fields = ["quantity", "quantity_as_of", "created_at", "updated_at"]
    inlines = [StockChangeInline]

    def get_readonly_fields(self, request, obj=None):
        # A product's SKU and supplier are the supplier API's to set; stock comes only through the API.
        return [*self.readonly_fields, "sku", "supplier"] if obj else self.readonly_fields

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and "price" in form.changed_data:
            listings_affected(product_ids=[obj.pk])


@admin.register(ListingMapping)
class ListingMappingAdmin(admin.ModelAdmin):
    list_display = ["channel_sku", "integration", "product", "price"]
    search_fields = ["channel_sku", "product__sku"]
    list_select_related = ["integration", "product"]
    raw_id_fields = ["integration", "product"]


@admin.register(ListingSend)
class ListingSendAdmin(admin.ModelAdmin):
    list_display = ["answered_at", "integration", "channel_sku", "lane", "quantity", "price", "outcome", "error_code"]
    list_filter = ["outcome", "lane"]
    search_fields = ["channel_sku", "amazon_feed_id", "integration__name"]
    list_select_related = ["integration"]
    readonly_fields = [field.name for field in ListingSend._meta.fields]

    def has_add_permission(self, request):
        return False
