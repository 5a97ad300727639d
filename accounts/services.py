"""Writes for seller accounts."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import transaction

from accounts.models import Membership, SellerAccount


class EmailAlreadyRegistered(Exception):
    pass


@transaction.atomic
def seller_create(*, email: str, password: str, company: str) -> SellerAccount:
    """Create a seller account and its owner user, whose login name is the email."""
    User = get_user_model()
    email = User.objects.normalize_email(email.strip())
    if User.objects.filter(username__iexact=email).exists():
        raise EmailAlreadyRegistered(f"A user with the email {email} already exists.")
    account = SellerAccount.objects.create(company=company.strip())
    user = User.objects.create_user(username=email, email=email, password=password)
    Membership.objects.create(user=user, account=account, is_owner=True)
    return account
