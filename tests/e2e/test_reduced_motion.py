"""Reduced motion: a person whose system asks for less motion gets none.

With `prefers-reduced-motion: reduce`, no element runs a CSS animation or transition longer than
0 s, on the pages people use most and while htmx swaps content in (its `.htmx-swapping`,
`.htmx-settling` and `.htmx-added` classes), and nothing scrolls smoothly.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import LOCALE, PageProblems, log_in
from tests.e2e.helpers import CITIZEN, PROCURER, SUPPLIER, wait_for_live_state

pytestmark = pytest.mark.browser

PAGES = [
    (None, "/"),
    (None, "/login"),
    (None, "/register"),
    (CITIZEN, "/projects/1"),
    (CITIZEN, "/needs/1"),
    (SUPPLIER, "/projects/3/questions"),
    (SUPPLIER, "/events/2"),
    (PROCURER, "/projects/3"),
]

# Every element (and its ::before and ::after) whose computed animation or transition lasts,
# and every animation the document is running.
MOTION_JS = """() => {
  const seconds = value => Math.max(...value.split(",").map(v =>
    v.trim().endsWith("ms") ? parseFloat(v) / 1000 : parseFloat(v) || 0));
  const found = [];
  for (const el of document.querySelectorAll("*")) {
    for (const pseudo of [null, "::before", "::after"]) {
      const style = getComputedStyle(el, pseudo);
      const name = `${el.tagName.toLowerCase()}${el.id ? "#" + el.id : ""}${pseudo || ""}`;
      if (style.animationName !== "none" && seconds(style.animationDuration) > 0) {
        found.push(`${name}: animation ${style.animationName} ${style.animationDuration}`);
      }
      if (seconds(style.transitionDuration) > 0) {
        found.push(`${name}: transition ${style.transitionProperty} ${style.transitionDuration}`);
      }
      if (pseudo === null && style.scrollBehavior === "smooth") {
        found.push(`${name}: smooth scrolling`);
      }
    }
  }
  for (const a of document.getAnimations()) {
    if (a.playState === "running") {
      found.push(`running: ${a.animationName || a.transitionProperty || a.id}`);
    }
  }
  return found;
}"""


@pytest.fixture
def still(
    browser: Browser, server_url: str, problems: PageProblems
) -> Iterator[dict[str | None, Page]]:
    """One page per person, in a context that asks for reduced motion."""
    pages: dict[str | None, Page] = {}
    contexts = []
    for who in {who for who, _ in PAGES}:
        context = problems.watch(
            browser.new_context(base_url=server_url, locale=LOCALE, reduced_motion="reduce")
        )
        contexts.append(context)
        page = context.new_page()
        pages[who] = log_in(page, who) if who else page
    yield pages
    for context in contexts:
        context.close()


def test_no_motion_on_the_main_pages_when_reduced_motion_is_asked_for(
    still: dict[str | None, Page],
) -> None:
    for who, path in PAGES:
        page = still[who]
        page.goto(path)
        wait_for_live_state(page)
        assert page.evaluate("matchMedia('(prefers-reduced-motion: reduce)').matches")
        moving = page.evaluate(MOTION_JS)
        assert not moving, f"motion on {path} ({who or 'visitor'}):\n" + "\n".join(moving)


def test_motion_a_later_rule_adds_is_switched_off_too(still: dict[str | None, Page]) -> None:
    page = still[None]
    page.goto("/")
    durations = page.evaluate(
        """() => {
          const el = document.querySelector("main h1, main h2, main p");
          el.style.transition = "opacity 1s ease-in";
          el.style.animation = "spin 2s infinite";
          const style = getComputedStyle(el);
          return [style.transitionDuration, style.animationDuration];
        }"""
    )
    assert durations == ["0s", "0s"]


def test_htmx_swaps_do_not_move_when_reduced_motion_is_asked_for(
    still: dict[str | None, Page],
) -> None:
    page = still[CITIZEN]
    page.goto("/needs/1")
    # htmx's classes during a swap, on an element each: they must not animate.
    moving = page.evaluate(
        """() => ["htmx-swapping", "htmx-settling", "htmx-added", "htmx-request"].flatMap(cls => {
          const el = document.querySelector("main p");
          el.classList.add(cls);
          const style = getComputedStyle(el);
          const found = [style.transitionDuration, style.animationDuration]
            .filter(v => v.split(",").some(d => parseFloat(d) > 0)).map(v => `${cls}: ${v}`);
          el.classList.remove(cls);
          return found;
        })"""
    )
    assert not moving, moving
    # A real swap: the comment form is replaced, and nothing moves meanwhile or after.
    comment = f"Stille og rolig {secrets.token_hex(3)}."
    page.fill("#comment-form-body", comment)
    page.click("#comment-form button[type=submit]")
    expect(page.locator("#comments")).to_contain_text(comment)
    assert not page.evaluate(MOTION_JS)
