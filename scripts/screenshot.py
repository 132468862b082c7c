"""Take the README's screenshots: the main pages of each role, on a wide screen and a phone.

    .venv/bin/python scripts/screenshot.py [--out docs/screenshots] [--base-url URL] [--only NAME …]

Without --base-url it runs the same throwaway demo server and Chromium as the browser tests
(tests/e2e/conftest.py); with it, it photographs a demo already running there (the tests do).
Files are named `<role>-<page>-<width>.png` (`procurer-project-1280.png`); with Pillow (which
fpdf2 brings) each is reduced to a 256-colour palette and optimised, so the set stays small.
`make screenshots` writes them into docs/screenshots/.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from playwright.sync_api import Page, expect, sync_playwright  # noqa: E402

from tests.e2e.conftest import (  # noqa: E402
    LOCALE,
    chromium_missing_reason,
    demo_server,
    launch_chromium,
    log_in,
)

WIDTHS = {1280: 900, 390: 844}  # width: height of the viewport photographed


@dataclass(frozen=True)
class Shot:
    """One page as one person sees it."""

    role: str  # the file name's first word
    email: str | None  # the demo account logged in (None: a visitor)
    path: str
    name: str  # the file name's second word


# The main pages per role, in one place (the demo's accounts; their password is the demo's).
SHOTS = [
    Shot("visitor", None, "/", "projects"),
    Shot("citizen", "innbygger@example.org", "/projects/1", "project"),
    Shot("citizen", "innbygger@example.org", "/needs/1", "need"),
    Shot("employee", "ansatt@trondheim.example", "/projects/1", "project"),
    Shot("procurer", "innkjoper@trondheim.example", "/projects/3", "project"),
    Shot("procurer", "innkjoper@trondheim.example", "/projects/3/questions", "questions"),
    Shot("procurer", "innkjoper@trondheim.example", "/projects/3/metrics", "metrics"),
    Shot("supplier", "leverandor@helsetek.example", "/projects/3/questions", "questions"),
    Shot("supplier", "leverandor@helsetek.example", "/events/2", "meetings"),
    Shot("researcher", "forsker@ntnu.example", "/research/studies", "studies"),
    Shot("admin", "admin@pivotal.example", "/admin/organisations", "organisations"),
]


def file_name(shot: Shot, width: int) -> str:
    """`procurer-project-1280.png`."""
    return f"{shot.role}-{shot.name}-{width}.png"


def wait_until_settled(page: Page) -> None:
    """Live views connected (the 'viewing now' line filled in), fonts and images loaded."""
    if page.locator("#live-viewers").count():
        expect(page.locator("#live-viewers")).not_to_be_empty(timeout=10_000)
    page.evaluate("document.fonts.ready")


def compress(path: Path) -> None:
    """A 256-colour palette and PNG optimisation, where Pillow is installed."""
    try:
        from PIL import Image
    except ImportError:
        return
    with Image.open(path) as image:
        small = image.convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT)
    small.save(path, optimize=True)


def take(base_url: str, out: Path, shots: list[Shot]) -> list[Path]:
    """Photograph `shots` at every width from the demo at `base_url` into `out`."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        pages: dict[str | None, Page] = {}
        for shot in shots:
            if shot.email not in pages:
                context = browser.new_context(
                    base_url=base_url, locale=LOCALE, reduced_motion="reduce"
                )
                page = context.new_page()
                pages[shot.email] = log_in(page, shot.email) if shot.email else page
            page = pages[shot.email]
            for width, height in WIDTHS.items():
                page.set_viewport_size({"width": width, "height": height})
                response = page.goto(shot.path)
                if response is None or not response.ok:
                    status = response.status if response else "no answer"
                    raise SystemExit(f"{shot.path} as {shot.role}: {status}")
                wait_until_settled(page)
                target = out / file_name(shot, width)
                page.screenshot(path=str(target))
                compress(target)
                written.append(target)
        browser.close()
    return written


@contextlib.contextmanager
def site(base_url: str | None) -> Iterator[str]:
    """The demo at `base_url`, or a throwaway one of our own."""
    if base_url:
        yield base_url.rstrip("/")
    else:
        with demo_server() as url:
            yield url


def main(argv: list[str] | None = None) -> int:
    """Write the screenshots; returns the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument("--base-url", help="a running demo server (default: start one)")
    parser.add_argument(
        "--only", nargs="*", help="only these, as role-name (procurer-project)", default=None
    )
    args = parser.parse_args(argv)
    shots = [s for s in SHOTS if not args.only or f"{s.role}-{s.name}" in args.only]
    if not shots:
        print(f"nothing matches {args.only}", file=sys.stderr)
        return 2
    reason = chromium_missing_reason()
    if reason:
        print(reason, file=sys.stderr)
        return 1
    with site(args.base_url) as url:
        written = take(url, args.out, shots)
    total = sum(path.stat().st_size for path in written)
    for path in written:
        shown = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
        print(f"wrote {shown} ({path.stat().st_size // 1024} KiB)")
    print(f"{len(written)} screenshots, {total / 1_000_000:.1f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
