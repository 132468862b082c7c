"""A round's results through the JSON API and the page: the figures, the chart with its table,
and who gets them."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.models import MaturityRound, User
from app.models.base import Role, id_of
from app.models.maturity import MaturityUnit
from app.services import permissions
from app.services.maturity import rounds
from tests.conftest import Factory, World, login
from tests.helpers import Api
from tests.maturity.conftest import Levels, completed_elsewhere, run_round

P, POL = MaturityUnit.procurement, MaturityUnit.politics


def _scene(
    session: Session, world: World, factory: Factory, *, close: bool = True
) -> tuple[MaturityRound, list[User]]:
    """Three procurement respondents and one politician; the politicians see anchoring lower."""
    people = [factory.user(Role.employee, world.owner) for _ in range(4)]
    answers: list[tuple[User, MaturityUnit, Levels]] = [
        (p, P, {"strategy_anchoring": 4, "leadership_mandate": 4, "roles": None})
        for p in people[:3]
    ]
    answers.append((people[3], POL, {"strategy_anchoring": 2, "leadership_mandate": 1}))
    round_ = run_round(
        session, opener=world.procurer, organisation=world.owner, answers=answers, close=close
    )
    return round_, people


def test_the_api_gives_median_iqr_n_and_dont_know_per_dimension_indicator_and_unit(
    session: Session, world: World, factory: Factory, api: Api
) -> None:
    round_, _ = _scene(session, world, factory)
    body = api.get(f"/maturity/rounds/{round_.id}/results", world.procurer).json()
    anchoring = next(d for d in body["dimensions"] if d["key"] == "anchoring")
    assert (anchoring["median"], anchoring["n"], anchoring["dont_know"]) == (4.0, 4, 0)
    assert anchoring["units"]["politics"] == {
        "median": 1.5,
        "iqr": 0.0,
        "n": 1,
        "dont_know": 0,
        "suppressed": False,
    }
    roles = next(
        i
        for d in body["dimensions"]
        for i in d["indicators"]
        if i["key"] == "roles"  # answered only "don't know"
    )
    assert (roles["median"], roles["n"], roles["dont_know"]) == (None, 0, 3)
    finding = next(f for f in body["findings"] if f["key"] == "anchoring")
    assert (finding["high_unit"], finding["low_unit"]) == ("procurement", "politics")
    assert "anchoring" in finding["sentence"].lower() or "forankring" in finding["sentence"].lower()
    assert body["comparison"] is None and "5" in body["comparison_reason"]
    assert [t["round_id"] for t in body["trend"]] == [round_.id]
    assert body["weakest"][0]["indicators"][0]["measures"]


def test_a_respondent_is_told_to_wait_for_the_close_and_then_sees_no_small_unit(
    session: Session, world: World, factory: Factory, api: Api
) -> None:
    round_, people = _scene(session, world, factory, close=False)
    early = api.get(f"/maturity/rounds/{round_.id}/results", people[0])
    assert early.status_code == 403
    assert "closed" in early.text
    rounds.close_round(
        session, rel=permissions.round_relation(session, world.procurer, id_of(round_))
    )
    session.commit()
    body = api.get(f"/maturity/rounds/{round_.id}/results", people[0]).json()
    anchoring = next(d for d in body["dimensions"] if d["key"] == "anchoring")
    assert anchoring["units"]["politics"]["suppressed"] is True
    assert anchoring["units"]["politics"]["median"] is None
    assert body["suppressed_units"] == ["politics"]
    assert not any(f["low_unit"] == "politics" for f in body["findings"])


@pytest.mark.parametrize("who", ["other_procurer", "citizen", "supplier", "employee"])
def test_outsiders_get_not_found(
    session: Session, world: World, factory: Factory, api: Api, who: str
) -> None:
    round_, _ = _scene(session, world, factory)
    response = api.get(f"/maturity/rounds/{round_.id}/results", getattr(world, who))
    assert response.status_code == 404


def test_the_page_draws_the_radar_with_its_table_and_names_the_disagreement(
    session: Session, world: World, factory: Factory, client: TestClient
) -> None:
    round_, _ = _scene(session, world, factory)
    page = login(client, world.procurer).get(f"/maturity/rounds/{round_.id}/results")
    assert page.status_code == 200, page.text
    html = page.text
    assert 'role="img"' in html and '<title id="radar-title">' in html
    assert 'id="dimension-table-caption"' in html and 'scope="row"' in html
    assert "Forankring" in html  # the model's bokmål titles
    assert "Enhetene er uenige" in html  # the finding, in words
    assert 'id="trend-table-caption"' in html


def test_a_respondent_sees_too_few_to_show_on_the_page(
    session: Session, world: World, factory: Factory, client: TestClient
) -> None:
    round_, people = _scene(session, world, factory)
    page = login(client, people[0]).get(f"/maturity/rounds/{round_.id}/results")
    assert page.status_code == 200, page.text
    assert "for få til å vises" in page.text


def test_the_page_speaks_english_with_the_models_english_texts(
    session: Session, world: World, factory: Factory, client: TestClient
) -> None:
    round_, _ = _scene(session, world, factory)
    login(client, world.procurer)
    page = client.get(
        f"/maturity/rounds/{round_.id}/results", headers={"Accept-Language": "en"}
    ).text
    assert "Anchoring" in page and "Forankring" not in page
    assert "The units disagree on Anchoring: Procurement answered 4 and politics 1.5" in page


def test_from_five_municipalities_on_the_radar_draws_their_median_beside_ours(
    session: Session, world: World, factory: Factory, client: TestClient, api: Api
) -> None:
    for level in (1, 2, 2, 3):
        completed_elsewhere(session, factory, level)
    round_, _ = _scene(session, world, factory)
    body = api.get(f"/maturity/rounds/{round_.id}/results", world.procurer).json()
    assert body["comparison"]["municipalities"] == 5
    anchoring = next(d for d in body["dimensions"] if d["key"] == "anchoring")
    assert anchoring["comparison_median"] == 2.0  # of 1, 2, 2, 3 and this one's 4
    page = login(client, world.procurer).get(f"/maturity/rounds/{round_.id}/results").text
    assert 'stroke-dasharray="8 5"' in page  # the second polygon, dashed
    assert "Median for 5 kommuner" in page  # and its column in the table
    assert "Annen kommune" not in page and "Municipality " not in page  # no other's name
