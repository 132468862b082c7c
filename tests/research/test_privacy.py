"""Deleted accounts and objections in research exports made later.

What "no longer contains the person" means: no file of a later export holds the person's
pseudonym, their needs and comments are left out, and counts no longer count them. Under public
interest the participation events they made stay, tied to nobody (no pseudonym, no organisation
id, only role and organisation kind); under consent they go with the consent.
"""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from frictionless import validate
from sqlmodel import Session

from app.models import Study
from app.services.research import pseudonym
from tests.conftest import PASSWORD, login
from tests.helpers import Api
from tests.research.conftest import Lab, everything, export, ok, table


def pseudonym_of(session: Session, study_id: int, user: Any) -> str:
    study = session.get(Study, study_id)
    assert study is not None
    return pseudonym(study, user.id)


def delete_account(api: Api, user: Any) -> None:
    body = {"password": PASSWORD, "confirm": "SLETT"}
    assert api.request("DELETE", "/me", user, json=body).status_code == 204


def test_a_deleted_account_is_not_in_a_public_interest_export_made_later(
    api: Api, lab: Lab, session: Session, unpack: Any
) -> None:
    sid = lab.public_study["id"]
    nils = pseudonym_of(session, sid, lab.nils)
    before = export(api, lab.world.researcher, sid)
    assert nils.encode() in everything(before)
    events_before = table(before, "participation_events")

    delete_account(api, lab.nils)
    after = export(api, lab.world.researcher, sid)
    assert nils.encode() not in everything(after)
    assert lab.needs["N2"] not in {int(r["need_id"]) for r in table(after, "needs")}
    assert lab.comments["nils"] not in {int(r["comment_id"]) for r in table(after, "comments")}
    # His acts stay in the log, tied to nobody: the same rows, with no pseudonym.
    events_after = table(after, "participation_events")
    assert len(events_after) == len(events_before)
    posted = next(
        r
        for r in events_after
        if r["verb"] == "posted_need" and int(r["object_id"]) == lab.needs["N2"]
    )
    assert (posted["participant"], posted["participant_role"]) == ("", "citizen")
    assert posted["participant_org_id"] == ""
    # The citizen's reply to him names no addressee any more.
    reply = next(r for r in events_after if r["verb"] == "replied")
    assert reply["addressee"] == ""
    assert validate(str(unpack(after) / "datapackage.json")).valid


def test_a_deleted_account_is_not_in_a_consent_export_made_later(
    api: Api, lab: Lab, session: Session
) -> None:
    sid = lab.consent_study["id"]
    citizen = pseudonym_of(session, sid, lab.world.citizen)
    assert citizen.encode() in everything(export(api, lab.world.researcher, sid))
    delete_account(api, lab.world.citizen)
    after = export(api, lab.world.researcher, sid)
    assert citizen.encode() not in everything(after)
    comments = {int(r["comment_id"]) for r in table(after, "comments")}
    assert lab.comments["citizen_reply"] not in comments
    assert "citizen" not in {r["participant_role"] for r in table(after, "participation_events")}


def test_an_objection_leaves_the_person_out_until_taken_back(
    api: Api, lab: Lab, session: Session
) -> None:
    sid = lab.public_study["id"]
    nils = pseudonym_of(session, sid, lab.nils)
    shown = ok(api.post(f"/research/studies/{sid}/objection", lab.nils))
    assert shown["objected"] is True and shown["consented"] is None
    ok(api.post(f"/research/studies/{sid}/objection", lab.nils))  # twice is harmless
    archive = export(api, lab.world.researcher, sid)
    assert nils.encode() not in everything(archive)
    assert lab.needs["N2"] not in {int(r["need_id"]) for r in table(archive, "needs")}
    supports = {int(r["need_id"]): int(r["supports"]) for r in table(archive, "needs")}
    assert supports[lab.needs["N0"]] == 5  # the supporters did not object
    taken_back = ok(api.delete(f"/research/studies/{sid}/objection", lab.nils))
    assert taken_back["objected"] is False
    assert nils.encode() in everything(export(api, lab.world.researcher, sid))


def test_a_consent_study_is_left_by_withdrawing_not_by_objecting(api: Api, lab: Lab) -> None:
    sid = lab.consent_study["id"]
    refused = api.post(f"/research/studies/{sid}/objection", lab.world.citizen)
    assert refused.status_code == 409
    assert "withdraw" in refused.json()["detail"]


def test_the_profile_lists_the_public_interest_study_to_those_it_covers(
    client: TestClient, api: Api, lab: Lab, factory: Any
) -> None:
    title = lab.public_study["title"]
    sid = lab.public_study["id"]
    login(client, lab.nils)
    page = client.get("/profile").text
    assert f'action="/profile/studies/{sid}/object"' in page
    objected = client.post(f"/profile/studies/{sid}/object", follow_redirects=False)
    assert objected.status_code == 303
    page = client.get("/profile").text
    assert f'action="/profile/studies/{sid}/take-back"' in page
    # Someone who took part in no project is not covered by it.
    client.cookies.clear()
    client.headers.pop("X-CSRF-Token", None)
    login(client, factory.user(lab.nils.role))
    assert f'action="/profile/studies/{sid}/object"' not in client.get("/profile").text
    assert title in client.get("/personvern").text  # every study is in the privacy statement
