"""The seller's account settings."""

from __future__ import annotations

from functools import cache
from zoneinfo import available_timezones

from django import forms

from accounts.models import SellerAccount


@cache  # reading the zone database takes longer than the rest of the page
def _zones() -> list[tuple[str, str]]:
    return [(zone, zone.replace("_", " ")) for zone in sorted(available_timezones()) if "/" in zone or zone == "UTC"]


class AccountSettingsForm(forms.ModelForm):
    time_zone = forms.ChoiceField(
        label="Time zone",
        help_text="Dates and times on your pages are shown in this zone. Downloaded files stay in UTC.",
        error_messages={"invalid_choice": "Choose a time zone from the list."},
    )

    class Meta:
        model = SellerAccount
        fields = ["time_zone"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["time_zone"].choices = _zones()
        self.fields["time_zone"].widget.attrs["class"] = "form-select"
