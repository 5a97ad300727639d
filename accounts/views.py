"""Settings → Account: the seller's time zone."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from accounts.forms import AccountSettingsForm
from accounts.tenancy import seller_required


@seller_required
@require_http_methods(["GET", "POST"])
def account_settings(request: HttpRequest) -> HttpResponse:
    form = AccountSettingsForm(request.POST or None, instance=request.seller_account)
    if request.method == "POST":
        if form.is_valid():
            form.save()
            messages.success(request, f"Dates and times are now shown in {form.cleaned_data['time_zone']}.")
            return redirect("account_settings")
        return render(request, "accounts/account_settings.html", {"form": form}, status=400)
    return render(request, "accounts/account_settings.html", {"form": form})
