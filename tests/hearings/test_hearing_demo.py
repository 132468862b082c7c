"""The demo's care-home project has an open hearing with comments from several roles."""

from __future__ import annotations

from sqlmodel import Session, col, select

from app import demo
from app.models import Hearing, HearingComment, Project, User
from app.models.base import Role
from app.services import hearings, permissions


def test_the_demo_hearing_is_open_with_comments_from_several_roles(session: Session) -> None:
    demo.load_demo(session)
    project = session.exec(select(Project).where(col(Project.title).startswith("Trygge"))).one()
    hearing = session.exec(select(Hearing).where(Hearing.project_id == project.id)).one()
    assert hearings.is_open(hearing)
    rows = session.exec(
        select(HearingComment, User.role).join(User, col(User.id) == HearingComment.author_id)
    ).all()
    roles = [role for _comment, role in rows]
    assert {Role.employee, Role.citizen, Role.supplier} <= set(roles)
    assert roles.count(Role.supplier) >= 3
    assert sum(1 for comment, _role in rows if comment.passage_quote) >= 4
    rival = session.exec(select(User).where(User.email == "leverandor@klimalos.example")).one()
    rel = permissions.relation(session, rival, project)
    shown = {view.author_name for view in hearings.comments(session, rel=rel, hearing=hearing)}
    assert "Helsetek AS" not in shown and "Klimaløs AS" not in shown
