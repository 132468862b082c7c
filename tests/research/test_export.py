"""The research export: a valid Data Package that keeps what it must out."""

from __future__ import annotations

import json
import re
import zipfile
from datetime import date, timedelta
from typing import Any

from frictionless import validate

from tests.helpers import Api
from tests.research.conftest import (
    ANON_PROBLEM,
    JUSTIFICATION,
    N0_PROBLEM,
    NILS,
    P2_BODY,
    P2_SUMMARY,
    QUESTION,
    SECRET_BODY,
    SUMMARY,
    Lab,
    everything,
    export,
    ok,
    study_input,
    table,
)

HEX64 = re.compile(r"^[0-9a-f]{64}$")


def pseudonyms(archive: zipfile.ZipFile) -> set[str]:
    found = set()
    for row in table(archive, "participation_events"):
        found |= {row["participant"], row["addressee"]}
    return found - {""}


def test_the_package_validates_with_frictionless_and_describes_every_field(
    api: Api, lab: Lab, unpack: Any
) -> None:
    for study, params in ((lab.consent_study, {"free_text": "true"}), (lab.public_study, {})):
        archive = export(api, lab.world.researcher, study["id"], **params)
        assert sorted(archive.namelist()) == [
            "comments.csv",
            "datapackage.json",
            "maturity_answers.csv",
            "maturity_rounds.csv",
            "needs.csv",
            "participation_by_role_and_phase.csv",
            "participation_events.csv",
            "projects.csv",
            "proposals.csv",
            "trace_links.csv",
        ]
        folder = unpack(archive, f"study-{study['id']}")
        report = validate(str(folder / "datapackage.json"))
        assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
        descriptor = json.loads(archive.read("datapackage.json"))
        assert descriptor["study"]["ethics_reference"] == "Sikt 123456"
        assert descriptor["study"]["legal_basis"] == study["legal_basis"]
        assert descriptor["licenses"] and descriptor["sources"] and descriptor["contributors"]
        for resource in descriptor["resources"]:
            assert resource["description"]
            for field in resource["schema"]["fields"]:
                assert field["description"], (resource["name"], field["name"])


def test_no_confidential_content_no_identities_no_secret_anywhere_in_the_zip(
    api: Api, lab: Lab, session: Any
) -> None:
    from app.models import Study

    archive = export(api, lab.world.admin, lab.consent_study["id"], free_text="true")
    data = everything(archive)
    for secret in (SECRET_BODY, P2_BODY, JUSTIFICATION, QUESTION, "pdf"):
        assert secret.encode() not in data, secret
    for person in lab.people:
        assert person.email.encode() not in data
        assert person.display_name.encode() not in data
    assert NILS.encode() not in data
    study = session.get(Study, lab.consent_study["id"])
    assert study.pseudonym_secret.encode() not in data
    assert b"user_id" not in data and b"actor_id" not in data
    # Only P2 (published) is there; P1 (never published) is neither a row nor an event.
    assert [int(r["proposal_id"]) for r in table(archive, "proposals")] == [lab.p2]
    proposal_events = [
        r for r in table(archive, "participation_events") if r["object_type"] == "proposal"
    ]
    assert {int(r["object_id"]) for r in proposal_events} == {lab.p2}
    assert not [r for r in table(archive, "participation_events") if "secrecy" in r["object_type"]]
    # The supplier company's id is never given; public bodies' ids are.
    events = table(archive, "participation_events")
    assert {r["participant_org_id"] for r in events if r["participant_role"] == "supplier"} == {""}
    assert str(lab.world.owner.id) in {r["participant_org_id"] for r in events}


def test_only_consenting_participants_rows_are_exported_under_consent(api: Api, lab: Lab) -> None:
    w = lab.world
    archive = export(api, w.researcher, lab.consent_study["id"], free_text="true")
    events = table(archive, "participation_events")
    roles = sorted({r["participant_role"] for r in events})
    assert roles == ["citizen", "employee", "procurer", "supplier"]
    # Nils, supplier A, the withdrawn partner employee and the supporters never consented.
    verbs = sorted(r["verb"] for r in events)
    assert "supported" not in verbs
    # N0 (employee); not Nils's N2, nor the citizen's anonymous N1 (left out under consent)
    assert verbs.count("posted_need") == 1
    assert verbs.count("proposed") == 1  # P2 by supplier B; P1's supplier did not consent
    assert [int(r["need_id"]) for r in table(archive, "needs")] == [lab.needs["N0"]]
    comments = table(archive, "comments")
    assert sorted(int(r["comment_id"]) for r in comments) == sorted(
        [lab.comments["employee_on_anon"], lab.comments["citizen_reply"]]
    )
    # The citizen's reply to Nils keeps its row but not Nils as its addressee.
    reply = next(r for r in events if r["verb"] == "replied")
    assert reply["addressee"] == "" and reply["addressee_role"] == "citizen"
    assert int(next(r for r in comments if r["parent_id"])["parent_id"]) == lab.comments["nils"]


def test_the_public_interest_study_has_everyone_pseudonymised(api: Api, lab: Lab) -> None:
    archive = export(api, lab.world.researcher, lab.public_study["id"])
    events = table(archive, "participation_events")
    supported = [r for r in events if r["verb"] == "supported"]
    assert len(supported) == 5 and len({r["participant"] for r in supported}) == 5
    assert len(table(archive, "needs")) == 3
    assert len(table(archive, "comments")) == 4


def test_anonymous_authors_and_askers_are_never_linked(api: Api, lab: Lab) -> None:
    archive = export(api, lab.world.researcher, lab.public_study["id"])
    events = table(archive, "participation_events")
    citizen_names = {
        r["participant"] for r in events if r["verb"] == "replied"
    }  # the citizen's own pseudonym
    anon_post = next(
        r for r in events if r["verb"] == "posted_need" and int(r["object_id"]) == lab.needs["N1"]
    )
    assert HEX64.match(anon_post["participant"]) and anon_post["participant_role"] == "citizen"
    assert anon_post["participant_org_id"] == ""
    on_anon = next(
        r
        for r in events
        if r["verb"] == "commented" and int(r["object_id"]) == lab.comments["employee_on_anon"]
    )
    assert on_anon["addressee"] == "" and on_anon["addressee_role"] == "citizen"
    assert not citizen_names & {anon_post["participant"], on_anon["addressee"]}
    anon_need = next(r for r in table(archive, "needs") if int(r["need_id"]) == lab.needs["N1"])
    assert anon_need["author"] == "" and anon_need["anonymous"] == "true"
    asked = next(r for r in events if r["verb"] == "asked")
    answered = next(r for r in events if r["verb"] == "answered")
    assert asked["participant"] == "" and asked["participant_org_id"] == ""
    assert answered["addressee"] == "" and answered["addressee_role"] == "supplier"


def test_pseudonyms_are_stable_within_a_study_and_differ_between_studies(
    api: Api, lab: Lab
) -> None:
    w = lab.world
    first = export(api, w.researcher, lab.consent_study["id"])
    again = export(api, w.admin, lab.consent_study["id"])
    other = export(api, w.researcher, lab.public_study["id"])

    def employee_pseudonym(archive: zipfile.ZipFile) -> str:
        rows = table(archive, "participation_events")
        return next(r["participant"] for r in rows if r["verb"] == "posted_need")

    assert employee_pseudonym(first) == employee_pseudonym(again)
    assert employee_pseudonym(first) != employee_pseudonym(other)
    assert not pseudonyms(first) & pseudonyms(other)
    assert all(HEX64.match(p) for p in pseudonyms(first) | pseudonyms(other))


def test_cells_under_five_people_are_suppressed(api: Api, lab: Lab) -> None:
    w = lab.world
    cells = {
        (r["phase"], r["participant_role"]): r
        for r in table(
            export(api, w.researcher, lab.public_study["id"]), "participation_by_role_and_phase"
        )
    }
    # Seven citizens in the market dialogue: the citizen (2), Nils (2), five supporters (1 each).
    assert cells[("market_dialogue", "citizen")] == {
        "project_id": str(lab.market.project_id),
        "phase": "market_dialogue",
        "participant_role": "citizen",
        "participants": "7",
        "contributions": "9",
        "note": "",
    }
    employees = cells[("market_dialogue", "employee")]
    assert employees["participants"] == employees["contributions"] == ""
    assert employees["note"] == "suppressed: fewer than 5 people"
    consent_cells = table(
        export(api, w.researcher, lab.consent_study["id"]), "participation_by_role_and_phase"
    )
    assert consent_cells and all(r["participants"] == "" for r in consent_cells)


def test_free_text_only_when_the_study_allows_and_the_export_asks(api: Api, lab: Lab) -> None:
    w = lab.world
    with_text = export(api, w.researcher, lab.consent_study["id"], free_text="true")
    data = everything(with_text)
    assert N0_PROBLEM.encode() in data
    assert ANON_PROBLEM.encode() not in data  # anonymous needs are left out under consent
    assert P2_SUMMARY.encode() in data and "Vi hører deg.".encode() in data
    assert SUMMARY.encode() not in data  # P1's summary was never published
    without = everything(export(api, w.researcher, lab.consent_study["id"]))
    for text in (ANON_PROBLEM, N0_PROBLEM, P2_SUMMARY, "Vi hører deg."):
        assert text.encode() not in without
    refused = api.get(
        f"/research/studies/{lab.public_study['id']}/export",
        w.researcher,
        params={"free_text": "true"},
    )
    assert refused.status_code == 403
    assert refused.json()["detail"] == "This study does not allow free text in its exports."


def test_the_export_command_writes_the_same_package(
    api: Api, lab: Lab, tmp_path: Any, unpack: Any
) -> None:
    from typer.testing import CliRunner

    from app.cli import cli

    out = tmp_path / "study.zip"
    study_id = lab.consent_study["id"]
    result = CliRunner().invoke(cli, ["export", "--study", str(study_id), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "participation_events" in result.output
    archive = zipfile.ZipFile(out)
    via_api = export(api, lab.world.researcher, study_id)
    for name in ("participation_events.csv", "needs.csv", "comments.csv", "proposals.csv"):
        assert archive.read(name) == via_api.read(name)
    assert validate(str(unpack(archive, "cli") / "datapackage.json")).valid
    refused = CliRunner().invoke(
        cli, ["export", "--study", str(lab.public_study["id"]), "--out", str(out), "--free-text"]
    )
    assert refused.exit_code == 2
    assert "does not allow free text" in refused.output
    missing = CliRunner().invoke(cli, ["export", "--study", "999999", "--out", str(out)])
    assert missing.exit_code == 2 and "No study has the id 999999." in missing.output


def test_a_hidden_comment_keeps_its_row_but_never_its_text(
    api: Api, lab: Lab, session: Any
) -> None:
    from app.models import Comment
    from app.services import needs, permissions

    comment = session.get(Comment, lab.comments["employee_on_anon"])
    project = session.get(type(lab.world.public), lab.market.project_id)
    rel = permissions.relation(session, lab.world.procurer, project)
    needs.hide_comment(session, rel=rel, comment=comment, reason="Personopplysninger")
    session.commit()
    archive = export(api, lab.world.researcher, lab.consent_study["id"], free_text="true")
    row = next(
        r
        for r in table(archive, "comments")
        if int(r["comment_id"]) == lab.comments["employee_on_anon"]
    )
    assert row["hidden"] == "true" and row["body"] == ""
    assert b"Vi h\xc3\xb8rer deg." not in everything(archive)
    assert b"Personopplysninger" not in everything(archive)


def test_a_hidden_need_keeps_its_row_but_never_its_text(api: Api, lab: Lab, session: Any) -> None:
    from app.models import Need
    from app.services import moderation, permissions

    need = session.get(Need, lab.needs["N0"])
    project = session.get(type(lab.world.public), need.project_id)
    rel = permissions.relation(session, lab.world.procurer, project)
    moderation.hide(session, rel=rel, content=need, reason="Personopplysninger")
    session.commit()
    archive = export(api, lab.world.researcher, lab.consent_study["id"], free_text="true")
    [row] = [r for r in table(archive, "needs") if int(r["need_id"]) == lab.needs["N0"]]
    assert row["title"] == row["problem"] == ""
    assert N0_PROBLEM.encode() not in everything(archive)


def test_only_what_happened_within_the_studys_period_is_exported(api: Api, lab: Lab) -> None:
    w = lab.world
    today = date.today()
    for start, end in ((today + timedelta(days=1), today + timedelta(days=30)),
                       (today - timedelta(days=60), today - timedelta(days=1))):  # fmt: skip
        study = ok(
            api.post(
                "/research/studies",
                w.researcher,
                json=study_input(
                    legal_basis="public_interest",
                    period_start=start.isoformat(),
                    period_end=end.isoformat(),
                ),
            ),
            201,
        )
        archive = export(api, w.researcher, study["id"])
        for name in ("participation_events", "needs", "comments", "proposals"):
            assert table(archive, name) == [], (start, name)
        assert table(archive, "participation_by_role_and_phase") == []
        assert table(archive, "projects")  # the projects themselves are not personal data
    # The lab's studies run from a month ago to next year: everything is in them.
    assert table(export(api, w.researcher, lab.public_study["id"]), "participation_events")


def test_an_anonymous_needs_author_has_no_organisation_and_no_pseudonym_of_their_own_on_it(
    api: Api, lab: Lab
) -> None:
    w = lab.world
    project = lab.market.project_id
    need = api.post_need(w.employee, project, title="Uten navn", anonymous=True)
    own = api.comment(w.employee, need["id"], "Jeg kan si mer om dette.")
    archive = export(api, w.researcher, lab.public_study["id"])
    events = table(archive, "participation_events")
    named = {r["participant"] for r in events if r["verb"] == "posted_need"} - {""}
    [posted] = [
        r for r in events if r["verb"] == "posted_need" and int(r["object_id"]) == need["id"]
    ]
    [commented] = [
        r for r in events if r["object_type"] == "comment" and int(r["object_id"]) == own["id"]
    ]
    assert posted["participant_org_id"] == "" and commented["participant_org_id"] == ""
    assert posted["participant_org_kind"] == "municipality"  # the kind, never which one
    # The posting and the author's own comment share the need's pseudonym, no other row's.
    assert posted["participant"] == commented["participant"]
    employee = next(r["participant"] for r in events if int(r["object_id"]) == lab.needs["N0"])
    assert posted["participant"] != employee and posted["participant"] not in named - {
        posted["participant"]
    }
    [comment] = [r for r in table(archive, "comments") if int(r["comment_id"]) == own["id"]]
    assert comment["author_org_id"] == "" and comment["author"] == posted["participant"]
    [row] = [r for r in table(archive, "needs") if int(r["need_id"]) == need["id"]]
    assert row["author"] == "" and row["author_org_id"] == ""


def test_withdrawing_consent_shows_nothing_about_anonymous_needs(api: Api, lab: Lab) -> None:
    """Exports before and after a withdrawal differ only in rows that carry the person's own
    pseudonym: nothing anonymous goes or changes with them."""
    w = lab.world
    study = lab.consent_study["id"]
    anonymous = api.post_need(w.employee, lab.market.project_id, title="Stille", anonymous=True)
    api.comment(w.employee, anonymous["id"], "Mer om mitt eget behov.")
    before = export(api, w.researcher, study, free_text="true")
    ok(api.delete(f"/research/studies/{study}/consent", w.employee))
    after = export(api, w.researcher, study, free_text="true")

    events = table(before, "participation_events")
    person = next(r["participant"] for r in events if int(r["object_id"]) == lab.needs["N0"])
    gone = [r for r in events if r not in table(after, "participation_events")]
    assert gone and all(person in (r["participant"], r["addressee"]) for r in gone)
    for name, who in (("needs", "author"), ("comments", "author")):
        rows_after = table(after, name)
        changed = [r for r in table(before, name) if r not in rows_after]
        assert all(r[who] == person for r in changed), name
    assert anonymous["id"] not in {int(r["need_id"]) for r in table(before, "needs")}
