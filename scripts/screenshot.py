"""Take the README's screenshot: the demo's home-care project, as the Trondheim employee sees it.

    .venv/bin/python scripts/screenshot.py [output.png [path [login]]]

Runs the same throwaway demo server and Chromium as the browser tests (tests/e2e/conftest.py).
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from playwright.sync_api import ViewportSize, expect, sync_playwright  # noqa: E402

from tests.e2e.conftest import (  # noqa: E402
    LOCALE,
    chromium_missing_reason,
    demo_server,
    launch_chromium,
    log_in,
)

EMPLOYEE = "ansatt@trondheim.example"
HOME_CARE = "/projects/1"
VIEWPORT: ViewportSize = {"width": 1280, "height": 900}


def main() -> int:
    """Write the screenshot; returns the exit status."""
    output = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs" / "screenshot-project.png"
    path = sys.argv[2] if len(sys.argv) > 2 else HOME_CARE
    who = sys.argv[3] if len(sys.argv) > 3 else EMPLOYEE
    reason = chromium_missing_reason()
    if reason:
        print(reason, file=sys.stderr)
        return 1
    with demo_server() as url, sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        context = browser.new_context(base_url=url, viewport=VIEWPORT, locale=LOCALE)
        page = log_in(context.new_page(), who)
        page.goto(path)
        # Wait for the live view to connect, so the "viewing now" line is filled in.
        if page.locator("#live-viewers").count():
            expect(page.locator("#live-viewers")).not_to_be_empty(timeout=10_000)
        output.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(output))
        browser.close()
    print(f"wrote {output.relative_to(ROOT) if output.is_relative_to(ROOT) else output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
