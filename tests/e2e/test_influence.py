"""The influence report in a browser: the procurer's full report and a citizen's restricted one,
axe-core at 1280 and 390 px, and no sideways scrolling at 320 px.

The trace links are inserted into a copy of the demo (as the ledger's table holds them) before
its server starts: two final requirements of the demo's market-dialogue project (its
specification marked final), one derived from a verified need, one resting on a proposal alone
through a confidential link.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlmodel import Session, create_engine, select

from app.models import Need, Project, Proposal, Requirement, TraceLink, User
from app.models.base import NeedStatus, Phase, id_of
from app.models.requirement import RequirementKind, RequirementStatus
from app.models.trace import TraceRelation, TraceSource
from tests.e2e.conftest import PageProblems, demo_server, pages_on
from tests.e2e.helpers import CITIZEN, PROCURER, assert_accessible

pytestmark = pytest.mark.browser

SIZES = ({"width": 1280, "height": 900}, {"width": 390, "height": 844})
NARROW = {"width": 320, "height": 700}


def _seed(database: Path) -> int:
    """Two final requirements with trace links in the demo's market-dialogue project."""
    engine = create_engine(f"sqlite:///{database}")
    with Session(engine) as session:
        project = session.exec(
            select(Project).where(Project.phase == Phase.market_dialogue)
        ).first()
        assert project is not None, "the demo has a project in the market dialogue"
        procurer = session.exec(select(User).where(User.email == PROCURER)).one()
        need = session.exec(
            select(Need).where(Need.project_id == project.id, Need.status == NeedStatus.verified)
        ).first()
        proposal = session.exec(select(Proposal).where(Proposal.project_id == project.id)).first()
        backed, single = (
            Requirement(
                project_id=id_of(project),
                kind=RequirementKind.functional,
                title=title,
                text="Løsningen skal varsle pårørende.",
                status=RequirementStatus.final,
                created_by_id=id_of(procurer),
            )
            for title in ("Varsling av pårørende", "Sensor i taket")
        )
        project.specification_final = True  # so that everyone reads its requirements
        session.add_all([backed, single, project])
        session.flush()
        sources = [(backed, TraceSource.need, need)]
        if proposal is not None:
            sources.append((single, TraceSource.proposal, proposal))
        for requirement, kind, source in sources:
            assert source is not None
            session.add(
                TraceLink(
                    project_id=id_of(project),
                    requirement_id=id_of(requirement),
                    source_type=kind,
                    source_id=id_of(source),
                    relation=TraceRelation.derived_from,
                    rationale="Fra dialogen.",
                    confidential=kind == TraceSource.proposal,
                    created_by_id=id_of(procurer),
                )
            )
        session.commit()
        return id_of(project)
    engine.dispose()


@pytest.fixture(scope="module")
def influence_site(
    demo_folder: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, int]]:
    """A server over a copy of the demo with the trace links in it, and the project's id."""
    copy = tmp_path_factory.mktemp("influence") / "demo"
    shutil.copytree(demo_folder, copy)
    project = _seed(copy / "pivotal.db")
    with demo_server(demo=copy) as url:
        yield url, project


def _open(page: Page, project: int) -> None:
    page.goto(f"/projects/{project}/influence")
    expect(page.get_by_role("heading", level=1)).to_have_text("Påvirkningsrapport")


def no_sideways_scroll(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= NARROW["width"], f"the page is {width} px wide at {NARROW['width']} px"


@pytest.mark.parametrize("who", [PROCURER, CITIZEN, None])
def test_the_influence_report_is_accessible_at_every_width(
    browser: Browser,
    influence_site: tuple[str, int],
    problems: PageProblems,
    who: str | None,
) -> None:
    url, project = influence_site
    with pages_on(browser, url, problems) as new_page:
        page = new_page(who)
        for size in SIZES:
            page.set_viewport_size(size)
            _open(page, project)
            assert_accessible(page)
        page.set_viewport_size(NARROW)
        _open(page, project)
        no_sideways_scroll(page)
        risk = page.locator("#influence-risk").locator("..")
        if who == PROCURER:
            # The procurer sees the proposal behind the single-supplier requirement.
            expect(risk).to_contain_text("Sensor i taket")
        else:
            # The link to the proposal is confidential: not counted, not flagged, not named.
            expect(risk).not_to_contain_text("Sensor i taket")
            expect(page.get_by_text("Varsling av pårørende").first).to_be_visible()
