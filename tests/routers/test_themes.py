"""A project's themes: the procurers keep the list (page and API, in the audit log), a need has
one of them or none, and the needs list filters by theme on the page and in the API, paged."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from app.models import AuditEntry, Need
from app.models.base import id_of
from app.services import themes
from tests.conftest import World, login
from tests.helpers import EN, Api, counted_queries

THEMES = ["Natt", "Velferdsteknologi", "Legemidler"]
NO_SUCH_THEME = "Choose one of the project's themes."


def patch(api: Api, url: str, user: Any, **body: Any):
    return api.request("PATCH", url, user, json=body)


@pytest.fixture
def themed(api: Api, world: World) -> int:
    """The public project, with THEMES."""
    response = patch(api, f"/projects/{world.public.id}", world.procurer, themes=THEMES)
    assert response.status_code == 200, response.text
    return id_of(world.public)


def need_fields(theme: str) -> dict[str, str]:
    """A need's form fields with this theme."""
    return {"title": "Søvn om natten", "problem": "Tilsynet vekker meg hver natt.", "theme": theme}


def need_ids(api: Api, project_id: int, user: Any = None, **params: Any) -> list[int]:
    response = api.get(f"/projects/{project_id}/needs", user, params=params)
    assert response.status_code == 200, response.text
    return [need["id"] for need in response.json()]


# ---- the project's list of themes -------------------------------------------------------------


def test_a_procurer_sets_the_themes_and_the_audit_log_keeps_before_and_after(
    api: Api, world: World, session: Session, themed: int
) -> None:
    assert api.get(f"/projects/{themed}", world.citizen).json()["themes"] == THEMES
    response = patch(api, f"/projects/{themed}", world.procurer, themes=[" Natt ", "Dag", ""])
    assert response.json()["themes"] == ["Natt", "Dag"]
    entries = session.exec(
        select(AuditEntry).where(AuditEntry.action == "project_edited").order_by(col(AuditEntry.id))
    ).all()
    assert [(e.before, e.after) for e in entries] == [
        ({"themes": ""}, {"themes": "Natt, Velferdsteknologi, Legemidler"}),
        ({"themes": "Natt, Velferdsteknologi, Legemidler"}, {"themes": "Natt, Dag"}),
    ]


@pytest.mark.parametrize("who", ["employee", "citizen", "other_procurer", "supplier"])
def test_only_the_projects_procurers_set_themes(api: Api, world: World, who: str) -> None:
    response = patch(api, f"/projects/{world.public.id}", world.member(who), themes=["Natt"])
    assert response.status_code == 403
    assert api.get(f"/projects/{world.public.id}", world.citizen).json()["themes"] == []


@pytest.mark.parametrize("themes", [["Natt", "natt"], ["x" * 61], [f"Tema {n}" for n in range(31)]])
def test_repeated_long_or_too_many_themes_are_refused(
    api: Api, world: World, themes: list[str]
) -> None:
    response = patch(api, f"/projects/{world.public.id}", world.procurer, themes=themes)
    assert response.status_code == 422
    assert api.get(f"/projects/{world.public.id}", world.citizen).json()["themes"] == []


def test_the_edit_page_sets_the_themes_one_per_line(client: TestClient, world: World) -> None:
    login(client, world.procurer)
    form = client.get(f"/projects/{world.public.id}/edit", headers=EN).text
    assert 'id="pe-themes" name="themes"' in form
    fields = {
        "title": "Offentlig prosjekt",
        "summary": "Bedre oppfølging hjemme.",
        "innovation_ambition": "Fra besøk etter liste til oppfølging etter behov.",
        "visibility": "public",
        "partner_org_ids": [str(world.partner.id)],
        "themes": "Natt\r\nLegemidler\r\n",
    }
    done = client.post(f"/projects/{world.public.id}/edit", data=fields, follow_redirects=False)
    assert done.status_code == 303
    form = client.get(f"/projects/{world.public.id}/edit", headers=EN).text
    assert ">Natt\nLegemidler</textarea>" in form
    refused = client.post(
        f"/projects/{world.public.id}/edit", data={**fields, "themes": "Natt\nnatt"}, headers=EN
    )
    assert refused.status_code == 422
    assert "Each theme can be given only once." in refused.text
    assert ">Natt\nnatt</textarea>" in refused.text  # drawn again as typed
    without = {name: value for name, value in fields.items() if name != "themes"}
    renamed = client.post(
        f"/projects/{world.public.id}/edit",
        data={**without, "title": "Nytt navn"},
        follow_redirects=False,
    )
    assert renamed.status_code == 303
    form = client.get(f"/projects/{world.public.id}/edit", headers=EN).text
    assert ">Natt\nLegemidler</textarea>" in form  # a form without the field leaves them be


def test_removing_a_theme_leaves_its_needs_with_none(
    api: Api, world: World, session: Session, themed: int
) -> None:
    night = api.post_need(world.citizen, themed, theme="Natt")
    drugs = api.post_need(world.citizen, themed, theme="Legemidler")
    patch(api, f"/projects/{themed}", world.procurer, themes=["Legemidler", "Dag"])
    assert api.get(f"/needs/{night['id']}", world.citizen).json()["theme"] is None
    assert api.get(f"/needs/{drugs['id']}", world.citizen).json()["theme"] == "Legemidler"
    assert need_ids(api, themed, theme="Legemidler") == [drugs["id"]]
    assert api.get(f"/projects/{themed}/needs", params={"theme": "Natt"}).status_code == 422
    assert session.get(Need, night["id"]).theme_id is None  # type: ignore[union-attr]


# ---- a need's theme ---------------------------------------------------------------------------


def test_a_need_is_posted_with_a_theme_of_its_project_or_none(
    api: Api, world: World, themed: int
) -> None:
    assert api.post_need(world.citizen, themed, theme="Natt")["theme"] == "Natt"
    assert api.post_need(world.citizen, themed)["theme"] is None
    wrong = api.post(
        f"/projects/{themed}/needs",
        world.citizen,
        json={"title": "Et behov", "problem": "Et problem som må løses.", "theme": "Dag"},
    )
    assert wrong.status_code == 422
    assert wrong.json()["detail"] == NO_SUCH_THEME


def test_a_theme_of_another_project_is_refused(api: Api, world: World, themed: int) -> None:
    patch(api, f"/projects/{world.internal.id}", world.procurer, themes=["Sommer"])
    need = api.post_need(world.employee, themed)
    response = patch(api, f"/needs/{need['id']}", world.employee, theme="Sommer")
    assert response.status_code == 422


def test_the_author_changes_and_clears_the_theme_and_the_audit_log_keeps_it(
    api: Api, world: World, session: Session, themed: int
) -> None:
    need = api.post_need(world.employee, themed, theme="Natt")
    changed = patch(api, f"/needs/{need['id']}", world.employee, theme="Legemidler")
    assert changed.status_code == 200, changed.text
    assert changed.json()["theme"] == "Legemidler" and changed.json()["edited_at"] is not None
    assert patch(api, f"/needs/{need['id']}", world.employee, theme="").json()["theme"] is None
    entries = session.exec(select(AuditEntry).where(AuditEntry.action == "need_edited")).all()
    assert [(e.before, e.after) for e in entries] == [
        ({"theme": "Natt"}, {"theme": "Legemidler"}),
        ({"theme": "Legemidler"}, {"theme": ""}),
    ]


def test_the_forms_offer_the_themes_only_when_the_project_has_some(
    client: TestClient, api: Api, world: World
) -> None:
    login(client, world.citizen)
    assert 'name="theme"' not in client.get(f"/projects/{world.public.id}", headers=EN).text
    patch(api, f"/projects/{world.public.id}", world.procurer, themes=THEMES)
    page = client.get(f"/projects/{world.public.id}", headers=EN).text
    assert '<select id="need-theme" name="theme">' in page
    assert '<option value="">No theme</option>' in page
    posted = client.post(
        f"/projects/{world.public.id}/needs", data=need_fields("Natt"), follow_redirects=False
    )
    assert posted.status_code == 303
    need_id = int(posted.headers["location"].rsplit("/", 1)[1])
    shown = client.get(f"/needs/{need_id}", headers=EN).text
    assert "Theme: Natt" in shown
    edit = client.get(f"/needs/{need_id}/edit", headers=EN).text
    assert '<option value="Natt" selected>Natt</option>' in edit
    saved = client.post(
        f"/needs/{need_id}/edit", data=need_fields("Velferdsteknologi"), follow_redirects=False
    )
    assert saved.status_code == 303
    assert api.get(f"/needs/{need_id}", world.citizen).json()["theme"] == "Velferdsteknologi"
    wrong = client.post(f"/needs/{need_id}/edit", data=need_fields("Dag"), headers=EN)
    assert wrong.status_code == 422 and "Choose one of the project" in wrong.text


# ---- the filter -------------------------------------------------------------------------------


def test_the_api_filters_by_theme_and_pages_within_it(api: Api, world: World, themed: int) -> None:
    night = [api.post_need(world.citizen, themed, theme="Natt")["id"] for _ in range(5)]
    api.post_need(world.citizen, themed, theme="Legemidler")
    api.post_need(world.citizen, themed)
    first = api.get(f"/projects/{themed}/needs", params={"theme": "Natt", "limit": 3})
    assert [n["id"] for n in first.json()] == night[::-1][:3]
    assert "theme=Natt" in first.headers["Link"]
    rest = need_ids(api, themed, theme="Natt", limit=3, cursor=first.headers["X-Next-Cursor"])
    assert rest == night[::-1][3:]
    assert len(need_ids(api, themed)) == 7


def test_an_unknown_theme_is_refused_in_the_api_and_on_the_page(
    client: TestClient, api: Api, world: World, themed: int
) -> None:
    response = api.get(f"/projects/{themed}/needs", params={"theme": "Dag"})
    assert response.status_code == 422 and response.json()["detail"] == NO_SUCH_THEME
    page = client.get(f"/projects/{themed}", params={"theme": "Dag"}, headers=EN)
    assert page.status_code == 422 and "Choose one of the project" in page.text


def test_the_project_page_filters_by_theme_and_load_more_keeps_it(
    client: TestClient, api: Api, world: World, themed: int
) -> None:
    night = [api.post_need(world.citizen, themed, theme="Natt")["id"] for _ in range(27)]
    other = api.post_need(world.citizen, themed, theme="Legemidler")["id"]
    page = client.get(f"/projects/{themed}", params={"theme": "Natt"}, headers=EN).text
    assert '<option value="Natt" selected>Natt</option>' in page
    shown = [int(i) for i in re.findall(r'id="need-(\d+)-card"', page)]
    assert shown == night[::-1][:25] and other not in shown
    more = re.search(r'hx-get="(/projects/\d+/needs\?[^"]+)"', page)
    assert more is not None and "theme=Natt" in more.group(1)
    rest = client.get(more.group(1).replace("&amp;", "&"), headers=EN).text
    assert [int(i) for i in re.findall(r'id="need-(\d+)-card"', rest)] == night[::-1][25:]
    assert "Theme: Natt" in rest


def test_queries_of_a_themed_page_do_not_grow_with_the_needs_or_their_themes(
    api: Api, world: World, session: Session, themed: int
) -> None:
    def queries(**params: Any) -> int:
        with counted_queries() as statements:
            assert api.get(f"/projects/{themed}/needs", world.citizen, params=params).is_success
        return len(statements)

    def add(count: int) -> None:
        ids = [themes.resolve(session, project_id=themed, name=name) for name in THEMES]
        session.add_all(
            Need(
                project_id=themed,
                author_id=id_of(world.citizen),
                title=f"Behov {n}",
                problem="Et problem som trenger en løsning.",
                theme_id=ids[n % len(ids)],
            )
            for n in range(count)
        )
        session.commit()

    need_ids(api, themed, world.citizen)  # warm the token
    add(3)
    few = [queries(), queries(theme="Natt"), queries(theme="Natt", sort="supported")]
    add(150)
    assert [queries(), queries(theme="Natt"), queries(theme="Natt", sort="supported")] == few
