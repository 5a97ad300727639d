from django.contrib import admin

from accounts.models import Membership, SellerAccount


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(SellerAccount)
class SellerAccountAdmin(admin.ModelAdmin):
    list_display = ["company", "created_at"]
    search_fields = ["company", "memberships__user__email"]
    inlines = [MembershipInline]
