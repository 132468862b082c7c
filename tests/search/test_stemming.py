"""Search finds Norwegian inflections (through the Snowball stemmer on SQLite, PostgreSQL's
'norwegian' configuration on PostgreSQL), and marks the words it matched."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from app.models.base import id_of
from tests.conftest import World
from tests.helpers import Api
from tests.search.conftest import found, search

PROBLEM = "Vedtaket om hjemmetjenesten kommer sent, og skolen får ikke beskjed i tide."


@pytest.mark.parametrize(
    "query",
    ["hjemmetjeneste", "hjemmetjenesten", "hjemmetjenester", "vedtak", "vedtakene", "skoler"],
)
def test_a_search_finds_other_inflections_of_its_words(api: Api, world: World, query: str) -> None:
    need = api.post_need(world.employee, id_of(world.public), problem=PROBLEM)
    assert ("need", need["id"]) in found(api, world.citizen, query)


def test_every_word_must_match(api: Api, world: World) -> None:
    need = api.post_need(world.employee, id_of(world.public), problem=PROBLEM)
    assert ("need", need["id"]) in found(api, world.citizen, "vedtak skole")
    assert ("need", need["id"]) not in found(api, world.citizen, "vedtak sykehjem")


def test_a_query_of_little_words_or_no_letters_finds_nothing(api: Api, world: World) -> None:
    api.post_need(world.employee, id_of(world.public), problem=PROBLEM)
    for query in ("", "og i på", "1234 !!", "   "):
        assert search(api, world.citizen, query)["total"] == 0


def test_the_snippet_is_cut_around_the_searched_word(api: Api, world: World) -> None:
    long_problem = "Innledning uten treff. " * 30 + PROBLEM
    api.post_need(world.employee, id_of(world.public), problem=long_problem)
    (result,) = search(api, world.citizen, "hjemmetjeneste")["results"]
    assert "hjemmetjenesten" in result["snippet"]
    assert result["snippet"].startswith("…")
    assert len(result["snippet"]) < 260


def test_the_results_page_marks_the_matched_words_and_escapes_the_text(
    api: Api, world: World, client: TestClient
) -> None:
    api.post_need(
        world.employee,
        id_of(world.public),
        title="<script>alert(1)</script> Hjemmetjenesten",
        problem="<b>Hjemmetjenester</b> trenger <mark>bedre</mark> rutiner.",
    )
    page = client.get("/search", params={"q": "hjemmetjeneste"})
    assert page.status_code == 200
    assert "<mark>Hjemmetjenester</mark>" in page.text
    assert "<script>alert(1)</script>" not in page.text
    assert "&lt;script&gt;" in page.text
    assert "&lt;mark&gt;bedre&lt;/mark&gt;" in page.text
