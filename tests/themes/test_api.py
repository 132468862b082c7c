"""`GET /api/v1/projects/{id}/themes` and the needs list's `group` filter: automatic themes of
the needs every reader may see, for every role, kept until the needs change."""

from __future__ import annotations

from typing import Any

import pytest
from sqlmodel import Session

from app.models import Need
from app.models.base import NeedStatus
from app.services import auto_themes
from tests.conftest import World
from tests.helpers import Api
from tests.themes.labelled import NEEDS

ROLES = [None, "citizen", "supplier", "employee", "partner_employee", "procurer", "admin"]
HIDDEN_TEXT = "Brøyting av fortau. Hemmelig snøkanon brøyter fortauene for sent om vinteren."


def add_needs(session: Session, world: World, texts: list[str], **fields: Any) -> list[int]:
    """Needs put straight into the public project (the posting limits are not what is tested)."""
    rows = []
    for text in texts:
        title, problem = text.split(". ", 1)
        need = Need(
            title=title,
            problem=problem,
            project_id=world.public.id,
            author_id=world.employee.id,
            **fields,
        )
        session.add(need)
        rows.append(need)
    session.commit()
    return [need.id for need in rows if need.id is not None]


@pytest.fixture
def labelled(session: Session, world: World) -> dict[str, list[int]]:
    """The labelled set in the public project: need ids by subject (None: alone)."""
    ids = add_needs(session, world, [text for _, _, text in NEEDS])
    by_subject: dict[str, list[int]] = {}
    for need_id, (_, subject, _) in zip(ids, NEEDS, strict=True):
        by_subject.setdefault(str(subject), []).append(need_id)
    return by_subject


def themes(api: Api, user: Any, project_id: int) -> Any:
    response = api.get(f"/projects/{project_id}/themes", user)
    assert response.status_code == 200, response.text
    return response.json()


@pytest.mark.parametrize("reader", ROLES)
def test_every_reader_gets_the_same_groups_of_the_subjects(
    api: Api, world: World, labelled: dict[str, list[int]], reader: str | None
) -> None:
    found = themes(api, world.member(reader), world.public.id)
    groups = [set(group["need_ids"]) for group in found["automatic"]]
    assert set(labelled["home"]) in groups
    assert set(labelled["winter"]) in groups
    assert set(labelled["library"]) in groups
    for group in found["automatic"]:
        assert group["need_count"] == len(group["need_ids"])
        assert group["key"] == min(group["need_ids"])
        assert 3 <= len(group["words"]) <= 5
    assert found["ungrouped_count"] == len(labelled["None"])
    assert found["manual"] == []


@pytest.mark.parametrize("reader", ROLES)
def test_hidden_held_and_merged_needs_are_in_no_group_for_anyone(
    api: Api, world: World, session: Session, labelled: dict[str, list[int]], reader: str | None
) -> None:
    hidden = add_needs(session, world, [HIDDEN_TEXT], hidden=True, hidden_reason="Spam")
    held = add_needs(session, world, [HIDDEN_TEXT.replace("Hemmelig", "Holdt")], held=True)
    merged = add_needs(
        session,
        world,
        [HIDDEN_TEXT.replace("Hemmelig", "Sammenslått")],
        status=NeedStatus.merged,
        merged_into_id=labelled["winter"][0],
    )
    found = themes(api, world.member(reader), world.public.id)
    shown = {need_id for group in found["automatic"] for need_id in group["need_ids"]}
    assert shown.isdisjoint(hidden + held + merged)
    words = {word for group in found["automatic"] for word in group["words"]}
    assert not words & {"hemmelig", "holdt", "sammenslått", "snøkanon"}
    total = sum(group["need_count"] for group in found["automatic"])
    assert total + found["ungrouped_count"] == len(NEEDS)


@pytest.mark.parametrize("outsider", [None, "citizen", "other_employee", "supplier"])
def test_an_internal_project_answers_outsiders_as_a_missing_one(
    api: Api, world: World, outsider: str | None
) -> None:
    user = world.member(outsider)
    behind = api.get(f"/projects/{world.internal.id}/themes", user)
    missing = api.get("/projects/999999/themes", user)
    assert (behind.status_code, behind.json()) == (missing.status_code, missing.json())
    assert behind.status_code == 404
    assert themes(api, world.partner_employee, world.internal.id)["automatic"] == []


def test_manual_themes_count_only_the_needs_the_reader_may_see(
    api: Api, world: World, session: Session
) -> None:
    from app.models import ProjectTheme

    theme = ProjectTheme(project_id=world.public.id, name="Vinter", position=0)
    session.add(theme)
    session.commit()
    add_needs(session, world, [NEEDS[6][2], NEEDS[7][2]], theme_id=theme.id)
    add_needs(session, world, [HIDDEN_TEXT], theme_id=theme.id, hidden=True)
    assert themes(api, world.citizen, world.public.id)["manual"] == [
        {"name": "Vinter", "need_count": 2}
    ]
    assert themes(api, world.procurer, world.public.id)["manual"] == [
        {"name": "Vinter", "need_count": 3}
    ]


def test_the_groups_are_kept_until_the_needs_change(
    api: Api, world: World, session: Session, labelled: dict[str, list[int]]
) -> None:
    first = themes(api, world.citizen, world.public.id)
    builds = auto_themes.kept.builds
    api.comment(world.employee, labelled["home"][0])  # not a need: the groups are kept
    assert themes(api, world.citizen, world.public.id) == first
    assert auto_themes.kept.builds == builds
    need = session.get(Need, labelled["home"][0])
    assert need is not None
    need.hidden = True  # a moderator's decision counts at once
    session.add(need)
    session.commit()
    after = themes(api, world.citizen, world.public.id)
    assert auto_themes.kept.builds == builds + 1
    assert labelled["home"][0] not in {n for g in after["automatic"] for n in g["need_ids"]}


def test_the_needs_list_filters_by_an_automatic_theme(
    api: Api, world: World, labelled: dict[str, list[int]]
) -> None:
    found = themes(api, world.citizen, world.public.id)
    library = next(g for g in found["automatic"] if set(g["need_ids"]) == set(labelled["library"]))
    listed = api.get(
        f"/projects/{world.public.id}/needs", world.citizen, params={"group": library["key"]}
    )
    assert listed.status_code == 200, listed.text
    assert {need["id"] for need in listed.json()} == set(labelled["library"])
    page = api.client.get(f"/projects/{world.public.id}", params={"group": library["key"]})
    assert page.status_code == 200
    assert f'<option value="{library["key"]}" selected>' in page.text
    assert "Meråpent bibliotek" in page.text
    assert "Skolebussen er forsinket" not in page.text


@pytest.mark.parametrize("group", ["abc", "-1", "0", "1" * 12, "999999"])
def test_an_unknown_automatic_theme_is_a_422(
    api: Api, world: World, labelled: dict[str, list[int]], group: str
) -> None:
    listed = api.get(f"/projects/{world.public.id}/needs", world.citizen, params={"group": group})
    assert listed.status_code == 422
    assert "automatic themes" in listed.json()["detail"]


def test_while_someone_groups_the_others_get_the_groups_before_less_those_that_lost_a_need(
    api: Api, world: World, session: Session, labelled: dict[str, list[int]]
) -> None:
    before = themes(api, world.citizen, world.public.id)
    need = session.get(Need, labelled["home"][0])
    assert need is not None
    need.hidden = True
    session.add(need)
    session.commit()
    building = auto_themes.kept.building[world.public.id]
    with building:  # another request is grouping right now
        during = themes(api, world.citizen, world.public.id)
    groups = [set(group["need_ids"]) for group in during["automatic"]]
    assert set(labelled["home"]) not in groups  # the group that lost a need is left out
    assert all(need.id not in group for group in groups)
    assert set(labelled["winter"]) in groups
    assert len(during["automatic"]) == len(before["automatic"]) - 1
    total = sum(group["need_count"] for group in during["automatic"])
    assert total + during["ungrouped_count"] == len(NEEDS) - 1
