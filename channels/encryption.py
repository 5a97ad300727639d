"""Secrets at rest: Fernet with FIELD_ENCRYPTION_KEYS (the first key encrypts, every key decrypts)."""

from __future__ import annotations

import functools

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.db import models


class DecryptionFailed(Exception):
    """A stored secret could not be decrypted with any key in FIELD_ENCRYPTION_KEYS."""


def _fernet() -> MultiFernet:
    return _fernet_of(tuple(settings.FIELD_ENCRYPTION_KEYS))


@functools.lru_cache(maxsize=8)
def _fernet_of(keys: tuple[str, ...]) -> MultiFernet:
    """Built once per set of keys (settings may change them, in tests): a page of orders encrypts 100 recipients."""
    return MultiFernet([Fernet(key.encode()) for key in keys])


def encrypt(plaintext: str) -> str:
    return _fernet().encrypt(plaintext.encode()).decode()


def decrypt(ciphertext: str) -> str:
    try:
        return _fernet().decrypt(ciphertext.encode()).decode()
    except InvalidToken:
        raise DecryptionFailed("no key in FIELD_ENCRYPTION_KEYS decrypts this value") from None


def reencrypt(ciphertext: str) -> str:
    """The same secret, encrypted again with the first key."""
    try:
        return _fernet().rotate(ciphertext.encode()).decode()
    except InvalidToken:
        raise DecryptionFailed("no key in FIELD_ENCRYPTION_KEYS decrypts this value") from None


class EncryptedTextField(models.TextField):
    """Text stored encrypted; the empty string stays empty so 'no secret' needs no key."""

    def from_db_value(self, value, expression, connection):
        return decrypt(value) if value else value

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        return encrypt(value) if value else value
