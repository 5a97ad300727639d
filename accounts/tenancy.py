"""Tenant scoping: every seller-facing read goes through `for_account` or `get_for_seller_or_404`."""

from __future__ import annotations

from functools import wraps
from typing import TypeVar

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import Http404, HttpRequest

from accounts.models import SellerAccount

M = TypeVar("M", bound=models.Model)


class TenantQuerySet(models.QuerySet):
    """A queryset of rows owned by one seller account, reached through `account_path`."""

    account_path = "account"

    def for_account(self, account: SellerAccount) -> TenantQuerySet:
        return self.filter(**{self.account_path: account})


def seller_account_of(request: HttpRequest) -> SellerAccount | None:
    membership = getattr(request.user, "membership", None) if request.user.is_authenticated else None
    return membership.account if membership else None


def seller_required(view):
    """Login required, and the user must belong to a seller account."""

    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if request.seller_account is None:
            raise PermissionDenied("This page is for sellers; your user belongs to no seller account.")
        return view(request, *args, **kwargs)

    wrapped.seller_only = True
    return wrapped


def get_for_seller_or_404(request: HttpRequest, model_or_queryset: type[M] | models.QuerySet, **lookup) -> M:
    """Fetch one object owned by the current seller, or raise 404 (also for other sellers' objects)."""
    queryset = model_or_queryset._default_manager.all() if isinstance(model_or_queryset, type) else model_or_queryset
    account = request.seller_account
    if account is None:
        raise Http404
    try:
        return queryset.for_account(account).get(**lookup)
    except queryset.model.DoesNotExist:
        raise Http404 from None
