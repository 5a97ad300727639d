"""A seller's day in Debian's Chromium against a live server and the Amazon simulator: dashboard → integration →
mappings → orders → analytics, with a screenshot of each page under artifacts/."""

from __future__ import annotations

import pytest
from django.conf import settings as django_settings

from channels.tests.test_browser import _logged_in_page, browser  # noqa: F401 (the fixture)
from orders.download import orders_download
from orders.tests.simulated import connected_integration, place_orders
from stock.tests.factories import ListingMappingFactory, ProductFactory

ARTIFACTS = django_settings.BASE_DIR / "artifacts"


@pytest.mark.browser
def test_a_sellers_day_from_the_dashboard_to_analytics(
    browser,  # noqa: F811
    live_server,
    amazon_simulator,
    settings,
    owner,
    transactional_db,
):
    from playwright.sync_api import expect

    settings.SITE_URL = live_server.url
    amazon_simulator.state.speedup = 1000
    account = owner.membership.account
    integration = connected_integration(amazon_simulator, account=account, name="Amazon UK")
    ListingMappingFactory(integration=integration, channel_sku="MAPPED", product=ProductFactory(sku="AVS-MUG"))
    place_orders(amazon_simulator, integration, 3, skus=["MAPPED"])
    place_orders(amazon_simulator, integration, 2, skus=["UNKNOWN"])
    orders_download(integration_id=integration.pk)
    ARTIFACTS.mkdir(exist_ok=True)

    def shot(page, name: str) -> None:
        page.screenshot(path=str(ARTIFACTS / f"seller-day-{name}.png"), full_page=True)

    page, blocked = _logged_in_page(browser, live_server, owner)

    # 1. Login lands on the day: orders today, per integration.
    expect(page.locator("h1")).to_have_text("Your day")
    expect(page.locator("#orders-today")).to_contain_text("5")
    shot(page, "1-dashboard")

    # 2. The integration's page, from the dashboard.
    page.locator("#integrations-today").get_by_role("link", name="Amazon UK").click()
    expect(page.locator("h1")).to_contain_text("Amazon UK")
    # Its additional settings are switches; exclude and split cannot both be switched on.
    page.locator("summary", has_text="Additional settings").click()
    expect(page.locator("#additional-settings").get_by_role("switch")).to_have_count(4)
    exclude, split = page.get_by_label("Exclude non-Avasam orders"), page.get_by_label("Split orders with unknown SKUs")
    exclude.check()
    split.check()
    expect(exclude).not_to_be_checked()
    exclude.check()
    expect(split).not_to_be_checked()
    shot(page, "2-integration")

    # 3. Its listing mappings.
    page.goto(f"{live_server.url}/settings/channels/{integration.pk}/mappings/")
    expect(page.get_by_text("MAPPED").first).to_be_visible()
    shot(page, "3-mappings")

    # 4. The orders, from the dashboard's count.
    page.goto(f"{live_server.url}/")
    page.locator("#orders-today").click()
    expect(page.locator("#orders tbody tr")).to_have_count(5)
    shot(page, "4-orders")

    # 5. Analytics across the integrations.
    page.get_by_role("link", name="Analytics").click()
    expect(page.locator("h1")).to_contain_text("Analytics")
    shot(page, "5-analytics")

    assert blocked == []
    for name in ("1-dashboard", "2-integration", "3-mappings", "4-orders", "5-analytics"):
        assert (ARTIFACTS / f"seller-day-{name}.png").stat().st_size > 0
