"""Logging in with a user name and password: Django's own backend, loading a user with their seller account."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend


class SellerModelBackend(ModelBackend):
    """Every seller page needs the user's membership and account (SellerAccountMiddleware): one query for all three
    instead of three."""

    def get_user(self, user_id):
        users = get_user_model()._default_manager.select_related("membership__account")
        user = users.filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None
