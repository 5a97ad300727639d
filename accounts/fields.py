"""Form fields that seller forms share."""

from __future__ import annotations

from datetime import date

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator

EARLIEST_DATE = date(2000, 1, 1)
LATEST_DATE = date(2099, 12, 31)
DATE_OUT_OF_RANGE = "Choose a date between 1 January 2000 and 31 December 2099."


class SellerDateField(forms.DateField):
    """A date a seller picks: one outside 2000 to 2099 is a form error, so date arithmetic and queries stay in range."""

    default_error_messages = {"invalid": "Enter a real date, e.g. 2026-11-27."}

    def __init__(self, **kwargs):
        kwargs.setdefault(
            "widget",
            forms.DateInput(
                {"type": "date", "min": EARLIEST_DATE.isoformat(), "max": LATEST_DATE.isoformat()}, format="%Y-%m-%d"
            ),
        )
        super().__init__(**kwargs)
        self.validators += [
            MinValueValidator(EARLIEST_DATE, message=DATE_OUT_OF_RANGE),
            MaxValueValidator(LATEST_DATE, message=DATE_OUT_OF_RANGE),
        ]
