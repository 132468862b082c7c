"""Adding a row that a unique constraint guards: a racing twin is a 409, and the work goes on."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from app import db
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


def test_a_first_write_in_a_savepoint_is_undone_when_the_transaction_rolls_back(
    world: World, session: Session
) -> None:
    # The request's first write is the guarded add; a later write fails; nothing may stay.
    # (pysqlite used to let the SAVEPOINT open SQLite's transaction, and RELEASE commit it.)
    rows.add_unique(session, _domain(world, "forst.example"), conflict="Taken.")
    session.add(_domain(world, "forst.example"))  # breaks the unique constraint
    with pytest.raises(IntegrityError):
        session.flush()
    session.rollback()
    stored = session.exec(select(OrganisationDomain.domain)).all()
    assert "forst.example" not in stored


def test_a_transaction_that_read_before_another_wrote_can_still_write(
    world: World, session: Session
) -> None:
    # Every transaction now opens with BEGIN, so its reads see one snapshot; the first write
    # must still get through after another connection committed in between (no stale snapshot).
    session.exec(select(OrganisationDomain.domain)).all()
    with db.new_session() as other:
        other.add(_domain(world, "andre.example"))
        other.commit()
    rows.add_unique(session, _domain(world, "forst.example"), conflict="Taken.")
    session.commit()
    stored = session.exec(select(OrganisationDomain.domain)).all()
    assert sorted(stored) == ["andre.example", "forst.example"]
