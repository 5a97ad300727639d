"""A mappings CSV larger than MAPPING_UPLOAD_INLINE_ROWS is checked whole within the request, then applied by a
worker in chunks (each with its side effects) while the mappings page shows the progress."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from channels.tests.factories import IntegrationFactory
from orders.download import orders_download
from orders.models import Order, OrderKind
from orders.tests.simulated import UK, connected_integration
from stock.models import ListingMapping, MappingUpload, Product
from stock.push.models import ListingPush
from stock.services import mapping_upload_apply
from stock.tasks import resume_mapping_uploads
from stock.tests.factories import ProductFactory

pytestmark = pytest.mark.django_db

ROWS = 7


@pytest.fixture(autouse=True)
def small_limits(settings):
    settings.MAPPING_UPLOAD_INLINE_ROWS = 3
    settings.MAPPING_UPLOAD_CHUNK_ROWS = 2


@pytest.fixture
def integration(account):
    return IntegrationFactory(account=account)


@pytest.fixture
def products():
    return [ProductFactory(sku=f"AVS-{n}", quantity=20) for n in range(ROWS)]


def csv_file(rows: int = ROWS, product_prefix: str = "AVS") -> bytes:
    lines = ["channel_sku,product_sku"] + [f"AMZ-{n},{product_prefix}-{n}" for n in range(rows)]
    return ("\n".join(lines) + "\n").encode()


def post(client, integration, data: bytes):
    upload = SimpleUploadedFile("big.csv", data, "text/csv")
    return client.post(f"/settings/channels/{integration.pk}/mappings/upload/", {"file": upload})


def page(client, integration) -> str:
    return " ".join(client.get(f"/settings/channels/{integration.pk}/mappings/").content.decode().split())


def status(client, integration) -> dict:
    return client.get(f"/settings/channels/{integration.pk}/mappings/upload/status/").json()


def test_a_large_file_is_applied_in_the_background_with_every_side_effect(
    seller_client, account, products, amazon_simulator, django_capture_on_commit_callbacks
):
    # An order downloaded before its SKU was mapped: mapping it also dispatches it (its recipient read from Amazon).
    integration = connected_integration(amazon_simulator, account=account)
    amazon_simulator.state.add_order(
        integration.selling_partner_id, UK, lines=[{"sku": "AMZ-5", "quantity": 1, "unit_price": "5.00"}]
    )
    orders_download(integration_id=integration.pk)

    with django_capture_on_commit_callbacks(execute=True):
        response = post(seller_client, integration, csv_file())

    assert response.status_code == 302
    assert ListingMapping.objects.filter(integration=integration).count() == ROWS
    upload = MappingUpload.objects.get()
    assert (upload.status, upload.rows_applied, upload.mappings_created) == ("done", ROWS, ROWS)
    assert upload.content == ""  # the file is not kept once applied
    assert Order.objects.get().kind == OrderKind.AVASAM
    assert Order.objects.get().dispatches.count() == 1
    assert ListingPush.objects.filter(integration=integration, pending=True).count() == ROWS
    shown = page(seller_client, integration)
    assert "passed the checks" in shown
    assert "Last large upload: “big.csv”, 7 rows" in shown and "7 new mappings" in shown


def test_the_page_shows_how_far_the_upload_has_got(seller_client, integration, products):
    post(seller_client, integration, csv_file())  # its task runs when the request's transaction commits
    upload = MappingUpload.objects.get()

    assert "Applying “big.csv”:" in page(seller_client, integration)
    assert status(seller_client, integration) == {
        "active": True,
        "status": "queued",
        "rows_total": ROWS,
        "rows_applied": 0,
        "percent": 0,
    }

    assert mapping_upload_apply(upload_id=upload.pk, time_budget=0) is False  # one chunk, then hands over

    assert status(seller_client, integration)["rows_applied"] == 2
    assert ListingMapping.objects.filter(integration=integration).count() == 2
    assert '<progress class="w-100" max="7" value="2">' in page(seller_client, integration)


def test_a_file_with_a_bad_row_is_refused_whole_and_nothing_is_stored(seller_client, integration, products):
    data = csv_file() + b"AMZ-X,NOT-IN-CATALOGUE\n"

    response = post(seller_client, integration, data)

    assert response.status_code == 400
    assert "product_sku NOT-IN-CATALOGUE is not in the catalogue" in response.content.decode()
    assert not MappingUpload.objects.exists() and not ListingMapping.objects.exists()


def test_another_upload_waits_until_the_first_has_been_applied(seller_client, integration, products):
    post(seller_client, integration, csv_file())

    response = post(seller_client, integration, b"channel_sku,product_sku\nAMZ-1,AVS-1\n")

    assert response.status_code == 409
    assert "“big.csv” is still being applied (0 of 7 rows)" in response.content.decode()
    assert MappingUpload.objects.count() == 1 and not ListingMapping.objects.exists()


def test_an_upload_whose_worker_died_is_finished_by_another_without_applying_anything_twice(
    seller_client, integration, products
):
    post(seller_client, integration, csv_file())
    upload = MappingUpload.objects.get()
    mapping_upload_apply(upload_id=upload.pk, time_budget=0)
    # A worker took it and died: its lease is still running, so nobody else may take it yet.
    MappingUpload.objects.filter(pk=upload.pk).update(
        status="applying", lease_until=timezone.now() + timedelta(minutes=1)
    )
    assert mapping_upload_apply(upload_id=upload.pk) is True
    assert MappingUpload.objects.get().rows_applied == 2

    MappingUpload.objects.filter(pk=upload.pk).update(lease_until=timezone.now() - timedelta(seconds=1))
    assert resume_mapping_uploads() == 1

    upload.refresh_from_db()
    assert (upload.status, upload.rows_applied) == ("done", ROWS)
    assert (upload.mappings_created, upload.mappings_unchanged) == (ROWS, 0)
    assert ListingMapping.objects.filter(integration=integration).count() == ROWS


def test_an_upload_nobody_started_is_resumed_by_beat(seller_client, integration, products):
    post(seller_client, integration, csv_file())  # as if the task message were lost
    assert resume_mapping_uploads() == 0  # give the task a minute to arrive first

    MappingUpload.objects.update(created_at=timezone.now() - timedelta(minutes=2))

    assert resume_mapping_uploads() == 1
    assert MappingUpload.objects.get().status == "done"


def test_a_product_removed_after_the_check_stops_the_upload_with_a_sentence(seller_client, integration, products):
    post(seller_client, integration, csv_file())
    Product.objects.filter(sku="AVS-4").delete()

    mapping_upload_apply(upload_id=MappingUpload.objects.get().pk)

    upload = MappingUpload.objects.get()
    assert (upload.status, upload.rows_applied) == ("failed", 4)
    assert "Row 6: product_sku AVS-4 is not in the catalogue" in upload.problem
    shown = page(seller_client, integration)
    assert "stopped after 4 of 7 rows" in shown and "AVS-4 is not in the catalogue" in shown


def test_an_upload_that_keeps_failing_stops_with_a_sentence(seller_client, integration, products):
    post(seller_client, integration, csv_file())
    MappingUpload.objects.update(attempts=5)

    mapping_upload_apply(upload_id=MappingUpload.objects.get().pk)

    upload = MappingUpload.objects.get()
    assert upload.status == "failed" and "kept failing" in upload.problem
    assert not ListingMapping.objects.exists()


def test_a_small_file_is_still_applied_within_the_request(seller_client, integration, products):
    response = post(seller_client, integration, csv_file(rows=3))

    assert response.status_code == 302
    assert ListingMapping.objects.count() == 3 and not MappingUpload.objects.exists()
