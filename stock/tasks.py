"""Background work on listing mappings: applying large CSV uploads."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from stock import selectors, services


@shared_task
def apply_mapping_upload(upload_id: int) -> None:
    """Apply a stored mappings upload; a long one hands over to a fresh task before Celery's time limit."""
    if not services.mapping_upload_apply(upload_id=upload_id):
        apply_mapping_upload.delay(upload_id)


@shared_task
def resume_mapping_uploads() -> int:
    """Beat: an upload whose task message was lost, or whose worker died, gets a new task."""
    upload_ids = selectors.mapping_uploads_stalled(now=timezone.now())
    for upload_id in upload_ids:
        apply_mapping_upload.delay(upload_id)
    return len(upload_ids)
