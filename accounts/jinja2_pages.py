"""Parts of seller pages rendered by Jinja2 (`<app>/jinja2/`): the long tables' rows, at half the Django template
engine's cost, placed in the Django page."""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from jinja2 import Environment

from accounts.templatetags.seller_time import when

# Asked of a set, not with hasattr(dict, name): that raised and caught an AttributeError for every key a row read, and
# took three times as long as the rest of the lookup.
_DICT_ATTRIBUTES = frozenset(dir(dict))


class _PagesEnvironment(Environment):
    def getattr(self, obj: Any, attribute: str) -> Any:
        """`row.name` on a dict is its key, found before Jinja2 tries the attribute and catches the AttributeError:
        Django's widgets and our rows are dicts, and raising that error cost more than the rest of rendering them.
        A key named as a dict method (`items`) is still the method, as Jinja2 has it."""
        if type(obj) is dict and attribute not in _DICT_ATTRIBUTES and attribute in obj:
            return obj[attribute]
        return super().getattr(obj, attribute)


def environment(*, autoescape: bool = True, **options) -> Environment:
    """The Jinja2 engine's environment: `url(name, *args)` and `|when`, as the Django templates have them. Always
    escaping, whatever `autoescape` the settings pass: page_part places the output in pages as it is."""
    env = _PagesEnvironment(autoescape=True, **options)
    env.globals["url"] = lambda name, *args: reverse(name, args=args)
    env.filters["when"] = when
    return env


def page_part(template_name: str, context: dict) -> SafeString:
    """A Jinja2 template's output, to place in a Django page as it is: Jinja2 has escaped every value in it."""
    return mark_safe(render_to_string(template_name, context, using="jinja2"))  # noqa: S308
