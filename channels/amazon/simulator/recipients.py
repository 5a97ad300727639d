"""Made-up recipients for simulated orders: plausible addresses in the marketplace's country, nobody real."""

from __future__ import annotations

import random

_FIRST_NAMES = ("Alex", "Sam", "Jordan", "Robin", "Charlie", "Morgan", "Kim", "Jamie", "Toni", "Luca")
_LAST_NAMES = ("Example", "Sample", "Placeholder", "Testwell", "Mockford", "Fakeley", "Demoson", "Simmons")
_PLACES = {
    "GB": (("London", "SW1A {d}AA", "+44 20 7946 0{n:03d}"), ("Leeds", "LS1 {d}AB", "+44 113 496 0{n:03d}")),
    "DE": (("Berlin", "101{n:02d}", "+49 30 1234{n:03d}"), ("Hamburg", "201{n:02d}", "+49 40 5678{n:03d}")),
    "FR": (("Paris", "750{n:02d}", "+33 1 99 00 0{n:03d}"),),
    "IT": (("Roma", "001{n:02d}", "+39 06 0000 0{n:03d}"),),
    "ES": (("Madrid", "280{n:02d}", "+34 91 000 0{n:03d}"),),
}
_STREETS = {"GB": "{n} Example Street", "DE": "Beispielstraße {n}", "FR": "{n} rue de l'Exemple"}


def fake_recipient(country_code: str, rng: random.Random | None = None) -> dict[str, str]:
    """A CustomerAddress (Orders v2026-01-01) for a made-up person in `country_code`."""
    rng = rng or random.Random()
    city, postcode, phone = rng.choice(_PLACES.get(country_code, _PLACES["GB"]))
    number = rng.randrange(1, 99)
    return {
        "name": f"{rng.choice(_FIRST_NAMES)} {rng.choice(_LAST_NAMES)}",
        "addressLine1": _STREETS.get(country_code, "{n} Example Street").format(n=number),
        "city": city,
        "postalCode": postcode.format(n=number, d=number % 10),
        "countryCode": country_code,
        "phone": phone.format(n=number),
        "addressType": "Residential",
    }
