"""The order list's filters, and the analytics period."""

from __future__ import annotations

from datetime import date, timedelta

from django import forms

from accounts.fields import SellerDateField
from accounts.models import SellerAccount
from channels.models import Integration
from orders import extensions
from orders.models import OrderKind, status_in_words
from orders.selectors import OrderFilters


def _widget_class(widget) -> str:
    if isinstance(widget, forms.CheckboxInput):
        return "form-check-input"
    return "form-select form-select-sm" if isinstance(widget, forms.Select) else "form-control form-control-sm"


class OrderFilterForm(forms.Form):
    integration = forms.TypedChoiceField(
        required=False,
        coerce=int,
        empty_value=None,
        error_messages={"invalid_choice": "Choose one of your integrations from the list."},
    )
    kind = forms.ChoiceField(
        required=False,
        label="Type",
        choices=[("", "All types"), *OrderKind.choices],
        error_messages={"invalid_choice": "Choose one of the listed types."},
    )
    status = forms.ChoiceField(
        required=False, error_messages={"invalid_choice": "Choose one of the statuses your orders have."}
    )
    purchased_from = SellerDateField(required=False, label="Purchased from")
    purchased_to = SellerDateField(required=False, label="to")
    removed = forms.BooleanField(required=False, label="Removed integrations' orders")

    def __init__(self, *args, account: SellerAccount, statuses: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        integrations = Integration.objects.for_account(account).only("pk", "name", "removed_at").order_by("name", "pk")
        self.fields["integration"].choices = [("", "All integrations")] + [
            (integration.pk, f"{integration.name} (removed)" if integration.is_removed else integration.name)
            for integration in integrations
        ]
        words = [(status, status_in_words(status)) for status in statuses]
        self.fields["status"].choices = [("", "All statuses"), *words]
        extension = extensions.extension()
        if extension:
            self.fields[extension.filter_name] = forms.ChoiceField(
                required=False,
                label=extension.filter_label,
                choices=[("", "Any"), *extension.filter_choices],
                error_messages={"invalid_choice": "Choose one of the listed states."},
            )
        for field in self.fields.values():
            field.widget.attrs["class"] = _widget_class(field.widget)

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("purchased_from"), cleaned.get("purchased_to")
        if start and end and start > end:
            self.add_error("purchased_to", "Choose an end date on or after the start date.")
        return cleaned

    def filters(self) -> OrderFilters:
        """The filters, once the form is valid (the view shows no orders while it is not)."""
        data = self.cleaned_data if self.is_valid() else {}
        return OrderFilters(
            integration_id=data.get("integration"),
            kind=data.get("kind") or None,
            status=data.get("status") or None,
            purchased_from=data.get("purchased_from"),
            purchased_to=data.get("purchased_to"),
            extra=data.get(extension.filter_name) or None if (extension := extensions.extension()) else None,
            include_removed=bool(data.get("removed")),
        )


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
