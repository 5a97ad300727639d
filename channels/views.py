"""Settings → Sales channel integrations: the list, adding, editing, enabling, verifying and removing."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from accounts.tenancy import seller_required
from channels import selectors, services
from channels.decorators import integration_view
from channels.forms import IntegrationSettingsForm
from channels.models import Integration

# Shown on the "Add sales channel" page; only Amazon can be added today.
OTHER_CHANNELS = [
    ("eBay", "img/ebay.svg"),
    ("Etsy", "img/etsy.svg"),
    ("Walmart", "img/walmart.svg"),
    ("OnBuy", "img/onbuy.svg"),
]
INTEGRATIONS_PER_PAGE = 50
SETTINGS_FIELDS = [name for name in IntegrationSettingsForm.Meta.fields if name != "name"]
# Verify (channels.amazon.views) stores its result here and redirects to the integration's page, which shows it once.
VERIFICATION_KEY = "channels:verification:{}"


@seller_required
@require_GET
def integration_list(request):
    query = request.GET.get("q", "").strip()[:100]
    matching = selectors.integration_search(account=request.seller_account, query=query)
    page = Paginator(matching, INTEGRATIONS_PER_PAGE).get_page(request.GET.get("page"))
    integrations = list(page.object_list)
    # The authorise page comes back here with ?authorised=<id> once the consent tab has finished.
    just_authorised = next(
        (
            integration
            for integration in integrations
            if str(integration.pk) == request.GET.get("authorised")
            and integration.authorisation_state == Integration.AuthorisationState.AUTHORISED
        ),
        None,
    )
    return render(
        request,
        "channels/integration_list.html",
        {"integrations": integrations, "just_authorised": just_authorised, "page": page, "q": query},
    )


@integration_view("POST")
def integration_toggle(request: HttpRequest, integration: Integration) -> HttpResponse:
    # The form says which way to switch, so a double submit cannot flip it back; a bare POST flips.
    wanted = request.POST.get("enabled")
    enabled = {"on": True, "off": False}.get(wanted, not integration.enabled)
    services.integration_set_enabled(integration=integration, enabled=enabled)
    if enabled:
        messages.success(request, f"“{integration.name}” is enabled: orders download and stock updates resume.")
    else:
        messages.info(
            request, f"“{integration.name}” is disabled: no orders are downloaded and nothing is sent to Amazon."
        )
    return redirect("channels:list")


@seller_required
@require_GET
def channel_choose(request):
    return render(request, "channels/channel_choose.html", {"other_channels": OTHER_CHANNELS})


@integration_view("GET", "POST")
def integration_detail(request: HttpRequest, integration: Integration) -> HttpResponse:
    form = IntegrationSettingsForm(request.POST or None, instance=integration)
    if request.method == "POST" and form.is_valid():
        services.integration_update_settings(
            integration=integration, **{name: form.cleaned_data[name] for name in form.Meta.fields}
        )
        messages.success(request, f"Settings of “{integration.name}” saved.")
        return redirect("channels:list")
    verification = request.session.pop(VERIFICATION_KEY.format(integration.pk), None)
    return _render_detail(request, integration, form, verification)


def _render_detail(request, integration: Integration, form: IntegrationSettingsForm, verification=None):
    settings_have_errors = any(form[name].errors for name in SETTINGS_FIELDS)
    return render(
        request,
        "channels/integration_detail.html",
        {
            "integration": integration,
            "form": form,
            "settings_fields": [form[name] for name in SETTINGS_FIELDS],
            "settings_open": settings_have_errors,
            "verification": verification,
        },
    )


@integration_view("GET", "POST")
def integration_remove(request: HttpRequest, integration: Integration) -> HttpResponse:
    if request.method == "POST":
        services.integration_remove(integration=integration)
        messages.success(request, f"“{integration.name}” has been removed.")
        return redirect("channels:list")
    return render(request, "channels/integration_remove.html", {"integration": integration})
