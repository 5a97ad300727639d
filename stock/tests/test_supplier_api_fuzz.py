"""schemathesis against the served OpenAPI document, on a live server over PostgreSQL: no server error, no answer
outside the document, and nothing applied by a request answered 4xx. Bounded and seeded, so it is quick and
repeatable."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import schemathesis
from hypothesis import HealthCheck, seed, settings
from schemathesis import Case
from schemathesis.core.failures import Failure
from schemathesis.specs.openapi.checks import positive_data_acceptance

from avasam.api import api as supplier_api
from stock.models import Product, StockChange
from stock.services import supplier_token_issue
from stock.tests.factories import ProductFactory, SupplierFactory

EXAMPLES_PER_OPERATION = 60


def catalogue_state() -> tuple:
    """Everything a supplier request can change."""
    products = tuple(
        Product.objects.order_by("pk").values_list("pk", "sku", "title", "price", "quantity", "quantity_as_of")
    )
    return products, StockChange.objects.count()


class ChangedOn4xx(Failure):
    pass


# The state before the request being checked (set by the test, read by the check below).
_before: dict[str, tuple] = {}


@schemathesis.check
def nothing_applied_when_refused(ctx, response, case: Case) -> bool | None:
    """A request answered 4xx applied nothing (all or nothing, whatever the reason)."""
    if 400 <= response.status_code < 500 and catalogue_state() != _before["state"]:
        raise ChangedOn4xx(
            operation=case.operation.label,
            title="Refused request changed the catalogue",
            message=f"{response.status_code} but products or stock changes differ from before the request",
        )
    return None


# The document /api/v1/openapi.json serves (test_the_served_document_is_the_one_fuzzed checks they are one).
# Loaded here rather than from the live server's URL: schemathesis's fixture loader does not run on pytest 9.
schema = schemathesis.openapi.from_dict(supplier_api.get_openapi_schema())


@pytest.fixture
def base_url(live_server, settings, transactional_db):
    settings.SUPPLIER_API_RATE_LIMIT = 0  # hundreds of requests in seconds; the limit has its own tests
    return live_server.url


def test_the_served_document_is_the_one_fuzzed(client):
    assert client.get("/api/v1/openapi.json").json() == schema.raw_schema


@pytest.mark.postgres
@schema.parametrize()
@seed(20261127)
@settings(
    max_examples=EXAMPLES_PER_OPERATION,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_the_supplier_api_keeps_its_documented_contract(case: Case, base_url):
    token = _token()
    _before["state"] = catalogue_state()

    case.call_and_validate(
        base_url=base_url,
        headers={"Authorization": f"Bearer {token}"},
        additional_checks=[nothing_applied_when_refused],
        # A schema-valid item may still be refused by the catalogue (an unknown SKU, a new product without a
        # title, a SKU twice): those 400s are documented, so valid data need not be accepted.
        excluded_checks=[positive_data_acceptance],
    )


def _token() -> str:
    """One supplier with a few products per run, so some generated SKUs meet real ones."""
    if "token" not in _tokens or not Product.objects.filter(sku="MUG-RED-350").exists():
        supplier = SupplierFactory(name="Fuzzed supplier")
        as_of = datetime.now(UTC) - timedelta(days=1)
        for sku in ("MUG-RED-350", "MUG-BLUE-350", "A", "0"):
            ProductFactory(sku=sku, supplier=supplier, quantity=3, quantity_as_of=as_of)
        _tokens["token"] = supplier_token_issue(supplier=supplier)
    return _tokens["token"]


_tokens: dict[str, str] = {}
