from __future__ import annotations

from django import forms

from stock.models import Product
from stock.selectors import product_for_sku


class MappingForm(forms.Form):
    channel_sku = forms.CharField(label="Amazon listing SKU", max_length=200)
    product_sku = forms.CharField(label="Product SKU", max_length=100)
    price = forms.DecimalField(
        label="Price for this listing",
        required=False,
        min_value=0,
        max_digits=12,
        decimal_places=2,
        help_text="Leave empty to use the product's price.",
    )

    def clean_product_sku(self) -> Product:
        sku = self.cleaned_data["product_sku"].strip()
        product = product_for_sku(sku=sku)
        if product is None:
            raise forms.ValidationError(f"No product has the SKU {sku}; check it against the catalogue.")
        return product


class MappingUploadForm(forms.Form):
    file = forms.FileField(label="CSV file", help_text="Columns channel_sku,product_sku with a header row.")
