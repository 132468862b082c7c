"""The audit log as procurers and organisation administrators read it: in words, newest first,
filtered, paged, exported as CSV, with times in the site's time zone."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.models import AuditEntry
from app.models.base import MAX_ID, Phase
from app.routers import audit as audit_router
from tests.conftest import World, login
from tests.helpers import EN, Api

ROW_ID = re.compile(r'<tr id="audit-(\d+)">')


def _page(client: TestClient, world: World, query: str = "", **headers: str) -> str:
    response = client.get(f"/projects/{world.public.id}/audit-log{query}", headers=headers)
    assert response.status_code == 200, response.text
    return response.text


def _table(text: str) -> str:
    """The log's table, without the filter form around it (its options carry the raw values)."""
    return text[text.index("<table") : text.index("</table>")]


def _row_ids(text: str) -> list[int]:
    return [int(found) for found in ROW_ID.findall(text)]


def _csv(response: Any) -> list[dict[str, str]]:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


def _entry(session: Session, world: World, at: datetime, **fields: Any) -> AuditEntry:
    """An entry written straight into the log, at a chosen moment."""
    values: dict[str, Any] = {
        "project_id": world.public.id,
        "actor_id": world.procurer.id,
        "actor_role": "procurer",
        "action": "phase_moved",
        "object_type": "project",
        "object_id": world.public.id,
        "before": {"phase": "needs"},
        "after": {"phase": "market_dialogue"},
        "rationale": "Klare for markedsdialog.",
    }
    entry = AuditEntry(**{**values, **fields}, at=at)
    session.add(entry)
    session.commit()
    return entry


@pytest.fixture
def decisions(api: Api, world: World, client: TestClient) -> dict[str, Any]:
    """A need rejected, a comment on it hidden and a phase move, read by a logged-in procurer."""
    need = api.post_need(world.employee, world.public.id, title="Trygg hjemme om natten")
    comment = api.comment(world.citizen, need["id"])
    api.set_status(world.procurer, need["id"], status="rejected", reason="Dekkes av avtalen.")
    api.move_phase(world.procurer, world.public.id, Phase.market_dialogue)
    login(client, world.procurer)
    hidden = client.post(f"/comments/{comment['id']}/hide", data={"reason": "Personvern"})
    assert hidden.status_code == 200, hidden.text
    return {"need": need, "comment": comment}


# ---- the page ------------------------------------------------------------------------------------


def test_the_page_shows_the_newest_decision_first(
    client: TestClient, world: World, decisions: dict[str, Any]
) -> None:
    ids = _row_ids(_page(client, world))
    assert len(ids) == 3
    assert ids == sorted(ids, reverse=True)


def test_the_page_names_actions_fields_values_and_objects_in_bokmal(
    client: TestClient, world: World, decisions: dict[str, Any]
) -> None:
    text = _page(client, world)
    for shown in (
        "Beslutninger, nyeste først",
        "Behovsstatus endret",
        "Kommentar skjult",
        "Fase flyttet",
        "Behov «Trygg hjemme om natten»",
        "Kommentar til «Trygg hjemme om natten»",
        f'href="/needs/{decisions["need"]["id"]}"',
        "<dt>Status</dt><dd>Avvist</dd>",
        "<dt>Slått sammen med behov</dt><dd>—</dd>",
        "<dt>Skjult</dt><dd>Ja</dd>",
        "<dt>Begrunnelse for å skjule</dt><dd>Personvern</dd>",
        "Markedsdialog",
        "Petra Procurer (Innkjøper)",
    ):
        assert shown in text, shown
    for raw in ("need_status_changed", "comment_hidden", "merged_into_id", "hidden_reason"):
        assert raw not in _table(text), raw


def test_the_filter_is_a_labelled_get_form_that_keeps_its_choice(
    client: TestClient, world: World, decisions: dict[str, Any]
) -> None:
    text = _page(client, world, "?action=phase_moved&object_type=")
    assert '<form method="get"' in text
    assert '<label for="audit-action">Handling</label>' in text
    assert '<label for="audit-object-type">Type objekt</label>' in text
    assert '<option value="phase_moved" selected>Fase flyttet</option>' in text
    assert "Fase flyttet" in text and "Behovsstatus endret</td>" not in text
    assert len(_row_ids(text)) == 1


def test_the_filter_by_kind_of_object(
    client: TestClient, world: World, decisions: dict[str, Any]
) -> None:
    text = _page(client, world, "?object_type=comment")
    assert len(_row_ids(text)) == 1
    assert "Kommentar til «Trygg hjemme om natten»" in text
    assert "Ingen beslutninger passer" not in text
    empty = _page(client, world, "?action=document_published")
    assert _row_ids(empty) == [] and "Ingen beslutninger passer med dette filteret." in empty


def test_paging_goes_back_in_time_and_keeps_the_filter(
    client: TestClient,
    world: World,
    decisions: dict[str, Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(audit_router, "PAGE_SIZE", 1)
    first = _page(client, world, "?object_type=need")
    [newest] = _row_ids(first)
    link = f"/projects/{world.public.id}/audit-log?object_type=need&amp;before_id={newest}"
    assert f'href="{link}"' in first
    following = client.get(link.replace("&amp;", "&"))
    assert following.status_code == 200
    assert _row_ids(following.text) == []  # the need's only entry was on the first page
    pages = [_row_ids(_page(client, world))]
    while len(pages) < 3:
        pages.append(_row_ids(_page(client, world, f"?before_id={pages[-1][0]}")))
    assert [ids for [ids] in pages] == sorted((ids for [ids] in pages), reverse=True)


@pytest.mark.parametrize(
    "query",
    [
        "?action=drop_table",
        "?object_type=everything",
        "?before_id=-1",
        f"?before_id={10**30}",
        "?action=" + "x" * 5000,
    ],
)
def test_hostile_filters_are_refused_with_a_4xx(
    client: TestClient, world: World, decisions: dict[str, Any], query: str
) -> None:
    paths = ["/audit-log"] if "before_id" in query else ["/audit-log", "/audit-log.csv"]
    for path in paths:
        response = client.get(f"/projects/{world.public.id}{path}{query}", headers=EN)
        assert 400 <= response.status_code < 500, (path, query, response.status_code)


def test_a_huge_but_valid_cursor_is_simply_the_whole_log(
    client: TestClient, world: World, decisions: dict[str, Any]
) -> None:
    assert len(_row_ids(_page(client, world, f"?before_id={MAX_ID}"))) == 3


# ---- the export ----------------------------------------------------------------------------------


def test_the_csv_has_readable_columns_newest_first(
    client: TestClient, world: World, decisions: dict[str, Any]
) -> None:
    rows = _csv(client.get(f"/projects/{world.public.id}/audit-log.csv"))
    assert list(rows[0]) == [
        "Tid",
        "Hvem",
        "Rolle",
        "Handling",
        "Objekt",
        "Endringer",
        "Begrunnelse",
    ]
    assert [row["Handling"] for row in rows] == [
        "Kommentar skjult",
        "Fase flyttet",
        "Behovsstatus endret",
    ]
    hidden, moved, rejected = rows
    assert hidden["Objekt"] == "Kommentar til «Trygg hjemme om natten»"
    assert hidden["Endringer"] == "Skjult: Nei → Ja; Begrunnelse for å skjule: — → Personvern"
    assert moved["Endringer"] == "Fase: Behov → Markedsdialog"
    assert (
        rejected["Endringer"] == "Status: Sendt inn → Avvist; Begrunnelse: — → Dekkes av avtalen."
    )
    assert rejected["Hvem"] == "Petra Procurer" and rejected["Rolle"] == "Innkjøper"
    assert rejected["Begrunnelse"] == "Dekkes av avtalen."
    assert all(datetime.fromisoformat(row["Tid"]).utcoffset() is not None for row in rows)


def test_the_csv_takes_the_pages_filter(
    client: TestClient, world: World, decisions: dict[str, Any]
) -> None:
    rows = _csv(client.get(f"/projects/{world.public.id}/audit-log.csv?action=phase_moved"))
    assert [row["Handling"] for row in rows] == ["Fase flyttet"]
    assert f'href="/projects/{world.public.id}/audit-log.csv?action=phase_moved"' in _page(
        client, world, "?action=phase_moved"
    )


def test_the_csv_never_hands_a_spreadsheet_a_formula(
    client: TestClient, world: World, session: Session
) -> None:
    _entry(session, world, datetime.now(UTC), rationale='=HYPERLINK("http://x.example","klikk")')
    login(client, world.procurer)
    [row] = _csv(client.get(f"/projects/{world.public.id}/audit-log.csv"))
    assert row["Begrunnelse"].startswith("'=HYPERLINK")


def test_the_csv_is_for_procurers_only(client: TestClient, world: World) -> None:
    assert client.get(f"/projects/{world.public.id}/audit-log.csv").status_code == 401
    login(client, world.employee)
    assert client.get(f"/projects/{world.public.id}/audit-log.csv").status_code == 403


# ---- times ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("at", "page", "iso"),
    [
        (
            datetime(2026, 1, 15, 23, 30, tzinfo=UTC),
            "16. jan. 2026 kl. 00.30",
            "2026-01-16T00:30:00+01:00",
        ),
        (
            datetime(2026, 7, 1, 22, 5, tzinfo=UTC),
            "2. juli 2026 kl. 00.05",
            "2026-07-02T00:05:00+02:00",
        ),
    ],
)
def test_times_read_in_the_sites_time_zone(
    client: TestClient, world: World, session: Session, at: datetime, page: str, iso: str
) -> None:
    _entry(session, world, at)
    login(client, world.procurer)
    text = _page(client, world)
    assert page in text and f'<time datetime="{iso}">' in text
    [row] = _csv(client.get(f"/projects/{world.public.id}/audit-log.csv"))
    assert row["Tid"] == iso


# ---- the API -------------------------------------------------------------------------------------


def test_the_api_takes_the_same_filter_and_keeps_its_order(
    api: Api, world: World, decisions: dict[str, Any]
) -> None:
    path = f"/projects/{world.public.id}/audit-log"
    everything = api.get(path, world.procurer).json()
    assert [e["id"] for e in everything] == sorted(e["id"] for e in everything)
    only = api.get(path, world.procurer, params={"object_type": "need"}).json()
    assert [e["action"] for e in only] == ["need_status_changed"]
    assert api.get(path, world.procurer, params={"action": "nope"}).status_code == 422


# ---- the organisation's log ----------------------------------------------------------------------


def test_the_organisations_log_reads_in_words_with_filter_and_csv(
    client: TestClient, world: World
) -> None:
    login(client, world.admin)
    page = client.get(f"/organisations/{world.owner.id}/audit")
    assert page.status_code == 200, page.text
    assert '<label for="audit-action">Handling</label>' in page.text
    assert "membership_granted" not in _table(page.text) and "Medlemskap gitt" in page.text
    assert "Medlemskapet til Petra Procurer" in page.text
    assert "<dt>Rolle</dt><dd>Innkjøper</dd>" in page.text
    rows = _csv(client.get(f"/organisations/{world.owner.id}/audit.csv"))
    assert rows and {row["Handling"] for row in rows} == {"Medlemskap gitt"}
    none = client.get(f"/organisations/{world.owner.id}/audit.csv?action=domain_added")
    assert _csv(none) == []
    refused = client.get(f"/organisations/{world.owner.id}/audit?object_type=need")
    assert refused.status_code == 200 and _row_ids(refused.text) == []
    assert client.get(f"/organisations/{world.owner.id}/audit?action=nope").status_code == 422
