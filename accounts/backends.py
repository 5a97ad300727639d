"""Logging in with a user name and password: Django's own backend, loading a user with their seller account."""

from __future__ import annotations

from functools import cache

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import connection

from accounts.models import Membership, SellerAccount
from bulk.rows import converted, field_converters


class SellerModelBackend(ModelBackend):
    """Every seller page needs the user's membership and account (SellerAccountMiddleware): one query for all three
    instead of three."""

    def get_user(self, user_id):
        user = user_with_account(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None


def user_with_account(user_id) -> AbstractBaseUser | None:
    """The user, with their membership and its seller account in place (or no membership, without a query later).

    What `select_related("membership__account")` reads, in SQL written once per process: every page asks this
    first, and compiling it through the ORM took longer than PostgreSQL took to answer it."""
    sql, models_and_fields, converters = _user_select()
    with connection.cursor() as cursor:
        cursor.execute(sql, [user_id])
        rows = converted(cursor.fetchall(), converters)
    if not rows:
        return None
    values, instances = list(rows[0]), []
    for model, names in models_and_fields:
        own, values = values[: len(names)], values[len(names) :]
        instances.append(None if own[0] is None else model.from_db(connection.alias, names, own))
    user, membership, account = instances
    if membership is None:
        Membership.user.field.remote_field.set_cached_value(user, None)  # as select_related leaves it
    else:
        membership.account = account
        user.membership = membership
    return user


@cache
def _user_select() -> tuple[str, list, list]:
    quote = connection.ops.quote_name
    user_model = get_user_model()
    tables = [(user_model, "u"), (Membership, "m"), (SellerAccount, "a")]
    models_and_fields, columns, fields = [], [], []
    for model, alias in tables:
        concrete = list(model._meta.concrete_fields)
        models_and_fields.append((model, [field.attname for field in concrete]))
        columns += [f"{alias}.{quote(field.column)}" for field in concrete]
        fields += concrete
    sql = (
        f"SELECT {', '.join(columns)} FROM {quote(user_model._meta.db_table)} u "  # noqa: S608 (names only)
        f"LEFT OUTER JOIN {quote(Membership._meta.db_table)} m ON m.{quote('user_id')} = u.{quote('id')} "
        f"LEFT OUTER JOIN {quote(SellerAccount._meta.db_table)} a ON a.{quote('id')} = m.{quote('account_id')} "
        f"WHERE u.{quote(user_model._meta.pk.column)} = %s"
    )
    return sql, models_and_fields, field_converters(fields, "")
