"""The one way a seller view reaches one of the seller's integrations."""

from __future__ import annotations

from functools import wraps

from django.http import HttpRequest, HttpResponseNotAllowed
from django.shortcuts import render

from accounts.tenancy import get_for_seller_or_404, seller_required
from channels.selectors import integration_owned_queryset


def integration_view(*methods: str):
    """A seller view of one of the seller's integrations: 404 for anyone else's, whatever the method.

    The integration is fetched before the method is checked, so another seller's id never answers 405.
    """

    def decorate(view):
        @seller_required
        @wraps(view)
        def wrapped(request: HttpRequest, integration_id: int, **kwargs):
            integration = get_for_seller_or_404(request, integration_owned_queryset(), pk=integration_id)
            if integration.is_removed:  # its owner learns why it is gone; another seller got a plain 404 above
                context = {"integration": integration}
                return render(request, "channels/integration_removed.html", context, status=404)
            if request.method not in methods:
                return HttpResponseNotAllowed(methods)
            return view(request, integration, **kwargs)

        return wrapped

    return decorate
