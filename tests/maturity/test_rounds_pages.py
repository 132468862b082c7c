"""The pages of self-assessment rounds: the municipality's page, a round with its respondents,
the answer form (saved as one goes with htmx, and all at once without JavaScript), closing with
a confirmation, and accepting an e-mailed invitation."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from app.models import MaturityAnswer, MaturityRespondent, MaturityRound, OutboxMessage, User
from app.models.base import Role
from app.services import mail
from tests.conftest import CSRF_RE, Factory, Mailbox, World, body_of, login
from tests.helpers import EN, count_rows, without_javascript
from tests.maturity.conftest import invite_member, pass_deadline

INVITATION_RE = re.compile(r"http://testserver(/maturity/invitations/[\w-]+)")
HTMX = {"HX-Request": "true", **EN}


def _post(client: TestClient, path: str, headers: dict[str, str] | None = None, **data: str):
    """A form post from a page of the logged-in browser, with the form's CSRF token."""
    token = CSRF_RE.search(client.get("/profile").text).group(1)  # type: ignore[union-attr]
    return client.post(
        path,
        data={**data, "csrf_token": token},
        headers=headers or EN,
        follow_redirects=False,
    )


def _switch(client: TestClient, user: User) -> None:
    """Log the browser out and in again as another person."""
    client.cookies.clear()
    client.headers.pop("X-CSRF-Token", None)
    login(client, user)


def _round(round_: MaturityRound) -> str:
    return f"/maturity/rounds/{round_.id}"


# ---- the municipality's page --------------------------------------------------------------------


def test_a_procurer_opens_a_round_from_the_municipalitys_page_in_norwegian_time(
    client: TestClient, world: World, session: Session
) -> None:
    login(client, world.procurer)
    page = client.get(f"/organisations/{world.owner.id}/maturity")
    assert page.status_code == 200 and 'id="open-round-form"' in page.text
    assert "Åpne en runde" in page.text
    opened = _post(
        client,
        f"/organisations/{world.owner.id}/maturity/rounds",
        title="Modenhet 2027",
        deadline="2027-06-01T12:00",
    )
    assert opened.status_code == 303, opened.text
    round_ = session.exec(select(MaturityRound)).one()
    assert opened.headers["location"] == _round(round_)
    assert round_.deadline.hour == 10  # 12:00 in Oslo in summer
    listed = client.get(f"/organisations/{world.owner.id}/maturity", headers=EN).text
    assert "Modenhet 2027" in listed and "0 of 0 invited have answered" in listed


def test_a_refused_round_shows_the_message_beside_the_deadline(
    client: TestClient, world: World, session: Session
) -> None:
    login(client, world.procurer)
    path = f"/organisations/{world.owner.id}/maturity/rounds"
    refused = _post(client, path, title="Modenhet", deadline="2001-01-01T12:00")
    assert refused.status_code == 422
    assert 'id="open-round-form-deadline-error"' in refused.text
    assert "The deadline must be in the future." in refused.text
    assert 'value="2001-01-01T12:00"' in refused.text and 'value="Modenhet"' in refused.text
    assert count_rows(session, MaturityRound) == 0


def test_a_member_sees_only_their_own_rounds_and_no_form(
    client: TestClient, world: World, session: Session, maturity_round: MaturityRound
) -> None:
    login(client, world.employee)
    path = f"/organisations/{world.owner.id}/maturity"
    before = client.get(path, headers=EN).text
    assert "You have not been invited" in before and 'id="open-round-form"' not in before
    assert f'href="{path}"' in before  # the header's link for the municipality's members
    invite_member(session, world, maturity_round, world.employee)
    after = client.get(path, headers=EN).text
    assert "Modenhet 2026" in after and "invited have answered" not in after


def test_the_people_page_leads_to_the_self_assessment(client: TestClient, world: World) -> None:
    login(client, world.procurer)
    people = client.get(f"/organisations/{world.owner.id}/people").text
    assert f'href="/organisations/{world.owner.id}/maturity"' in people


def test_outsiders_see_no_rounds_on_the_page(
    client: TestClient, world: World, maturity_round: MaturityRound
) -> None:
    for who in (world.citizen, world.other_procurer, world.supplier):
        _switch(client, who)
        page = client.get(f"/organisations/{world.owner.id}/maturity")
        assert page.status_code == 200 and "Modenhet 2026" not in page.text
        assert 'id="open-round-form"' not in page.text
        assert client.get(_round(maturity_round)).status_code == 404


# ---- a round's page -----------------------------------------------------------------------------


def test_the_procurer_invites_a_member_sees_progress_and_removes_the_invitation(
    client: TestClient, world: World, session: Session, maturity_round: MaturityRound
) -> None:
    login(client, world.procurer)
    page = client.get(_round(maturity_round), headers=EN).text
    assert "Nobody is invited yet." in page
    assert f'<option value="{world.employee.id}">Emil Employee</option>' in page
    invited = _post(
        client,
        f"{_round(maturity_round)}/respondents",
        user_id=str(world.employee.id),
        unit="service_area",
        unit_detail="Helse og velferd",
    )
    assert invited.status_code == 303, invited.text
    page = client.get(invited.headers["location"], headers=EN).text
    assert "Emil Employee" in page and "Service area: Helse og velferd" in page
    assert "0 of 16" in page and "Remove invitation" in page
    respondent = session.exec(select(MaturityRespondent)).one()
    removed = _post(client, f"{_round(maturity_round)}/respondents/{respondent.id}/remove")
    assert removed.status_code == 303
    assert count_rows(session, MaturityRespondent) == 0


def test_a_member_invited_by_account_is_told_by_mail_where_to_answer_and_nobody_else_is(
    client: TestClient,
    other_client: TestClient,
    world: World,
    session: Session,
    factory: Factory,
    maturity_round: MaturityRound,
) -> None:
    leader = factory.user(Role.employee, world.owner, name="Lise Leder")
    world.employee.language = "en"  # the mail is in the invitee's language, not the inviter's
    session.add(world.employee)
    session.commit()
    login(client, world.procurer)
    before = count_rows(session, OutboxMessage)
    invited = _post(
        client,
        f"{_round(maturity_round)}/respondents",
        user_id=str(world.employee.id),
        unit="service_area",
        unit_detail="Helse og velferd",
    )
    assert invited.status_code == 303, invited.text
    session.expire_all()
    [told] = session.exec(select(OutboxMessage).order_by(col(OutboxMessage.id))).all()[before:]
    assert told.to_address == world.employee.email
    assert told.subject.startswith(
        "Pivotal: Petra Procurer invites you to answer Eierkommune's self-assessment "
        "“Modenhet 2026” by "
    )
    assert "Hello Emil Employee" in told.body_text
    link = re.search(r"Open it: http://testserver(/maturity/rounds/\d+/answer)\n", told.body_text)
    assert link is not None and link.group(1) == f"{_round(maturity_round)}/answer"
    login(other_client, world.employee)
    assert other_client.get(link.group(1), headers=EN).status_code == 200
    # Norwegian for a member who reads Norwegian; still one mail per invitation, to them alone.
    _post(
        client,
        f"{_round(maturity_round)}/respondents",
        user_id=str(leader.id),
        unit="leadership",
    )
    session.expire_all()
    mails = session.exec(select(OutboxMessage).order_by(col(OutboxMessage.id))).all()[before:]
    assert [m.to_address for m in mails] == [world.employee.email, leader.email]
    assert mails[1].subject.startswith(
        "Pivotal: Petra Procurer inviterer deg til å svare på egenvurderingen «Modenhet 2026» i "
        "Eierkommune innen "
    )


def test_an_invitation_without_a_person_is_refused_beside_the_form(
    client: TestClient, world: World, session: Session, maturity_round: MaturityRound
) -> None:
    login(client, world.procurer)
    refused = _post(client, f"{_round(maturity_round)}/respondents", unit="leadership")
    assert refused.status_code == 422
    assert "Invite either an account or an e-mail address" in refused.text
    outsider = _post(
        client,
        f"{_round(maturity_round)}/respondents",
        user_id=str(world.citizen.id),
        unit="politics",
    )
    assert outsider.status_code == 422 and 'id="invite-form-user_id-error"' in outsider.text
    invite_member(session, world, maturity_round, world.employee)
    twice = _post(
        client,
        f"{_round(maturity_round)}/respondents",
        user_id=str(world.employee.id),
        unit="politics",
    )
    assert twice.status_code == 422 and "already invited" in twice.text
    assert 'id="invite-form-user_id-error"' in twice.text
    assert count_rows(session, MaturityRespondent) == 1


def test_an_answered_invitation_shows_no_remove_button_and_refuses_removal(
    client: TestClient, world: World, session: Session, maturity_round: MaturityRound
) -> None:
    respondent = invite_member(session, world, maturity_round, world.employee)
    login(client, world.employee)
    saved = _post(
        client,
        f"{_round(maturity_round)}/answer",
        indicator="need_discovery",
        **{"need_discovery-level": "2"},
    )
    assert saved.status_code == 303
    _switch(client, world.procurer)
    page = client.get(_round(maturity_round), headers=EN).text
    assert "1 of 16" in page and "Remove invitation" not in page
    refused = _post(client, f"{_round(maturity_round)}/respondents/{respondent}/remove")
    assert refused.status_code == 409


def test_closing_asks_for_confirmation_and_freezes_the_answers(
    client: TestClient, world: World, session: Session, maturity_round: MaturityRound
) -> None:
    invite_member(session, world, maturity_round, world.employee)
    login(client, world.procurer)
    page = client.get(_round(maturity_round), headers=EN).text
    assert f'href="{_round(maturity_round)}/close"' in page and "button danger" in page
    assert '<dialog id="close-dialog"' in page  # opened by static/js/confirm-dialog.js
    confirm = client.get(f"{_round(maturity_round)}/close", headers=EN)
    assert confirm.status_code == 200
    assert "nobody can change their answers any more" in confirm.text
    assert 'name="confirm"' in confirm.text and 'class="danger"' in confirm.text
    unticked = _post(client, f"{_round(maturity_round)}/close")
    assert unticked.status_code == 422
    closed = _post(client, f"{_round(maturity_round)}/close", confirm="yes")
    assert closed.status_code == 303
    page = client.get(closed.headers["location"], headers=EN).text
    assert "The round is closed." in page and 'id="invite-form"' not in page
    assert _post(client, f"{_round(maturity_round)}/close", confirm="yes").status_code == 409
    assert client.get(f"{_round(maturity_round)}/close").status_code == 409
    _switch(client, world.employee)
    answer = client.get(f"{_round(maturity_round)}/answer", headers=EN).text
    assert 'id="answer-form"' not in answer and "Not answered" in answer
    refused = _post(
        client,
        f"{_round(maturity_round)}/answer",
        indicator="need_discovery",
        **{"need_discovery-level": "2"},
    )
    assert refused.status_code == 409
    assert count_rows(session, MaturityAnswer) == 0


def test_only_those_who_run_the_round_close_it(
    client: TestClient, world: World, session: Session, maturity_round: MaturityRound
) -> None:
    invite_member(session, world, maturity_round, world.employee)
    login(client, world.employee)
    assert client.get(f"{_round(maturity_round)}/close").status_code == 403
    assert _post(client, f"{_round(maturity_round)}/close", confirm="yes").status_code == 403
    page = client.get(_round(maturity_round), headers=EN).text
    assert "Answer the self-assessment" in page and 'id="invite-form"' not in page


# ---- the answer form ----------------------------------------------------------------------------


def test_the_answer_form_groups_every_indicator_with_five_levels_and_dont_know(
    client: TestClient, world: World, session: Session, maturity_round: MaturityRound
) -> None:
    invite_member(session, world, maturity_round, world.employee)
    login(client, world.employee)
    page = client.get(f"{_round(maturity_round)}/answer").text  # bokmål by default
    assert page.count('<fieldset aria-describedby="indicator-') == 16
    assert page.count('value="dont_know"') == 16 and page.count('type="radio"') == 16 * 6
    assert "Anskaffelsesprosessen" in page and "Kartlegging av behov" in page
    assert "Behovet er gitt av den som bestiller" in page
    assert "0 av 16" in page
    english = client.get(f"{_round(maturity_round)}/answer", headers=EN).text
    assert "Discovering the need" in english and "The procurement process" in english
    assert "0 of 16 indicators answered" in english


def test_an_answer_saves_as_one_goes_and_shows_again_on_return(
    client: TestClient, world: World, session: Session, maturity_round: MaturityRound
) -> None:
    invite_member(session, world, maturity_round, world.employee)
    login(client, world.employee)
    saved = _post(
        client,
        f"{_round(maturity_round)}/answer",
        indicator="need_discovery",
        headers={**HTMX, "HX-Trigger": "indicator-need_discovery"},
        **{
            "need_discovery-level": "3",
            "need_discovery-evidence": "Behovsnotat fra 2026",
            "market_dialogue-level": "5",  # the rest of the form comes along, and is left alone
        },
    )
    assert saved.status_code == 200, saved.text
    assert saved.text.startswith("Saved") and 'hx-swap-oob="true"' in saved.text
    assert "1 of 16 indicators answered" in saved.text
    [row] = session.exec(select(MaturityAnswer)).all()
    assert (row.indicator_key, row.level, row.evidence) == (
        "need_discovery",
        3,
        "Behovsnotat fra 2026",
    )
    page = client.get(f"{_round(maturity_round)}/answer", headers=EN).text
    assert 'id="need_discovery-level-3" name="need_discovery-level" value="3" checked' in page
    assert ">Behovsnotat fra 2026</textarea>" in page and "1 of 16" in page


def test_without_javascript_one_button_saves_every_answer_with_dont_know_apart(
    client: TestClient, world: World, session: Session, maturity_round: MaturityRound
) -> None:
    invite_member(session, world, maturity_round, world.employee)
    login(client, world.employee)
    form = {
        "need_discovery-level": "2",
        "need_discovery-comment": "Vi starter ofte med løsningen.",
        "market_dialogue-level": "dont_know",
        "roles-level": "",
    }
    saved = _post(without_javascript(client), f"{_round(maturity_round)}/answer", **form)
    assert saved.status_code == 303 and saved.headers["location"].endswith("?saved=1")
    session.expire_all()
    rows = {a.indicator_key: a for a in session.exec(select(MaturityAnswer)).all()}
    assert set(rows) == {"need_discovery", "market_dialogue"}
    assert (rows["market_dialogue"].level, rows["market_dialogue"].dont_know) == (None, True)
    assert rows["need_discovery"].comment == "Vi starter ofte med løsningen."
    page = client.get(saved.headers["location"], headers=EN).text
    assert "Your answers are saved." in page and "2 of 16" in page
    assert 'value="dont_know" checked' in page


def test_a_refused_answer_stands_beside_its_indicator_and_saves_nothing(
    client: TestClient, world: World, session: Session, maturity_round: MaturityRound
) -> None:
    invite_member(session, world, maturity_round, world.employee)
    login(client, world.employee)
    form = {"need_discovery-level": "2", "roles-level": "9", "roles-comment": "Feil nivå"}
    refused = _post(client, f"{_round(maturity_round)}/answer", **form)
    assert refused.status_code == 422
    assert 'id="answer-form-roles-level-error"' in refused.text
    assert ">Feil nivå</textarea>" in refused.text  # what was typed shows again
    assert count_rows(session, MaturityAnswer) == 0
    htmx = _post(
        client,
        f"{_round(maturity_round)}/answer",
        indicator="roles",
        headers={**HTMX, "HX-Trigger": "indicator-roles"},
        **{"roles-level": "9"},
    )
    assert htmx.status_code == 422 and htmx.headers["HX-Retarget"] == "#indicator-roles-errors"
    unknown = _post(
        client, f"{_round(maturity_round)}/answer", indicator="no_such", **{"no_such-level": "1"}
    )
    assert unknown.status_code == 422


def test_after_the_deadline_the_answers_are_shown_read_only(
    client: TestClient, world: World, session: Session, maturity_round: MaturityRound
) -> None:
    invite_member(session, world, maturity_round, world.employee)
    login(client, world.employee)
    _post(client, f"{_round(maturity_round)}/answer", **{"need_discovery-level": "4"})
    pass_deadline(session, maturity_round)
    page = client.get(f"{_round(maturity_round)}/answer", headers=EN).text
    assert 'id="answer-form"' not in page and "The round is closed" in page
    assert "4 – Managed:" in page
    refused = _post(client, f"{_round(maturity_round)}/answer", **{"need_discovery-level": "1"})
    assert refused.status_code == 409


def test_only_respondents_reach_the_answer_form(
    client: TestClient, world: World, session: Session, maturity_round: MaturityRound
) -> None:
    login(client, world.procurer)
    assert client.get(f"{_round(maturity_round)}/answer").status_code == 403
    _switch(client, world.employee)
    assert client.get(f"{_round(maturity_round)}/answer").status_code == 404


def test_a_respondent_says_they_are_done(
    client: TestClient, world: World, session: Session, maturity_round: MaturityRound
) -> None:
    invite_member(session, world, maturity_round, world.employee)
    login(client, world.employee)
    done = _post(client, f"{_round(maturity_round)}/submit")
    assert done.status_code == 303
    assert (
        "You can still change your answers" in client.get(done.headers["location"], headers=EN).text
    )
    session.expire_all()
    assert session.exec(select(MaturityRespondent)).one().submitted_at is not None


# ---- an e-mailed invitation ---------------------------------------------------------------------


def test_an_emailed_invitation_is_accepted_by_whoever_logs_in_with_the_link(
    client: TestClient,
    other_client: TestClient,
    world: World,
    session: Session,
    maturity_round: MaturityRound,
    smtp_server: Mailbox,
) -> None:
    login(client, world.procurer)
    invited = _post(
        client,
        f"{_round(maturity_round)}/respondents",
        email="Politiker@Example.org",
        unit="politics",
    )
    assert invited.status_code == 303, invited.text
    assert mail.send_due() >= 1
    body = body_of(smtp_server.wait_for("politiker@example.org"))
    assert "Eierkommune" in body and "Modenhet 2026" in body
    path = INVITATION_RE.search(body).group(1)  # type: ignore[union-attr]
    anonymous = other_client.get(path, headers=EN)
    assert anonymous.status_code == 200 and "Politics" in anonymous.text
    assert f'href="/login?next={path}"' in anonymous.text
    login(other_client, world.citizen)
    page = other_client.get(path, headers=EN).text
    assert "Accept and start answering" in page
    accepted = _post(other_client, f"{path}/accept")
    assert accepted.status_code == 303
    assert accepted.headers["location"] == f"{_round(maturity_round)}/answer"
    assert other_client.get(accepted.headers["location"]).status_code == 200
    assert _post(other_client, f"{path}/accept").status_code == 422  # the link works once
    owners = client.get(_round(maturity_round), headers=EN).text
    assert "Cecilie Citizen" in owners and "not accepted yet" not in owners


def test_an_invitation_to_a_closed_round_cannot_be_accepted(
    client: TestClient,
    other_client: TestClient,
    world: World,
    session: Session,
    maturity_round: MaturityRound,
    smtp_server: Mailbox,
) -> None:
    login(client, world.procurer)
    _post(
        client, f"{_round(maturity_round)}/respondents", email="sen@example.org", unit="leadership"
    )
    assert mail.send_due() >= 1
    path = INVITATION_RE.search(body_of(smtp_server.wait_for("sen@example.org"))).group(1)  # type: ignore[union-attr]
    pass_deadline(session, maturity_round)
    login(other_client, world.citizen)
    assert "The round is closed" in other_client.get(path, headers=EN).text
    assert _post(other_client, f"{path}/accept").status_code == 409
