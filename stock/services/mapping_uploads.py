"""Mappings CSV uploads: a small file is applied within the request; a large one is checked whole, stored, and
applied by a worker in chunks while the mappings page shows its progress.

Each chunk is one transaction holding its mappings, their side effects (orders reclassified, listings marked for
a stock push) and the upload's progress, so a worker that dies loses nothing: the next one carries on from the
last committed chunk, and applying a row twice changes nothing.
"""

from __future__ import annotations

import time
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from channels.models import Integration
from stock.models import MappingUpload
from stock.services.mappings import (
    CsvImportResult,
    CsvInvalid,
    CsvRow,
    integration_locked,
    mapping_rows_apply,
    mappings_csv_check,
    mappings_csv_rows,
)

LEASE = timedelta(minutes=5)  # far longer than a chunk takes
TIME_BUDGET_SECONDS = 60.0  # then a fresh task carries on (Celery's soft time limit is 240 s)
MAX_ATTEMPTS_WITHOUT_PROGRESS = 5


class UploadInProgress(Exception):
    """An earlier upload of this integration is still being applied."""

    def __init__(self, upload: MappingUpload):
        super().__init__(f"upload {upload.pk} is {upload.status}")
        self.upload = upload


def mappings_upload(*, integration: Integration, data: bytes, file_name: str) -> CsvImportResult | MappingUpload:
    """Check the whole file (CsvInvalid lists every bad row, and nothing is applied), then apply it now if it is
    small, or store it for a worker and return the stored upload. UploadInProgress while an earlier one runs."""
    checked = mappings_csv_check(data=data)
    with transaction.atomic():
        integration_locked(integration)  # so two uploads cannot both find none in progress
        active = MappingUpload.objects.for_integration(integration).active().first()
        if active is not None:
            raise UploadInProgress(active)
        if len(checked.rows) <= settings.MAPPING_UPLOAD_INLINE_ROWS:
            return mapping_rows_apply(integration=integration, rows=checked.rows)
        return MappingUpload.objects.create(
            integration=integration, file_name=file_name[:255], content=checked.text, rows_total=len(checked.rows)
        )


def _claim(upload_id: int) -> bool:
    """Take the upload if it waits for a worker, or if the worker that had it let its lease run out."""
    now = timezone.now()
    claimable = Q(status=MappingUpload.Status.QUEUED) | Q(status=MappingUpload.Status.APPLYING, lease_until__lt=now)
    claimed = MappingUpload.objects.filter(claimable, pk=upload_id).update(
        status=MappingUpload.Status.APPLYING, lease_until=now + LEASE, attempts=F("attempts") + 1
    )
    return claimed == 1


def _finish(upload: MappingUpload, status: str, problem: str = "") -> None:
    upload.status, upload.problem, upload.content = status, problem[:500], ""
    upload.lease_until, upload.finished_at = None, timezone.now()
    upload.save()


def _chunk_apply(upload_id: int, rows: list[CsvRow]) -> bool:
    """Apply the next chunk with its side effects and record the progress, in one transaction. True when done."""
    with transaction.atomic():
        upload = MappingUpload.objects.select_for_update().select_related("integration").get(pk=upload_id)
        if upload.status != MappingUpload.Status.APPLYING:
            return True
        chunk = rows[upload.rows_applied : upload.rows_applied + settings.MAPPING_UPLOAD_CHUNK_ROWS]
        try:
            result = mapping_rows_apply(integration=upload.integration, rows=chunk)
        except CsvInvalid as invalid:  # a product was removed from the catalogue since the check
            problem = invalid.errors[0]
            _finish(upload, MappingUpload.Status.FAILED, f"Row {problem.row}: {problem.reason}")
            return True
        upload.rows_applied += len(chunk)
        upload.mappings_created += result.created
        upload.mappings_changed += result.changed
        upload.mappings_unchanged += result.unchanged
        upload.attempts, upload.lease_until = 0, timezone.now() + LEASE
        if upload.rows_applied >= upload.rows_total:
            _finish(upload, MappingUpload.Status.DONE)
            return True
        upload.save()
        return False


def mapping_upload_apply(*, upload_id: int, time_budget: float = TIME_BUDGET_SECONDS) -> bool:
    """Apply a stored upload chunk by chunk for up to `time_budget` seconds.

    Returns True when there is nothing left for this caller to do (applied, stopped, or another worker holds
    it); False when time ran out first, and the upload waits for the next task.
    """
    if not _claim(upload_id):
        return True
    upload = MappingUpload.objects.get(pk=upload_id)
    if upload.attempts > MAX_ATTEMPTS_WITHOUT_PROGRESS:
        with transaction.atomic():
            _finish(
                MappingUpload.objects.select_for_update().get(pk=upload_id),
                MappingUpload.Status.FAILED,
                "Applying the file kept failing. Upload it again; rows already applied count as already so.",
            )
        return True
    rows = mappings_csv_rows(text=upload.content)
    started = time.monotonic()
    while not _chunk_apply(upload_id, rows):
        if time.monotonic() - started > time_budget:
            MappingUpload.objects.filter(pk=upload_id, status=MappingUpload.Status.APPLYING).update(
                status=MappingUpload.Status.QUEUED, lease_until=None, attempts=0
            )
            return False
    return True
