"""The HTML pages and htmx fragments show what the policy allows, and nothing unsafe."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from fastapi.testclient import TestClient

from app.config import get_settings
from tests.conftest import World, login
from tests.helpers import EN, HTMX_NEED_FORM, NEED, Api

HOSTILE_MARKDOWN = (
    '<script>alert("xss")</script>\n\n'
    "[klikk her](javascript:alert(1)) og [igjen](JaVaScRiPt:alert(2)) "
    "og <javascript:alert(3)>\n\n"
    '<img src="x" onerror="alert(4)"> <a href="javascript:alert(5)">lenke</a>\n\n'
    "**viktig** og [kilde](https://www.regjeringen.no/)"
)


class _Links(HTMLParser):
    """Every tag with its attributes, to look at hrefs and scripts the way a browser would."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def _tags(html: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = _Links()
    parser.feed(html)
    return parser.tags


def _assert_harmless(html: str) -> None:
    tags = _tags(html)
    hrefs = [attrs.get("href") or "" for _tag, attrs in tags]
    assert not [h for h in hrefs if h.strip().lower().startswith("javascript:")]
    assert not [t for t, attrs in tags if t == "script" and "src" not in attrs]
    assert not [t for t, attrs in tags if any(name.startswith("on") for name in attrs)]
    assert not [t for t, _attrs in tags if t == "img"]
    assert 'alert("xss")</script>' not in html


# ---- anonymous needs on the pages ----------------------------------------------------------------


@pytest.mark.parametrize("viewer", ["citizen", "other_procurer", None])
def test_anonymous_need_page_does_not_name_the_author(
    client: TestClient, api: Api, world: World, viewer: str | None
) -> None:
    need = api.post_need(world.employee, world.public.id, anonymous=True)
    if viewer:
        login(client, getattr(world, viewer))
    need_page = client.get(f"/needs/{need['id']}", headers=EN)
    project_page = client.get(f"/projects/{world.public.id}", headers=EN)
    for page in (need_page, project_page):
        assert page.status_code == 200
        assert NEED["title"] in page.text
        assert "Emil Employee" not in page.text
        assert "Anonymous" in page.text


def test_procurer_sees_the_author_of_an_anonymous_need_on_the_pages(
    client: TestClient, api: Api, world: World
) -> None:
    need = api.post_need(world.employee, world.public.id, anonymous=True)
    login(client, world.procurer)
    assert "Emil Employee" in client.get(f"/needs/{need['id']}").text
    assert "Emil Employee" in client.get(f"/projects/{world.public.id}").text


# ---- sanitised Markdown --------------------------------------------------------------------


def test_comment_markdown_never_brings_script_or_javascript_links_to_the_page(
    client: TestClient, api: Api, world: World
) -> None:
    need = api.post_need(world.employee, world.public.id)
    api.comment(world.citizen, need["id"], HOSTILE_MARKDOWN)
    page = client.get(f"/needs/{need['id']}")
    _assert_harmless(page.text)
    assert "<strong>viktig</strong>" in page.text
    assert 'href="https://www.regjeringen.no/"' in page.text
    assert 'rel="nofollow noopener ugc"' in page.text


def test_need_problem_markdown_is_sanitised_too(client: TestClient, api: Api, world: World) -> None:
    need = api.post_need(world.citizen, world.public.id, problem=HOSTILE_MARKDOWN)
    page = client.get(f"/needs/{need['id']}")
    _assert_harmless(page.text)
    assert "<strong>viktig</strong>" in page.text


def test_titles_are_escaped(client: TestClient, api: Api, world: World) -> None:
    api.post_need(world.citizen, world.public.id, title="<script>alert(1)</script>")
    page = client.get(f"/projects/{world.public.id}")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
    _assert_harmless(page.text)


# ---- decisions on the need page ---------------------------------------------------------------


def test_author_reads_the_reason_on_the_need_page(
    client: TestClient, api: Api, world: World
) -> None:
    need = api.post_need(world.employee, world.public.id)
    api.set_status(world.procurer, need["id"], status="rejected", reason="Dekkes av dagens avtale.")
    login(client, world.employee)
    page = client.get(f"/needs/{need['id']}", headers=EN)
    assert "Rejected" in page.text
    assert "Dekkes av dagens avtale." in page.text


def test_merged_need_page_links_to_the_need_it_joined(
    client: TestClient, api: Api, world: World
) -> None:
    need = api.post_need(world.employee, world.public.id)
    target = api.post_need(world.employee, world.public.id, title="Samlebehov")
    api.set_status(
        world.procurer, need["id"], status="merged", reason="Samme sak", merged_into_id=target["id"]
    )
    page = client.get(f"/needs/{need['id']}")
    assert f'href="/needs/{target["id"]}"' in page.text
    assert "Samme sak" in page.text


def test_only_the_projects_procurers_get_the_decision_form(
    client: TestClient, other_client: TestClient, api: Api, world: World
) -> None:
    need = api.post_need(world.employee, world.public.id)
    login(client, world.procurer)
    login(other_client, world.other_procurer)
    assert 'id="status-form"' in client.get(f"/needs/{need['id']}").text
    assert 'id="status-form"' not in other_client.get(f"/needs/{need['id']}").text


def test_procurer_decides_through_the_page_form(client: TestClient, api: Api, world: World) -> None:
    need = api.post_need(world.employee, world.public.id)
    login(client, world.partner_procurer)
    response = client.post(
        f"/needs/{need['id']}/status",
        data={"status": "parked", "reason": "Venter på budsjett", "merged_into_id": ""},
        headers={"HX-Request": "true", "HX-Trigger": "status-form"},
    )
    assert response.status_code == 200
    assert f'id="need-{need["id"]}-status"' in response.text
    assert "Venter på budsjett" in response.text
    assert api.get(f"/needs/{need['id']}").json()["status"] == "parked"


def test_other_municipalitys_procurer_cannot_decide_through_the_page(
    client: TestClient, api: Api, world: World
) -> None:
    need = api.post_need(world.employee, world.public.id)
    login(client, world.other_procurer)
    response = client.post(f"/needs/{need['id']}/status", data={"status": "verified"})
    assert response.status_code == 403
    assert api.get(f"/needs/{need['id']}").json()["status"] == "submitted"


# ---- forms and fragments --------------------------------------------------------------------


def test_posting_a_need_with_htmx_returns_a_fresh_form_with_thanks(
    client: TestClient, api: Api, world: World
) -> None:
    login(client, world.citizen)
    response = client.post(
        f"/projects/{world.public.id}/needs", data=NEED, headers={**HTMX_NEED_FORM, **EN}
    )
    assert response.status_code == 200
    assert "<html" not in response.text
    assert 'id="need-form"' in response.text
    assert "Thank you! Your need has been posted." in response.text
    assert [n["title"] for n in api.needs(world.procurer, world.public.id)] == [NEED["title"]]


def test_posting_a_need_without_javascript_redirects_to_the_need(
    client: TestClient, api: Api, world: World
) -> None:
    login(client, world.employee)
    response = client.post(
        f"/projects/{world.public.id}/needs",
        data={**NEED, "anonymous": "true"},
        follow_redirects=False,
    )
    assert response.status_code == 303
    [need] = api.needs(world.procurer, world.public.id)
    assert response.headers["location"] == f"/needs/{need['id']}"
    assert need["anonymous"] is True


def test_project_page_offers_the_need_form_only_to_those_who_may_post(
    client: TestClient, other_client: TestClient, world: World
) -> None:
    login(client, world.citizen)
    login(other_client, world.supplier)
    assert 'id="need-form"' in client.get(f"/projects/{world.public.id}").text
    assert 'id="need-form"' not in other_client.get(f"/projects/{world.public.id}").text


def test_support_and_withdraw_through_htmx(client: TestClient, api: Api, world: World) -> None:
    need = api.post_need(world.employee, world.public.id)
    login(client, world.citizen)
    headers = {"HX-Request": "true", "HX-Trigger": "support-form", **EN}
    supported = client.post(f"/needs/{need['id']}/support", headers=headers)
    assert supported.status_code == 200
    assert "1 support" in supported.text
    assert "withdraw" in supported.text
    again = client.post(f"/needs/{need['id']}/support", headers=headers)
    assert again.status_code == 409
    assert again.headers["HX-Retarget"] == "#support-form-errors"
    withdrawn = client.post(f"/needs/{need['id']}/support/withdraw", headers=headers)
    assert withdrawn.status_code == 200
    assert "0 supports" in withdrawn.text


def test_comment_and_reply_through_the_page_forms(
    client: TestClient, api: Api, world: World
) -> None:
    need = api.post_need(world.employee, world.public.id)
    login(client, world.citizen)
    client.post(f"/needs/{need['id']}/comments", data={"body": "Første tanke"})
    [first] = api.get(f"/needs/{need['id']}/comments").json()
    client.post(
        f"/needs/{need['id']}/comments", data={"body": "Et svar", "parent_id": str(first["id"])}
    )
    thread = api.get(f"/needs/{need['id']}/comments").json()
    assert [(c["body"], c["parent_id"]) for c in thread] == [
        ("Første tanke", None),
        ("Et svar", first["id"]),
    ]
    page = client.get(f"/needs/{need['id']}")
    assert f'id="comment-{first["id"]}-replies"' in page.text


def test_hidden_comment_keeps_its_place_but_loses_its_body_for_participants(
    client: TestClient, other_client: TestClient, api: Api, world: World
) -> None:
    need = api.post_need(world.employee, world.public.id)
    comment = api.comment(world.citizen, need["id"], "Personopplysninger om naboen")
    login(client, world.procurer)
    refused = client.post(f"/comments/{comment['id']}/hide", data={"reason": ""}, headers=EN)
    assert refused.status_code == 422
    hidden = client.post(f"/comments/{comment['id']}/hide", data={"reason": "Personvern"})
    assert hidden.status_code == 200
    page = other_client.get(f"/needs/{need['id']}")
    assert "Personopplysninger om naboen" not in page.text
    assert "Personvern" in page.text
    assert "Personopplysninger om naboen" in client.get(f"/needs/{need['id']}").text
    [seen] = api.get(f"/needs/{need['id']}/comments", world.supplier).json()
    assert seen["hidden"] is True
    assert seen["body"] is None
    # Its author still reads what they wrote (issue 12: in full to the author, with the reason).
    [own] = api.get(f"/needs/{need['id']}/comments", world.citizen).json()
    assert own["body"] == "Personopplysninger om naboen" and own["hidden_reason"] == "Personvern"


def test_only_procurers_hide_comments(client: TestClient, api: Api, world: World) -> None:
    need = api.post_need(world.employee, world.public.id)
    comment = api.comment(world.citizen, need["id"])
    login(client, world.employee)
    response = client.post(f"/comments/{comment['id']}/hide", data={"reason": "Liker den ikke"})
    assert response.status_code == 403
    assert api.get(f"/needs/{need['id']}/comments").json()[0]["hidden"] is False


def test_internal_need_page_is_not_found_by_a_citizen(
    client: TestClient, api: Api, world: World
) -> None:
    need = api.post_need(world.employee, world.internal.id)
    login(client, world.citizen)
    assert client.get(f"/needs/{need['id']}").status_code == 404


def test_shared_page_for_visitors_carries_each_visitors_own_csrf_token(
    client: TestClient, other_client: TestClient, world: World
) -> None:
    first = client.get(f"/projects/{world.public.id}").text
    second = other_client.get(f"/projects/{world.public.id}").text
    token_of = re.compile(r'name="csrf_token" value="([^"]+)"')
    tokens = {token_of.search(first).group(1), token_of.search(second).group(1)}  # type: ignore[union-attr]
    assert len(tokens) == 2
    assert "__pivotal_csrf_token__" not in first + second


def test_shared_page_for_visitors_shows_a_new_need_at_once(
    client: TestClient, api: Api, world: World
) -> None:
    client.get(f"/projects/{world.public.id}")  # cached for visitors
    api.post_need(world.employee, world.public.id, title="Helt nytt behov")
    assert "Helt nytt behov" in client.get(f"/projects/{world.public.id}").text


def test_shared_page_for_visitors_may_lag_by_at_most_the_max_age(
    client: TestClient,
    other_client: TestClient,
    api: Api,
    world: World,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    settings = get_settings()
    monkeypatch.setattr(settings, "visitor_page_max_age", 60.0)
    client.get(f"/projects/{world.public.id}")  # rendered for visitors just now
    api.post_need(world.employee, world.public.id, title="Helt nytt behov")
    assert "Helt nytt behov" not in client.get(f"/projects/{world.public.id}").text
    login(other_client, world.citizen)  # logged in: always the current page
    assert "Helt nytt behov" in other_client.get(f"/projects/{world.public.id}").text
    monkeypatch.setattr(settings, "visitor_page_max_age", 0.0)  # the age is up
    assert "Helt nytt behov" in client.get(f"/projects/{world.public.id}").text
