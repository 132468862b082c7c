"""The dashboards in a real browser: reached from the menus, the research questions stated in
full, weeks as "uke N", each figure's data downloadable as CSV; axe-clean at 1280 and 390 px."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.helpers import PROCURER, assert_fits_and_accessible, wait_for_live_state

pytestmark = pytest.mark.browser

ADMIN = "admin@pivotal.example"


def test_an_admin_reaches_the_platform_dashboard_from_the_menu_and_downloads_a_figure(
    new_page: Callable[..., Page],
) -> None:
    page = new_page(ADMIN)
    page.locator(".site-menu summary").click()  # the header's menu holds the admin's pages
    page.click("nav a[href='/platform/metrics']")
    expect(page.locator("h1")).to_have_text("Deltakelse på hele plattformen")
    expect(page.locator("#research-question-2")).to_contain_text(
        "Hvordan kan anskaffelsesprosesser"
    )
    expect(page.locator("#week-chart-desc")).to_contain_text("uke ")
    assert "-W" not in page.locator("main").inner_text()
    link = page.locator("#participation_by_week a[download]")
    expect(link).to_have_text("Last ned data (CSV)")
    with page.expect_download() as download:
        link.click()
    text = Path(download.value.path()).read_text(encoding="utf-8-sig")
    header, *rows = list(csv.reader(io.StringIO(text)))
    assert header == ["Uke", "Deltakere", "Bidrag"]
    assert rows and all(row[0].startswith("uke ") for row in rows)
    assert_fits_and_accessible(page)


def test_a_procurer_reaches_the_organisation_s_dashboard_from_the_organisation_page(
    new_page: Callable[..., Page],
) -> None:
    page = new_page(PROCURER)
    page.goto("/organisations/1/people")
    page.click("main a[href='/organisations/1/metrics']")
    wait_for_live_state(page)
    expect(page.locator("main table th[scope=col]", has_text="Organisasjons-id")).to_have_count(0)
    expect(page.locator("main td[data-label]").first).to_be_attached()
    assert_fits_and_accessible(page)
