"""The demo supplier of `make run`: its name, its API token kept under var/, and the parcels it ships."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from django.conf import settings

from stock.models import Supplier, SupplierToken, token_hash
from stock.services import supplier_token_issue

logger = logging.getLogger(__name__)

DEMO_SUPPLIER = "Demo Supplier"
TOKEN_FILE = "demo_supplier_token"
# The demo supplier's carriers: Amazon codes for most, and Evri, which Amazon's list lacks ("Other").
CARRIERS = ("Royal Mail", "DPD", "Evri", "Parcelforce")
OPEN_STATUSES = "open,partially_shipped"
BATCH_SIZE = 500


def demo_supplier_token(*, var_dir: Path | None = None) -> str:
    """The demo supplier's live API token, from var/demo_supplier_token; a new one when missing or revoked."""
    path = (var_dir or settings.VAR_DIR) / TOKEN_FILE
    if path.exists():
        token = path.read_text().strip()
        if SupplierToken.objects.live().filter(token_hash=token_hash(token)).exists():
            return token
    token = supplier_token_issue(supplier=Supplier.objects.get(name=DEMO_SUPPLIER))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(token)
    path.chmod(0o600)
    return token


@dataclass
class DemoShipper:
    """Ships each open dispatch `delay` seconds after it first showed up, through the supplier API.

    A parcel's tracking number follows from the dispatch and what it has shipped so far, so a batch sent again
    after a lost answer is `unchanged`, never a second parcel.
    """

    api: httpx.Client  # base URL and the supplier's Bearer token set
    delay: float = 60.0
    first_seen: dict[int, float] = field(default_factory=dict)

    def ship_due(self, *, now: float) -> list[dict[str, Any]]:
        """One pass: the parcels sent (and accepted), for the dispatches due at `now` (monotonic seconds)."""
        due = []
        open_ids = set()
        for dispatch in self._open_dispatches():
            open_ids.add(dispatch["id"])
            seen = self.first_seen.setdefault(dispatch["id"], now)
            parcel = parcel_for(dispatch)
            if parcel and now - seen >= self.delay:
                due.append(parcel)
        self.first_seen = {dispatch_id: at for dispatch_id, at in self.first_seen.items() if dispatch_id in open_ids}
        return [
            parcel for start in range(0, len(due), BATCH_SIZE) for parcel in self._post(due[start : start + BATCH_SIZE])
        ]

    def _open_dispatches(self) -> Iterator[dict[str, Any]]:
        params = {"status": OPEN_STATUSES}
        while True:
            response = self.api.get("/api/v1/dispatches", params=params)
            response.raise_for_status()
            page = response.json()
            yield from page["dispatches"]
            if not page["next_cursor"]:
                return
            params = {"status": OPEN_STATUSES, "cursor": page["next_cursor"]}

    def _post(self, parcels: list[dict[str, Any]]) -> list[dict[str, Any]]:
        response = self.api.post("/api/v1/shipments", json={"shipments": parcels})
        if response.status_code == 400 and "errors" in response.json():
            # All or nothing: leave out the refused parcels (a line cancelled meanwhile) and send the rest.
            refused = {error["index"] for error in response.json()["errors"]}
            for error in response.json()["errors"]:
                logger.warning("Dispatch %s not shipped: %s", error.get("dispatch_id"), error["reason"])
            rest = [parcel for index, parcel in enumerate(parcels) if index not in refused]
            return self._post(rest) if rest else []
        response.raise_for_status()
        return parcels


def parcel_for(dispatch: dict[str, Any]) -> dict[str, Any] | None:
    """One parcel with everything the dispatch still has to ship, or None when nothing is left."""
    lines = [
        {"sku": line["sku"], "quantity": line["quantity"] - line["quantity_shipped"] - line["quantity_cancelled"]}
        for line in dispatch["lines"]
    ]
    lines = [line for line in lines if line["quantity"] > 0]
    if not lines:
        return None
    shipped_so_far = sum(line["quantity_shipped"] for line in dispatch["lines"])
    return {
        "dispatch_id": dispatch["id"],
        "carrier": CARRIERS[dispatch["id"] % len(CARRIERS)],
        "tracking_number": f"DEMO{dispatch['id']:08d}P{shipped_so_far:03d}",
        # A second back: the API refuses a ship date in the future, and clocks differ by a little.
        "ship_date": (datetime.now(UTC) - timedelta(seconds=1)).isoformat().replace("+00:00", "Z"),
        "lines": lines,
    }
