"""Browser tests: the real server (uvicorn subprocess, migrated demo database) and real Chromium.

Under pytest-xdist every worker runs its own server (on a free port, over its own copy of the
demo, which the first worker builds) and its own Chromium.

`demo_server`, `launch_chromium` and `log_in` are plain functions so `scripts/screenshot.py` can
drive the same server and browser without pytest.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import shutil
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Page,
    Playwright,
    Request,
    Response,
    WebSocket,
    expect,
    sync_playwright,
)

from tests.conftest import Mailbox, smtp_on_loopback
from tests.once import built_once, run_dir
from tests.servers import run_cli, serve

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # English as the browser's own language, whatever the machine's: the pages must still
    # come, and be pushed, in the language each context asks for.
    "--lang=en-US",
]
DEMO_PASSWORD = "pivotal-demo"
SERVER_HOST = "127.0.0.1"
LOCALE = "nb-NO"  # the browser asks for bokmål, as most visitors' browsers do


def build_demo(folder: Path) -> None:
    """`pivotal migrate` and `pivotal demo` into `folder`: the database, its uploads, and the
    secret key it was built with (every server over a copy of it uses the same)."""
    folder.mkdir()
    secret = secrets.token_urlsafe(36)  # 48 characters
    (folder / "secret_key").write_text(secret)
    env = _demo_env(folder)
    run_cli("migrate", env=env)
    run_cli("demo", env=env)


def _demo_env(folder: Path, extra_env: dict[str, str] | None = None) -> dict[str, str]:
    env = {
        **os.environ,
        "PIVOTAL_ENVIRONMENT": "development",
        "PIVOTAL_DATABASE_URL": f"sqlite:///{folder / 'pivotal.db'}",
        "PIVOTAL_UPLOAD_DIR": str(folder / "uploads"),
        "PIVOTAL_SECRET_KEY": (folder / "secret_key").read_text(),
        **(extra_env or {}),
    }
    env.pop("PIVOTAL_BASE_URL", None)  # serve() sets it to the server's own address
    return env


@contextlib.contextmanager
def demo_server(
    *,
    demo: Path | None = None,
    startup_timeout: float = 30.0,
    extra_env: dict[str, str] | None = None,
) -> Iterator[str]:
    """Run `pivotal serve` on a free port over a fresh copy of the demo; yield its URL.

    `demo` is a folder `build_demo` filled (the tests build it once per run and copy it for
    each server); without it the demo is built for this server alone. `extra_env` adds
    settings, e.g. PIVOTAL_SMTP_URL for a test's own mail server.
    """
    with tempfile.TemporaryDirectory(prefix="pivotal-e2e-") as tmp:
        site = Path(tmp) / "demo"
        if demo is None:
            build_demo(site)
        else:
            shutil.copytree(demo, site)
        env = _demo_env(site, extra_env)
        with serve(env, Path(tmp) / "server.log", startup_timeout=startup_timeout) as server:
            yield server.url


def chromium_missing_reason() -> str | None:
    """Why browser tests cannot run here, or None."""
    if CHROMIUM.exists():
        return None
    return f"Chromium not installed at {CHROMIUM}: apt-get install chromium"


def launch_chromium(playwright: Playwright) -> Browser:
    """Debian's Chromium, headless, with nothing phoning home."""
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)


def log_in(page: Page, email: str) -> Page:
    """Log `page` (in a fresh context with a base URL) in as `email` through the login form."""
    page.goto("/login")
    page.fill("#login-email", email)
    page.fill("#login-password", DEMO_PASSWORD)
    page.click("#login-form button[type=submit]")
    page.wait_for_url(lambda url: urlsplit(url).path != "/login")
    expect(page.locator("form[action='/logout']")).to_be_attached()  # in the header's menu
    return page


def drop_length_checks(page: Page, form_id: str) -> None:
    """Act as a browser that does not check lengths itself: the server's messages must show."""
    page.evaluate(
        f"document.querySelectorAll('#{form_id} [minlength]')"
        ".forEach(field => field.removeAttribute('minlength'))"
    )


def fill_project_form(page: Page, service_area: str, *, title: str = "Smartere snørydding") -> None:
    """Fill in the new-project form on `page` the browser's length checks off."""
    page.goto("/projects/new")
    drop_length_checks(page, "project-form")
    page.fill("#p-title", title)
    page.fill("#p-summary", "Brøyting når og der det trengs.")
    page.fill("#p-area", service_area)
    page.fill("#p-ambition", "Fra faste ruter til brøyting styrt av målinger.")


@dataclass
class PageProblems:
    """Console errors, uncaught exceptions and requests to other hosts, from every page."""

    errors: list[str] = field(default_factory=list)
    foreign_requests: list[str] = field(default_factory=list)
    expected: list[re.Pattern[str]] = field(default_factory=list)

    def expect_error(self, pattern: str) -> None:
        """Tolerate errors matching `pattern` (say, the 401 of a deliberately wrong password)."""
        self.expected.append(re.compile(pattern))

    def watch(self, context: BrowserContext) -> BrowserContext:
        context.on("console", self._console)
        context.on("weberror", lambda error: self.errors.append(f"uncaught: {error.error}"))
        context.on("request", self._request)
        context.on("response", self._response)
        context.on("page", lambda page: page.on("websocket", self._websocket))
        return context

    def _console(self, message: ConsoleMessage) -> None:
        if message.type in ("error", "assert"):
            self.errors.append(
                f"console.{message.type} on {message.page and message.page.url}: {message.text}"
            )

    def _request(self, request: Request) -> None:
        self._check_host(request.url)

    def _response(self, response: Response) -> None:
        # Chromium's console line for a failed load omits the URL; this names it.
        if response.status >= 400:
            self.errors.append(f"HTTP {response.status} {response.request.method} {response.url}")

    def _websocket(self, ws: WebSocket) -> None:
        self._check_host(ws.url)

    def _check_host(self, url: str) -> None:
        parts = urlsplit(url)
        if parts.scheme in ("data", "blob", "about"):
            return
        if parts.hostname != SERVER_HOST:
            self.foreign_requests.append(url)

    def assert_none(self) -> None:
        errors = [e for e in self.errors if not any(p.search(e) for p in self.expected)]
        assert not errors, "browser reported errors:\n" + "\n".join(errors)
        assert not self.foreign_requests, "requests left 127.0.0.1:\n" + "\n".join(
            self.foreign_requests
        )


@pytest.fixture(scope="session")
def demo_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo, built once per run by the first worker that needs it; servers run on copies."""
    return built_once(run_dir(tmp_path_factory) / "demo", build_demo)


@pytest.fixture(scope="session")
def server_url(demo_folder: Path) -> Iterator[str]:
    """This worker's running demo server, for its whole browser test session."""
    with demo_server(demo=demo_folder) as url:
        yield url


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Headless Chromium; skipped when missing, except under CI=true, where it must be there."""
    reason = chromium_missing_reason()
    if reason is not None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{reason} (CI=true: browser tests may not be skipped)", pytrace=False)
        pytest.skip(reason)
    with sync_playwright() as playwright:
        chromium = launch_chromium(playwright)
        yield chromium
        chromium.close()


@pytest.fixture
def problems() -> Iterator[PageProblems]:
    """Collects page problems during the test and fails it if any occurred."""
    found = PageProblems()
    yield found
    found.assert_none()


@contextlib.contextmanager
def pages_on(browser: Browser, url: str, problems: PageProblems) -> Iterator[Callable[..., Page]]:
    """Factory of watched pages on the server at `url`, each in a fresh context, logged in as
    the address given (a visitor without one); the contexts close at the end."""
    contexts: list[BrowserContext] = []

    def make(email: str | None = None) -> Page:
        context = problems.watch(browser.new_context(base_url=url, locale=LOCALE))
        contexts.append(context)
        page = context.new_page()
        return log_in(page, email) if email else page

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def new_page(
    browser: Browser, server_url: str, problems: PageProblems
) -> Iterator[Callable[..., Page]]:
    """Factory: `new_page(email)` opens a watched page in a fresh context, logged in if given."""
    with pages_on(browser, server_url, problems) as make:
        yield make


@pytest.fixture(scope="module")
def mailed(demo_folder: Path) -> Iterator[tuple[str, Mailbox]]:
    """A demo server of the test module's own whose mail goes to an SMTP server on loopback."""
    with (
        smtp_on_loopback() as (smtp_url, mailbox),
        demo_server(
            demo=demo_folder,
            extra_env={"PIVOTAL_SMTP_URL": smtp_url, "PIVOTAL_MAIL_INTERVAL": "0.5"},
        ) as url,
    ):
        yield url, mailbox
