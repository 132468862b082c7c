"""Trace links: which inputs a writer may link a requirement to, duplicates and rationales,
confidential proposal links, removal, and the records every link leaves behind."""

from __future__ import annotations

import pytest
from sqlmodel import Session, col, select

from app.models import AuditEntry, ParticipationEvent, TraceLink
from app.models.base import id_of
from tests.conftest import World
from tests.helpers import Api
from tests.trace.conftest import Scene, link

NO_SUCH_INPUT = "There is no such input in this project that you may link to."


@pytest.mark.parametrize(
    ("kind", "attribute"),
    [
        ("need", "need"),
        ("proposal", "shown_proposal"),
        ("answer", "answer"),
        ("event_minutes", "event"),
    ],
)
def test_a_writer_links_each_kind_of_input_and_reads_it_back(
    api: Api, world: World, scene: Scene, kind: str, attribute: str
) -> None:
    source = getattr(scene, attribute)
    created = link(api, world.procurer, scene.requirement, kind, source, relation="refined_by")
    assert created.status_code == 201, created.text
    body = created.json()
    assert (body["source_type"], body["source_id"], body["relation"]) == (
        kind,
        source,
        "refined_by",
    )
    assert body["source_title"] and body["source_url"].startswith("/")
    assert body["confidential"] is False
    listed = api.get(f"/requirements/{scene.requirement}/links", world.procurer).json()
    assert [row["id"] for row in listed] == [body["id"]]


def test_an_input_of_another_project_is_refused(api: Api, world: World, scene: Scene) -> None:
    elsewhere = api.post_need(world.employee, id_of(world.internal), title="Annet prosjekt")
    refused = link(api, world.procurer, scene.requirement, "need", elsewhere["id"])
    assert refused.status_code == 422
    assert refused.json()["detail"] == NO_SUCH_INPUT


def test_inputs_the_writer_may_not_see_or_that_are_not_published_are_refused(
    api: Api, world: World, scene: Scene
) -> None:
    # The co-author does not see a proposal whose summary is not published.
    hidden = link(api, world.employee, scene.requirement, "proposal", scene.hidden_proposal)
    assert hidden.status_code == 422
    assert hidden.json()["detail"] == NO_SUCH_INPUT
    # Minutes are for the event's participants, procurers and registered suppliers.
    minutes = link(api, world.employee, scene.requirement, "event_minutes", scene.event)
    assert minutes.status_code == 422
    # A question is a source only once its answer is published, whoever asks.
    waiting = link(api, world.procurer, scene.requirement, "answer", scene.unanswered)
    assert waiting.status_code == 422
    missing = link(api, world.procurer, scene.requirement, "need", 999_999)
    assert missing.status_code == 422
    no_comment = link(api, world.procurer, scene.requirement, "hearing_comment", 999_999)
    assert no_comment.status_code == 422
    assert no_comment.json()["detail"] == NO_SUCH_INPUT


def test_a_link_twice_is_a_conflict(api: Api, world: World, scene: Scene) -> None:
    assert link(api, world.procurer, scene.requirement, "need", scene.need).status_code == 201
    again = link(api, world.employee, scene.requirement, "need", scene.need)
    assert again.status_code == 409
    assert again.json()["detail"] == "The requirement is already linked to this input."


@pytest.mark.parametrize("rationale", ["", "   \n ", "x" * 2001])
def test_a_blank_or_overlong_rationale_is_refused(
    api: Api, world: World, scene: Scene, rationale: str, session: Session
) -> None:
    refused = link(api, world.procurer, scene.requirement, "need", scene.need, rationale=rationale)
    assert refused.status_code == 422
    assert session.exec(select(TraceLink)).all() == []


def test_the_rationale_is_stored_stripped(api: Api, world: World, scene: Scene) -> None:
    body = link(
        api, world.procurer, scene.requirement, "need", scene.need, rationale="  Behovet.  "
    ).json()
    assert body["rationale"] == "Behovet."


@pytest.mark.parametrize("who", ["citizen", "supplier", "other_procurer", "partner_employee"])
def test_people_who_do_not_write_the_specification_cannot_link(
    api: Api, world: World, scene: Scene, who: str
) -> None:
    refused = link(api, getattr(world, who), scene.requirement, "need", scene.need)
    assert refused.status_code == 404  # the draft is out of their sight


def test_a_link_to_an_unpublished_proposal_is_confidential_and_the_procurers_alone_see_it(
    api: Api, world: World, scene: Scene
) -> None:
    created = link(api, world.procurer, scene.requirement, "proposal", scene.hidden_proposal)
    assert created.status_code == 201, created.text
    assert created.json()["confidential"] is True
    marked = link(
        api, world.procurer, scene.requirement, "proposal", scene.shown_proposal, confidential=True
    )
    assert marked.json()["confidential"] is True
    open_ = link(api, world.procurer, scene.requirement, "need", scene.need)
    url = f"/requirements/{scene.requirement}/links"
    assert len(api.get(url, world.procurer).json()) == 3
    assert len(api.get(url, world.partner_procurer).json()) == 3
    # The co-author writes the specification, but is not a procurer: only the open link.
    assert [row["id"] for row in api.get(url, world.employee).json()] == [open_.json()["id"]]
    # ... and cannot remove what they cannot see.
    gone = api.delete(f"{url}/{created.json()['id']}", world.employee)
    assert gone.status_code == 404


def test_only_a_proposal_link_can_be_marked_confidential(
    api: Api, world: World, scene: Scene
) -> None:
    refused = link(api, world.procurer, scene.requirement, "need", scene.need, confidential=True)
    assert refused.status_code == 422


def test_adding_and_removing_a_link_are_recorded_as_contributions(
    api: Api, world: World, scene: Scene, session: Session
) -> None:
    created = link(api, world.employee, scene.requirement, "need", scene.need).json()
    url = f"/requirements/{scene.requirement}/links/{created['id']}"
    assert api.delete(url, world.procurer).status_code == 204
    assert api.get(f"/requirements/{scene.requirement}/links", world.procurer).json() == []
    audit = session.exec(
        select(AuditEntry.action, AuditEntry.object_id).where(
            col(AuditEntry.object_type) == "trace_link"
        )
    ).all()
    assert sorted(audit) == [
        ("trace_link_added", created["id"]),
        ("trace_link_removed", created["id"]),
    ]
    verbs = session.exec(
        select(ParticipationEvent.verb).where(col(ParticipationEvent.object_type) == "trace_link")
    ).all()
    assert sorted(verbs) == ["linked_requirement", "unlinked_requirement"]
    assert api.delete(url, world.procurer).status_code == 404


def test_the_page_forms_add_and_remove_a_link(
    client, api: Api, world: World, scene: Scene, session: Session
) -> None:
    from tests.conftest import login

    login(client, world.procurer)
    form = {
        "source": f"need:{scene.need}",
        "relation": "motivated_by",
        "rationale": "Behovet motiverte kravet.",
    }
    added = client.post(
        f"/requirements/{scene.requirement}/links", data=form, follow_redirects=False
    )
    assert added.status_code == 303
    page = client.get(f"/requirements/{scene.requirement}", headers={"Accept-Language": "en"})
    assert "Behovet motiverte kravet." in page.text
    assert "Motivated by" in page.text
    stored = session.exec(select(TraceLink)).one()
    removal = f"/requirements/{scene.requirement}/links/{stored.id}/remove"
    unconfirmed = client.post(removal, data={}, follow_redirects=False)
    assert unconfirmed.status_code == 422
    removed = client.post(removal, data={"confirm": "yes"}, follow_redirects=False)
    assert removed.status_code == 303
    session.expire_all()
    assert session.exec(select(TraceLink)).all() == []
    bad = client.post(f"/requirements/{scene.requirement}/links", data={**form, "source": "need"})
    assert bad.status_code == 422


def test_a_co_author_may_mark_a_link_confidential_and_then_no_longer_sees_it(
    api: Api, world: World, scene: Scene
) -> None:
    marked = link(
        api, world.employee, scene.requirement, "proposal", scene.shown_proposal, confidential=True
    )
    assert marked.status_code == 201, marked.text
    assert marked.json()["confidential"] is True
    url = f"/requirements/{scene.requirement}/links"
    assert api.get(url, world.employee).json() == []
    assert [row["id"] for row in api.get(url, world.procurer).json()] == [marked.json()["id"]]
