"""Q&A in a real browser: a question asked, answered and published reaches another supplier live,
without a trace of who asked."""

from __future__ import annotations

import secrets
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.helpers import LIVE_TIMEOUT, assert_accessible, assert_not_reloaded, open_live

pytestmark = pytest.mark.browser

PROCURER = "innkjoper@trondheim.example"
SUPPLIER_A = "leverandor@helsetek.example"  # Hanne fra Helsetek, Helsetek AS
SUPPLIER_B = "leverandor@klimalos.example"  # Kari fra Klimaløs, Klimaløs AS
QA_PAGE = "/projects/3/questions"  # demo: the project in the market dialogue


def wait_for_socket(page: Page) -> None:
    expect(page.locator("#live-viewers")).not_to_be_empty(timeout=LIVE_TIMEOUT)


def test_published_answer_reaches_supplier_b_live_without_trace_of_supplier_a(
    new_page: Callable[..., Page],
) -> None:
    tag = secrets.token_hex(3)
    original = f"Helsetek lurer på om vår sensor NattRo {tag} kan monteres i taket?"
    anonymised = f"Kan sensorer monteres i taket i leilighetene ({tag})?"
    answer = f"Ja, takmontering er mulig i alle boligene ({tag})."

    watcher = new_page(SUPPLIER_B)
    procurer = new_page(PROCURER)
    asker = new_page(SUPPLIER_A)
    open_live(watcher, QA_PAGE)
    open_live(procurer, QA_PAGE)
    for page in (watcher, procurer):
        wait_for_socket(page)

    # Supplier A asks through the form; it lands in the company's own list.
    asker.goto(QA_PAGE)
    asker.fill("#question-body", original)
    asker.click("#question-form button[type=submit]")
    expect(asker.locator("#my-questions")).to_contain_text(original, timeout=LIVE_TIMEOUT)

    # The procurer's queue gains the question live, with who asked.
    item = procurer.locator("#question-queue > li", has_text=original)
    expect(item).to_be_visible(timeout=LIVE_TIMEOUT)
    expect(item).to_contain_text("Helsetek AS")
    assert_not_reloaded(procurer)

    # The procurer anonymises, answers and publishes through the form.
    item.locator("textarea[name=public_question]").fill(anonymised)
    item.locator("textarea[name=answer]").fill(answer)
    item.locator("button[type=submit]:not([formaction])").click()
    procurer.locator("dialog[open] [data-dialog-confirm]").click()  # final: asked first

    # Supplier B sees it appear without reloading, and nothing about supplier A.
    entry = watcher.locator("#qa-list > li", has_text=answer)
    expect(entry).to_be_visible(timeout=LIVE_TIMEOUT)
    expect(entry).to_contain_text(anonymised)
    expect(watcher.locator("#qa-list > li").first).to_contain_text(answer)  # newest first
    assert_not_reloaded(watcher)
    html = watcher.content()
    text = watcher.locator("body").inner_text()
    for trace in ("Helsetek", "Hanne", "NattRo", original, "question-queue"):
        assert trace not in html, trace
        assert trace not in text, trace

    assert_accessible(watcher)
    asker.reload()
    expect(asker.locator("#qa-list")).to_contain_text(answer)
    expect(asker.locator("#my-questions")).not_to_contain_text(original)


def test_qa_page_meets_wcag_21_aa_for_the_procurer_and_anonymous(
    new_page: Callable[..., Page],
) -> None:
    for who in (PROCURER, None):
        page = new_page(who)
        page.goto(QA_PAGE)
        wait_for_socket(page)
        assert_accessible(page)
