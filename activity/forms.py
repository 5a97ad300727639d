"""The analytics period: a number of days back from today, or a start and end date."""

from __future__ import annotations

from datetime import date, timedelta

from django import forms

from accounts.fields import SellerDateField

PERIOD_CHOICES = [(7, "Last 7 days"), (30, "Last 30 days"), (90, "Last 90 days"), (365, "Last 365 days")]
DEFAULT_DAYS = 30
LONGEST_PERIOD_DAYS = 366


class PeriodForm(forms.Form):
    days = forms.TypedChoiceField(choices=PERIOD_CHOICES, coerce=int, required=False, label="Period")
    start = SellerDateField(required=False)
    end = SellerDateField(required=False)

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end:
            if start > end:
                raise forms.ValidationError("The start date must be on or before the end date.")
            if (end - start).days >= LONGEST_PERIOD_DAYS:
                raise forms.ValidationError(f"Choose a period of at most {LONGEST_PERIOD_DAYS} days.")
        elif start or end:
            raise forms.ValidationError("Give both a start and an end date, or choose a period.")
        return data

    def period(self, today: date) -> tuple[date, date]:
        """The chosen period, or the last 30 days when the form is empty or invalid."""
        if self.is_valid():
            if self.cleaned_data.get("start"):
                return self.cleaned_data["start"], self.cleaned_data["end"]
            days = self.cleaned_data.get("days") or DEFAULT_DAYS
        else:
            days = DEFAULT_DAYS
        return today - timedelta(days=days - 1), today
