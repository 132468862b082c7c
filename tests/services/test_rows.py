"""Adding a row that a unique constraint guards: a racing twin is a 409, and the work goes on."""

from __future__ import annotations

import pytest
from sqlmodel import Session, col, select

from app.models import OrganisationDomain
from app.services import rows
from app.services.errors import Conflict
from tests.conftest import World


def _domain(world: World, name: str) -> OrganisationDomain:
    return OrganisationDomain(organisation_id=world.owner.id, domain=name, added_by_id=None)


def test_a_new_row_is_added_and_flushed(world: World, session: Session) -> None:
    row = rows.add_unique(session, _domain(world, "eier.example"), conflict="Taken.")
    assert row.id is not None


def test_a_row_whose_twin_got_there_first_is_a_conflict_and_the_transaction_goes_on(
    world: World, session: Session
) -> None:
    rows.add_unique(session, _domain(world, "eier.example"), conflict="Taken.")
    with pytest.raises(Conflict, match=r"^Taken\.$"):
        rows.add_unique(session, _domain(world, "eier.example"), conflict="Taken.")
    # Only the savepoint was rolled back: the first row and the rest of the work stay.
    rows.add_unique(session, _domain(world, "andre.example"), conflict="Taken.")
    session.commit()
    stored = session.exec(select(OrganisationDomain.domain)).all()
    assert sorted(stored) == ["andre.example", "eier.example"]


def test_the_conflict_message_can_say_which_rule_the_twin_broke(
    world: World, session: Session
) -> None:
    rows.add_unique(session, _domain(world, "eier.example"), conflict="Taken.")

    def which_rule() -> str:
        # Asked once the savepoint is rolled back, so it can look at what is stored now.
        query = select(OrganisationDomain.organisation_id).where(
            col(OrganisationDomain.domain) == "eier.example"
        )
        ours = session.exec(query).one() == world.owner.id
        return "Your organisation has this domain already." if ours else "Taken."

    with pytest.raises(Conflict, match="Your organisation has this domain already"):
        rows.add_unique(session, _domain(world, "eier.example"), conflict=which_rule)
