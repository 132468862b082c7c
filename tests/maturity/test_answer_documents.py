"""Documents on Pivotal as evidence, from the answer form: the municipality's published documents
the respondent may open are offered under each indicator, ticked ones are saved with the answer
(as one goes with htmx, or all at once without JavaScript), show ticked on return and as links
once the round is closed; a document the respondent may not open is refused, nothing written."""

from __future__ import annotations

import re
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.models import MaturityAnswer, MaturityAnswerDocument, MaturityRound, ProjectPartner
from app.models.base import id_of
from app.models.document import DocumentAudience
from app.models.project import ProjectCreate
from app.services import permissions, projects
from app.services.maturity import rounds
from tests.conftest import CSRF_RE, Factory, World, login
from tests.helpers import EN, Api, count_rows, counted_queries, published, without_javascript
from tests.maturity.conftest import add_document, invite_member, pass_deadline
from tests.maturity.test_rounds_pages import HTMX, _post, _round

REFUSAL = re.compile(r"Document \d+ is not one you can open on Pivotal\.")


def _checkbox(key: str, document_id: int) -> str:
    return f'id="{key}-document-{document_id}" name="{key}-documents" value="{document_id}"'


def test_the_form_offers_the_municipalitys_published_documents_the_respondent_may_open(
    client: TestClient, world: World, session: Session, maturity_round: MaturityRound
) -> None:
    old = add_document(session, world.public, "Behovsnotat", age=timedelta(days=3))
    new = add_document(session, world.internal, "Referat fra dialogmøte", age=timedelta(days=1))
    draft = add_document(session, world.public, "Utkast", published=False)
    withdrawn = add_document(session, world.public, "Trukket", withdrawn=True)
    secret = add_document(
        session, world.public, "Kun innkjøpere", audience=DocumentAudience.procurers
    )
    elsewhere = projects.create_project(
        session,
        user=world.other_procurer,
        data=ProjectCreate(
            title="Annet prosjekt",
            summary="S",
            service_area="Helse",
            innovation_ambition="I",
        ),
    )
    foreign = add_document(session, elsewhere, "Annen kommunes dokument")
    invite_member(session, world, maturity_round, world.employee)
    login(client, world.employee)
    page = client.get(f"{_round(maturity_round)}/answer", headers=EN).text
    assert page.count("Attach documents from Pivotal") == 16
    assert _checkbox("need_discovery", old) in page and _checkbox("roles", new) in page
    assert page.index(_checkbox("roles", new)) < page.index(_checkbox("roles", old))  # newest first
    assert "Referat fra dialogmøte <span" in page and "(Internt prosjekt)" in page
    for hidden in (draft, withdrawn, secret, foreign):
        assert f'roles-document-{hidden}"' not in page
    # Each indicator's checkboxes have their own ids.
    assert page.count(f'id="need_discovery-document-{old}"') == 1


def test_a_ticked_document_saves_with_htmx_and_shows_ticked_on_return(
    client: TestClient, world: World, session: Session, maturity_round: MaturityRound
) -> None:
    document = add_document(session, world.public, "Behovsnotat")
    invite_member(session, world, maturity_round, world.employee)
    login(client, world.employee)
    saved = _post(
        client,
        f"{_round(maturity_round)}/answer",
        indicator="need_discovery",
        headers={**HTMX, "HX-Trigger": "indicator-need_discovery"},
        **{
            "need_discovery-level": "3",
            "need_discovery-documents-listed": "1",
            "need_discovery-documents": str(document),
        },
    )
    assert saved.status_code == 200, saved.text
    [link] = session.exec(select(MaturityAnswerDocument)).all()
    assert link.document_id == document
    page = client.get(f"{_round(maturity_round)}/answer", headers=EN).text
    assert f"{_checkbox('need_discovery', document)} checked" in page
    assert f"{_checkbox('roles', document)}>" in page  # not ticked on another indicator
    assert rounds.documents_of(session, [link.answer_id]) == {link.answer_id: [document]}


def test_without_javascript_the_ticks_of_every_indicator_are_saved_and_unticking_removes(
    client: TestClient, world: World, session: Session, maturity_round: MaturityRound
) -> None:
    first = add_document(session, world.public, "Behovsnotat")
    second = add_document(session, world.internal, "Markedsanalyse")
    invite_member(session, world, maturity_round, world.employee)
    login(without_javascript(client), world.employee)
    path = f"{_round(maturity_round)}/answer"
    listed = {f"{k}-documents-listed": "1" for k in ("need_discovery", "roles")}
    token_form = {**listed, "need_discovery-level": "2"}
    response = client.post(
        path,
        data={
            **token_form,
            "csrf_token": _token(client),
            "need_discovery-documents": [str(first), str(second)],
            "roles-documents": [str(second)],  # a document alone makes an answer
        },
        headers=EN,
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    assert _given(session) == {"need_discovery": [first, second], "roles": [second]}
    again = client.post(
        path,
        data={**token_form, "csrf_token": _token(client), "roles-documents": [str(second)]},
        headers=EN,
        follow_redirects=False,
    )
    assert again.status_code == 303
    assert _given(session) == {"need_discovery": [], "roles": [second]}
    refused = client.post(
        path,
        data={
            **listed,
            "roles-level": "9",
            "csrf_token": _token(client),
            "need_discovery-documents": [str(first)],
        },
        headers=EN,
        follow_redirects=False,
    )
    assert refused.status_code == 422
    assert f"{_checkbox('need_discovery', first)} checked" in refused.text  # ticks show again
    assert _given(session) == {"need_discovery": [], "roles": [second]}


def test_the_form_without_the_list_keeps_the_documents_given_through_the_api(
    client: TestClient, world: World, session: Session, maturity_round: MaturityRound
) -> None:
    document = add_document(session, world.public, "Behovsnotat")
    invite_member(session, world, maturity_round, world.employee)
    login(client, world.employee)
    api = client.put(
        f"/api/v1/maturity/rounds/{maturity_round.id}/answers",
        json=[{"indicator": "roles", "level": 2, "documents": [document]}],
    )
    assert api.status_code == 200, api.text
    _post(client, f"{_round(maturity_round)}/answer", **{"roles-level": "3"})
    assert _given(session) == {"roles": [document]}


def test_a_document_the_respondent_may_not_open_is_refused_alike_and_nothing_is_written(
    client: TestClient, world: World, session: Session, maturity_round: MaturityRound
) -> None:
    draft = add_document(session, world.public, "Utkast", published=False)
    secret = add_document(
        session, world.public, "Kun innkjøpere", audience=DocumentAudience.procurers
    )
    other = projects.create_project(
        session,
        user=world.other_procurer,
        data=ProjectCreate(
            title="Internt hos andre",
            visibility="internal",
            summary="S",
            service_area="Helse",
            innovation_ambition="I",
        ),
    )
    foreign = add_document(session, other, "Annen kommunes interne dokument")
    invite_member(session, world, maturity_round, world.employee)
    login(client, world.employee)
    messages = set()
    for forged in (draft, secret, foreign, 999_999):
        for headers in ({**HTMX, "HX-Trigger": "indicator-roles"}, EN):
            refused = _post(
                client,
                f"{_round(maturity_round)}/answer",
                indicator="roles",
                headers=headers,
                **{
                    "roles-level": "4",
                    "roles-documents-listed": "1",
                    "roles-documents": str(forged),
                },
            )
            assert refused.status_code == 422, refused.text
            [said] = REFUSAL.findall(refused.text)
            messages.add(said.replace(str(forged), "ID"))
        everything = _post(
            client,
            f"{_round(maturity_round)}/answer",
            **{"roles-level": "4", "roles-documents-listed": "1", "roles-documents": str(forged)},
        )
        assert everything.status_code == 422
    assert messages == {"Document ID is not one you can open on Pivotal."}  # whatever the reason
    assert count_rows(session, MaturityAnswer) == 0
    assert count_rows(session, MaturityAnswerDocument) == 0


def test_once_closed_the_given_documents_are_links_to_their_files(
    client: TestClient, api: Api, world: World, session: Session, maturity_round: MaturityRound
) -> None:
    document = published(api, world.procurer, id_of(world.public), title="Behovsnotat")["id"]
    invite_member(session, world, maturity_round, world.employee)
    login(client, world.employee)
    _post(
        client,
        f"{_round(maturity_round)}/answer",
        **{
            "roles-level": "4",
            "roles-documents-listed": "1",
            "roles-documents": str(document),
        },
    )
    pass_deadline(session, maturity_round)
    page = client.get(f"{_round(maturity_round)}/answer", headers=EN).text
    assert 'id="answer-form"' not in page
    assert f'<a href="/api/v1/documents/{document}/file">Behovsnotat</a>' in page
    assert page.count("/file") == 1  # only on the indicator it was given for
    assert client.get(f"/api/v1/documents/{document}/file").status_code == 200


def test_the_offered_documents_take_the_same_queries_however_many_projects(
    world: World, session: Session, factory: Factory, maturity_round: MaturityRound
) -> None:
    invite_member(session, world, maturity_round, world.employee)
    rel = permissions.round_relation(session, world.employee, id_of(maturity_round))

    def queries() -> int:
        with counted_queries() as statements:
            offered = rounds.attachable_documents(session, rel=rel)
        assert len(offered) <= rounds.ATTACHABLE_MAX
        return len(statements)

    add_document(session, world.public, "Ett")
    few = queries()
    for n in range(8):
        project = projects.create_project(
            session,
            user=world.partner_procurer,
            data=ProjectCreate(
                title=f"Prosjekt {n}", summary="S", service_area="Helse", innovation_ambition="I"
            ),
        )
        session.add(ProjectPartner(project_id=id_of(project), organisation_id=id_of(world.owner)))
        for m in range(5):
            add_document(session, project, f"Dokument {n}.{m}")
    many = queries()
    assert many == few
    assert len(rounds.attachable_documents(session, rel=rel)) == rounds.ATTACHABLE_MAX


def _token(client: TestClient) -> str:
    return CSRF_RE.search(client.get("/profile").text).group(1)  # type: ignore[union-attr]


def _given(session: Session) -> dict[str, list[int]]:
    """The documents given on each answered indicator."""
    session.expire_all()
    answers = session.exec(select(MaturityAnswer)).all()
    found = rounds.documents_of(session, [id_of(a) for a in answers])
    return {a.indicator_key: found.get(id_of(a), []) for a in answers}
