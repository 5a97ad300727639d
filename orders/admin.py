from django.contrib import admin

from orders.models import Order, OrderDownload, OrderLine


class OrderLineInline(admin.TabularInline):
    model = OrderLine
    extra = 0
    raw_id_fields = ["product"]
    fields = ["order_item_id", "channel_sku", "asin", "title", "quantity", "unit_price", "product"]


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    list_display = ["amazon_order_id", "integration", "status", "kind", "fulfilled_by", "purchased_at"]
    list_filter = ["integration", "status", "kind", "fulfilled_by"]
    search_fields = ["amazon_order_id"]
    list_select_related = ["integration"]
    raw_id_fields = ["integration"]
    readonly_fields = ["imported_at", "updated_at"]
    date_hierarchy = "purchased_at"
    inlines = [OrderLineInline]


@admin.register(OrderLine)
class OrderLineAdmin(admin.ModelAdmin):
    list_display = ["order", "order_item_id", "channel_sku", "quantity", "unit_price", "product"]
    list_filter = ["order__integration", "order__status"]
    search_fields = ["order__amazon_order_id", "channel_sku"]
    list_select_related = ["order", "product"]
    raw_id_fields = ["order", "product"]


@admin.register(OrderDownload)
class OrderDownloadAdmin(admin.ModelAdmin):
    list_display = ["integration", "cursor", "last_started_at", "last_succeeded_at", "last_problem"]
    readonly_fields = ["last_started_at", "last_finished_at", "last_succeeded_at"]
    raw_id_fields = ["integration"]
