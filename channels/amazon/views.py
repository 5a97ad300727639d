"""Amazon-only seller pages: adding an Amazon integration, authorising it (the authkey page, the consent
redirect, the OAuth callback and its status) and verifying it."""

from __future__ import annotations

import logging

from django.http import HttpRequest, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from accounts.tenancy import seller_required
from channels import services
from channels.amazon.authorisation import (
    InvalidState,
    consent_url,
    consume_state,
    exchange_authorization_code,
    issue_state,
    seller_id_proven,
    seller_id_well_formed,
)
from channels.amazon.errors import AmazonError
from channels.amazon.forms import AmazonIntegrationAddForm
from channels.amazon.verify import integration_verify
from channels.decorators import integration_view
from channels.models import Integration
from channels.views import VERIFICATION_KEY

logger = logging.getLogger(__name__)

# The callback tab tells the waiting tab (same session) why an authorisation was refused.
PROBLEM_KEY = "channels:authorise-problem:{}"


def _status(request: HttpRequest, integration: Integration) -> dict:
    return {
        "authorisation_state": integration.authorisation_state,
        "authorised": integration.authorisation_state == Integration.AuthorisationState.AUTHORISED,
        "authorised_at": integration.authorised_at.isoformat() if integration.authorised_at else None,
        "problem": request.session.get(PROBLEM_KEY.format(integration.pk), ""),
    }


@integration_view("GET")
def authorise(request: HttpRequest, integration: Integration):
    return render(
        request,
        "amazon/authorise.html",
        {"integration": integration, "status": _status(request, integration)},
    )


@integration_view("GET")
def authorise_start(request: HttpRequest, integration: Integration):
    """Send the seller to Amazon's consent page with a fresh state bound to this session and integration."""
    request.session.pop(PROBLEM_KEY.format(integration.pk), None)
    state = issue_state(request.session, integration_id=integration.pk)
    return redirect(consent_url(marketplace=integration.marketplace, state=state))


@integration_view("GET")
def authorise_status(request: HttpRequest, integration: Integration):
    """Polled by the authorise page while the seller is on Amazon's consent page in another tab."""
    response = JsonResponse(_status(request, integration))
    response["Cache-Control"] = "no-store"
    return response


def _failed(
    request: HttpRequest,
    message: str,
    *,
    integration: Integration | None = None,
    existing: Integration | None = None,
    status: int = 400,
):
    context = {"message": message, "integration": integration, "existing": existing}
    return render(request, "amazon/callback_failed.html", context, status=status)


@require_GET
def callback(request):
    """Amazon's redirect after the seller consents: check state, exchange the code, store the authorisation.

    1. The state must be one this session was given for an integration (not missing, unknown, reused or
       expired); otherwise an error page and nothing changes.
    2. The integration must still belong to the logged-in seller and not be removed.
    3. The seller id must look like one; the code is exchanged for a refresh token, and Amazon must accept the
       seller id with it (the redirect URL is the browser's claim). Then both are stored, the token encrypted.
    """
    try:
        integration_id = consume_state(request.session, request.GET.get("state"))
    except InvalidState as error:
        logger.info("amazon callback refused: state %s", error.reason)
        return _invalid_state(request, error)

    integration = _sellers_integration(request, integration_id)
    if integration is None:
        return _failed(
            request,
            "This authorisation does not belong to an integration of the seller you are logged in as. "
            "Log in again and start from Settings → Sales channel integrations.",
            status=404,
        )

    code = request.GET.get("spapi_oauth_code", "")
    selling_partner_id = request.GET.get("selling_partner_id", "")
    if not code or not selling_partner_id:
        return _refused(
            request,
            integration,
            "Amazon did not send the authorisation back. Close this tab and click the authkey button again.",
        )
    if not seller_id_well_formed(selling_partner_id):
        return _refused(
            request,
            integration,
            "The seller id in this link is not an Amazon seller id, so nothing was saved. "
            "Close this tab and click the authkey button again.",
        )
    try:
        refresh_token = exchange_authorization_code(code)
        proven = seller_id_proven(
            selling_partner_id=selling_partner_id,
            refresh_token=refresh_token,
            marketplace_id=integration.marketplace_id,
        )
    except AmazonError as error:
        logger.warning("amazon callback: authorisation failed for integration %s: %s", integration.pk, error.code)
        return _refused(
            request,
            integration,
            f"Amazon did not complete the authorisation ({error.message}). "
            "Close this tab and click the authkey button again.",
        )
    if not proven:
        logger.warning("amazon callback: integration %s: seller id not confirmed by Amazon", integration.pk)
        return _refused(
            request,
            integration,
            f"Amazon says this authorisation is not for seller id {selling_partner_id}, so nothing was saved. "
            "Log in to Seller Central with the account you want to connect and click the authkey button again.",
            status=403,
        )
    try:
        services.integration_authorise(
            integration=integration, selling_partner_id=selling_partner_id, refresh_token=refresh_token
        )
    except services.DuplicateConnection as refusal:
        if services.integration_discard_if_never_connected(integration=integration):
            message = f"{refusal.message} The new integration “{integration.name}” was discarded (never connected)."
            return _failed(request, message, existing=refusal.existing, status=409)
        return _refused(request, integration, refusal.message, status=409)
    except services.AuthorisationRefused as refusal:
        return _refused(request, integration, refusal.message, status=409)
    logger.info("integration %s authorised for seller id %s", integration.pk, selling_partner_id)
    return render(request, "amazon/callback_done.html", {"integration": integration})


def _sellers_integration(request: HttpRequest, integration_id: int | None) -> Integration | None:
    account = getattr(request, "seller_account", None)
    if account is None or integration_id is None:
        return None
    return Integration.objects.for_account(account).active().filter(pk=integration_id).first()


def _invalid_state(request: HttpRequest, error: InvalidState):
    integration = _sellers_integration(request, error.integration_id)
    if integration is None:
        return _failed(request, error.message)
    if error.reason == "reused" and integration.authorisation_state == Integration.AuthorisationState.AUTHORISED:
        # Most often this tab was reloaded after it succeeded: say so rather than alarm the seller.
        return _failed(
            request,
            f"This authorisation link has already been used, and “{integration.name}” is authorised: "
            "nothing more to do, you can close this tab.",
            integration=integration,
        )
    # The tab still waiting on the authorise page shows the same message instead of waiting forever.
    return _refused(request, integration, error.message)


def _refused(request: HttpRequest, integration: Integration, message: str, *, status: int = 400):
    request.session[PROBLEM_KEY.format(integration.pk)] = message
    return _failed(request, message, integration=integration, status=status)


@seller_required
@require_http_methods(["GET", "POST"])
def amazon_add(request):
    form = AmazonIntegrationAddForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        integration = services.integration_create(
            account=request.seller_account,
            name=form.cleaned_data["name"],
            marketplace_id=form.cleaned_data["marketplace"],
        )
        return redirect("channels:authorise", integration_id=integration.pk)
    return render(request, "amazon/amazon_add.html", {"form": form})


@integration_view("POST")
def verify(request: HttpRequest, integration: Integration):
    """Ask Amazon, then show the answer on the integration's page (so a reload does not ask again)."""
    verification = integration_verify(integration=integration)
    request.session[VERIFICATION_KEY.format(integration.pk)] = {
        "ok": verification.ok,
        "checks": [{"subject": c.subject, "ok": c.ok, "sentence": c.sentence} for c in verification.checks],
    }
    return redirect(reverse("channels:detail", args=[integration.pk]) + "#verification")
