"""What the browser tests share: the demo's accounts, the axe-core check, live-view helpers."""

from __future__ import annotations

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": WCAG_21_AA}, "resultTypes": ["violations"]}
EMPLOYEE = "ansatt@trondheim.example"
PROCURER = "innkjoper@trondheim.example"
CITIZEN = "innbygger@example.org"
SUPPLIER = "leverandor@helsetek.example"
RESEARCHER = "forsker@ntnu.example"

axe = Axe()


def axe_violations(page: Page) -> list[dict]:
    """Run axe-core's WCAG 2.1 A/AA rules on the page as it is now."""
    return axe.run(page, options=AXE_OPTIONS).response["violations"]


def describe(violations: list[dict]) -> str:
    """One paragraph per violated rule, with every offending element and what is wrong with it."""
    lines = []
    for v in violations:
        lines.append(f"\n{v['id']} ({v['impact']}): {v['help']}\n  {v['helpUrl']}")
        for node in v["nodes"]:
            summary = node.get("failureSummary", "").replace("\n", "\n      ")
            lines.append(f"  - {', '.join(map(str, node['target']))}\n      {summary}")
    return "\n".join(lines)


def assert_accessible(page: Page) -> None:
    """Fail with every WCAG 2.1 A/AA violation axe-core finds on the page."""
    violations = axe_violations(page)
    assert not violations, f"axe found WCAG 2.1 A/AA violations on {page.url}:" + describe(
        violations
    )


def assert_fits_and_accessible(page: Page, widths: tuple[int, ...] = (1280, 390)) -> None:
    """axe-clean and without sideways scrolling at each width, and still fitting at 320 px."""
    for width in widths:
        page.set_viewport_size({"width": width, "height": 900})
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        assert_accessible(page)
    page.set_viewport_size({"width": 320, "height": 800})
    assert page.evaluate("document.documentElement.scrollWidth") <= 320


def wait_for_live_state(page: Page) -> None:
    """Pages with live views are checked after the socket has delivered its first fragments."""
    if page.locator("#notification-socket").count():  # a logged-in header: its count arrived
        expect(page.locator("#notification-count[data-live]")).to_be_attached(timeout=10_000)
    if not page.locator("main [ws-connect]").count():
        return
    if page.locator("#metrics-body").count():  # a dashboard: the socket sends the figures again
        expect(page.locator("#metrics-body[data-live]")).to_be_attached(timeout=10_000)
    else:
        expect(page.locator("#live-viewers")).not_to_be_empty(timeout=10_000)


LIVE_TIMEOUT = 10_000  # ms: a push normally arrives within a fraction of a second


def mark_document(page: Page) -> None:
    """Tag the loaded document; the tag survives htmx swaps but not a reload or navigation."""
    page.evaluate("window.pivotalTestMark = 'not reloaded'")


def assert_not_reloaded(page: Page) -> None:
    """Fail if the page was reloaded since `open_live` (a live view must update in place)."""
    assert page.evaluate("window.pivotalTestMark") == "not reloaded", "the page was reloaded"


def open_live(page: Page, path: str) -> None:
    """Open `path` and tag the document so `assert_not_reloaded` can tell."""
    page.goto(path)
    mark_document(page)


def bearer(page: Page, email: str) -> dict[str, str]:
    """The Authorization header of an API token for a demo person (their password is the demo's)."""
    from tests.e2e.conftest import DEMO_PASSWORD

    token = page.request.post(
        "/api/v1/auth/token", form={"username": email, "password": DEMO_PASSWORD}
    ).json()["access_token"]
    return {"Authorization": f"Bearer {token}"}


def assert_no_sideways_scroll(page: Page, width: int) -> None:
    """The page fits its viewport's width (the viewport set to `width` beforehand)."""
    page.set_viewport_size({"width": width, "height": 700})
    found = page.evaluate("document.documentElement.scrollWidth")
    assert found <= width, f"{page.url} is {found} px wide at {width} px"
