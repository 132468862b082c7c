"""The hearing (høring): a project's draft requirements put out for comment until a deadline.

A procurer opens it on every draft requirement (which go to the status "in hearing" through the
requirement service, so their versions and audit stay whole), for chosen audiences and with a
deadline in the future; a project has one open hearing at a time. Those heard comment on a
requirement as a whole, or on a passage of its text, until the deadline by the server's clock.
Who takes part, and who learns who wrote what, is `app/services/permissions/hearings.py`'s.

A passage is counted in the requirement's text with its line breaks made single newlines (as a
browser reads the text), so the offsets a page sends are the offsets checked and stored here.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, func, select

from app.i18n import N_
from app.models import Hearing, HearingComment, Organisation, Project, Requirement, User
from app.models.base import Role, id_of, utcnow
from app.models.hearing import HearingCommentCreate, HearingOpen
from app.models.requirement import RequirementKind, RequirementStatus, RequirementUpdate
from app.models.vocabulary import AuditAction, AuditField, LiveKind, Verb
from app.services import contribution, permissions, requirements
from app.services.contribution import Change
from app.services.errors import Conflict, Invalid, NotFound
from app.services.live import LiveEvent, PageKind, Topic
from app.services.permissions import ProjectRelation

NO_SUCH_HEARING = N_("No such hearing.")
NOT_IN_HEARING = N_("No such requirement in this hearing.")
DEADLINE_PAST = N_("The deadline must be in the future.")
ALREADY_OPEN = N_("The project already has an open hearing; wait until its deadline has passed.")
NOTHING_TO_HEAR = N_("There are no draft requirements to put out for hearing.")
CLOSED = N_("The hearing is closed: comments were accepted until its deadline.")
PASSAGE_MISMATCH = N_(
    "The passage does not match the requirement's text in version %(version)s; select it again."
)
PASSAGE_NOT_FOUND = N_(
    "The passage was not found in the requirement's text; copy it exactly as it reads."
)
NO_SUCH_VERSION = N_("The requirement has no version %(version)s.")
A_SUPPLIER = N_("A supplier")


def plain(text: str) -> str:
    """The text as a browser reads it: every line break a single newline."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def is_open(hearing: Hearing, *, now: datetime | None = None) -> bool:
    """Whether the hearing still takes comments: until its deadline, by the server's clock."""
    return (now or utcnow()) < hearing.deadline


def _co_author(session: Session, rel: ProjectRelation) -> bool:
    return requirements.is_co_author(session, rel=rel)


def takes_part(session: Session, *, rel: ProjectRelation, hearing: Hearing) -> bool:
    """Whether the person is heard in the hearing (and so may see it)."""
    return permissions.in_hearing(rel, hearing, co_author=_co_author(session, rel))


def open_hearing_of(session: Session, *, project_id: int) -> Hearing | None:
    """The project's hearing that is open now, if any."""
    query = select(Hearing).where(Hearing.project_id == project_id, Hearing.deadline > utcnow())
    return session.exec(query).first()


def _drafts(session: Session, project_id: int) -> list[Requirement]:
    query = select(Requirement).where(
        Requirement.project_id == project_id, Requirement.status == RequirementStatus.draft
    )
    return list(session.exec(query.order_by(col(Requirement.id))).all())


def audiences(hearing: Hearing) -> list[str]:
    """The hearing's chosen audiences by name: employees, citizens, suppliers."""
    chosen = (
        ("employees", hearing.for_employees),
        ("citizens", hearing.for_citizens),
        ("suppliers", hearing.for_suppliers),
    )
    return [name for name, on in chosen if on]


def open_hearing(session: Session, *, rel: ProjectRelation, data: HearingOpen) -> Hearing:
    """A procurer puts the project's draft requirements out for hearing until a deadline."""
    user = permissions.ensure_can_open_hearing(rel, citizens=data.citizens)
    if data.deadline.tzinfo is None or data.deadline <= utcnow():
        raise Invalid(DEADLINE_PAST)
    # The project's row, locked until commit (PostgreSQL): two procurers opening at once wait in
    # turn, and the second finds the first's hearing open.
    session.exec(select(Project.id).where(Project.id == rel.project.id).with_for_update()).one()
    if open_hearing_of(session, project_id=id_of(rel.project)) is not None:
        raise Conflict(ALREADY_OPEN)
    drafts = _drafts(session, id_of(rel.project))
    if not drafts:
        raise Conflict(NOTHING_TO_HEAR)
    hearing = Hearing(
        project_id=id_of(rel.project),
        opened_by_id=id_of(user),
        deadline=data.deadline,
        for_employees=data.employees,
        for_citizens=data.citizens,
        for_suppliers=data.suppliers,
    )
    session.add(hearing)
    session.flush()
    for requirement in drafts:
        update = RequirementUpdate(status=RequirementStatus.in_hearing)
        requirements.edit(session, rel=rel, requirement=requirement, data=update)
    after: dict[str, object] = {
        AuditField.deadline: data.deadline.isoformat(),
        AuditField.audiences: audiences(hearing),
    }
    contribution.record(
        session,
        rel=rel,
        on=hearing,
        verb=Verb.opened_hearing,
        change=Change(AuditAction.hearing_opened, before=None, after=after),
        push=_event(hearing, id_of(hearing)),
    )
    return hearing


def _event(hearing: Hearing, object_id: int) -> LiveEvent:
    """The live event of a change to the hearing: its own page, and the specification's."""
    return LiveEvent(
        LiveKind.hearing_changed,
        object_id,
        hearing.project_id,
        page=PageKind.specification,
        extra_topics=(Topic(PageKind.hearing, id_of(hearing)),),
    )


def list_hearings(session: Session, *, rel: ProjectRelation) -> list[Hearing]:
    """The project's hearings the person takes part in, newest first."""
    query = select(Hearing).where(Hearing.project_id == rel.project.id)
    found = session.exec(query.order_by(col(Hearing.opened_at).desc(), col(Hearing.id).desc()))
    co_author = _co_author(session, rel) if rel.user else False
    return [h for h in found.all() if permissions.in_hearing(rel, h, co_author=co_author)]


def find(
    session: Session, *, user: User | None, hearing_id: int
) -> tuple[Hearing, ProjectRelation]:
    """A hearing and the person's relation to its project; 404 unless they take part in it."""
    hearing, rel = permissions.find_in_project(
        session, user, Hearing, hearing_id, missing=NO_SUCH_HEARING
    )
    if not takes_part(session, rel=rel, hearing=hearing):
        raise NotFound(NO_SUCH_HEARING)
    return hearing, rel


def requirements_heard(session: Session, *, hearing: Hearing) -> list[Requirement]:
    """The requirements of the hearing: those in hearing now, and those commented on in it."""
    commented = select(HearingComment.requirement_id).where(HearingComment.hearing_id == hearing.id)
    query = select(Requirement).where(
        Requirement.project_id == hearing.project_id,
        (col(Requirement.status) == RequirementStatus.in_hearing)
        | col(Requirement.id).in_(commented),
    )
    rows = session.exec(query).all()
    kinds = {kind: rank for rank, kind in enumerate(RequirementKind)}
    # In the order the workspace shows them: by kind as the tender reads, then as placed.
    return sorted(rows, key=lambda r: (kinds[r.kind], r.position, r.id or 0))


@dataclass(frozen=True)
class HeardIn:
    """A hearing that hears (or heard) a requirement, and the comments on it there."""

    hearing_id: int
    comments: int


def hearings_of(
    session: Session, *, rel: ProjectRelation, requirement: Requirement
) -> list[HeardIn]:
    """The hearings the person takes part in whose page lists the requirement (as
    `requirements_heard` has it), newest first, each with its comments on the requirement; a
    hearing the person is not heard in stays unknown to them."""
    taken = list_hearings(session, rel=rel)
    if not taken:
        return []
    query = (
        select(HearingComment.hearing_id, func.count())
        .where(
            HearingComment.requirement_id == requirement.id,
            col(HearingComment.hearing_id).in_([h.id for h in taken]),
        )
        .group_by(col(HearingComment.hearing_id))
    )
    counts: dict[int, int] = {h: n for h, n in session.exec(query).all()}
    in_hearing = requirement.status == RequirementStatus.in_hearing
    return [
        HeardIn(id_of(h), counts.get(id_of(h), 0))
        for h in taken
        if in_hearing or id_of(h) in counts
    ]


def _heard_requirement(session: Session, hearing: Hearing, requirement_id: int) -> Requirement:
    found = {r.id: r for r in requirements_heard(session, hearing=hearing)}.get(requirement_id)
    if found is None:
        raise NotFound(NOT_IN_HEARING)
    return found


@dataclass(frozen=True)
class Passage:
    """Where a comment's passage sits in a version's text."""

    start: int
    end: int
    quote: str
    version: int


def _version_text(session: Session, requirement: Requirement, number: int) -> str:
    if number == requirement.version:
        return plain(requirement.text)
    try:
        return plain(requirements.version(session, requirement=requirement, number=number).text)
    except NotFound:
        raise Invalid(NO_SUCH_VERSION, version=number) from None


def passage_of(
    session: Session, *, requirement: Requirement, data: HearingCommentCreate
) -> Passage | None:
    """The passage the comment is on, checked against the text it quotes (None: the whole)."""
    if data.start is not None and data.end is not None and data.quote:
        number = data.version or requirement.version
        text = _version_text(session, requirement, number)
        start, end = data.start, data.end
        if not (start < end <= len(text)) or text[start:end] != plain(data.quote):
            raise Invalid(PASSAGE_MISMATCH, version=number)
        if not text[start:end].strip():
            raise Invalid(PASSAGE_MISMATCH, version=number)
        return Passage(start, end, text[start:end], number)
    wanted = plain(data.passage or "").strip()
    if not wanted:
        return None
    start = plain(requirement.text).find(wanted)
    if start < 0:
        raise Invalid(PASSAGE_NOT_FOUND)
    return Passage(start, start + len(wanted), wanted, requirement.version)


def comment(
    session: Session, *, rel: ProjectRelation, hearing: Hearing, data: HearingCommentCreate
) -> HearingComment:
    """Someone heard comments on a requirement, or a passage of it, before the deadline."""
    user = permissions.ensure_can_comment_in_hearing(
        rel, hearing, co_author=_co_author(session, rel)
    )
    if not is_open(hearing):
        raise Conflict(CLOSED)
    requirement = _heard_requirement(session, hearing, data.requirement_id)
    passage = passage_of(session, requirement=requirement, data=data)
    row = HearingComment(
        hearing_id=id_of(hearing),
        requirement_id=id_of(requirement),
        author_id=id_of(user),
        body=data.body,
        passage_start=passage.start if passage else None,
        passage_end=passage.end if passage else None,
        passage_quote=passage.quote if passage else None,
        passage_version=passage.version if passage else None,
    )
    session.add(row)
    session.flush()
    contribution.record(
        session, rel=rel, on=row, verb=Verb.commented_in_hearing, push=_event(hearing, id_of(row))
    )
    return row


@dataclass(frozen=True)
class CommentView:
    """A hearing comment as one reader may see it: who wrote it, as far as they may know."""

    comment: HearingComment
    # The author's name; a supplier's company for procurers, and None ("A supplier") for the rest.
    author_name: str | None
    author_role: Role


def comments(
    session: Session, *, rel: ProjectRelation, hearing: Hearing, requirement_id: int | None = None
) -> list[CommentView]:
    """The hearing's comments (on one requirement, if named), oldest first, with their authors
    as this reader may know them.

    The order is the order of writing for everyone, so it tells nothing of which company wrote
    which; a supplier's company is looked up only for a reader who may see it.
    """
    query = (
        select(HearingComment, User.display_name, User.role, User.organisation_id)
        .join(User, col(User.id) == HearingComment.author_id)
        .where(HearingComment.hearing_id == hearing.id)
        .order_by(col(HearingComment.created_at), col(HearingComment.id))
    )
    if requirement_id is not None:
        query = query.where(HearingComment.requirement_id == requirement_id)
    rows = session.exec(query).all()
    companies: dict[int, str] = {}
    if permissions.sees_companies(rel):
        ids = {org for _c, _n, role, org in rows if role == Role.supplier and org is not None}
        if ids:
            named = select(Organisation.id, Organisation.name).where(col(Organisation.id).in_(ids))
            companies = {org_id: name for org_id, name in session.exec(named).all() if org_id}
    views: list[CommentView] = []
    for row, name, role, org in rows:
        shown = companies.get(org or 0) if role == Role.supplier else name
        views.append(CommentView(comment=row, author_name=shown, author_role=Role(role)))
    return views


@dataclass(frozen=True)
class Segment:
    """A run of a requirement's text and how many passage comments cover it (0: none)."""

    text: str
    count: int


def _span(text: str, row: HearingComment, version: int) -> tuple[int, int] | None:
    """Where a comment's passage sits in the text as it reads now (None: it reads otherwise)."""
    start, end, quote = row.passage_start, row.passage_end, row.passage_quote
    if start is None or end is None or not quote:
        return None
    if row.passage_version == version and text[start:end] == quote:
        return start, end
    found = text.find(quote)
    return (found, found + len(quote)) if found >= 0 else None


def own_view(session: Session, *, rel: ProjectRelation, row: HearingComment) -> CommentView:
    """The comment the reader has just written, as they may see it (no list to read)."""
    author = permissions.require_user(rel.user)
    if author.role != Role.supplier:
        return CommentView(comment=row, author_name=author.display_name, author_role=author.role)
    company = None
    if permissions.sees_companies(rel) and author.organisation_id is not None:
        found = session.get(Organisation, author.organisation_id)
        company = found.name if found else None
    return CommentView(comment=row, author_name=company, author_role=author.role)


def segments(requirement: Requirement, rows: list[HearingComment]) -> list[Segment]:
    """The requirement's text cut where commented passages start and end, each run with the
    number of comments on it, so that passages with many comments can stand out."""
    text = plain(requirement.text)
    spans = [s for row in rows if (s := _span(text, row, requirement.version)) is not None]
    cuts = sorted({0, len(text), *(p for span in spans for p in span)})
    runs = []
    for start, end in itertools.pairwise(cuts):
        count = sum(1 for s, e in spans if s <= start and end <= e)
        runs.append(Segment(text[start:end], count))
    return runs
