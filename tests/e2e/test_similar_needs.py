"""Similar needs in a real browser: typing a need close to a demo need shows it under the form
(on a 390 px phone), announced in a live region, and supporting it from there works; axe-clean."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.helpers import EMPLOYEE, assert_accessible

pytestmark = pytest.mark.browser

HOME_CARE = "/projects/1"  # demo: in the needs phase
DEMO_NEED = "Måle blodtrykk hjemme og dele målingene"  # not supported by the employee


def test_a_similar_need_appears_while_typing_and_can_be_supported_instead(
    new_page: Callable[..., Page],
) -> None:
    page = new_page(EMPLOYEE)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(HOME_CARE)
    page.locator("#need-title").press_sequentially("Blodtrykket måles hjemme av brukerne selv")
    region = page.locator("#similar-needs")
    expect(region).to_have_attribute("aria-live", "polite")
    expect(region.locator("a", has_text=DEMO_NEED)).to_be_visible(timeout=5_000)
    expect(region.locator(".similar-count")).to_contain_text("lignende behov")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert_accessible(page)
    page.set_viewport_size({"width": 320, "height": 800})
    assert page.evaluate("document.documentElement.scrollWidth") <= 320

    item = region.locator("li", has_text=DEMO_NEED)
    item.get_by_role("button", name="Støtt dette i stedet").click()
    expect(region).to_contain_text("Du støtter nå dette behovet.")
    assert_accessible(page)
