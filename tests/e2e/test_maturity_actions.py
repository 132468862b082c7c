"""Development actions in a browser: the actions page of a round of Trondheim kommune passes
axe-core (at 1280 and 390 px, and fits 320 px), and the procurer turns a suggested measure into
an action with the keyboard alone."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import PageProblems, demo_server, pages_on
from tests.e2e.helpers import PROCURER, assert_accessible, assert_fits_and_accessible

pytestmark = pytest.mark.browser

# Opens a round for Trondheim kommune in the demo's database, through the service, and prints
# its id (the demo itself has no round).
OPEN_ROUND = """
from datetime import timedelta
from sqlmodel import select
from app import db
from app.models import Organisation, User
from app.models.base import utcnow
from app.models.maturity import RoundOpen
from app.services import permissions
from app.services.maturity import rounds

with db.new_session() as session:
    org = session.exec(select(Organisation).where(Organisation.name == "Trondheim kommune")).one()
    user = session.exec(select(User).where(User.email == "innkjoper@trondheim.example")).one()
    rel = permissions.organisation_relation(session, user, org)
    data = RoundOpen(title="Modenhet 2026", deadline=utcnow() + timedelta(days=14))
    round_ = rounds.open_round(session, rel=rel, data=data)
    session.commit()
    print(round_.id)
"""


@pytest.fixture(scope="module")
def site(demo_folder: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, int]]:
    """A demo server of the module's own whose database holds an open round of Trondheim."""
    folder = tmp_path_factory.mktemp("maturity-actions") / "demo"
    shutil.copytree(demo_folder, folder)
    env = {
        **os.environ,
        "PIVOTAL_ENVIRONMENT": "development",
        "PIVOTAL_DATABASE_URL": f"sqlite:///{folder / 'pivotal.db'}",
        "PIVOTAL_SECRET_KEY": (folder / "secret_key").read_text(),
    }
    done = subprocess.run(
        [sys.executable, "-c", OPEN_ROUND], env=env, capture_output=True, text=True, check=True
    )
    round_id = int(done.stdout.strip().splitlines()[-1])
    with demo_server(demo=folder) as url:
        yield url, round_id


@pytest.fixture
def pages(
    browser: Browser, site: tuple[str, int], problems: PageProblems
) -> Iterator[Callable[..., Page]]:
    with pages_on(browser, site[0], problems) as make:
        yield make


def test_the_actions_page_passes_axe_and_an_action_is_added_with_the_keyboard(
    pages: Callable[..., Page], site: tuple[str, int]
) -> None:
    round_id = site[1]
    page = pages(PROCURER)
    page.goto(
        f"/maturity/rounds/{round_id}/actions"
        "?dimension=need_and_dialogue&indicator=market_dialogue&measure=1"
    )
    expect(page.locator("h1")).to_have_text("Utviklingstiltak")
    expect(page.locator("#add-action-title")).to_have_value(
        "Planlegg en åpen dialogkonferanse i neste større anskaffelse."
    )
    assert_fits_and_accessible(page)

    page.set_viewport_size({"width": 1280, "height": 900})
    page.locator("#add-action-topic").focus()  # the form's first field, as Tab reaches it
    page.keyboard.press("Tab")
    expect(page.locator("#add-action-title")).to_be_focused()
    page.keyboard.press("Tab")
    page.keyboard.type("Med leverandørutviklingsprogrammet.")
    page.keyboard.press("Tab")
    expect(page.locator("#add-action-owner")).to_be_focused()
    page.keyboard.press("ArrowDown")  # the first member of the municipality
    page.keyboard.press("Tab")
    expect(page.locator("#add-action-due")).to_be_focused()
    # The order of a date field's parts follows the machine's locale, not the page's: the date
    # is put in as a whole, the rest is keys.
    page.locator("#add-action-due").fill("2030-12-31")
    submit = page.locator("#add-action-form button[type=submit]")
    for _part in range(5):  # Tab walks through the date field's parts before it leaves
        if submit.evaluate("button => button === document.activeElement"):
            break
        page.keyboard.press("Tab")
    expect(submit).to_be_focused()
    page.keyboard.press("Enter")

    card = page.locator(".card-list .card").first
    expect(card.locator("h3")).to_have_text(
        "Planlegg en åpen dialogkonferanse i neste større anskaffelse."
    )
    expect(card).to_contain_text("Dialog med markedet")
    expect(card).to_contain_text("31. des. 2030")
    expect(card).to_contain_text("Planlagt")
    assert_accessible(page)

    # The status changes with the keyboard too.
    card.locator("select[name=status]").focus()
    page.keyboard.press("ArrowDown")  # in progress
    page.keyboard.press("Tab")
    page.keyboard.type("Invitasjonen er sendt.")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    card = page.locator(".card-list .card").first
    expect(card).to_contain_text("Pågår")
    expect(card).to_contain_text("Invitasjonen er sendt.")
