"""Irreversible actions in a browser, at 1280 and 390 px: each is a danger button that opens a
native <dialog>; Cancel and Escape change nothing and give the focus back; confirming acts.
Without JavaScript the same actions go through a confirmation page or a box to tick."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import LOCALE, log_in
from tests.e2e.helpers import PROCURER, SUPPLIER, assert_accessible, bearer, wait_for_live_state

pytestmark = pytest.mark.browser

WIDTHS = (1280, 390)
RATIONALE = "Behovene er godt nok beskrevet til å gå videre."
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@dataclass
class Scene:
    """A project of the test's own in its market dialogue: a supplier's proposal, its question
    and a conference."""

    project: int
    proposal: int
    question: int
    event: int


def ok(response: Any) -> dict[str, Any]:
    assert response.ok, response.text()
    return response.json()


def market_scene(page: Page) -> Scene:
    """Built through the API, so the demo's own projects stay as the other tests expect them."""
    procurer, supplier = bearer(page, PROCURER), bearer(page, SUPPLIER)
    api = page.request
    project = ok(
        api.post(
            "/api/v1/projects",
            headers=procurer,
            data={
                "title": f"Trygg natt {secrets.token_hex(3)}",
                "summary": "Nattilsyn som ikke vekker beboerne.",
                "service_area": "Helse og omsorg",
                "innovation_ambition": "Fra faste runder til tilsyn etter behov.",
                "visibility": "public",
                "partner_org_ids": [],
            },
        )
    )["id"]
    need = ok(
        api.post(
            f"/api/v1/projects/{project}/needs",
            headers=procurer,
            data={"title": "Rolig natt", "problem": "Beboerne våkner av tilsynsrundene."},
        )
    )["id"]
    ok(
        api.post(
            f"/api/v1/projects/{project}/phase",
            headers=procurer,
            data={"to_phase": "market_dialogue", "rationale": RATIONALE},
        )
    )
    ok(api.post(f"/api/v1/projects/{project}/suppliers", headers=supplier))
    proposal = ok(
        api.post(
            f"/api/v1/projects/{project}/proposals",
            headers=supplier,
            data={
                "need_ids": [need],
                "title": "Radar i taket",
                "summary": "Radar varsler nattevakten når en beboer står opp.",
                "body": "Sensorpakken bruker radar og koster lite per leilighet.",
            },
        )
    )["id"]
    question = ok(
        api.post(
            f"/api/v1/projects/{project}/questions",
            headers=supplier,
            data={"body": "Hvor mange beboere gjelder anskaffelsen?"},
        )
    )["id"]
    event = ok(
        api.post(
            f"/api/v1/projects/{project}/events",
            headers=procurer,
            data={
                "kind": "conference",
                "title": "Dialogkonferanse",
                "description": "Vi presenterer behovene.",
                "location": "Rådhuset",
                "starts_at": "2027-03-01T09:00:00+01:00",
                "ends_at": "2027-03-01T12:00:00+01:00",
                "capacity": 20,
            },
        )
    )["id"]
    return Scene(project, proposal, question, event)


def check_dialog(page: Page, opener: str, dialog: str) -> None:
    """The dialog opens from `opener`; Escape and Cancel close it and give the focus back."""
    page.locator(opener).click()
    expect(page.locator(dialog)).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.locator(dialog)).to_be_hidden()
    expect(page.locator(opener)).to_be_focused()
    page.locator(opener).click()
    expect(page.locator(dialog)).to_be_visible()
    page.locator(f"{dialog} [data-dialog-close]").click()
    expect(page.locator(dialog)).to_be_hidden()
    expect(page.locator(opener)).to_be_focused()
    page.locator(opener).click()
    expect(page.locator(dialog)).to_be_visible()


@pytest.mark.parametrize("width", WIDTHS)
def test_withdrawing_a_proposal_asks_in_a_dialog(new_page: Callable[..., Page], width: int) -> None:
    supplier = new_page(SUPPLIER)
    supplier.set_viewport_size({"width": width, "height": 900})
    scene = market_scene(supplier)
    supplier.goto(f"/proposals/{scene.proposal}")
    opener = "a[data-confirm-dialog='withdraw-proposal']"
    expect(supplier.locator(opener)).to_have_class("button danger")
    check_dialog(supplier, opener, "#withdraw-proposal")
    assert_accessible(supplier)
    supplier.locator("#withdraw-proposal-confirm").check()
    supplier.locator("#withdraw-proposal button.danger").click()
    expect(supplier.locator("#withdraw-proposal-form")).to_have_count(0)
    expect(supplier.locator("main")).to_contain_text("Trukket")


@pytest.mark.parametrize("width", WIDTHS)
def test_publishing_an_answer_asks_in_a_dialog(new_page: Callable[..., Page], width: int) -> None:
    procurer = new_page(PROCURER)
    procurer.set_viewport_size({"width": width, "height": 900})
    scene = market_scene(procurer)
    procurer.goto(f"/projects/{scene.project}/questions")
    wait_for_live_state(procurer)  # the socket's first resync redraws the queue
    item = f"#question-{scene.question}"
    procurer.fill(f"#answer-{scene.question}-question", "Hvor mange beboere gjelder det?")
    procurer.fill(f"#answer-{scene.question}-answer", "Omtrent 40 beboere.")
    expect(procurer.locator(f"#answer-{scene.question}-confirm")).to_be_hidden()  # the dialog asks
    opener = f"{item} button[data-confirm-submit]"
    expect(procurer.locator(opener)).to_have_class("danger")
    check_dialog(procurer, opener, f"#answer-{scene.question}-ask")
    assert_accessible(procurer)
    procurer.locator(f"#answer-{scene.question}-ask [data-dialog-confirm]").click()
    expect(procurer.locator(f"#qa-{scene.question}")).to_contain_text("Omtrent 40 beboere.")


@pytest.mark.parametrize("width", WIDTHS)
def test_withdrawing_a_question_asks_in_a_dialog(new_page: Callable[..., Page], width: int) -> None:
    supplier = new_page(SUPPLIER)
    supplier.set_viewport_size({"width": width, "height": 900})
    scene = market_scene(supplier)
    supplier.goto(f"/projects/{scene.project}/questions")
    wait_for_live_state(supplier)
    opener = f"#withdraw-question-{scene.question} button[data-confirm-submit]"
    expect(supplier.locator(opener)).to_have_class("danger")
    check_dialog(supplier, opener, f"#withdraw-question-{scene.question}-ask")
    supplier.locator(f"#withdraw-question-{scene.question}-ask [data-dialog-confirm]").click()
    expect(supplier.locator(f"#my-question-{scene.question}")).to_have_count(0)


def test_withdrawing_a_document_asks_in_a_dialog(new_page: Callable[..., Page]) -> None:
    procurer = new_page(PROCURER)
    scene = market_scene(procurer)
    document = ok(
        procurer.request.post(
            f"/api/v1/projects/{scene.project}/documents",
            headers=bearer(procurer, PROCURER),
            multipart={
                "file": {"name": "referat.pdf", "mimeType": "application/pdf", "buffer": PDF},
                "title": "Referat fra møtet",
                "kind": "minutes",
                "audience": "public",
            },
        )
    )["id"]
    procurer.goto(f"/projects/{scene.project}/documents")
    wait_for_live_state(procurer)
    opener = f"#withdraw-document-{document} button[data-confirm-submit]"
    check_dialog(procurer, opener, f"#withdraw-document-{document}-ask")
    procurer.locator(f"#withdraw-document-{document}-ask [data-dialog-confirm]").click()
    expect(procurer.locator(f"#withdraw-document-{document}")).to_have_count(0)
    expect(procurer.locator("#documents-list")).to_contain_text("Trukket tilbake")


@pytest.mark.parametrize("width", WIDTHS)
def test_a_gate_decision_asks_in_a_dialog(new_page: Callable[..., Page], width: int) -> None:
    procurer = new_page(PROCURER)
    procurer.set_viewport_size({"width": width, "height": 900})
    scene = market_scene(procurer)
    procurer.goto(f"/projects/{scene.project}")
    wait_for_live_state(procurer)
    procurer.select_option("#phase-to", "aborted")
    procurer.fill("#phase-rationale", "Markedet kan ikke levere innen budsjettet.")
    check_dialog(procurer, "#phase-form button[data-confirm-submit]", "#phase-ask")
    expect(procurer.locator("#project-phase-badge")).to_have_text("Fase: Markedsdialog")
    procurer.locator("#phase-ask [data-dialog-confirm]").click()
    expect(procurer.locator("#project-phase-badge")).to_have_text("Fase: Avbrutt")


@pytest.mark.parametrize("width", WIDTHS)
def test_publishing_minutes_asks_only_when_they_are_published(
    new_page: Callable[..., Page], width: int
) -> None:
    procurer = new_page(PROCURER)
    procurer.set_viewport_size({"width": width, "height": 900})
    scene = market_scene(procurer)
    procurer.goto(f"/events/{scene.event}")
    procurer.fill("#minutes-text", "# Referat\nVi lærte mye om nattilsyn.")
    with procurer.expect_navigation():  # a draft: saved without a question, the page reloads
        procurer.locator("#minutes-form button[type=submit]").click()
    expect(procurer.locator("#minutes-ask")).to_be_hidden()
    expect(procurer.locator("#minutes-text")).to_have_value("# Referat\nVi lærte mye om nattilsyn.")
    procurer.locator("#minutes-publish").check()
    check_dialog(procurer, "#minutes-form button[data-confirm-submit]", "#minutes-ask")
    procurer.locator("#minutes-ask [data-dialog-confirm]").click()
    expect(procurer.locator("#minutes-form")).to_have_count(0)
    expect(procurer.locator(".minutes")).to_contain_text("Vi lærte mye om nattilsyn.")


@pytest.fixture
def no_script(browser: Browser, server_url: str) -> Callable[[str], Page]:
    """A page of a context without JavaScript, logged in as `email`."""
    contexts = []

    def make(email: str) -> Page:
        context = browser.new_context(base_url=server_url, locale=LOCALE, java_script_enabled=False)
        contexts.append(context)
        return log_in(context.new_page(), email)

    yield make  # type: ignore[misc]
    for context in contexts:
        context.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_without_javascript_withdrawal_goes_through_its_confirmation_page(
    new_page: Callable[..., Page], no_script: Callable[[str], Page], width: int
) -> None:
    scene = market_scene(new_page(SUPPLIER))
    supplier = no_script(SUPPLIER)
    supplier.set_viewport_size({"width": width, "height": 900})
    supplier.goto(f"/proposals/{scene.proposal}")
    supplier.locator("a[data-confirm-dialog='withdraw-proposal']").click()
    expect(supplier).to_have_url(
        f"{supplier.url.split('/proposals')[0]}/proposals/{scene.proposal}/withdraw"
    )
    expect(supplier.locator("h1")).to_have_text("Trekke tilbake forslaget «Radar i taket»?")
    expect(supplier.locator("main")).to_contain_text("Dette kan ikke angres.")
    supplier.locator("#withdraw-proposal-confirm").check()
    supplier.locator("#withdraw-proposal-form button.danger").click()
    expect(supplier).to_have_url(
        f"{supplier.url.split('/proposals')[0]}/proposals/{scene.proposal}"
    )
    expect(supplier.locator("main")).to_contain_text("Trukket")


def test_without_javascript_an_answer_is_published_once_the_box_is_ticked(
    new_page: Callable[..., Page], no_script: Callable[[str], Page]
) -> None:
    scene = market_scene(new_page(PROCURER))
    procurer = no_script(PROCURER)
    procurer.goto(f"/projects/{scene.project}/questions")
    procurer.fill(f"#answer-{scene.question}-question", "Hvor mange beboere gjelder det?")
    procurer.fill(f"#answer-{scene.question}-answer", "Omtrent 40 beboere.")
    procurer.locator(f"#answer-{scene.question}-confirm").check()
    procurer.locator(f"#question-{scene.question} button[data-confirm-submit]").click()
    expect(procurer.locator(f"#qa-{scene.question}")).to_contain_text("Omtrent 40 beboere.")
