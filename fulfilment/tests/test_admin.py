"""Ops record a parcel in the admin for a supplier without an API, through the same service as the API."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from channels.tests.factories import IntegrationFactory
from fulfilment.models import Dispatch, Parcel
from fulfilment.tests.test_dispatches_and_api import RECIPIENT, order, store
from orders.tests.factories import ListingMappingFactory
from stock.tests.factories import ProductFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def dispatch():
    integration = IntegrationFactory()
    ListingMappingFactory(integration=integration, channel_sku="A", product=ProductFactory(sku="P-A"))
    store(integration, order("O1", ["A"]))
    return Dispatch.objects.get()


def _add(admin_client, dispatch, lines):
    shipped = timezone.now() - timedelta(hours=1)
    return admin_client.post(
        "/admin/fulfilment/parcel/add/",
        {
            "dispatch": dispatch.pk,
            "carrier": "Royal Mail",
            "tracking_number": "RM-ADMIN",
            "ship_date_0": shipped.strftime("%Y-%m-%d"),
            "ship_date_1": shipped.strftime("%H:%M:%S"),
            "shipping_method": "",
            "lines": lines,
            "lines-TOTAL_FORMS": "0",
            "lines-INITIAL_FORMS": "0",
        },
    )


def test_ops_record_a_parcel_through_the_service(admin_client, dispatch):
    response = _add(admin_client, dispatch, "P-A x 1")
    assert response.status_code == 302, re.findall(r"errorlist[^>]*>(.*?)</ul>", response.content.decode(), re.S)
    parcel = Parcel.objects.get()
    assert (parcel.tracking_number, parcel.lines.get().quantity) == ("RM-ADMIN", 1)
    assert Dispatch.objects.get().status == "shipped"


def test_a_bad_parcel_is_a_form_error_and_nothing_is_recorded(admin_client, dispatch):
    response = _add(admin_client, dispatch, "P-A x 5")
    assert response.status_code == 200
    assert "more than the quantity still to ship" in response.content.decode()
    assert not Parcel.objects.exists()


def test_no_personal_data_on_the_admin_pages(admin_client, dispatch):
    _add(admin_client, dispatch, "P-A x 1")
    for url in (
        "/admin/fulfilment/dispatch/",
        f"/admin/fulfilment/dispatch/{dispatch.pk}/change/",
        "/admin/fulfilment/parcel/",
    ):
        page = admin_client.get(url).content.decode()
        assert RECIPIENT.name not in page and RECIPIENT.address_lines[0] not in page, url
