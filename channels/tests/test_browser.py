"""The whole help text, step by step, in Debian's Chromium against the Amazon simulator."""

from __future__ import annotations

import os
import re
import uuid
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.db import connections

from channels.models import Integration
from conftest import skip_or_fail

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOT = django_settings.BASE_DIR / "artifacts" / "integrations-list.png"


@pytest.fixture
def browser(monkeypatch):
    if not CHROMIUM.exists():
        skip_or_fail(f"this test needs Debian's Chromium at {CHROMIUM} (apt install chromium)")
    # Playwright's sync API runs an event loop in this thread; the ORM calls here are still synchronous.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
        # ORM calls made while Playwright's loop runs get their own connection: close it, or the test
        # database cannot be dropped at the end of the run.
        connections.close_all()


def _logged_in_page(browser, live_server, owner):
    """A new tab logged in as the owner, and the list of anything the Content-Security-Policy blocks in it
    (no inline script is allowed: every page script must work from static files)."""
    page = browser.new_context().new_page()
    page.set_default_timeout(15_000)
    blocked = []
    page.on(
        "console", lambda message: blocked.append(message.text) if "Content Security Policy" in message.text else None
    )
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", owner.username)
    page.fill("input[name=password]", "correct horse battery")
    page.locator("form [type=submit]").click()
    return page, blocked


@pytest.mark.browser
def test_a_seller_connects_amazon_through_the_whole_wizard(
    browser, live_server, amazon_simulator, settings, owner, transactional_db
):
    from playwright.sync_api import expect

    settings.SITE_URL = live_server.url
    seller_id = "ABROWSER" + uuid.uuid4().hex[:12].upper()
    page, blocked = _logged_in_page(browser, live_server, owner)
    expect(page.locator("h1")).to_have_text("Your day")  # login lands on the home page
    page.get_by_role("button", name="Settings").click()
    page.get_by_role("link", name="Sales channel integrations").click()
    expect(page.locator("h1")).to_have_text("Sales channel integrations")

    # 1. Add sales channel: Amazon has an Add button, the others are not yet available.
    page.get_by_role("link", name="Add sales channel").click()
    expect(page.get_by_text("Not yet available")).to_have_count(4)
    page.get_by_role("link", name="Add", exact=True).click()

    # 2. A name and the site, then Next.
    page.fill("input[name=name]", "Amazon UK shop")
    page.select_option("select[name=marketplace]", label="United Kingdom")
    page.get_by_role("button", name="Next").click()
    expect(page).to_have_url(re.compile(r"/settings/channels/\d+/authorise/$"))

    # 3. The authkey button opens Amazon's consent page in a new tab; tick the box and confirm.
    with page.context.expect_page() as consent_tab_info:
        page.get_by_role("link", name="authkey").click()
    consent_tab = consent_tab_info.value
    consent_tab.wait_for_load_state()
    assert consent_tab.url.startswith(f"{settings.AMAZON_SELLER_CENTRAL_URL}/apps/authorize/consent?")
    # A seller id of its own keeps this run clear of rate-limit buckets other tests left in Redis.
    consent_tab.fill("input[name=selling_partner_id]", seller_id)
    consent_tab.get_by_label("I direct Amazon to provide").check()
    consent_tab.get_by_role("button", name="Confirm").click()

    # 4. The callback stores the authorisation and tells the seller to close the tab...
    expect(consent_tab.get_by_text("You can close this tab now")).to_be_visible()
    consent_tab.close()

    # ...and the original tab notices and returns to the list, where the new row is, saying it is connected.
    expect(page).to_have_url(re.compile(rf"^{re.escape(live_server.url)}/settings/channels/\?authorised=\d+$"))
    expect(page.locator("#just-authorised")).to_contain_text("“Amazon UK shop” is connected to Amazon United Kingdom")
    row = page.locator("tr", has_text="Amazon UK shop")
    expect(row.get_by_text("Yes", exact=True)).to_be_visible()
    integration = Integration.objects.get(name="Amazon UK shop")
    assert integration.selling_partner_id == seller_id
    assert integration.authorisation_state == Integration.AuthorisationState.AUTHORISED

    # The switch disables and enables at once.
    row.get_by_role("switch").click()
    expect(page.locator("tr", has_text="Amazon UK shop").get_by_text("No", exact=True)).to_be_visible()
    assert Integration.objects.get(pk=integration.pk).enabled is False
    page.locator("tr", has_text="Amazon UK shop").get_by_role("switch").click()
    expect(page.locator("tr", has_text="Amazon UK shop").get_by_text("Yes", exact=True)).to_be_visible()
    assert Integration.objects.get(pk=integration.pk).enabled is True

    # The integration page: Verify asks Amazon, and a setting saves back to the list.
    page.get_by_role("link", name="Amazon UK shop").click()
    page.get_by_role("button", name="Verify").click()
    expect(page.get_by_text("Everything checks out.")).to_be_visible()
    page.locator("summary", has_text="Additional settings").click()
    page.fill("input[name=stock_threshold]", "3")
    page.get_by_role("button", name="Save").click()
    expect(page).to_have_url(f"{live_server.url}/settings/channels/")
    assert Integration.objects.get(pk=integration.pk).stock_threshold == 3

    # A link to the additional settings opens them.
    page.goto(f"{live_server.url}/settings/channels/{integration.pk}/#additional-settings")
    expect(page.locator("details#additional-settings")).to_have_attribute("open", "")
    assert blocked == []

    SCREENSHOT.parent.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOT), full_page=True)
    assert os.path.getsize(SCREENSHOT) > 0


@pytest.mark.browser
def test_the_authorise_page_says_what_to_do_when_the_other_tab_never_comes_back(
    browser, live_server, amazon_simulator, settings, owner, transactional_db
):
    """An expired or reused link fails in the consent tab only; the waiting tab must not wait in silence."""
    from playwright.sync_api import expect

    from channels.tests.factories import AwaitingIntegrationFactory

    settings.SITE_URL = live_server.url
    integration = AwaitingIntegrationFactory(account=owner.membership.account)
    page, blocked = _logged_in_page(browser, live_server, owner)
    expect(page.locator("h1")).to_have_text("Your day")  # login lands on the home page
    page.get_by_role("button", name="Settings").click()
    page.get_by_role("link", name="Sales channel integrations").click()
    expect(page.locator("h1")).to_have_text("Sales channel integrations")

    page.clock.install()
    page.goto(f"{live_server.url}/settings/channels/{integration.pk}/authorise/")
    with page.context.expect_page() as consent_tab_info:
        page.get_by_role("link", name="authkey").click()
    consent_tab_info.value.close()
    expect(page.locator("#authorise-waiting")).to_be_visible()
    expect(page.locator("#authorise-slow")).to_be_hidden()

    page.clock.fast_forward("02:30")
    expect(page.locator("#authorise-slow")).to_be_visible()
    expect(page.locator("#authorise-slow")).to_contain_text("click authkey again to start afresh")

    # Past the 15 minutes polling stops; authkey starts it again.
    page.clock.fast_forward("16:00")
    with page.context.expect_page() as consent_tab_info:
        page.get_by_role("link", name="authkey").click()
    consent_tab_info.value.close()
    expect(page.locator("#authorise-slow")).to_be_hidden()
    with page.expect_request(re.compile(rf"/settings/channels/{integration.pk}/authorise/status/$")):
        page.clock.fast_forward("00:03")
    assert blocked == []


@pytest.mark.browser
def test_the_mappings_page_follows_a_large_upload_until_it_is_applied(
    browser, live_server, settings, owner, transactional_db
):
    from playwright.sync_api import expect

    from channels.tests.factories import IntegrationFactory
    from stock.models import MappingUpload
    from stock.services import mapping_upload_apply
    from stock.tests.factories import ProductFactory

    settings.MAPPING_UPLOAD_INLINE_ROWS, settings.MAPPING_UPLOAD_CHUNK_ROWS = 1, 2
    integration = IntegrationFactory(account=owner.membership.account)
    for n in range(4):
        ProductFactory(sku=f"AVS-{n}")
    upload = MappingUpload.objects.create(
        integration=integration,
        file_name="big.csv",
        content="channel_sku,product_sku\n" + "".join(f"AMZ-{n},AVS-{n}\n" for n in range(4)),
        rows_total=4,
    )
    page, blocked = _logged_in_page(browser, live_server, owner)
    page.goto(f"{live_server.url}/settings/channels/{integration.pk}/mappings/")
    expect(page.locator("#upload-progress")).to_contain_text("0 of 4 rows")

    mapping_upload_apply(upload_id=upload.pk, time_budget=0)
    expect(page.locator("#upload-rows-applied")).to_have_text("2")

    mapping_upload_apply(upload_id=upload.pk)
    expect(page.locator("#upload-outcome")).to_contain_text("4 new mappings")

    # Removing a mapping asks first; dismissing keeps it.
    asked = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    page.get_by_role("button", name="Remove the mapping of AMZ-0").click()
    expect(page.locator("#mappings")).to_contain_text("AMZ-0")
    assert asked == ["Remove the mapping of AMZ-0? Amazon is then sent 0 for this listing."]
    assert MappingUpload.objects.get().integration.mappings.filter(channel_sku="AMZ-0").exists()
    assert blocked == []
