"""Safety of the web surface: CSRF on every unsafe request, a strict CSP, no third parties."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.models import User
from tests.conftest import CSRF_RE, World, bearer, login
from tests.helpers import EN, NEED, Api


def _without_csrf_header(client: TestClient) -> TestClient:
    del client.headers["X-CSRF-Token"]
    return client


# ---- CSRF ---------------------------------------------------------------------------------------


def test_page_form_post_without_csrf_token_is_refused_and_writes_nothing(
    client: TestClient, api: Api, world: World
) -> None:
    _without_csrf_header(login(client, world.citizen))
    response = client.post(f"/projects/{world.public.id}/needs", data=NEED, headers=EN)
    assert response.status_code == 403
    assert "did not come from this site" in response.text
    assert api.needs(world.procurer, world.public.id) == []
    assert api.events(world.procurer, world.public.id) == []


def test_page_form_post_with_a_wrong_csrf_token_is_refused(
    client: TestClient, api: Api, world: World
) -> None:
    login(client, world.citizen)
    client.headers["X-CSRF-Token"] = "guessed"
    response = client.post(f"/projects/{world.public.id}/needs", data=NEED)
    assert response.status_code == 403
    assert api.needs(world.procurer, world.public.id) == []


def test_plain_form_with_the_hidden_csrf_field_works_without_javascript(
    client: TestClient, api: Api, world: World
) -> None:
    _without_csrf_header(login(client, world.citizen))
    page = client.get(f"/projects/{world.public.id}")
    token = CSRF_RE.search(page.text).group(1)  # type: ignore[union-attr]
    response = client.post(
        f"/projects/{world.public.id}/needs",
        data={**NEED, "csrf_token": token},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert len(api.needs(world.procurer, world.public.id)) == 1


def test_support_withdraw_comment_and_decision_forms_need_the_token(
    client: TestClient, api: Api, world: World
) -> None:
    need = api.post_need(world.employee, world.public.id)
    _without_csrf_header(login(client, world.procurer))
    for url, data in [
        (f"/needs/{need['id']}/support", {}),
        (f"/needs/{need['id']}/comments", {"body": "Hei"}),
        (f"/needs/{need['id']}/status", {"status": "verified"}),
        ("/projects", {"title": "Nytt", "summary": "s", "service_area": "ab"}),
        ("/logout", {}),
    ]:
        assert client.post(url, data=data).status_code == 403, url
    seen = api.get(f"/needs/{need['id']}").json()
    assert (seen["support_count"], seen["comment_count"], seen["status"]) == (0, 0, "submitted")
    assert client.get("/api/v1/auth/me").status_code == 200  # logout was refused too


def test_registration_without_csrf_token_creates_no_account(
    client: TestClient, world: World, session: Session
) -> None:
    response = client.post(
        "/register",
        data={"email": "ny@example.org", "display_name": "Ny", "password": "langt passord"},
    )
    assert response.status_code == 403
    assert session.exec(select(User).where(User.email == "ny@example.org")).first() is None


def test_api_call_riding_on_the_session_cookie_needs_the_csrf_header(
    client: TestClient, api: Api, world: World
) -> None:
    login(client, world.citizen)
    token = client.headers["X-CSRF-Token"]
    del client.headers["X-CSRF-Token"]
    url = f"/api/v1/projects/{world.public.id}/needs"
    refused = client.post(url, json=NEED, headers=EN)
    assert refused.status_code == 403
    assert refused.json()["code"] == "forbidden"
    assert api.needs(world.procurer, world.public.id) == []
    accepted = client.post(url, json=NEED, headers={"X-CSRF-Token": token})
    assert accepted.status_code == 201


def test_api_call_with_a_bearer_token_needs_no_csrf_header(
    client: TestClient, world: World
) -> None:
    headers = bearer(client, world.citizen)
    response = client.post(f"/api/v1/projects/{world.public.id}/needs", json=NEED, headers=headers)
    assert response.status_code == 201


def test_bearer_token_wins_over_a_session_cookie(client: TestClient, world: World) -> None:
    login(client, world.procurer)
    del client.headers["X-CSRF-Token"]
    headers = bearer(client, world.citizen)
    response = client.post(f"/api/v1/projects/{world.public.id}/needs", json=NEED, headers=headers)
    assert response.status_code == 201
    assert response.json()["author_id"] == world.citizen.id


def test_safe_requests_need_no_token(client: TestClient, world: World) -> None:
    _without_csrf_header(login(client, world.citizen))
    assert client.get(f"/api/v1/projects/{world.public.id}").status_code == 200
    assert client.get(f"/projects/{world.public.id}").status_code == 200


# ---- headers and third parties -------------------------------------------------------------------


def _pages(client: TestClient, api: Api, world: World) -> list[str]:
    need = api.post_need(world.employee, world.public.id)
    return [
        "/",
        "/login",
        "/register",
        f"/projects/{world.public.id}",
        f"/needs/{need['id']}",
        "/projects/new",
        "/no-such-page",
        f"/projects/{world.internal.id}",  # a 404 for this visitor
    ]


def test_every_page_has_a_strict_content_security_policy(
    client: TestClient, api: Api, world: World
) -> None:
    login(client, world.procurer)
    for path in _pages(client, api, world):
        response = client.get(path)
        csp = response.headers["content-security-policy"]
        directives = dict(
            (part.split()[0], part.split()[1:]) for part in csp.split(";") if part.strip()
        )
        assert directives["script-src"] == ["'self'"], path
        assert "'unsafe-inline'" not in csp, path
        assert "'unsafe-eval'" not in csp, path
        assert directives["frame-ancestors"] == ["'none'"], path
        assert response.headers["x-content-type-options"] == "nosniff"


def test_api_responses_carry_the_security_headers_too(api: Api, world: World) -> None:
    response = api.get("/projects")
    assert "content-security-policy" in response.headers
    assert response.headers["x-frame-options"] == "DENY"


class _Assets(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.inline_scripts = 0
        self.inline_styles = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "script":
            if found.get("src"):
                self.urls.append(found["src"] or "")
            else:
                self.inline_scripts += 1
        if tag in ("link", "img", "iframe", "source", "audio", "video"):
            self.urls.extend(v or "" for k, v in attrs if k in ("href", "src", "srcset"))
        if tag == "style" or "style" in found:
            self.inline_styles += 1
        if any(name.startswith("on") for name in found):
            self.inline_scripts += 1


def test_no_page_loads_anything_from_a_third_party(
    client: TestClient, api: Api, world: World
) -> None:
    login(client, world.procurer)
    for path in _pages(client, api, world):
        assets = _Assets()
        assets.feed(client.get(path).text)
        assert assets.urls, path
        for url in assets.urls:
            same_site = url.startswith("/") and not url.startswith("//")
            assert same_site or url.startswith("data:"), (path, url)
        assert assets.inline_scripts == 0, path  # the CSP would block them anyway
        assert assets.inline_styles == 0, path


def test_vendored_htmx_is_served_from_static(client: TestClient) -> None:
    assets = _Assets()
    assets.feed(client.get("/login").text)
    scripts = [url for url in assets.urls if url.endswith(".js")]
    assert any("htmx" in url for url in scripts)
    for url in scripts:
        assert url.startswith("/static/")
        response = client.get(url)
        assert response.status_code == 200
        assert "javascript" in response.headers["content-type"]
        assert len(response.content) > 1000


def test_openapi_lists_the_api_and_no_html_routes(client: TestClient) -> None:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    paths = set(response.json()["paths"])
    assert {
        "/api/v1/auth/token",
        "/api/v1/auth/me",
        "/api/v1/projects",
        "/api/v1/projects/{project_id}",
        "/api/v1/projects/{project_id}/needs",
        "/api/v1/needs/{need_id}",
        "/api/v1/needs/{need_id}/status",
        "/api/v1/needs/{need_id}/supports",
        "/api/v1/needs/{need_id}/comments",
        "/api/v1/projects/{project_id}/participation-events",
    } <= paths
    assert all(path.startswith("/api/v1/") for path in paths), sorted(paths)


@pytest.mark.parametrize("path", ["/docs", "/redoc"])
def test_no_swagger_or_redoc_pages_that_load_from_a_cdn(client: TestClient, path: str) -> None:
    assert client.get(path).status_code == 404
