"""Re-encrypt every stored secret with the first key of FIELD_ENCRYPTION_KEYS."""

from __future__ import annotations

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction
from django.db.models import TextField, Value
from django.db.models.functions import Cast

from channels.encryption import EncryptedTextField, reencrypt


def encrypted_fields():
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, EncryptedTextField):
                yield model, field


class Command(BaseCommand):
    help = (
        "Re-encrypts every encrypted field with the first key in FIELD_ENCRYPTION_KEYS. Put the new key first, "
        "keep the old ones after it, run this, then drop the old keys."
    )

    def handle(self, *args, **options):
        for model, field in encrypted_fields():
            rotated = 0
            with transaction.atomic():
                # The ciphertext is read and written as plain text, so no secret is ever decrypted into memory
                # as a whole row; a value no key can decrypt stops the command with DecryptionFailed.
                rows = (
                    model._base_manager.select_for_update()
                    .exclude(**{field.name: ""})
                    .annotate(ciphertext=Cast(field.name, TextField()))
                    .values_list("pk", "ciphertext")
                    .order_by("pk")
                )
                for pk, ciphertext in rows.iterator(chunk_size=500):
                    model._base_manager.filter(pk=pk).update(
                        **{field.name: Value(reencrypt(ciphertext), output_field=TextField())}
                    )
                    rotated += 1
            label = f"{model._meta.label}.{field.name}"
            self.stdout.write(f"{label}: re-encrypted {rotated} value(s) with the first key.")
