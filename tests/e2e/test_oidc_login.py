"""Logging in through real OpenID providers in Chromium: ID-porten and a municipality's Entra ID.

The demo server is a subprocess of its own, configured with two providers on loopback (panva's
`oidc-provider`, see tests/oidc/op.py). A person logs in, is welcomed and names themselves; an
employee's login proves their membership; the provider's key rotates between two logins; a
replayed answer is refused; logging out logs out at the provider too.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import PageProblems, demo_server, log_in, pages_on
from tests.e2e.helpers import EMPLOYEE, PROCURER, assert_fits_and_accessible
from tests.oidc.op import (
    ACR_SUBSTANTIAL,
    RunningProvider,
    client_key_pair,
    new_signing_key,
    run_provider,
)
from tests.servers import HOST, free_port

pytestmark = pytest.mark.browser
SECRET = "entra-browser-secret-0123456789"
HOME_CARE = "/projects/1"  # demo: in the needs phase, open to the municipality's employees
# ID-porten's test people: Anne is nobody's yet when she steps up for an employee's account.
PEOPLE = {
    name: {"label": label, "amr": ["BankID"], "claims": {"pid": pid, "locale": "nb"}}
    for name, label, pid in (
        ("kari", "Kari Nordmann", "01017012345"),
        ("ola", "Ola Nordmann", "02028054321"),
        ("anne", "Anne Ansatt", "03039012345"),
    )
}


def _registered(url: str, name: str, client_id: str, **metadata: Any) -> dict[str, Any]:
    return {
        "client_id": client_id,
        "redirect_uris": [f"{url}/login/oidc/{name}/callback"],
        "post_logout_redirect_uris": [f"{url}/login/oidc/{name}/logged-out"],
        **metadata,
    }


class Site:
    """The demo server and its two providers."""

    def __init__(self, url: str, idporten: RunningProvider, entra: RunningProvider) -> None:
        self.url, self.idporten, self.entra = url, idporten, entra


@pytest.fixture(scope="module")
def site(demo_folder: Any) -> Iterator[Site]:
    """A demo server that trusts an ID-porten-like and an Entra-ID-like provider."""
    ports = {"idporten": free_port(), "entra": free_port()}
    private, public = client_key_pair("pivotal-browser")
    settings = [
        {
            "name": "idporten",
            "label": "ID-porten",
            "issuer": f"http://{HOST}:{ports['idporten']}",
            "client_id": "pivotal",
            "private_key": private,
            "scopes": ["openid", "profile"],
            "acr_values": [ACR_SUBSTANTIAL],
        },
        {
            "name": "entra",
            "label": "Trondheim kommune",
            "issuer": f"http://{HOST}:{ports['entra']}",
            "client_id": "pivotal",
            "client_secret": SECRET,
            "scopes": ["openid", "profile", "email"],
            "proves": "employee",
            "tenants": {"trondheim-tenant": "942110464"},
            "trusts_email": True,
        },
    ]
    env = {"PIVOTAL_OIDC_PROVIDERS": json.dumps(settings)}
    with demo_server(demo=demo_folder, extra_env=env) as url:
        idporten_client = _registered(
            url, "idporten", "pivotal", token_endpoint_auth_method="private_key_jwt", jwks=public
        )
        entra_client = _registered(
            url,
            "entra",
            "pivotal",
            client_secret=SECRET,
            token_endpoint_auth_method="client_secret_post",
        )
        with (
            run_provider(
                "idporten", clients=[idporten_client], port=ports["idporten"], people=PEOPLE
            ) as ip,
            run_provider("entra", clients=[entra_client], port=ports["entra"]) as en,
        ):
            yield Site(url, ip, en)


@pytest.fixture
def visitor(browser: Browser, site: Site, problems: PageProblems) -> Iterator[Callable[[], Page]]:
    """Fresh watched pages (each its own browser context) on the site."""
    with pages_on(browser, site.url, problems) as make:
        yield make


def at_provider(page: Page, button: str, person: str, start: str = "/login") -> None:
    """From Pivotal's login page, choose `button`'s provider and log `person` in there (the
    browser is then on its way back to Pivotal)."""
    page.goto(start)
    page.get_by_role("link", name=button).click()
    page.locator(f"#person-{person}").check()
    page.locator("#login").click()


def test_a_citizen_logs_in_with_id_porten_and_chooses_a_name(
    visitor: Callable[[], Page], site: Site
) -> None:
    page = visitor()
    page.goto("/login")
    expect(page.get_by_role("link", name="Logg inn med ID-porten")).to_be_visible()
    assert_fits_and_accessible(page)
    page.get_by_role("link", name="Logg inn med ID-porten").click()
    page.locator("#person-ola").check()
    page.locator("#login").click()
    page.wait_for_url(f"{site.url}/account/logins?welcome=1")
    expect(page.get_by_role("status")).to_contain_text("Velkommen til Pivotal")
    assert_fits_and_accessible(page)
    page.fill("#name-input", "Ola Innbygger")
    page.get_by_role("button", name="Lagre navnet").click()
    expect(page.get_by_role("status")).to_contain_text("Navnet ditt er lagret")
    expect(page.locator("#name-input")).to_have_value("Ola Innbygger")


def test_an_employee_login_proves_membership_of_trondheim(
    visitor: Callable[[], Page], site: Site
) -> None:
    page = visitor()
    at_provider(page, "Logg inn med Trondheim kommune", "ansatt")
    page.wait_for_url(f"{site.url}/account/logins?welcome=1")
    page.goto("/profile/memberships")
    expect(page.locator("main")).to_contain_text("Trondheim kommune")
    expect(page.locator("main")).to_contain_text("Trondheim kommune – Ansatt")
    expect(page.locator("main")).to_contain_text("Aktiv")


def test_a_rotated_key_and_a_replayed_answer(
    visitor: Callable[[], Page], site: Site, problems: PageProblems
) -> None:
    first = visitor()
    first.goto("/login")
    first.get_by_role("link", name="Logg inn med ID-porten").click()
    first.locator("#person-kari").check()
    with first.expect_request(lambda r: "/login/oidc/idporten/callback" in r.url) as answer:
        first.locator("#login").click()
    first.wait_for_url(f"{site.url}/account/logins?welcome=1")
    callback = answer.value.url

    problems.expect_error(r"/login/oidc/idporten/callback.*422|422.*/login/oidc/idporten/callback")
    first.goto(callback)  # the same answer again: refused, whoever sends it
    expect(first.locator("main")).to_contain_text("Innloggingen kunne ikke fullføres")

    old = site.idporten.keys
    site.idporten.restart(keys=[new_signing_key("rotated-in-browser")])
    try:
        second = visitor()
        at_provider(second, "Logg inn med ID-porten", "kari")
        second.wait_for_url(f"{site.url}/")  # a returning person: no welcome, where they were
    finally:
        site.idporten.restart(keys=old)


def test_logging_out_logs_out_at_the_provider(visitor: Callable[[], Page], site: Site) -> None:
    page = visitor()
    at_provider(page, "Logg inn med ID-porten", "kari", start="/login?next=/profile")
    page.wait_for_url(f"{site.url}/**")
    page.locator(".site-menu summary").click()
    page.locator("form[action='/logout'] button").click()
    page.locator("#logout").click()  # the provider asks, as ID-porten does
    page.wait_for_url(f"{site.url}/?logged_out=1")
    expect(page.locator("form[action='/logout']")).to_have_count(0)


def test_a_project_that_needs_a_high_login_asks_an_employee_to_step_up(
    visitor: Callable[[], Page], site: Site, problems: PageProblems
) -> None:
    procurer = log_in(visitor(), PROCURER)
    procurer.goto(f"{HOME_CARE}/edit")
    procurer.get_by_label("Høy (for eksempel ID-porten med BankID)").check()
    procurer.locator("#project-edit-form button[type=submit]").click()
    procurer.wait_for_url(f"{site.url}{HOME_CARE}")

    employee = log_in(visitor(), EMPLOYEE)  # with a password: a basic login
    employee.goto(HOME_CARE)
    notice = employee.locator("#login-level-notice")
    expect(notice).to_contain_text("Høy")
    expect(employee.locator("#need-title")).to_have_count(0)  # no form to write in in vain
    assert_fits_and_accessible(employee)
    notice.get_by_role("link", name="Logg inn med ID-porten").click()
    expect(employee.locator("#acr")).to_have_value("idporten-loa-high")  # asked for high
    employee.locator("#person-anne").check()
    employee.locator("#login").click()
    employee.wait_for_url(f"{site.url}{HOME_CARE}")  # back where the person was
    expect(notice).to_have_count(0)

    employee.fill("#need-title", "Nattevakt alene")
    employee.fill("#need-problem", "Den som har nattevakt, er alene med tolv beboere.")
    employee.fill("#need-affected", "Beboere og nattevakter")
    employee.locator("#need-form-submit").click()
    expect(employee.get_by_role("heading", name="Nattevakt alene")).to_be_visible()
    employee.goto("/account/logins")
    expect(employee.locator("main")).to_contain_text("ID-porten")  # linked by the step-up
