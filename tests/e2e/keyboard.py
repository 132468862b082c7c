"""Driving pages by keyboard alone, and checking at every step that the focus can be seen.

`tab_to(page, predicate)` presses Tab (or Shift+Tab) until the focused element matches, and
checks each element it passes: visible, inside the viewport, not covered by anything else
(a sticky header, say), with a focus indicator (an outline or a box shadow) drawn. Predicates
such as `by_id("need-title")` or `by_text("Post need")` read like what a person looks for.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass

from playwright.sync_api import Page

MAX_TABS = 200  # more than any page here needs between two controls

# What the focused element is and how it is drawn, as the browser computes it.
_FOCUS_JS = """() => {
  const el = document.activeElement;
  if (!el || el === document.body || el === document.documentElement) {
    return {tag: el ? el.tagName : "", onBody: true};
  }
  const style = getComputedStyle(el);
  const box = el.getBoundingClientRect();
  const inViewport = box.width > 0 && box.height > 0 && box.bottom > 0 && box.right > 0
    && box.top < window.innerHeight && box.left < window.innerWidth;
  // Covered: the middle of each of its boxes (a link wrapping over two lines has two) shows
  // something else, such as a sticky header. One box in sight suffices.
  let covered = "";
  if (inViewport) {
    const labels = el.labels ? Array.from(el.labels) : [];
    const hits = Array.from(el.getClientRects()).filter(r => r.width > 0 && r.height > 0).map(r => {
      const x = Math.min(Math.max(r.left + r.width / 2, 0), window.innerWidth - 1);
      const y = Math.min(Math.max(r.top + r.height / 2, 0), window.innerHeight - 1);
      return document.elementFromPoint(x, y);
    });
    const ok = hits.some(hit => hit && (hit === el || el.contains(hit)
      || labels.some(l => l.contains(hit))));
    if (!ok) { covered = hits[0] ? hits[0].outerHTML.slice(0, 120) : "nothing"; }
  }
  const label = el.labels && el.labels.length ? el.labels[0].innerText
    : (el.getAttribute("aria-label") || "");
  return {
    onBody: false,
    tag: el.tagName.toLowerCase(),
    id: el.id,
    name: el.getAttribute("name") || "",
    form: el.form ? el.form.id : "",
    type: el.getAttribute("type") || "",
    href: el.getAttribute("href") || "",
    text: (el.innerText || "").trim().replace(/\\s+/g, " ").slice(0, 120),
    label: label.trim().replace(/\\s+/g, " "),
    tabindex: el.getAttribute("tabindex"),
    visible: el.checkVisibility({visibilityProperty: true, opacityProperty: true}),
    inViewport: inViewport,
    covered: covered,
    outline: style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0,
    shadow: style.boxShadow !== "none",
    html: el.outerHTML.slice(0, 160),
  };
}"""


@dataclass(frozen=True)
class Focus:
    """The focused element, as `_FOCUS_JS` describes it."""

    info: dict

    @property
    def on_body(self) -> bool:
        return bool(self.info["onBody"])

    def __getattr__(self, name: str) -> str:
        try:
            return self.info[name]
        except KeyError:
            raise AttributeError(name) from None

    def __str__(self) -> str:
        return self.info.get("html") or f"<{self.info.get('tag', '?')}>"


def focus(page: Page) -> Focus:
    """What has the focus now."""
    return Focus(page.evaluate(_FOCUS_JS))


def assert_focus_visible(page: Page, where: str = "") -> Focus:
    """The focused element exists, is not the page itself, and a sighted person sees it."""
    now = focus(page)
    at = f" ({where})" if where else ""
    assert not now.on_body, f"the focus was lost to <{now.info['tag'] or 'body'}>{at} on {page.url}"
    assert now.visible, f"the focused element is hidden{at}: {now}"
    assert now.inViewport, f"the focused element is outside the viewport{at}: {now}"
    assert not now.covered, f"the focused element is covered by {now.covered}{at}: {now}"
    assert now.outline or now.shadow, f"the focused element shows no focus indicator{at}: {now}"
    return now


def settled_focus_visible(page: Page, where: str, timeout: float = 2.0) -> Focus:
    """After a swap or a push: the focus visible again within `timeout` seconds (the page may
    bring it back into view a frame later), else the failure of `assert_focus_visible`."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            return assert_focus_visible(page, where)
        except AssertionError:
            if time.monotonic() > deadline:
                raise
            page.wait_for_timeout(100)


def tab_to(
    page: Page,
    predicate: Callable[[Focus], bool],
    *,
    backwards: bool = False,
    limit: int = MAX_TABS,
) -> Focus:
    """Press Tab (Shift+Tab if `backwards`) until the focused element matches `predicate`,
    checking at every step that the focus is visible; fail after `limit` presses."""
    key = "Shift+Tab" if backwards else "Tab"
    seen: list[str] = []
    for _ in range(limit):
        page.keyboard.press(key)
        now = assert_focus_visible(page, f"after {len(seen) + 1} × {key}")
        if predicate(now):
            return now
        seen.append(str(now)[:80])
    raise AssertionError(
        f"no matching element within {limit} × {key} on {page.url}; passed:\n" + "\n".join(seen)
    )


def by_id(element_id: str) -> Callable[[Focus], bool]:
    """The element with this id."""
    return lambda f: f.id == element_id


def by_text(pattern: str) -> Callable[[Focus], bool]:
    """A link or button whose text (or aria-label) matches `pattern` (a regular expression)."""
    found = re.compile(pattern)
    return lambda f: (
        f.tag in ("a", "button") and bool(found.search(f.text) or found.search(f.label))
    )


def by_label(pattern: str) -> Callable[[Focus], bool]:
    """A form field whose label matches `pattern` (a regular expression)."""
    found = re.compile(pattern)
    return lambda f: bool(found.search(f.label))


def by_href(pattern: str) -> Callable[[Focus], bool]:
    """A link whose address matches `pattern` (a regular expression)."""
    found = re.compile(pattern)
    return lambda f: f.tag == "a" and bool(found.search(f.href))


def in_form(pattern: str) -> Callable[[Focus], bool]:
    """A button of a form whose id matches `pattern` (a regular expression)."""
    found = re.compile(pattern)
    return lambda f: f.tag == "button" and bool(found.fullmatch(f.form))


def tab_to_header_link(page: Page, href: str, *, backwards: bool = False) -> Focus:
    """Tab to the header's link to `href`; where the screen is too narrow for it to show in the
    header's row, through the menu: Tab to its "Meny", Enter opens it, Tab on to the link."""
    if page.locator(f"header a[href='{href}']:visible").count():
        return tab_to(page, by_href(f"^{re.escape(href)}$"), backwards=backwards)
    tab_to(page, lambda f: f.tag == "summary", backwards=backwards)
    press(page, "Enter")
    return tab_to(page, by_href(f"^{re.escape(href)}$"))


def type_into(page: Page, predicate: Callable[[Focus], bool], text: str) -> Focus:
    """Tab to a field and type `text` into it, as a person would."""
    field = tab_to(page, predicate)
    page.keyboard.type(text)
    return field


def press(page: Page, key: str) -> None:
    """Press a key (Enter, Space) on the focused element."""
    page.keyboard.press(key)
