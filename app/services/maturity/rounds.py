"""Self-assessment rounds: opening one, inviting respondents, answering, closing.

Who may do what is `app/services/permissions/maturity.py`; this module keeps the rules of the
round itself: answers only on indicators of the round's model version, only while it is open
(by the server's clock), one answer per respondent and indicator, saved as they go.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import ColumnElement, and_, delete, false, or_
from sqlmodel import Session, col, func, select

from app import i18n
from app.i18n import N_
from app.maturity.model import ModelFileError, available_versions, load_model
from app.models import (
    Document,
    MaturityAnswer,
    MaturityAnswerDocument,
    MaturityRespondent,
    MaturityRound,
    Membership,
    Project,
    ProjectPartner,
    User,
)
from app.models.base import id_of, utcnow
from app.models.document import DocumentAudience
from app.models.mail import LinkPurpose
from app.models.maturity import AnswerIn, RespondentInvite, RoundOpen
from app.models.membership import MembershipStatus
from app.models.vocabulary import AuditAction, label_of
from app.services import accounts, contribution, links, mail, permissions
from app.services.contribution import Change
from app.services.errors import Conflict, Forbidden, Invalid, NotFound
from app.services.notifications import fanout as notifications
from app.services.permissions import OrganisationRelation, ProjectRelation, RoundRelation
from app.services.permissions.maturity import ROUND_CLOSED

INVITATION_TTL = timedelta(days=60)
ATTACHABLE_MAX = 30  # documents offered as evidence on the answer form
DEADLINE_PAST = N_("The deadline must be in the future.")
DEADLINE_TOO_FAR = N_("The deadline can be at most a year ahead.")
NO_SUCH_VERSION = N_("There is no version %(version)s of the capability model.")
NOT_A_MEMBER = N_(
    "Only active members of the municipality can be invited by account; invite others by e-mail."
)
ALREADY_INVITED = N_("That person is already invited to this round.")
ALREADY_CLOSED = N_("The round is already closed.")
UNKNOWN_INDICATOR = N_("The capability model of this round has no indicator %(key)s.")
TWICE = N_("Indicator %(key)s is answered twice; give each indicator once.")
UNKNOWN_DOCUMENT = N_("Document %(id)s is not one you can open on Pivotal.")
LINK_USED = N_("This invitation has already been accepted.")
NO_SUCH_INVITATION = N_("No such invitation.")


def open_round(session: Session, *, rel: OrganisationRelation, data: RoundOpen) -> MaturityRound:
    """A municipality's procurer or administrator opens a round until a deadline."""
    actor = permissions.ensure_can_open_round(rel)
    now = utcnow()
    if data.deadline.tzinfo is None or data.deadline <= now:
        raise Invalid(DEADLINE_PAST)
    if data.deadline > now + timedelta(days=366):
        raise Invalid(DEADLINE_TOO_FAR)
    version = data.model_version or max(available_versions())
    try:
        load_model(version)
    except (ModelFileError, FileNotFoundError):
        raise Invalid(NO_SUCH_VERSION, version=version) from None
    round_ = MaturityRound(
        organisation_id=id_of(rel.organisation),
        model_version=version,
        title=data.title,
        opened_by_id=id_of(actor),
        deadline=data.deadline,
    )
    contribution.record_for_organisation(
        session,
        actor=actor,
        organisation=rel.organisation,
        on=round_,
        change=Change(
            AuditAction.maturity_round_opened,
            before=None,
            after={"title": data.title, "deadline": data.deadline.isoformat()},
        ),
    )
    return round_


def visible_rounds(session: Session, *, rel: OrganisationRelation) -> Sequence[MaturityRound]:
    """The organisation's rounds the user may see, newest first: all of them for its owners and
    administrators, else those the user answers (researchers reach rounds through a study)."""
    user = permissions.require_user(rel.user)
    query = select(MaturityRound).where(MaturityRound.organisation_id == rel.organisation.id)
    if not permissions.may_see_rounds(rel):
        query = query.where(
            col(MaturityRound.id).in_(
                select(col(MaturityRespondent.round_id)).where(
                    MaturityRespondent.user_id == user.id
                )
            )
        )
    return session.exec(query.order_by(col(MaturityRound.opened_at).desc())).all()


def invite(session: Session, *, rel: RoundRelation, data: RespondentInvite) -> MaturityRespondent:
    """Invite a member by account (they can answer at once) or anyone by e-mail (a mailed link)."""
    actor = permissions.ensure_runs_round(rel)
    if not permissions.round_is_open(rel.round):
        raise Conflict(ROUND_CLOSED)
    if data.user_id is not None:
        member = session.exec(
            select(Membership.id).where(
                Membership.user_id == data.user_id,
                Membership.organisation_id == rel.round.organisation_id,
                Membership.status == MembershipStatus.active,
            )
        ).first()
        if member is None:
            raise Invalid(NOT_A_MEMBER)
    same_person = (
        col(MaturityRespondent.user_id) == data.user_id
        if data.user_id is not None
        else col(MaturityRespondent.email) == data.email
    )
    taken = session.exec(
        select(MaturityRespondent.id).where(
            MaturityRespondent.round_id == rel.round.id, same_person
        )
    ).first()
    if taken is not None:
        raise Conflict(ALREADY_INVITED)
    respondent = MaturityRespondent(
        round_id=id_of(rel.round),
        user_id=data.user_id,
        email=data.email,
        unit=data.unit,
        unit_detail=data.unit_detail,
        invited_by_id=id_of(actor),
        accepted_at=utcnow() if data.user_id is not None else None,
    )
    contribution.record_for_organisation(
        session,
        actor=actor,
        organisation=rel.organisation,
        on=respondent,
        change=Change(
            AuditAction.maturity_respondent_invited,
            before=None,
            after={"round": rel.round.id, "unit": data.unit, "email": data.email or ""},
        ),
    )
    if data.email is not None:
        _mail_invitation(session, rel=rel, actor=actor, respondent=respondent)
    else:
        _tell_member(session, actor=actor, respondent=respondent)
    return respondent


def _tell_member(session: Session, *, actor: User, respondent: MaturityRespondent) -> None:
    """A member invited by account hears of it on their notifications page, and by e-mail as
    their notification settings say."""
    member = session.get(User, respondent.user_id)
    if member is None:  # pragma: no cover - checked above
        return
    if notifications.notify_invited(session, respondent=respondent, recipient=member, actor=actor):
        contribution.notifications_changed(session, user_id=id_of(member))


def _mail_invitation(
    session: Session, *, rel: RoundRelation, actor: User, respondent: MaturityRespondent
) -> None:
    address = respondent.email or ""
    token = links.issue(
        session,
        purpose=LinkPurpose.assessment,
        email=address,
        ttl=INVITATION_TTL,
        payload=str(respondent.id),
    )
    with i18n.use_language("nb"):
        mail.enqueue(
            session,
            to=address,
            subject=i18n.gettext(
                "%(org)s asks you to answer a self-assessment on Pivotal",
                org=rel.organisation.name,
            ),
            text=i18n.gettext(
                "Hello,\n\n%(inviter)s asks you to answer %(org)s's self-assessment "
                '"%(title)s" as part of %(unit)s. It takes about twenty minutes and you can '
                "stop and go on later. Open this link (it works once) and log in or make an "
                "account:\n\n%(link)s\n\nThe round closes %(deadline)s.\n",
                inviter=actor.display_name,
                org=rel.organisation.name,
                title=rel.round.title,
                unit=label_of(respondent.unit).lower(),
                link=accounts.link_url(f"/maturity/invitations/{token}"),
                deadline=i18n.format_time(rel.round.deadline),
            ),
        )


def accept_invitation(session: Session, *, user: User | None, token: str) -> MaturityRespondent:
    """The holder of an e-mailed invitation, logged in, becomes the round's respondent."""
    user = permissions.require_user(user)
    link = links.peek(session, token=token, purpose=LinkPurpose.assessment)
    respondent = session.get(MaturityRespondent, int(link.payload or 0))
    if respondent is None:
        raise NotFound(NO_SUCH_INVITATION)
    if respondent.user_id is not None:
        raise Conflict(LINK_USED)
    round_ = session.get(MaturityRound, respondent.round_id)
    if round_ is None or not permissions.round_is_open(round_):
        raise Conflict(ROUND_CLOSED)
    already = session.exec(
        select(MaturityRespondent.id).where(
            MaturityRespondent.round_id == respondent.round_id,
            MaturityRespondent.user_id == user.id,
        )
    ).first()
    if already is not None:
        raise Conflict(ALREADY_INVITED)
    links.redeem(session, token=token, purpose=LinkPurpose.assessment)
    respondent.user_id = id_of(user)
    respondent.accepted_at = utcnow()
    session.add(respondent)
    session.flush()
    return respondent


def answers_of(session: Session, respondent: MaturityRespondent) -> dict[str, MaturityAnswer]:
    """The respondent's answers by indicator key."""
    rows = session.exec(
        select(MaturityAnswer).where(MaturityAnswer.respondent_id == respondent.id)
    ).all()
    return {row.indicator_key: row for row in rows}


def documents_of(session: Session, answer_ids: Sequence[int]) -> dict[int, list[int]]:
    """The documents given as evidence, by answer id."""
    found: dict[int, list[int]] = {}
    if not answer_ids:
        return found
    rows = session.exec(
        select(MaturityAnswerDocument)
        .where(col(MaturityAnswerDocument.answer_id).in_(answer_ids))
        .order_by(col(MaturityAnswerDocument.document_id))
    ).all()
    for row in rows:
        found.setdefault(row.answer_id, []).append(row.document_id)
    return found


def save_answers(
    session: Session, *, rel: RoundRelation, answers: Sequence[AnswerIn]
) -> list[MaturityAnswer]:
    """Save the caller's answers (each replaces the earlier one on its indicator), while the round
    is open; every indicator and document is checked before anything is written."""
    respondent = permissions.ensure_can_answer(rel)
    model = load_model(rel.round.model_version)
    keys = {indicator.key for indicator in model.indicators()}
    given: set[str] = set()
    for answer in answers:
        if answer.indicator not in keys:
            raise Invalid(UNKNOWN_INDICATOR, key=answer.indicator)
        if answer.indicator in given:
            raise Invalid(TWICE, key=answer.indicator)
        given.add(answer.indicator)
    for document_id in sorted({d for answer in answers for d in answer.documents}):
        _check_document(session, rel.user, document_id)  # each document once, however often given
    existing = answers_of(session, respondent)
    linked = documents_of(session, [row.id or 0 for row in existing.values()])
    now = utcnow()
    saved = []
    for answer in answers:
        row = existing.get(answer.indicator) or MaturityAnswer(
            respondent_id=id_of(respondent), indicator_key=answer.indicator
        )
        row.level = answer.level
        row.dont_know = answer.dont_know
        row.evidence = answer.evidence
        row.comment = answer.comment
        row.updated_at = now
        session.add(row)
        saved.append(row)
    session.flush()  # new answers get their ids
    for row, answer in zip(saved, answers, strict=True):
        kept = set(linked.get(row.id or 0, []))
        dropped = kept - set(answer.documents)
        if dropped:
            session.execute(
                delete(MaturityAnswerDocument).where(
                    col(MaturityAnswerDocument.answer_id) == row.id,
                    col(MaturityAnswerDocument.document_id).in_(dropped),
                )
            )
        for document_id in answer.documents:
            if document_id not in kept:
                session.add(MaturityAnswerDocument(answer_id=id_of(row), document_id=document_id))
    session.flush()
    return saved


def _check_document(session: Session, user: User, document_id: int) -> None:
    """Evidence may name only a document the respondent may open (else the same 422 for all)."""
    document = session.get(Document, document_id)
    if document is not None:
        try:
            rel = permissions.viewable_project(session, user, document.project_id)
        except (NotFound, Forbidden):
            rel = None
        if rel is not None and permissions.can_see_document(rel, document):
            return
    raise Invalid(UNKNOWN_DOCUMENT, id=document_id)


@dataclass(frozen=True)
class EvidenceDocument:
    """A document a respondent may give as evidence: its title and its project's."""

    id: int
    title: str
    project_title: str


def attachable_documents(
    session: Session, *, rel: RoundRelation, also: Collection[int] = ()
) -> list[EvidenceDocument]:
    """The published documents the respondent may open in the municipality's projects (owner
    or partner), newest first, at most `ATTACHABLE_MAX`; then those of `also` (the ones already
    given) they may still open, wherever they are. At most six queries, whatever the numbers."""
    org_id = rel.round.organisation_id
    partner = select(col(ProjectPartner.project_id)).where(ProjectPartner.organisation_id == org_id)
    projects = session.exec(
        select(Project).where(
            or_(col(Project.owner_org_id) == org_id, col(Project.id).in_(partner)),
            permissions.visible_projects_clause(rel.user),
        )
    ).all()
    related = permissions.relations(session, rel.user, projects)
    published = (col(Document.published_at).is_not(None), col(Document.withdrawn_at).is_(None))
    newest = session.exec(
        select(Document)
        .where(_audience_clause(related), *published)
        .order_by(col(Document.published_at).desc(), col(Document.id).desc())
        .limit(ATTACHABLE_MAX)
    ).all()
    wanted = set(also) - {id_of(d) for d in newest}
    given = (
        session.exec(select(Document).where(col(Document.id).in_(wanted), *published)).all()
        if wanted
        else []
    )
    missing = {d.project_id for d in given} - set(related)
    if missing:
        others = session.exec(select(Project).where(col(Project.id).in_(missing))).all()
        related.update(permissions.relations(session, rel.user, others))

    def opens(document: Document) -> bool:
        project_rel = related.get(document.project_id)
        return project_rel is not None and permissions.can_see_document(project_rel, document)

    shown = [d for d in newest if opens(d)]
    shown += sorted((d for d in given if opens(d)), key=lambda d: -id_of(d))
    return [
        EvidenceDocument(
            id=id_of(d), title=d.title, project_title=related[d.project_id].project.title
        )
        for d in shown
    ]


def _audience_clause(related: Mapping[int, ProjectRelation]) -> ColumnElement[bool]:
    """Documents whose audience the reader belongs to, project by project (`can_see_document`
    for a published document, as SQL; the rows found are checked again)."""
    by_audience = {
        DocumentAudience.public: [pid for pid, r in related.items() if r.can_view],
        DocumentAudience.participants: [
            pid for pid, r in related.items() if r.can_view and r.is_participant
        ],
        DocumentAudience.procurers: [
            pid for pid, r in related.items() if r.can_view and r.is_procurer
        ],
    }
    return or_(
        false(),
        *(
            and_(col(Document.audience) == audience, col(Document.project_id).in_(ids))
            for audience, ids in by_audience.items()
            if ids
        ),
    )


def answered_count(session: Session, respondent_ids: Sequence[int]) -> dict[int, int]:
    """How many indicators each respondent answered with a level or "don't know"."""
    if not respondent_ids:
        return {}
    rows = session.exec(
        select(MaturityAnswer.respondent_id, func.count())
        .where(
            col(MaturityAnswer.respondent_id).in_(respondent_ids),
            or_(col(MaturityAnswer.level).is_not(None), col(MaturityAnswer.dont_know)),
        )
        .group_by(col(MaturityAnswer.respondent_id))
    ).all()
    return {respondent_id: count for respondent_id, count in rows}


def submit(session: Session, *, rel: RoundRelation) -> MaturityRespondent:
    """The respondent says they are done (answers may still change until the round closes)."""
    respondent = permissions.ensure_can_answer(rel)
    respondent.submitted_at = utcnow()
    session.add(respondent)
    session.flush()
    return respondent


def close_round(session: Session, *, rel: RoundRelation) -> MaturityRound:
    """Close the round by hand before its deadline; from then on no answer changes."""
    actor = permissions.ensure_runs_round(rel)
    if not permissions.round_is_open(rel.round):
        raise Conflict(ALREADY_CLOSED)
    rel.round.closed_at = utcnow()
    rel.round.closed_by_id = id_of(actor)
    contribution.record_for_organisation(
        session,
        actor=actor,
        organisation=rel.organisation,
        on=rel.round,
        change=Change(
            AuditAction.maturity_round_closed,
            before={"deadline": rel.round.deadline.isoformat()},
            after={"closed_at": rel.round.closed_at.isoformat()},
        ),
    )
    return rel.round
