"""Ops: dispatches and parcels; a parcel of a supplier without an API is recorded here, through the same service.

The recipient's personal data is never on a list page; the change page of a dispatch does not show it either.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin

from fulfilment.models import Dispatch, DispatchLine, Parcel, ParcelLine
from fulfilment.shipments import shipments_record
from stock.batches import SupplierRequestInvalid


class DispatchLineInline(admin.TabularInline):
    model = DispatchLine
    fields = ["order_item_id", "sku", "title", "quantity", "quantity_shipped", "quantity_cancelled"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Dispatch)
class DispatchAdmin(admin.ModelAdmin):
    list_display = ["amazon_order_id", "supplier", "account", "status", "ship_by", "updated_at"]
    list_filter = ["status"]
    search_fields = ["amazon_order_id"]
    list_select_related = ["supplier", "account"]
    fields = [
        "account",
        "amazon_order_id",
        "supplier",
        "order",
        "marketplace_id",
        "ordered_at",
        "ship_by",
        "status",
        "closed_at",
        "personal_data_wiped_at",
        "updated_at",
    ]
    readonly_fields = fields
    inlines = [DispatchLineInline]

    def has_add_permission(self, request) -> bool:
        return False


class ParcelLineInline(admin.TabularInline):
    model = ParcelLine
    fields = ["dispatch_line", "quantity"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


class ParcelRecordForm(forms.ModelForm):
    """A parcel as a supplier would send it through the API: the lines as `SKU x quantity`, one a line."""

    lines = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), help_text="One line each: SKU x quantity")

    class Meta:
        model = Parcel
        fields = ["dispatch", "carrier", "tracking_number", "ship_date", "shipping_method"]

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        dispatch = data["dispatch"]
        item = {
            "dispatch_id": dispatch.pk,
            "carrier": data["carrier"],
            "tracking_number": data["tracking_number"],
            "ship_date": data["ship_date"].isoformat(),
            "lines": self._lines(data.get("lines", "")),
        }
        if data.get("shipping_method"):
            item["shipping_method"] = data["shipping_method"]
        try:
            shipments_record(supplier=dispatch.supplier, shipments=[item])
        except SupplierRequestInvalid as invalid:
            raise forms.ValidationError([error.reason for error in invalid.errors]) from None
        self.recorded = Parcel.objects.get(dispatch=dispatch, tracking_number=data["tracking_number"])
        return data

    def _post_clean(self) -> None:
        """No model validation: the form never saves its instance, the service has recorded (or refused) it."""

    def _lines(self, text: str) -> list[dict]:
        lines = []
        for row in filter(None, (row.strip() for row in text.splitlines())):
            sku, separator, quantity = row.rpartition(" x ")
            if not separator or not quantity.strip().isdigit():
                raise forms.ValidationError(f"Write each line as SKU x quantity, not {row!r}.")
            lines.append({"sku": sku.strip(), "quantity": int(quantity)})
        return lines


@admin.register(Parcel)
class ParcelAdmin(admin.ModelAdmin):
    list_display = ["tracking_number", "carrier", "dispatch", "state", "ship_date", "attempts", "created_at"]
    list_filter = ["state"]
    search_fields = ["tracking_number", "dispatch__amazon_order_id"]
    list_select_related = ["dispatch"]
    raw_id_fields = ["dispatch"]
    inlines = [ParcelLineInline]

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = ParcelRecordForm
        return super().get_form(request, obj, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return [*ParcelRecordForm.Meta.fields, "lines"]
        return [field.name for field in Parcel._meta.fields if field.name != "id"]

    def get_readonly_fields(self, request, obj=None):
        return self.get_fields(request, obj) if obj is not None else []

    def save_model(self, request, obj, form, change):
        if not change:  # the service recorded it in the form's clean; the page goes on to that parcel
            obj.pk = form.recorded.pk

    def get_inlines(self, request, obj=None):
        return self.inlines if obj is not None else []

    def save_related(self, request, form, formsets, change):
        if change:  # on add, the service saved everything
            super().save_related(request, form, formsets, change)
