"""The Amazon integration wizard's form; field names are part of INTERFACES.md."""

from __future__ import annotations

from django import forms

from channels.amazon.marketplaces import site_choices
from channels.forms import NAME_REQUIRED


class AmazonIntegrationAddForm(forms.Form):
    name = forms.CharField(
        max_length=100,
        help_text="For your own reference, e.g. “Amazon UK”.",
        error_messages={"required": NAME_REQUIRED},
        widget=forms.TextInput(attrs={"placeholder": "Amazon UK", "autofocus": True}),
    )
    marketplace = forms.ChoiceField(
        label="Site",
        choices=[("", "Choose a site…"), *site_choices()],
        help_text="The Amazon site this seller account sells on. Add one integration per site.",
        error_messages={"required": "Choose the Amazon site, e.g. United Kingdom."},
    )
