"""Bad input and refusals: a clear message and a 4xx in the caller's format, never a 500."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.conftest import CSRF_RE, World, login
from tests.helpers import EN, HTMX_NEED_FORM, NEED, Api

HUGE_ID = 10**20  # beyond any database integer
HTMX = {**HTMX_NEED_FORM, **EN}


# ---- the API answers in JSON ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"title": ""}, "Title must be at least 3 characters."),
        ({"problem": "x" * 100_000}, "What must get better can be at most 20000 characters."),
        ({"title": None}, "Title is not valid."),
    ],
)
def test_api_refuses_bad_need_input_with_a_json_problem(
    api: Api, world: World, fields: dict[str, object], message: str
) -> None:
    response = api.post(
        f"/projects/{world.public.id}/needs", world.citizen, json={**NEED, **fields}
    )
    assert response.status_code == 422
    assert response.json() == {"detail": message, "code": "invalid"}


def test_api_lists_every_invalid_field(api: Api, world: World) -> None:
    response = api.post(f"/projects/{world.public.id}/needs", world.citizen, json={})
    assert response.status_code == 422
    assert response.json()["detail"] == [
        "Title is required.",
        "What must get better is required.",
    ]


@pytest.mark.parametrize(
    ("who", "url", "status", "code"),
    [
        ("citizen", "/projects/4242/needs", 404, "not_found"),
        ("supplier", "/projects/{public}/needs", 403, "forbidden"),
        (None, "/projects/{public}/needs", 401, "not_authenticated"),
    ],
)
def test_api_refusals_say_why_in_json(
    api: Api, world: World, who: str | None, url: str, status: int, code: str
) -> None:
    user = getattr(world, who) if who else None
    response = api.post(url.format(public=world.public.id), user, json=NEED)
    assert response.status_code == status
    body = response.json()
    assert set(body) == {"detail", "code"}
    assert body["code"] == code
    assert isinstance(body["detail"], str) and body["detail"]


def test_api_unknown_path_and_wrong_method_answer_in_json(api: Api, world: World) -> None:
    missing = api.get("/no-such-thing")
    assert missing.status_code == 404
    assert missing.json()["code"] == "http_error"
    wrong = api.delete(f"/projects/{world.public.id}", world.admin)
    assert wrong.status_code == 405
    assert wrong.json()["code"] == "http_error"


def test_api_body_that_is_not_json_is_a_422(api: Api, world: World) -> None:
    response = api.post(
        f"/projects/{world.public.id}/needs",
        world.citizen,
        content=b"{not json",
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 422
    assert response.json()["code"] == "invalid"


# ---- htmx gets a fragment aimed at the form's error box ------------------------------------------


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"title": ""}, "Title must be at least 3 characters."),
        ({"problem": "x" * 100_000}, "What must get better can be at most 20000 characters."),
        ({"title": "   ", "problem": "          "}, "Title and problem cannot be blank."),
    ],
)
def test_htmx_form_gets_an_error_fragment_retargeted_to_its_error_box(
    client: TestClient, api: Api, world: World, fields: dict[str, str], message: str
) -> None:
    login(client, world.citizen)
    response = client.post(
        f"/projects/{world.public.id}/needs", data={**NEED, **fields}, headers=HTMX
    )
    assert response.status_code == 422
    assert response.headers["HX-Retarget"] == "#need-form-errors"
    assert response.headers["HX-Reswap"] == "innerHTML"
    assert "<html" not in response.text
    assert message in response.text
    assert api.needs(world.procurer, world.public.id) == []


@pytest.mark.parametrize(
    ("who", "project", "status"),
    [("citizen", "unknown", 404), ("supplier", "public", 403), ("citizen", "internal", 404)],
)
def test_htmx_refusals_come_as_fragments_too(
    client: TestClient, world: World, who: str, project: str, status: int
) -> None:
    login(client, getattr(world, who))
    project_id = {"unknown": 4242, "public": world.public.id, "internal": world.internal.id}
    response = client.post(f"/projects/{project_id[project]}/needs", data=NEED, headers=HTMX)
    assert response.status_code == status
    assert response.headers["HX-Retarget"] == "#need-form-errors"
    assert 'class="error-box"' in response.text
    assert "<html" not in response.text


def test_htmx_request_of_an_anonymous_visitor_is_told_to_log_in(
    client: TestClient, world: World
) -> None:
    page = client.get(f"/projects/{world.public.id}")
    token = CSRF_RE.search(page.text).group(1)  # type: ignore[union-attr]
    response = client.post(
        f"/projects/{world.public.id}/needs",
        data=NEED,
        headers={**HTMX, "X-CSRF-Token": token},
    )
    assert response.status_code == 401
    assert "You need to log in to do this." in response.text
    assert response.headers["HX-Retarget"] == "#need-form-errors"


def test_htmx_request_without_a_trigger_goes_to_the_page_error_box(
    client: TestClient, world: World
) -> None:
    login(client, world.supplier)
    response = client.post(
        f"/projects/{world.public.id}/needs", data=NEED, headers={"HX-Request": "true"}
    )
    assert response.status_code == 403
    assert response.headers["HX-Retarget"] == "#page-errors"


# ---- plain pages get an error page -----------------------------------------------------------


def test_plain_form_refusal_is_an_error_page_with_the_message(
    client: TestClient, world: World
) -> None:
    login(client, world.supplier)
    response = client.post(f"/projects/{world.public.id}/needs", data=NEED, headers=EN)
    assert response.status_code == 403
    assert "<html" in response.text
    assert "Your role cannot post needs in this project." in response.text


def test_logged_in_visitor_gets_an_error_page_not_a_crash(client: TestClient, world: World) -> None:
    # The error page is rendered after the request's rollback; it still shows who is logged in.
    login(client, world.employee)
    response = client.get("/needs/4242", headers=EN)
    assert response.status_code == 404
    assert "No such need." in response.text
    assert "Emil Employee" in response.text


def test_anonymous_visitor_is_offered_the_login_on_a_401_page(
    client: TestClient, world: World
) -> None:
    response = client.get("/projects/new", headers=EN)
    assert response.status_code == 401
    assert 'href="/login?next=' in response.text


# ---- odd input never crashes ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "url", "json"),
    [
        ("get", f"/api/v1/projects/{HUGE_ID}", None),
        ("get", f"/api/v1/needs/{HUGE_ID}", None),
        ("get", f"/api/v1/needs/{HUGE_ID}/comments", None),
        ("get", f"/api/v1/projects/{{public}}/participation-events?after_id={HUGE_ID}", None),
        ("get", "/api/v1/projects/not-a-number", None),
        ("post", "/api/v1/needs/{need}/comments", {"body": "Hei", "parent_id": HUGE_ID}),
        ("post", "/api/v1/needs/{need}/comments", {"body": "Hei", "parent_id": "²"}),
        ("put", "/api/v1/needs/{need}/status", {"status": "gone"}),
        (
            "put",
            "/api/v1/needs/{need}/status",
            {"status": "merged", "reason": "Samme", "merged_into_id": HUGE_ID},
        ),
        (
            "post",
            "/api/v1/projects",
            {
                "title": "Nytt prosjekt",
                "summary": "s",
                "service_area": "ab",
                "innovation_ambition": "a",
                "partner_org_ids": [HUGE_ID],
            },
        ),
        ("post", "/api/v1/projects", {"title": "Nytt prosjekt", "visibility": "secret"}),
    ],
)
def test_odd_api_input_is_a_4xx_never_a_500(
    api: Api, world: World, method: str, url: str, json: object
) -> None:
    need = api.post_need(world.employee, world.public.id)
    url = url.format(public=world.public.id, need=need["id"])
    body = {} if json is None else {"json": json}
    response = api.request(method, url.removeprefix("/api/v1"), world.procurer, **body)
    assert 400 <= response.status_code < 500, response.text
    assert set(response.json()) == {"detail", "code"}


@pytest.mark.parametrize(
    ("url", "data"),
    [
        ("/needs/{need}/comments", {"body": "Hei", "parent_id": "²"}),
        ("/needs/{need}/comments", {"body": "Hei", "parent_id": str(HUGE_ID)}),
        ("/needs/{need}/comments", {"body": "Hei", "parent_id": "-1"}),
        ("/needs/{need}/status", {"status": "merged", "reason": "x", "merged_into_id": "²"}),
        ("/needs/{need}/status", {"status": "nonsense"}),
        ("/needs/{need}/status", {}),
        (f"/needs/{HUGE_ID}/support", {}),
        (f"/projects/{HUGE_ID}/needs", NEED),
        ("/projects", {"title": "x"}),
        ("/projects", {"title": "Nytt", "summary": "s", "service_area": "ab", "visibility": "?"}),
        (f"/comments/{HUGE_ID}/hide", {"reason": "x"}),
        ("/comments/4242/hide", {"reason": "x"}),
    ],
)
def test_odd_form_input_is_a_4xx_never_a_500(
    client: TestClient, api: Api, world: World, url: str, data: dict[str, str]
) -> None:
    need = api.post_need(world.employee, world.public.id)
    login(client, world.procurer)
    response = client.post(url.format(need=need["id"]), data=data, headers=HTMX)
    assert 400 <= response.status_code < 500, response.text
    assert 'class="error-box"' in response.text


@pytest.mark.parametrize(
    "data",
    [
        {"role": "employee", "organisation_id": "²"},
        {"role": "employee", "organisation_id": str(HUGE_ID)},
        {"role": "king"},
        {"email": "not-an-address"},
        {"email": "x" * 300 + "@example.org"},
        {"display_name": ""},
    ],
)
def test_odd_registration_input_is_a_4xx_never_a_500(
    client: TestClient, world: World, data: dict[str, str]
) -> None:
    page = client.get("/register")
    token = CSRF_RE.search(page.text).group(1)  # type: ignore[union-attr]
    form = {
        "email": "ny@example.org",
        "display_name": "Ny",
        "password": "et langt passord",
        "csrf_token": token,
        **data,
    }
    response = client.post("/register", data=form, headers={"HX-Request": "true"})
    assert 400 <= response.status_code < 500, response.text


def test_overlong_login_is_a_4xx(client: TestClient, world: World) -> None:
    page = client.get("/login")
    token = CSRF_RE.search(page.text).group(1)  # type: ignore[union-attr]
    response = client.post(
        "/login", data={"email": "a" * 1000, "password": "p" * 1000, "csrf_token": token}
    )
    assert response.status_code == 422
