"""Supplier carrier names to Amazon's carrier codes."""

from __future__ import annotations

import json

import pytest

from channels.amazon.carriers import CARRIER_CODES_FILE, carrier_for


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("Royal Mail", "Royal Mail"),
        ("royal mail", "Royal Mail"),
        ("ROYAL-MAIL", "Royal Mail"),
        ("  Royal   Mail ", "Royal Mail"),
        ("Royal Mail Tracked 24", "Royal Mail"),
        ("parcel force", "Parcelforce"),
        ("DPD Local", "DPD"),
        ("dhl express", "DHL"),
        ("Federal Express", "FedEx"),
        ("ups", "UPS"),
        ("Yodel", "Yodel"),
        ("GO!", "GO!"),
    ],
)
def test_known_carriers_map_to_amazons_code_without_a_name(name, code):
    assert carrier_for(name) == (code, None)


@pytest.mark.parametrize("name", ["Evri", "Bob's Vans", "InPost"])
def test_unknown_carriers_are_other_with_their_name(name):
    assert carrier_for(f" {name} ") == ("Other", name)


def test_every_alias_points_at_one_of_amazons_codes_and_no_alias_is_ambiguous():
    data = json.loads(CARRIER_CODES_FILE.read_text())
    aliases = [alias for names in data["aliases"].values() for alias in names]
    assert set(data["aliases"]) <= set(data["codes"])
    assert len({carrier_for(alias) for alias in aliases}) == len(set(data["aliases"]))
    assert "Other" in data["codes"]
