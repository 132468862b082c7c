"""A self-assessment round's results in a browser: axe-core finds no WCAG 2.1 AA violation at
1280 and 390 px, the page fits 320 px, the radar is an image with a name and its table is there,
and the disagreement between units is written out in words."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect
from sqlmodel import select

from app import db
from app.maturity.model import load_model
from app.models import Organisation, User
from app.models.maturity import MaturityUnit
from tests.e2e.conftest import PageProblems, demo_server, pages_on
from tests.e2e.helpers import EMPLOYEE, PROCURER, assert_fits_and_accessible
from tests.maturity.conftest import Levels, run_round

pytestmark = pytest.mark.browser


def _seed(folder: Path) -> int:
    """A closed round of the procurer's municipality in the demo copy: the procurer answers high
    and the employee, from politics, low on anchoring. Returns the round's id."""
    db.use_database(f"sqlite:///{folder / 'pivotal.db'}")
    try:
        with db.new_session() as session:
            procurer = session.exec(select(User).where(User.email == PROCURER)).one()
            employee = session.exec(select(User).where(User.email == EMPLOYEE)).one()
            municipality = session.get(Organisation, procurer.organisation_id)
            assert municipality is not None
            keys = [i.key for i in load_model(1).indicators()]
            high: Levels = {key: 4 for key in keys}
            low: Levels = {key: (1 if key == "strategy_anchoring" else 3) for key in keys}
            low["roles"] = None  # "don't know"
            round_ = run_round(
                session,
                opener=procurer,
                organisation=municipality,
                answers=[
                    (procurer, MaturityUnit.procurement, high),
                    (employee, MaturityUnit.politics, low),
                ],
                title="Modenhet 2026",
            )
            return round_.id or 0
    finally:
        db.reset_engine()


@pytest.fixture(scope="module")
def seeded(
    demo_folder: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, int]]:
    """A demo server of this module's own, with a closed round in its database."""
    folder = tmp_path_factory.mktemp("maturity") / "demo"
    shutil.copytree(demo_folder, folder)
    round_id = _seed(folder)
    with demo_server(demo=folder) as url:
        yield url, round_id


def test_the_results_page_is_accessible_and_the_chart_has_its_table(
    browser: Browser, seeded: tuple[str, int], problems: PageProblems
) -> None:
    url, round_id = seeded
    with pages_on(browser, url, problems) as new_page:
        page = new_page(PROCURER)
        page.goto(f"/maturity/rounds/{round_id}/results")
        expect(page.locator("h1")).to_contain_text("Modenhet 2026")
        radar = page.locator("svg.maturity-radar")
        expect(radar).to_have_attribute("role", "img")
        expect(page.locator("#radar-title")).to_be_attached()
        table = page.locator("table:has(#dimension-table-caption)")
        expect(table.locator("tbody tr")).to_have_count(len(list(load_model(1).dimensions())))
        expect(table.locator("th[scope=row]").first).to_be_visible()
        expect(page.locator(".maturity-findings")).to_contain_text("Enhetene er uenige")
        expect(page.locator("table:has(#trend-table-caption)")).to_be_attached()
        assert_fits_and_accessible(page)
