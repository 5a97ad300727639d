from __future__ import annotations

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import connection

from channels.encryption import DecryptionFailed, decrypt, encrypt
from channels.models import Integration
from channels.tests.factories import AwaitingIntegrationFactory, IntegrationFactory


def new_key() -> str:
    return Fernet.generate_key().decode()


def stored_ciphertext(integration: Integration) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT refresh_token FROM channels_integration WHERE id = %s", [integration.pk])
        return cursor.fetchone()[0]


def test_a_secret_round_trips(settings):
    settings.FIELD_ENCRYPTION_KEYS = [new_key()]
    ciphertext = encrypt("Atzr|secret")
    assert "Atzr|secret" not in ciphertext
    assert decrypt(ciphertext) == "Atzr|secret"


def test_any_listed_key_decrypts_but_only_the_first_encrypts(settings):
    old, new = new_key(), new_key()
    settings.FIELD_ENCRYPTION_KEYS = [old]
    ciphertext = encrypt("Atzr|secret")
    settings.FIELD_ENCRYPTION_KEYS = [new, old]
    assert decrypt(ciphertext) == "Atzr|secret"
    fresh = encrypt("Atzr|secret")
    settings.FIELD_ENCRYPTION_KEYS = [new]
    assert decrypt(fresh) == "Atzr|secret"


def test_a_wrong_key_raises_instead_of_returning_ciphertext(settings):
    settings.FIELD_ENCRYPTION_KEYS = [new_key()]
    ciphertext = encrypt("Atzr|secret")
    settings.FIELD_ENCRYPTION_KEYS = [new_key()]
    with pytest.raises(DecryptionFailed):
        decrypt(ciphertext)


@pytest.mark.django_db
def test_the_model_field_round_trips_and_stores_ciphertext(settings):
    settings.FIELD_ENCRYPTION_KEYS = [new_key()]
    integration = IntegrationFactory(refresh_token="Atzr|round-trip")
    assert "Atzr|round-trip" not in stored_ciphertext(integration)
    assert Integration.objects.get(pk=integration.pk).refresh_token == "Atzr|round-trip"


@pytest.mark.django_db
def test_loading_a_token_with_a_wrong_key_raises(settings):
    settings.FIELD_ENCRYPTION_KEYS = [new_key()]
    integration = IntegrationFactory()
    settings.FIELD_ENCRYPTION_KEYS = [new_key()]
    with pytest.raises(DecryptionFailed):
        Integration.objects.get(pk=integration.pk)


@pytest.mark.django_db
def test_rotation_reencrypts_every_row_with_the_first_key(settings):
    old, new = new_key(), new_key()
    settings.FIELD_ENCRYPTION_KEYS = [old]
    integrations = IntegrationFactory.create_batch(3)
    awaiting = AwaitingIntegrationFactory()
    tokens = {integration.pk: integration.refresh_token for integration in integrations}
    before = {integration.pk: stored_ciphertext(integration) for integration in integrations}

    settings.FIELD_ENCRYPTION_KEYS = [new, old]
    call_command("rotate_encryption_keys")

    settings.FIELD_ENCRYPTION_KEYS = [new]
    for integration in integrations:
        assert stored_ciphertext(integration) != before[integration.pk]
        assert Integration.objects.get(pk=integration.pk).refresh_token == tokens[integration.pk]
    assert stored_ciphertext(awaiting) == ""

    settings.FIELD_ENCRYPTION_KEYS = [old]
    for integration in integrations:
        with pytest.raises(DecryptionFailed):
            Integration.objects.get(pk=integration.pk)


@pytest.mark.django_db
def test_rotation_reports_what_it_did(settings, capsys):
    settings.FIELD_ENCRYPTION_KEYS = [new_key()]
    IntegrationFactory.create_batch(2)
    call_command("rotate_encryption_keys")
    assert "channels.Integration.refresh_token: re-encrypted 2 value(s)" in capsys.readouterr().out


@pytest.mark.django_db
def test_rotation_stops_on_a_value_no_key_decrypts(settings):
    settings.FIELD_ENCRYPTION_KEYS = [new_key()]
    integration = IntegrationFactory()
    before = stored_ciphertext(integration)
    settings.FIELD_ENCRYPTION_KEYS = [new_key()]
    with pytest.raises(DecryptionFailed):
        call_command("rotate_encryption_keys")
    assert stored_ciphertext(integration) == before
