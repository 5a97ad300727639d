"""Template tags for other apps' pages: what the stock push says about an integration."""

from __future__ import annotations

from django import template

from stock.push.selectors import integration_region_shared

register = template.Library()


@register.inclusion_tag("stock/_region_shared.html")
def region_shared_notice(integration):
    """{% region_shared_notice integration %}: says when Amazon shares quantities with another integration."""
    return {"region_shared": integration_region_shared(integration=integration)}
