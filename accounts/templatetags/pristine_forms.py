"""`{{ form|crispy_pristine }}`: crispy's `|crispy`, rendered once per process for a form nobody has filled in yet.

An unbound form with no initial values and no choices looks the same on every page, for every seller: crispy's
templates took 3 ms of the mappings page's 18 to render its two empty forms, every time. A form with data, errors,
initial values or choices (which the database may change) is rendered by `|crispy` as it is, every time.
"""

from __future__ import annotations

from functools import cache

from crispy_forms.templatetags.crispy_forms_filters import as_crispy_form
from django import forms, template
from django.utils.safestring import SafeString

register = template.Library()


@register.filter
def crispy_pristine(form: forms.BaseForm) -> SafeString:
    return _rendered_once(type(form)) if _pristine(form) else as_crispy_form(form)


def _pristine(form: forms.BaseForm) -> bool:
    """Unbound, unprefixed, with no initial value but empty ones and no choices (the database may change them)."""
    return not (
        form.is_bound
        or form.prefix
        or any(value not in (None, "") for value in form.initial.values())
        or any(isinstance(field, forms.ChoiceField) for field in form.fields.values())
    )


@cache
def _rendered_once(form_class: type[forms.BaseForm]) -> SafeString:
    """A new form of this class, built with no arguments, rendered: what every pristine form of it renders as, as long
    as it too was built with none but `initial` (a form that changes its fields per seller needs arguments, and
    building it here fails loudly)."""
    return as_crispy_form(form_class())
