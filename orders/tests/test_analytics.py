"""Analytics against a hand-counted set of orders: per day, per integration, in total, and the kind shares."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from channels.tests.factories import IntegrationFactory
from orders.analytics import analytics_for, kind_shares, orders_count_before_purge
from orders.charts import axis_ticks, line_chart, nice_ceiling
from orders.models import Order, OrderKind
from orders.tests.factories import OrderFactory

pytestmark = pytest.mark.django_db

START, END = date(2026, 11, 20), date(2026, 11, 26)
AVASAM, NON_AVASAM, MIXED = OrderKind.AVASAM, OrderKind.NON_AVASAM, OrderKind.MIXED


def at(day: int, hour: int = 12, minute: int = 0, second: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, second, tzinfo=UTC)


@pytest.fixture
def shop(account):
    """Three integrations: UK (GBP), a removed DE one, and DE re-created for the same seller id (a new series)."""
    uk = IntegrationFactory(account=account, name="UK")
    old_de = IntegrationFactory(
        account=account, name="DE", marketplace_id="A1PA6795UKMFR9", selling_partner_id="ASELLER", removed_at=at(23)
    )
    new_de = IntegrationFactory(
        account=account, name="DE", marketplace_id="A1PA6795UKMFR9", selling_partner_id="ASELLER"
    )

    def order(integration, purchased_at, total, kind, currency="GBP", status="SHIPPED"):
        OrderFactory(
            integration=integration,
            purchased_at=purchased_at,
            total=Decimal(total),
            kind=kind,
            currency=currency,
            status=status,
        )

    order(uk, at(20, 0, 0, 0), "10.00", AVASAM)
    order(uk, at(20, 23, 59, 59), "5.50", NON_AVASAM)
    order(uk, at(22), "7.25", MIXED)
    order(uk, at(22), "100.00", AVASAM, status="CANCELLED")  # not a sale
    order(uk, at(19, 23, 59, 59), "1.00", AVASAM)  # before the period
    order(uk, at(27, 0, 0, 0), "1.00", AVASAM)  # after it
    order(old_de, at(21), "20.00", AVASAM, currency="EUR")
    order(new_de, at(24), "3.00", NON_AVASAM, currency="EUR")
    order(new_de, at(26, 23, 59, 59), "4.00", AVASAM, currency="EUR")
    # Another seller's orders on the same days never count.
    OrderFactory(purchased_at=at(21), total=Decimal("999.00"), kind=AVASAM)
    return uk, old_de, new_de


def test_per_integration_orders_and_revenue_per_day(shop):
    uk, _, _ = shop

    analytics = analytics_for(integrations=[uk], start=START, end=END)

    [series] = analytics.series
    assert series.orders == [2, 0, 1, 0, 0, 0, 0]
    assert series.revenue == {"GBP": [Decimal("15.50"), 0, Decimal("7.25"), 0, 0, 0, 0]}
    assert series.revenue_total == {"GBP": Decimal("22.75")}
    assert series.kinds == {"avasam": 1, "non_avasam": 1, "mixed": 1}


def test_totals_keep_the_removed_integration_and_start_a_new_series_for_the_recreated_one(shop):
    uk, old_de, new_de = shop

    analytics = analytics_for(integrations=[uk, old_de, new_de], start=START, end=END)

    by_id = {series.integration_id: series for series in analytics.series}
    assert by_id[old_de.pk].orders == [0, 1, 0, 0, 0, 0, 0]
    assert by_id[old_de.pk].removed and by_id[old_de.pk].label == "DE (removed 23 Nov 2026)"
    assert by_id[new_de.pk].orders == [0, 0, 0, 0, 1, 0, 1]
    assert analytics.orders == [2, 1, 1, 0, 1, 0, 1]
    assert analytics.orders_total == 6
    assert analytics.revenue_total == {"EUR": Decimal("27.00"), "GBP": Decimal("22.75")}
    assert analytics.kinds == {"avasam": 3, "non_avasam": 2, "mixed": 1}
    assert analytics.shares == {"avasam": 50, "non_avasam": 33, "mixed": 17}


def test_a_removed_integration_without_orders_in_the_period_is_left_out(shop):
    uk, old_de, new_de = shop
    analytics = analytics_for(integrations=[uk, old_de, new_de], start=date(2026, 11, 25), end=END)
    assert [series.integration_id for series in analytics.series] == [uk.pk, new_de.pk]


def test_kind_shares_always_add_up_to_100():
    assert kind_shares({"avasam": 1, "non_avasam": 1, "mixed": 1}) == {"avasam": 34, "non_avasam": 33, "mixed": 33}
    assert kind_shares({"avasam": 0, "non_avasam": 0, "mixed": 0}) == {"avasam": 0, "non_avasam": 0, "mixed": 0}


def test_the_chart_is_inline_svg_with_escaped_labels():
    svg = line_chart(days=[START, END], series=[("<b>UK</b>", [1, 2]), ("DE", [0, 3])], title="Orders per day")
    assert svg.startswith("<svg") and "&lt;b&gt;UK&lt;/b&gt;" in svg and "<b>" not in svg
    assert svg.count("<polyline") == 2
    assert "http" not in svg.replace('xmlns="http://www.w3.org/2000/svg"', "")  # nothing fetched


def test_the_axis_top_is_a_round_number():
    assert [nice_ceiling(v) for v in (0, 1, 3, 7, 12, 48, 51, 999)] == [1, 1, 5, 10, 20, 50, 100, 1000]


def test_the_total_analytics_page_shows_the_hand_counted_figures(seller_client, shop, django_assert_max_num_queries):
    with django_assert_max_num_queries(8):
        response = seller_client.get("/analytics/", {"start": "2026-11-20", "end": "2026-11-26"})

    assert response.status_code == 200
    page = response.content.decode()
    assert '<strong id="orders-total">6</strong>' in page
    assert 'data-currency="GBP">22.75 GBP' in page and 'data-currency="EUR">27.00 EUR' in page
    assert "Avasam: 3 (50%)" in page and "Non-Avasam: 2 (33%)" in page and "Mixed: 1 (17%)" in page
    assert "DE (removed 23 Nov 2026)" in page
    assert page.count("<svg") >= 4  # orders, two currencies of revenue, the share bar


def test_an_integrations_analytics_page_shows_its_own_series_only(seller_client, shop):
    _, _, new_de = shop
    response = seller_client.get(
        f"/settings/channels/{new_de.pk}/analytics/", {"start": "2026-11-20", "end": "2026-11-26"}
    )
    page = response.content.decode()
    assert '<strong id="orders-total">2</strong>' in page
    assert "7.00 EUR" in page and "GBP" not in page


def test_a_bad_period_says_so_and_falls_back_to_30_days(seller_client, shop):
    uk, _, _ = shop
    response = seller_client.get(f"/settings/channels/{uk.pk}/analytics/", {"start": "2026-11-26", "end": "2026-11-20"})
    assert response.status_code == 200
    assert "The start date must be on or before the end date." in response.content.decode()
    assert len(response.context["analytics"].days) == 30


def test_a_period_beyond_the_calendar_says_so_and_falls_back_to_30_days(seller_client, shop):
    uk, _, _ = shop
    response = seller_client.get(f"/settings/channels/{uk.pk}/analytics/", {"start": "9999-12-30", "end": "9999-12-31"})
    assert response.status_code == 200
    assert "Choose a date between 1 January 2000 and 31 December 2099." in response.content.decode()
    assert len(response.context["analytics"].days) == 30


def test_non_avasam_orders_purged_after_their_retention_still_count(shop):
    uk, old_de, new_de = shop
    purged = Order.objects.filter(kind=NON_AVASAM, integration__in=[uk, new_de])
    assert orders_count_before_purge(order_ids=list(purged.values_list("pk", flat=True))) == 2
    purged.delete()

    analytics = analytics_for(integrations=[uk, old_de, new_de], start=START, end=END)

    assert analytics.orders == [2, 1, 1, 0, 1, 0, 1]
    assert analytics.kinds == {"avasam": 3, "non_avasam": 2, "mixed": 1}
    assert analytics.revenue_total == {"EUR": Decimal("27.00"), "GBP": Decimal("22.75")}


def test_a_count_axis_has_whole_number_ticks():
    svg = line_chart(days=[date(2026, 11, 26), date(2026, 11, 27)], series=[("Orders", [3, 5])], title="Orders")

    assert re.findall(r'fill="#6c757d">([\d.,]+)</text>', svg) == ["0", "1", "2", "3", "4", "5"]
    assert [axis_ticks(v, whole=True) for v in (0, 3, 9)] == [[0, 1], [0, 1, 2, 3], [0, 5, 10]]


def test_a_money_axis_has_one_format():
    svg = line_chart(days=[date(2026, 11, 26)], series=[("UK", [Decimal("1800.50")])], title="Revenue", money=True)

    assert re.findall(r'fill="#6c757d">([\d.,]+)</text>', svg)[:3] == ["0", "500", "1,000"]
    small = line_chart(days=[date(2026, 11, 26)], series=[("UK", [Decimal("3")])], title="Revenue", money=True)
    assert re.findall(r'fill="#6c757d">([\d.,]+)</text>', small)[:2] == ["0.00", "0.75"]


def test_an_integration_keeps_its_colour_on_every_chart(seller_client, shop):
    page = seller_client.get("/analytics/", {"start": "2026-11-20", "end": "2026-11-26"}).content.decode()

    def legend_colour(chart_title: str, label: str) -> str:
        chart = page.split(f'aria-label="{chart_title}"')[1].split("</svg>")[0]
        return re.search(rf'fill="(#[0-9a-f]+)"/><text [^>]*>{re.escape(label)}</text>', chart).group(1)

    for label in ("DE (removed 23 Nov 2026)", "DE", "All integrations"):
        assert legend_colour("Orders per day", label) == legend_colour("Revenue per day (EUR)", label)


def test_an_order_imported_again_by_the_recreated_integration_counts_once_in_the_totals(shop):
    uk, old_de, new_de = shop
    updated = at(25)
    for integration, kind, seen in ((old_de, NON_AVASAM, at(22)), (new_de, AVASAM, updated)):
        OrderFactory(
            integration=integration,
            amazon_order_id="302-1111111-2222222",
            purchased_at=at(22),
            amazon_updated_at=seen,
            total=Decimal("8.00"),
            currency="EUR",
            kind=kind,
            status="SHIPPED",
        )

    analytics = analytics_for(integrations=[uk, old_de, new_de], start=START, end=END)

    by_id = {series.integration_id: series for series in analytics.series}
    assert by_id[old_de.pk].orders[2] == 1 and by_id[new_de.pk].orders[2] == 1  # each series keeps its copy
    assert analytics.orders == [2, 1, 2, 0, 1, 0, 1]
    assert analytics.orders_total == 7
    assert analytics.revenue_total == {"EUR": Decimal("35.00"), "GBP": Decimal("22.75")}
    # The copy Amazon updated last decides the kind (the re-created integration's, with today's mappings).
    assert analytics.kinds == {"avasam": 4, "non_avasam": 2, "mixed": 1}


def test_one_integrations_charts_name_it_in_their_legends(seller_client, shop):
    uk, _, _ = shop
    page = seller_client.get(f"/settings/channels/{uk.pk}/analytics/", {"start": "2026-11-20", "end": "2026-11-26"})

    for title in ("Orders per day", "Revenue per day (GBP)"):
        chart = page.content.decode().split(f'aria-label="{title}"')[1].split("</svg>")[0]
        assert '<text x="74" y="276" font-size="12">UK</text>' in chart
