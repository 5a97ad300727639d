"""Forms of the integration screens; field names are part of INTERFACES.md."""

from __future__ import annotations

from django import forms

from bulk.limits import INTEGER_MAX
from channels.models import Integration

BOTH_ORDER_RULES_ON = (
    "“Exclude non-Avasam orders” and “Split orders with unknown SKUs” cannot both be on: turn one of them off."
)
NAME_REQUIRED = "Give the integration a name, e.g. “Amazon UK”."
WHOLE_NUMBER_ERRORS = {
    "required": "Enter a whole number, 0 or more.",
    "invalid": "Enter a whole number, 0 or more.",
    "min_value": "Enter 0 or more: this cannot be negative.",
    "max_value": f"Enter a number no larger than {INTEGER_MAX:,}.",
}


class IntegrationSettingsForm(forms.ModelForm):
    """The name and the additional settings of an integration."""

    class Meta:
        model = Integration
        fields = [
            "name",
            "stock_updates_enabled",
            "price_updates_enabled",
            "max_quantity_to_advertise",
            "stock_threshold",
            "exclude_non_avasam_orders",
            "split_orders_with_unknown_skus",
        ]
        labels = {
            "stock_updates_enabled": "Stock updates",
            "price_updates_enabled": "Price updates",
            "max_quantity_to_advertise": "Max quantity to advertise",
            "stock_threshold": "Stock threshold value",
            "exclude_non_avasam_orders": "Exclude non-Avasam orders",
            "split_orders_with_unknown_skus": "Split orders with unknown SKUs",
        }
        help_texts = {
            "name": "For your own reference.",
            "stock_updates_enabled": "Send your suppliers' stock levels to Amazon. Turned off, listings may oversell.",
            "price_updates_enabled": (
                "Send each mapped listing's price to Amazon: the price on its mapping, else the supplier's price."
            ),
            "max_quantity_to_advertise": (
                "The most Amazon will ever see in stock, however much the supplier has. 0 = no maximum."
            ),
            "stock_threshold": "When stock falls to this number or below, Amazon is sent 0 so you never oversell.",
            "exclude_non_avasam_orders": (
                "Download only orders made up of your Avasam products. When off, non-Avasam orders are "
                "downloaded too and deleted after 3 days unless you map their SKUs by then."
            ),
            "split_orders_with_unknown_skus": (
                "For an order mixing Avasam products and unknown SKUs, keep only the Avasam lines."
            ),
        }
        error_messages = {
            "name": {"required": NAME_REQUIRED},
            "max_quantity_to_advertise": WHOLE_NUMBER_ERRORS,
            "stock_threshold": WHOLE_NUMBER_ERRORS,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field.widget, forms.CheckboxInput):
                field.widget.attrs.update({"class": "form-check-input", "role": "switch"})
        # static/js/exclusive-switches.js turns one off when the other is turned on (the server still refuses both).
        exclude, split = self.fields["exclude_non_avasam_orders"], self.fields["split_orders_with_unknown_skus"]
        exclude.widget.attrs["data-turns-off"] = "id_split_orders_with_unknown_skus"
        split.widget.attrs["data-turns-off"] = "id_exclude_non_avasam_orders"

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("exclude_non_avasam_orders") and cleaned.get("split_orders_with_unknown_skus"):
            self.add_error("exclude_non_avasam_orders", BOTH_ORDER_RULES_ON)
            self.add_error("split_orders_with_unknown_skus", BOTH_ORDER_RULES_ON)
        return cleaned
