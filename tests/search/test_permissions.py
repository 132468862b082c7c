"""A search never shows a title, a count or a snippet the reader could not open: each rule of
the pages holds in the index's SQL, before the count and the page are cut."""

from __future__ import annotations

import pytest
from sqlalchemy import text, update
from sqlmodel import Session, col

from app.models import Project
from app.models.base import Phase, id_of
from tests.conftest import Factory, World
from tests.helpers import Api
from tests.questions import ANONYMISED, ORIGINAL, Cast, asked_question, publish_question
from tests.search.conftest import found, search

WORD = "Skolehelsetjenesten"
QUERY = "skolehelsetjeneste"


def _need(api: Api, author: object, project_id: int) -> int:
    problem = f"{WORD} når ikke fram til elevene som trenger den."
    return int(api.post_need(author, project_id, title="Elever uten hjelp", problem=problem)["id"])


def test_an_internal_projects_needs_are_found_only_by_its_own_and_partners_staff(
    api: Api, world: World
) -> None:
    public = _need(api, world.employee, id_of(world.public))
    internal = _need(api, world.employee, id_of(world.internal))
    for insider in (world.employee, world.partner_employee, world.procurer, world.admin):
        assert found(api, insider, QUERY) == {("need", public), ("need", internal)}
    for outsider in (None, world.citizen, world.other_employee, world.supplier, world.researcher):
        assert found(api, outsider, QUERY) == {("need", public)}


def test_an_internal_project_itself_is_not_found_by_outsiders(api: Api, world: World) -> None:
    assert ("project", id_of(world.internal)) in found(api, world.partner_employee, "internt")
    assert search(api, world.other_employee, "internt")["total"] == 0
    assert search(api, None, "internt")["total"] == 0


def test_a_hidden_need_leaves_search_at_once_and_returns_when_restored(
    api: Api, world: World
) -> None:
    need = _need(api, world.citizen, id_of(world.public))
    about = {"object_type": "need", "object_id": need}
    report = api.post("/reports", world.employee, json={**about, "reason": "Feil"})
    assert report.status_code == 201, report.text
    decision = f"/reports/{report.json()['id']}/decision"
    hide = {"decision": "hide", "reason": "Personopplysninger"}
    hidden = api.post(decision, world.procurer, json=hide)
    assert hidden.status_code == 200, hidden.text
    for reader in (None, world.citizen, world.employee, world.procurer):
        assert search(api, reader, QUERY)["total"] == 0
    review = api.post("/reviews", world.citizen, json={**about, "reason": "Ok nå"})
    assert review.status_code == 201, review.text
    restore = {"decision": "restore"}
    restored = api.post(f"/reports/{review.json()['id']}/decision", world.procurer, json=restore)
    assert restored.status_code == 200, restored.text
    assert found(api, None, QUERY) == {("need", need)}


def test_a_held_need_is_not_found_until_a_moderator_approves_it(
    api: Api, world: World, session: Session
) -> None:
    project = col(Project.id) == id_of(world.public)
    session.execute(update(Project).where(project).values(hold_first_contributions=True))
    session.commit()
    need = _need(api, world.citizen, id_of(world.public))
    assert api.get(f"/needs/{need}", world.procurer).json()["held"] is True
    for reader in (None, world.employee, world.procurer, world.citizen):
        assert search(api, reader, QUERY)["total"] == 0


def _requirement(api: Api, procurer: object, project_id: int, **fields: object) -> int:
    body = {"kind": "functional", "title": "Varsling", "text": f"{WORD} varsles."} | fields
    response = api.post(f"/projects/{project_id}/requirements", procurer, json=body)
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


def test_a_draft_requirement_is_found_only_by_the_specifications_writers(
    api: Api, world: World
) -> None:
    project = id_of(world.public)
    api.advance(world.procurer, project, Phase.market_dialogue)
    draft = _requirement(api, world.procurer, project)
    writers = (world.procurer, world.partner_procurer, world.admin)
    for writer in writers:
        assert found(api, writer, QUERY) == {("requirement", draft)}
    others = (None, world.citizen, world.employee, world.other_procurer, world.supplier)
    for reader in others:
        assert search(api, reader, QUERY)["total"] == 0
    invite = {"user_id": world.employee.id}
    invited = api.post(f"/projects/{project}/specification/co-authors", world.procurer, json=invite)
    assert invited.status_code == 201, invited.text
    assert found(api, world.employee, QUERY) == {("requirement", draft)}
    assert search(api, world.partner_employee, QUERY)["total"] == 0


def test_requirements_are_found_by_everyone_once_the_specification_is_final(
    api: Api, world: World
) -> None:
    project = id_of(world.public)
    api.advance(world.procurer, project, Phase.market_dialogue)
    functional = _requirement(api, world.procurer, project)
    award = _requirement(
        api, world.procurer, project, kind="award_criterion", title="Pris", text="Pris.", weight=100
    )
    for requirement in (functional, award):
        url = f"/requirements/{requirement}"
        done = api.request("PATCH", url, world.procurer, json={"status": "final"})
        assert done.status_code == 200, done.text
    assert search(api, world.citizen, QUERY)["total"] == 0  # final, but the specification is not
    final = api.post(f"/projects/{project}/specification/final", world.procurer)
    assert final.status_code == 200, final.text
    assert found(api, world.citizen, QUERY) == {("requirement", functional)}
    assert found(api, None, QUERY) == {("requirement", functional)}


def test_a_proposal_is_found_only_by_its_published_summary(
    api: Api, world: World, factory: Factory
) -> None:
    cast = Cast(api, world, factory)
    need = _need(api, world.employee, cast.project_id)
    submitted = api.post(
        f"/projects/{cast.project_id}/proposals",
        cast.supplier_a,
        json={
            "need_ids": [need],
            "title": "Sensorpakke",
            "summary": "Sensorer som varsler helsesøster.",
            "body": "Konfidensiell prismodell Hemmeligpris for kommunen.",
        },
    )
    assert submitted.status_code == 201, submitted.text
    proposal = int(submitted.json()["id"])
    for reader in (cast.supplier_a, cast.supplier_b, world.citizen, world.procurer, None):
        assert search(api, reader, "sensorer")["total"] == 0
    published = api.post(f"/proposals/{proposal}/publish-summary", cast.supplier_a)
    assert published.status_code == 200, published.text
    for reader in (cast.supplier_b, world.citizen, None):
        assert found(api, reader, "sensorer") == {("proposal", proposal)}
        # the body stays confidential: its words are never found
        assert search(api, reader, "hemmeligpris")["total"] == 0
    withdrawn = api.post(f"/proposals/{proposal}/withdraw", cast.supplier_a)
    assert withdrawn.status_code == 200, withdrawn.text
    assert search(api, world.citizen, "sensorer")["total"] == 0


def test_an_answer_is_found_once_published_and_never_in_the_askers_words(
    api: Api, world: World, factory: Factory
) -> None:
    cast = Cast(api, world, factory)
    question = asked_question(api, cast)
    assert "SoveVakt" in ORIGINAL and "sensorer" in ANONYMISED
    for reader in (cast.supplier_a, cast.supplier_b, world.procurer):
        assert search(api, reader, "sensorer markedet")["total"] == 0
        assert search(api, reader, "SoveVakt")["total"] == 0
    assert publish_question(api, cast, question["id"]).status_code == 200
    for reader in (cast.supplier_b, world.citizen, None):
        assert found(api, reader, "sensorer markedet") == {("answer", question["id"])}
        assert search(api, reader, "SoveVakt")["total"] == 0
    (result,) = search(api, cast.supplier_b, "markedet")["results"]
    assert result["url"] == f"/projects/{cast.project_id}/questions#qa-{question['id']}"


def test_the_count_and_pages_hold_only_what_the_reader_may_open(api: Api, world: World) -> None:
    visible = {_need(api, world.employee, id_of(world.public)) for _ in range(3)}
    for _ in range(4):
        _need(api, world.employee, id_of(world.internal))
    first = search(api, world.citizen, QUERY, limit=2)
    second = search(api, world.citizen, QUERY, limit=2, offset=2)
    assert first["total"] == second["total"] == 3
    ids = {r["id"] for r in first["results"] + second["results"]}
    assert ids == visible
    page = api.client.get("/search", params={"q": QUERY})
    assert "3 results" in page.text or "3 treff" in page.text


def test_a_rolled_back_write_leaves_no_index_row(world: World, session: Session) -> None:
    from app.models import Need

    before = session.execute(text("SELECT count(*) FROM search_item")).scalar_one()
    need = Need(
        project_id=id_of(world.public),
        author_id=id_of(world.employee),
        title="Rulles tilbake",
        problem="Denne skrivingen blir rullet tilbake.",
    )
    session.add(need)
    session.flush()
    rows = "SELECT count(*) FROM search_item WHERE kind = 'need' AND object_id = :id"
    assert session.execute(text(rows), {"id": need.id}).scalar_one() == 1
    session.rollback()
    assert session.execute(text("SELECT count(*) FROM search_item")).scalar_one() == before


def _indexed(session: Session, project_id: int, count: int, text_: str, first: int) -> None:
    """Index rows straight into the search table (many at once, as a big project would hold)."""
    from sqlalchemy import insert

    from app.models import SearchItem
    from app.models.search import SearchAudience, SearchKind
    from app.services.search.index import Document, row

    rows = [
        row(Document(SearchKind.need, first + n, project_id, SearchAudience.viewers, text_, text_))
        for n in range(count)
    ]
    session.execute(insert(SearchItem), rows)
    session.commit()


def test_the_best_matches_a_reader_may_open_are_found_behind_many_they_may_not(
    api: Api, world: World, session: Session
) -> None:
    # The internal project's 600 items all rank above the public ones (the word in the title
    # too), so the first candidates ranked hold nothing the citizen may open.
    _indexed(session, id_of(world.internal), 600, f"{WORD} {WORD}", first=100_000)
    _indexed(session, id_of(world.public), 3, f"Annet om {WORD} i en lengre tekst", first=200_000)
    body = search(api, world.citizen, QUERY)
    assert body["total"] == 3
    assert {r["id"] for r in body["results"]} == {200_000, 200_001, 200_002}
    insider = search(api, world.employee, QUERY, limit=50, offset=580)
    assert insider["total"] == 603
    assert len(insider["results"]) == 23


def test_a_count_past_a_thousand_says_more(api: Api, world: World, session: Session) -> None:
    _indexed(session, id_of(world.public), 1_005, WORD, first=100_000)
    body = search(api, world.citizen, QUERY)
    assert (body["total"], body["more"], len(body["results"])) == (1000, True, 20)
    page = api.client.get("/search", params={"q": QUERY})
    assert "Mer enn 1000 treff" in page.text or "More than 1000 results" in page.text


@pytest.mark.parametrize("few_max", [0, 5_000])
def test_the_count_is_the_same_whether_the_matches_are_found_first_or_joined(
    api: Api, world: World, session: Session, monkeypatch: pytest.MonkeyPatch, few_max: int
) -> None:
    # PostgreSQL finds up to FEW_MAX matches first and joins only those; more, it joins them
    # all. Either way the count holds what the reader may open and nothing else.
    from app.services.search import query

    monkeypatch.setattr(query, "FEW_MAX", few_max)
    _indexed(session, id_of(world.internal), 40, WORD, first=100_000)
    _indexed(session, id_of(world.public), 3, WORD, first=200_000)
    assert search(api, world.citizen, QUERY)["total"] == 3
    assert search(api, None, QUERY)["total"] == 3
    assert search(api, world.employee, QUERY)["total"] == 43
