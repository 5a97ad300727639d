"""Every SP-API marketplace: the site dropdown, the consent URL, the API host, the currency and language."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

SP_API_HOSTS = {
    "NA": "https://sellingpartnerapi-na.amazon.com",
    "EU": "https://sellingpartnerapi-eu.amazon.com",
    "FE": "https://sellingpartnerapi-fe.amazon.com",
}
# The AWS region of each SP-API host, which python-amazon-sp-api wants alongside the endpoint.
AWS_REGIONS = {"NA": "us-east-1", "EU": "eu-west-1", "FE": "us-west-2"}


@dataclass(frozen=True)
class Marketplace:
    marketplace_id: str
    country_code: str
    site_name: str
    region: str
    seller_central: str
    currency: str
    language: str  # ISO 639-1, the site's default language

    @property
    def locale(self) -> str:
        """Amazon's language code for the site ("en_GB", "de_DE"): its defaultLanguageCode, used as issueLocale."""
        return f"{self.language}_{self.country_code}"

    @property
    def sp_api_host(self) -> str:
        return SP_API_HOSTS[self.region]

    @property
    def aws_region(self) -> str:
        return AWS_REGIONS[self.region]


MARKETPLACES: tuple[Marketplace, ...] = (
    Marketplace("A2EUQ1WTGCTBG2", "CA", "Canada", "NA", "https://sellercentral.amazon.ca", "CAD", "en"),
    Marketplace("ATVPDKIKX0DER", "US", "United States", "NA", "https://sellercentral.amazon.com", "USD", "en"),
    Marketplace("A1AM78C64UM0Y8", "MX", "Mexico", "NA", "https://sellercentral.amazon.com.mx", "MXN", "es"),
    Marketplace("A2Q3Y263D00KWC", "BR", "Brazil", "NA", "https://sellercentral.amazon.com.br", "BRL", "pt"),
    Marketplace("A28R8C7NBKEWEA", "IE", "Ireland", "EU", "https://sellercentral.amazon.ie", "EUR", "en"),
    Marketplace("A1RKKUPIHCS9HS", "ES", "Spain", "EU", "https://sellercentral-europe.amazon.com", "EUR", "es"),
    Marketplace("A1F83G8C2ARO7P", "GB", "United Kingdom", "EU", "https://sellercentral-europe.amazon.com", "GBP", "en"),
    Marketplace("A13V1IB3VIYZZH", "FR", "France", "EU", "https://sellercentral-europe.amazon.com", "EUR", "fr"),
    Marketplace("AMEN7PMS3EDWL", "BE", "Belgium", "EU", "https://sellercentral.amazon.com.be", "EUR", "fr"),
    Marketplace("A1805IZSGTT6HS", "NL", "Netherlands", "EU", "https://sellercentral.amazon.nl", "EUR", "nl"),
    Marketplace("A1PA6795UKMFR9", "DE", "Germany", "EU", "https://sellercentral-europe.amazon.com", "EUR", "de"),
    Marketplace("APJ6JRA9NG5V4", "IT", "Italy", "EU", "https://sellercentral-europe.amazon.com", "EUR", "it"),
    Marketplace("A2NODRKZP88ZB9", "SE", "Sweden", "EU", "https://sellercentral.amazon.se", "SEK", "sv"),
    Marketplace("AE08WJ6YKNBMC", "ZA", "South Africa", "EU", "https://sellercentral.amazon.co.za", "ZAR", "en"),
    Marketplace("A1C3SOZRARQ6R3", "PL", "Poland", "EU", "https://sellercentral.amazon.pl", "PLN", "pl"),
    Marketplace("ARBP9OOSHTCHU", "EG", "Egypt", "EU", "https://sellercentral.amazon.eg", "EGP", "ar"),
    Marketplace("A33AVAJ2PDY3EV", "TR", "Turkey", "EU", "https://sellercentral.amazon.com.tr", "TRY", "tr"),
    Marketplace("A17E79C6D8DWNP", "SA", "Saudi Arabia", "EU", "https://sellercentral.amazon.sa", "SAR", "ar"),
    Marketplace("A2VIGQ35RCS4UG", "AE", "United Arab Emirates", "EU", "https://sellercentral.amazon.ae", "AED", "en"),
    Marketplace("A21TJRUUN4KGV", "IN", "India", "EU", "https://sellercentral.amazon.in", "INR", "en"),
    Marketplace("A19VAU5U5O7RUS", "SG", "Singapore", "FE", "https://sellercentral.amazon.sg", "SGD", "en"),
    Marketplace("A39IBJ37TRP1C6", "AU", "Australia", "FE", "https://sellercentral.amazon.com.au", "AUD", "en"),
    Marketplace("A1VC38T7YXB528", "JP", "Japan", "FE", "https://sellercentral.amazon.co.jp", "JPY", "ja"),
)

# ISO 4217 minor units of the sites' currencies that do not have two decimals.
_CURRENCY_DECIMALS = {"JPY": 0}

_BY_ID = {marketplace.marketplace_id: marketplace for marketplace in MARKETPLACES}


class UnknownMarketplace(LookupError):
    pass


def marketplace_by_id(marketplace_id: str) -> Marketplace:
    try:
        return _BY_ID[marketplace_id]
    except KeyError:
        raise UnknownMarketplace(f"{marketplace_id!r} is not an Amazon marketplace id") from None


def site_choices() -> list[tuple[str, str]]:
    """(marketplace id, site name) pairs for the site dropdown, sorted by site name."""
    return sorted(((m.marketplace_id, m.site_name) for m in MARKETPLACES), key=lambda choice: choice[1])


def currency_decimals(currency: str) -> int:
    """How many decimals a price in the currency has: 2 for most, 0 for JPY (ISO 4217 minor units)."""
    return _CURRENCY_DECIMALS.get(currency, 2)


def round_price(amount: Decimal, currency: str) -> Decimal:
    """The amount in whole minor units of the currency, halves up: 12.345 GBP is 12.35, 1234.5 JPY is 1235."""
    return amount.quantize(Decimal(1).scaleb(-currency_decimals(currency)), rounding=ROUND_HALF_UP)
