"""A supplier's carrier name -> Amazon's carrier code for confirmShipment (data in carrier_codes.json)."""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path

CARRIER_CODES_FILE = Path(__file__).resolve().parent / "carrier_codes.json"
OTHER = "Other"


def carrier_for(name: str) -> tuple[str, str | None]:
    """(carrierCode, carrierName): Amazon's code for a known carrier, else ("Other", the name as sent)."""
    code = _codes_by_key().get(_key(name))
    if code is None or code == OTHER:
        return OTHER, name.strip()
    return code, None


def _key(name: str) -> str:
    # "Royal Mail", "royal-mail" and "ROYALMAIL" are one carrier.
    return re.sub(r"[^0-9a-z]", "", name.casefold())


@cache
def _codes_by_key() -> dict[str, str]:
    data = json.loads(CARRIER_CODES_FILE.read_text(encoding="utf-8"))
    codes = {_key(code): code for code in data["codes"]}
    for code, aliases in data["aliases"].items():
        if code not in data["codes"]:
            raise ValueError(f"carrier_codes.json: alias target {code!r} is not one of Amazon's codes.")
        codes.update({_key(alias): code for alias in aliases})
    return codes
