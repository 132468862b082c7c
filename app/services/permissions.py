"""The one permission policy: who may see and do what; routers, hub and exports ask here."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, and_, case, exists, or_, select, true
from sqlmodel import Session, col

from app.i18n import N_, LazyText
from app.models import (
    Comment,
    Document,
    Membership,
    Need,
    Organisation,
    ParticipationEvent,
    Project,
    ProjectPartner,
    Proposal,
    Question,
    SupplierRegistration,
    User,
)
from app.models.base import PHASE_LABELS, OrganisationKind, Phase, Role, Visibility
from app.models.document import DocumentAudience
from app.models.membership import MembershipRole, MembershipStatus
from app.models.proposal import ProposalStatus
from app.models.question import QuestionStatus
from app.services.errors import Forbidden, NotAuthenticated, NotFound, PivotalError

CLOSED_PHASES = frozenset({Phase.closed, Phase.aborted})
PUBLIC_SECTOR = frozenset({OrganisationKind.municipality, OrganisationKind.county})


class DialogueAction(StrEnum):
    """What people do in a project's dialogue; each is open only in some phases."""

    post_need = "post_need"
    comment = "comment"
    support = "support"
    register_supplier = "register_supplier"
    ask_question = "ask_question"
    submit_proposal = "submit_proposal"
    book_meeting = "book_meeting"
    register_for_event = "register_for_event"
    plan_event = "plan_event"


_BEFORE_COMPETITION = frozenset({Phase.preparation, Phase.needs, Phase.market_dialogue})
_MARKET_DIALOGUE = frozenset({Phase.market_dialogue})

# The phase rules, in one place: where each dialogue action is open. Once the competition is
# announced, input from the dialogue can no longer shape the specification (equal treatment), so
# everything that feeds it closes there; supplier dialogue happens only in the market dialogue.
PHASE_RULES: dict[DialogueAction, frozenset[Phase]] = {
    DialogueAction.post_need: _BEFORE_COMPETITION,
    DialogueAction.comment: _BEFORE_COMPETITION,
    DialogueAction.support: _BEFORE_COMPETITION,
    DialogueAction.register_supplier: _MARKET_DIALOGUE,
    DialogueAction.ask_question: _MARKET_DIALOGUE,
    DialogueAction.submit_proposal: _MARKET_DIALOGUE,
    DialogueAction.book_meeting: _MARKET_DIALOGUE,
    DialogueAction.register_for_event: _MARKET_DIALOGUE,
    DialogueAction.plan_event: _BEFORE_COMPETITION,
}
# What a refusal says is closed; %(phase)s is the phase the project is in now.
PHASE_REFUSALS: dict[DialogueAction, str] = {
    DialogueAction.post_need: N_(
        "The project no longer takes new needs: needs are posted until the market dialogue "
        "ends, and the project is now in the phase “%(phase)s”."
    ),
    DialogueAction.comment: N_(
        "Comments are closed: they are open until the market dialogue ends, and the project is "
        "now in the phase “%(phase)s”."
    ),
    DialogueAction.support: N_(
        "Supports are closed: they are open until the market dialogue ends, and the project is "
        "now in the phase “%(phase)s”."
    ),
    DialogueAction.register_supplier: N_(
        "Suppliers can only register during the market dialogue; the project is now in the "
        "phase “%(phase)s”."
    ),
    DialogueAction.ask_question: N_(
        "Questions can only be asked during the market dialogue; the project is now in the "
        "phase “%(phase)s”."
    ),
    DialogueAction.submit_proposal: N_(
        "Solution proposals can only be submitted during the market dialogue; the project is "
        "now in the phase “%(phase)s”."
    ),
    DialogueAction.book_meeting: N_(
        "Meetings can only be booked during the market dialogue; the project is now in the "
        "phase “%(phase)s”."
    ),
    DialogueAction.register_for_event: N_(
        "Registration for dialogue events is only open during the market dialogue; the project "
        "is now in the phase “%(phase)s”."
    ),
    DialogueAction.plan_event: N_(
        "Dialogue events can only be planned until the competition is announced; the project is "
        "now in the phase “%(phase)s”."
    ),
}
# Kept for readers of the rule before the table existed.
NEED_POSTING_PHASES = PHASE_RULES[DialogueAction.post_need]


def phase_name(phase: str) -> LazyText:
    """A phase's label as a message parameter, translated when the message is shown."""
    return LazyText(PHASE_LABELS.get(phase, phase))


@dataclass(frozen=True)
class ProjectRelation:
    """How one user stands to one project; computed once, asked many times."""

    user: User | None
    project: Project
    member_org: bool  # the user's organisation owns or partners in the project
    # The user is a supplier whose company is registered for the project's market dialogue.
    is_registered_supplier: bool = False

    @property
    def role(self) -> Role | None:
        return self.user.role if self.user else None

    @property
    def is_admin(self) -> bool:
        return self.role == Role.admin

    @property
    def is_procurer(self) -> bool:
        """A procurer of the owner or a partner organisation, or an admin."""
        return self.is_admin or (self.role == Role.procurer and self.member_org)

    @property
    def can_view(self) -> bool:
        if self.project.visibility == Visibility.public or self.is_admin:
            return True
        return self.member_org and self.role in (Role.employee, Role.procurer)

    @property
    def can_see_authors(self) -> bool:
        """Procurers follow up needs, so they see who posted an anonymous one."""
        return self.is_procurer

    @property
    def can_read_participation(self) -> bool:
        return self.is_procurer or (self.role == Role.researcher and self.can_view)

    @property
    def is_participant(self) -> bool:
        """Procurers, staff of the owner and partner organisations, and registered suppliers."""
        if self.is_procurer or self.is_registered_supplier:
            return True
        return self.member_org and self.role in (Role.employee, Role.procurer)

    @property
    def can_read_audit(self) -> bool:
        """The audit log is the procurers' record of their decisions."""
        return self.is_procurer


def relation(session: Session, user: User | None, project: Project) -> ProjectRelation:
    """Work out how the user stands to the project (one query at most)."""
    member = registered = False
    if user is not None and user.organisation_id is not None:
        if user.role == Role.supplier:
            # A supplier company is never an owner or partner (those are public sector).
            registered = is_registered_supplier(session, project, user.organisation_id)
        elif user.organisation_id == project.owner_org_id:
            member = True
        else:
            member = session.get(ProjectPartner, (project.id, user.organisation_id)) is not None
    return ProjectRelation(
        user=user, project=project, member_org=member, is_registered_supplier=registered
    )


def is_registered_supplier(session: Session, project: Project, organisation_id: int) -> bool:
    """Whether the organisation is registered for the project's market dialogue."""
    query = select(col(SupplierRegistration.id)).where(
        col(SupplierRegistration.project_id) == project.id,
        col(SupplierRegistration.organisation_id) == organisation_id,
    )
    return session.execute(query).first() is not None


def visible_projects_clause(user: User | None) -> ColumnElement[bool]:
    """A WHERE clause selecting the projects this user may see."""
    public = col(Project.visibility) == Visibility.public
    if user is None:
        return public
    if user.role == Role.admin:
        return true()
    if user.role not in (Role.employee, Role.procurer) or user.organisation_id is None:
        return public
    partner = exists(
        select(col(ProjectPartner.project_id)).where(
            col(ProjectPartner.project_id) == Project.id,
            col(ProjectPartner.organisation_id) == user.organisation_id,
        )
    )
    return or_(public, col(Project.owner_org_id) == user.organisation_id, partner)


def allows(check: Callable[[ProjectRelation], object], rel: ProjectRelation) -> bool:
    """Whether a policy check passes (to offer a form only to those who may use it)."""
    try:
        check(rel)
    except PivotalError:
        return False
    return True


def phase_allows(phase: str, action: DialogueAction) -> bool:
    """Whether the action is open in the phase (the table above)."""
    return phase in PHASE_RULES[action]


def ensure_phase_allows(rel: ProjectRelation, action: DialogueAction) -> None:
    """Refuse (403) an action the project's phase has closed, saying what and which phase."""
    phase = rel.project.phase
    if not phase_allows(phase, action):
        raise Forbidden(PHASE_REFUSALS[action], phase=phase_name(phase))


def require_user(user: User | None) -> User:
    """The user, or a 401 that says logging in is needed."""
    if user is None:
        raise NotAuthenticated("You need to log in to do this.")
    return user


def viewable_project(session: Session, user: User | None, project_id: int) -> ProjectRelation:
    """The project and the user's relation to it, or 404 for a project the user may not see."""
    project = session.get(Project, project_id)
    if project is None:
        raise NotFound("No such project.")
    rel = relation(session, user, project)
    if not rel.can_view:
        raise NotFound("No such project.")
    return rel


def ensure_can_create_project(user: User | None) -> User:
    """Only procurers (for their own organisation) and admins open projects."""
    user = require_user(user)
    if user.role not in (Role.procurer, Role.admin):
        raise Forbidden("Only procurers can open a project.")
    return user


def ensure_can_post_need(rel: ProjectRelation) -> User:
    """Public-sector staff (any municipality's on a public project), and citizens where allowed."""
    user = require_user(rel.user)
    ensure_phase_allows(rel, DialogueAction.post_need)
    if rel.is_procurer:
        return user
    if user.role in (Role.employee, Role.procurer) and (
        rel.member_org or rel.project.visibility == Visibility.public
    ):
        return user
    if (
        user.role == Role.citizen
        and rel.project.visibility == Visibility.public
        and rel.project.citizens_may_post
    ):
        return user
    raise Forbidden("Your role cannot post needs in this project.")


def ensure_can_support(rel: ProjectRelation) -> User:
    """Those who may post needs may also support them (and citizens on any public project)."""
    user = require_user(rel.user)
    ensure_phase_allows(rel, DialogueAction.support)
    if user.role in (Role.citizen, Role.employee, Role.procurer, Role.admin):
        return user
    raise Forbidden("Your role cannot support needs.")


def ensure_can_comment(rel: ProjectRelation) -> User:
    """Anyone logged in who can see the project, except observers (researchers)."""
    user = require_user(rel.user)
    ensure_phase_allows(rel, DialogueAction.comment)
    if user.role == Role.researcher:
        raise Forbidden("Researchers observe the dialogue and do not take part in it.")
    return user


def ensure_procurer(rel: ProjectRelation) -> User:
    """Only the project's procurers decide on needs."""
    user = require_user(rel.user)
    if not rel.is_procurer:
        raise Forbidden("Only the project's procurers can do this.")
    return user


def ensure_can_move_phase(rel: ProjectRelation) -> User:
    """Only the project's procurers (and admins) take gate decisions."""
    user = require_user(rel.user)
    if not rel.is_procurer:
        raise Forbidden("Only the project's procurers can move the project to another phase.")
    return user


def ensure_can_read_audit(rel: ProjectRelation) -> User:
    """Only the project's procurers (and admins) read the audit log."""
    user = require_user(rel.user)
    if not rel.can_read_audit:
        raise Forbidden("Only the project's procurers can read the audit log.")
    return user


def ensure_can_register_supplier(rel: ProjectRelation) -> User:
    """A supplier registers its own company, while the market dialogue is open.

    The service also checks the company: a supplier organisation with a valid number.
    """
    user = require_user(rel.user)
    if user.role != Role.supplier or user.organisation_id is None:
        raise Forbidden("Only suppliers can register a company for the market dialogue.")
    ensure_phase_allows(rel, DialogueAction.register_supplier)
    return user


def ensure_can_list_suppliers(rel: ProjectRelation) -> User:
    """Procurers see every registered supplier; a supplier sees only its own registration."""
    user = require_user(rel.user)
    if not rel.is_procurer and user.role != Role.supplier:
        raise Forbidden("Only the project's procurers can see which suppliers are registered.")
    return user


def ensure_can_read_participation(rel: ProjectRelation) -> User:
    """Procurers of the project, researchers and admins read the participation log."""
    user = require_user(rel.user)
    if not rel.can_read_participation:
        raise Forbidden("Only the project's procurers and researchers can read participation.")
    return user


def can_see_comment(rel: ProjectRelation, comment: Comment) -> bool:
    """Hidden comments keep their place in the thread but show their body only to procurers."""
    return not comment.hidden or rel.is_procurer


def can_see_author(rel: ProjectRelation, need: Need) -> bool:
    """Anonymous needs show their author only to the project's procurers."""
    return not need.anonymous or rel.can_see_authors


def _ensure_registered_supplier(
    rel: ProjectRelation, action: DialogueAction, *, not_supplier: str, not_registered: str
) -> User:
    """A supplier whose company is registered for the market dialogue, while `action` is open."""
    user = require_user(rel.user)
    if user.role != Role.supplier or user.organisation_id is None:
        raise Forbidden(not_supplier)
    ensure_phase_allows(rel, action)
    if not rel.is_registered_supplier:
        raise Forbidden(not_registered)
    return user


def ensure_can_ask_question(rel: ProjectRelation) -> User:
    """A supplier whose company is registered for the market dialogue, while it is open."""
    return _ensure_registered_supplier(
        rel,
        DialogueAction.ask_question,
        not_supplier=N_("Only suppliers taking part in the market dialogue can ask questions."),
        not_registered=N_(
            "Register your company for the market dialogue on the project page before you ask."
        ),
    )


def is_asking_company(rel: ProjectRelation, question: Question) -> bool:
    """Whether the user is a supplier of the company that asked the question."""
    user = rel.user
    return (
        user is not None
        and user.role == Role.supplier
        and user.organisation_id is not None
        and user.organisation_id == question.organisation_id
    )


def can_see_question(rel: ProjectRelation, question: Question) -> bool:
    """Published questions are for all who see the project; the rest for asker and procurers."""
    return (
        question.status == QuestionStatus.published
        or rel.is_procurer
        or is_asking_company(rel, question)
    )


def can_see_asker(rel: ProjectRelation, question: Question) -> bool:
    """Who asked, and in which words: only the project's procurers and the asking company."""
    return rel.is_procurer or is_asking_company(rel, question)


def ensure_can_plan_events(rel: ProjectRelation) -> User:
    """Only the project's procurers plan dialogue events, cut slots and write minutes."""
    user = require_user(rel.user)
    if not rel.is_procurer:
        raise Forbidden("Only the project's procurers can plan dialogue events and their minutes.")
    return user


def ensure_can_register_for_event(rel: ProjectRelation) -> User:
    """Registered suppliers, the project's procurers and its own staff join a conference."""
    user = require_user(rel.user)
    staff = user.role == Role.employee and rel.member_org
    if not (rel.is_procurer or staff or rel.is_registered_supplier):
        raise Forbidden(
            "Only suppliers registered for the market dialogue and the project's own staff can "
            "register for its dialogue events."
        )
    ensure_phase_allows(rel, DialogueAction.register_for_event)
    return user


def ensure_can_book_meeting(rel: ProjectRelation) -> User:
    """Only suppliers registered for the market dialogue book one-to-one meetings."""
    user = require_user(rel.user)
    if not rel.is_registered_supplier:
        raise Forbidden(
            "Only suppliers registered for the market dialogue can book a one-to-one meeting."
        )
    ensure_phase_allows(rel, DialogueAction.book_meeting)
    return user


def can_see_event_participants(rel: ProjectRelation) -> bool:
    """Who registered and who booked which slot: the project's procurers only."""
    return rel.is_procurer


def can_read_minutes(rel: ProjectRelation, *, participant: bool) -> bool:
    """Published minutes: the event's participants, procurers and registered suppliers."""
    return participant or rel.is_procurer or rel.is_registered_supplier


def ensure_can_manage_documents(rel: ProjectRelation) -> User:
    """Only the project's procurers (and admins) upload, publish, change or withdraw documents."""
    user = require_user(rel.user)
    if not rel.is_procurer:
        raise Forbidden("Only the project's procurers can upload and publish documents.")
    return user


def can_see_document(rel: ProjectRelation, document: Document) -> bool:
    """Drafts and withdrawn documents are the procurers'; a published one goes to its audience."""
    if document.project_id != rel.project.id or not rel.can_view:
        return False
    if document.published_at is None or document.withdrawn_at is not None:
        return rel.is_procurer
    if document.audience == DocumentAudience.public:
        return True
    if document.audience == DocumentAudience.participants:
        return rel.is_participant
    return rel.is_procurer


# ---- solution proposals --------------------------------------------------------------------------
# Who sees what of a proposal, in one place: the API, pages, live pushes, lists and counts all
# ask these. The full proposal (body, attachments, claims, status) is for the project's procurers
# and the submitting company; everyone else who may view the project sees only the summaries the
# supplier agreed to publish (with the company's name: it consented), and nothing of withdrawn ones.


def is_proposal_company(rel: ProjectRelation, proposal: Proposal) -> bool:
    """The user works for the company that submitted the proposal."""
    user = rel.user
    return (
        user is not None
        and user.role == Role.supplier
        and user.organisation_id is not None
        and user.organisation_id == proposal.organisation_id
    )


def can_see_full_proposal(rel: ProjectRelation, proposal: Proposal) -> bool:
    """The project's procurers (and admins) and the submitting company see everything."""
    return rel.is_procurer or is_proposal_company(rel, proposal)


def can_see_proposal_summary(rel: ProjectRelation, proposal: Proposal) -> bool:
    """Others see a proposal only once its summary is published, and not after withdrawal."""
    if can_see_full_proposal(rel, proposal):
        return True
    return proposal.summary_published and proposal.status != ProposalStatus.withdrawn


def visible_proposals_clause(rel: ProjectRelation) -> ColumnElement[bool]:
    """A WHERE clause selecting the project's proposals this user may at least see the summary of.

    The same rule as `can_see_proposal_summary`, for lists and counts.
    """
    if rel.is_procurer:
        return true()
    published = col(Proposal.summary_published).is_(True) & (
        col(Proposal.status) != ProposalStatus.withdrawn
    )
    company = _own_company(rel)
    if company is not None:
        return or_(published, col(Proposal.organisation_id) == company)
    return published


def _own_company(rel: ProjectRelation) -> int | None:
    """The supplier company whose proposals this reader sees whatever their state."""
    user = rel.user
    if user is not None and user.role == Role.supplier:
        return user.organisation_id
    return None


def proposals_seen_as(rel: ProjectRelation) -> tuple[bool, int | None]:
    """What `visible_proposals_clause` (and so `visible_participation_clause` and
    `participation_moment`) depends on: readers of a project with equal values see the very
    same proposals and log."""
    if rel.is_procurer:
        return (True, None)
    return (False, _own_company(rel))


def ensure_can_submit_proposal(rel: ProjectRelation) -> User:
    """A supplier whose company is registered for the market dialogue, while it is open."""
    return _ensure_registered_supplier(
        rel,
        DialogueAction.submit_proposal,
        not_supplier=N_("Only suppliers can submit solution proposals."),
        not_registered=N_(
            "Register your company for the market dialogue before you submit a solution proposal."
        ),
    )


def ensure_proposal_company(rel: ProjectRelation, proposal: Proposal) -> User:
    """Only the submitting company withdraws, adds attachments or consents to publishing."""
    user = require_user(rel.user)
    if not is_proposal_company(rel, proposal):
        raise Forbidden("Only the company that submitted the proposal can do this.")
    return user


def ensure_can_assess_proposal(rel: ProjectRelation) -> User:
    """Only the project's procurers (and admins) set a proposal's status and decide claims."""
    user = require_user(rel.user)
    if not rel.is_procurer:
        raise Forbidden("Only the project's procurers can assess solution proposals.")
    return user


# ---- the participation log and the figures -------------------------------------------------------
# Market dialogue is equal treatment: who asked a question, who registered for the dialogue or an
# event, who booked or attended a one-to-one meeting, and a proposal that is not published are
# the project's procurers' to know, and nobody else's. The log (`participation.present`), every
# figure (`metrics`), the live dashboard and the research export (`research`) ask here; the
# table of what a non-procurer sees is in `visible_participation_clause`.

PRIVATE_ACTOR_VERBS = frozenset(
    {
        "registered",
        "asked",
        "registered_for_event",
        "cancelled_registration",
        "attended",
    }
)
# Object types whose events a non-procurer sees only for some objects, or never.
PROCURERS_ONLY_OBJECTS = frozenset({"secrecy_claim", "meeting_slot"})
# Events dated for non-procurers at the publication of their question, not when they happened.
DATED_AT_PUBLICATION_VERBS = frozenset({"asked"})


def sees_whole_participation(rel: ProjectRelation) -> bool:
    """The project's procurers (and admins) see the participation log and figures as recorded."""
    return rel.is_procurer


def shows_actor(rel: ProjectRelation, verb: str) -> bool:
    """Whether the reader may link this event's actor to anything (a user, a pseudonym that
    recurs, an organisation); otherwise only the actor's role and organisation kind."""
    return sees_whole_participation(rel) or verb not in PRIVATE_ACTOR_VERBS


def shows_organisation(rel: ProjectRelation, kind: str | None) -> bool:
    """Whether an event may name an organisation of this kind (public bodies for non-procurers)."""
    return sees_whole_participation(rel) or kind in PUBLIC_SECTOR


def _published_questions(project: Any) -> Any:
    return select(col(Question.id)).where(
        col(Question.project_id) == project, col(Question.status) == QuestionStatus.published
    )


def outsiders_participation_clause(project: Any) -> ColumnElement[bool]:
    """The participation events of `project` (an id, or a column of them) that a reader who is
    not its procurer may see, whoever they are: published proposals and questions only, no
    secrecy claims, no bookings (the table above)."""
    visible = select(col(Proposal.id)).where(
        col(Proposal.project_id) == project,
        col(Proposal.summary_published).is_(True),
        col(Proposal.status) != ProposalStatus.withdrawn,
    )
    return _participation_rows(visible, project)


def _participation_rows(visible_proposals: Any, project: Any) -> ColumnElement[bool]:
    kind = col(ParticipationEvent.object_type)
    object_id = col(ParticipationEvent.object_id)
    return and_(
        or_(kind != "proposal", object_id.in_(visible_proposals)),
        or_(kind != "question", object_id.in_(_published_questions(project))),
        kind.not_in(PROCURERS_ONLY_OBJECTS),
    )


def visible_participation_clause(rel: ProjectRelation) -> ColumnElement[bool]:
    """The participation events of the project this reader may see.

    Procurers (and admins) see all, as recorded. Everyone else (researchers, and the public
    figures) sees, verb by verb ("private": the event keeps the actor's role and organisation
    kind, but no user id, no organisation id and a pseudonym of the event's own, so it links
    to nothing else; see `shows_actor`):

    ======================================  ===============================  ==========
    verb (object)                           row shown                        actor
    ======================================  ===============================  ==========
    registered (supplier_registration)      yes                              private
    asked (question)                        once published, dated then       private
    answered (question; by a procurer)      once published                   shown
    withdrew_question (question)            never (it was never published)   –
    proposed, attached_to_proposal,         once its summary is published    shown (the
    withdrew_proposal, assessed_proposal,   and not withdrawn; the company   company
    published_proposal_summary (proposal)   also sees its own                consented)
    secrecy claims (secrecy_claim)          never                            –
    booked, cancelled_booking               never: a slot shows only         –
    (meeting_slot)                          "taken", never by whom
    registered_for_event,                   yes: the seat counts are         private
    cancelled_registration, attended        public, the participants not
    (dialogue_event)
    everything else (needs, comments,       yes                              shown
    supports, decisions, documents,
    phases, planned events, minutes)
    ======================================  ===============================  ==========

    Organisation ids, of actor and addressee alike, only of public bodies (`shows_organisation`):
    a supplier company's id would name the asker of an answered question (its addressee) and a
    one-person company is a person. Anonymous needs follow `can_see_authors`. The log must not
    tell that an unpublished proposal or question exists, nor any figure count it.
    """
    if sees_whole_participation(rel):
        return true()
    visible = select(col(Proposal.id)).where(
        col(Proposal.project_id) == rel.project.id, visible_proposals_clause(rel)
    )
    return _participation_rows(visible, rel.project.id)


def participation_moment(rel: ProjectRelation | None) -> ColumnElement[Any]:
    """When a participation event happened as this reader may know it, in SQL (None: a reader
    who is not a procurer): a question's asking counts from its publication, since until then
    nobody else may know it was asked."""
    occurred: Any = col(ParticipationEvent.occurred_at)
    if rel is not None and sees_whole_participation(rel):
        return occurred
    published = (
        select(col(Question.published_at))
        .where(col(Question.id) == ParticipationEvent.object_id)
        .correlate(ParticipationEvent)
        .scalar_subquery()
    )
    dated = and_(
        col(ParticipationEvent.object_type) == "question",
        col(ParticipationEvent.verb).in_(DATED_AT_PUBLICATION_VERBS),
    )
    return case((dated, published), else_=occurred)


# ---- organisations and their people --------------------------------------------------------------
# A person's role in an organisation is a membership someone vouched for. `User.role` and
# `User.organisation_id` (which everything above reads) are derived from an active membership by
# the memberships service; the rules below say who manages an organisation's memberships.

# Which organisation kinds each membership role belongs to.
MEMBERSHIP_ORG_KINDS: dict[MembershipRole, frozenset[OrganisationKind]] = {
    MembershipRole.employee: PUBLIC_SECTOR,
    MembershipRole.procurer: PUBLIC_SECTOR,
    MembershipRole.supplier: frozenset({OrganisationKind.supplier}),
    MembershipRole.researcher: frozenset({OrganisationKind.research}),
}


@dataclass(frozen=True)
class OrganisationRelation:
    """How one user stands to one organisation: the roles of their active memberships in it."""

    user: User | None
    organisation: Organisation
    roles: frozenset[MembershipRole]
    is_member_admin: bool  # an active membership in it says "organisation administrator"

    @property
    def is_platform_admin(self) -> bool:
        return self.user is not None and self.user.role == Role.admin

    @property
    def is_org_admin(self) -> bool:
        """The organisation's own administrators, and platform administrators."""
        return self.is_platform_admin or self.is_member_admin

    @property
    def can_view_people(self) -> bool:
        """Administrators manage the people; the organisation's procurers invite colleagues."""
        return self.is_org_admin or MembershipRole.procurer in self.roles

    def invitable_roles(self) -> list[MembershipRole]:
        """The roles this user may invite people into, in this organisation."""
        fitting = [
            r for r, kinds in MEMBERSHIP_ORG_KINDS.items() if self.organisation.kind in kinds
        ]
        if self.organisation.deactivated_at is not None:
            return []
        if self.is_org_admin:
            return fitting
        if MembershipRole.procurer in self.roles:
            return [r for r in fitting if r in (MembershipRole.employee, MembershipRole.procurer)]
        return []


def organisation_relation(
    session: Session, user: User | None, organisation: Organisation
) -> OrganisationRelation:
    """Work out how the user stands to the organisation (one query at most)."""
    roles: set[MembershipRole] = set()
    admin = False
    if user is not None and user.id is not None and organisation.deactivated_at is None:
        query = select(col(Membership.role), col(Membership.is_org_admin)).where(
            col(Membership.user_id) == user.id,
            col(Membership.organisation_id) == organisation.id,
            col(Membership.status) == MembershipStatus.active,
        )
        for role, is_admin in session.execute(query).all():
            roles.add(MembershipRole(role))
            admin = admin or bool(is_admin)
    return OrganisationRelation(
        user=user, organisation=organisation, roles=frozenset(roles), is_member_admin=admin
    )


def known_organisation(
    session: Session, user: User | None, organisation_id: int
) -> OrganisationRelation:
    """The organisation and the user's relation to it; 404 for one that does not exist."""
    require_user(user)
    organisation = session.get(Organisation, organisation_id)
    if organisation is None:
        raise NotFound("No such organisation.")
    return organisation_relation(session, user, organisation)


def ensure_can_view_people(rel: OrganisationRelation) -> User:
    """The people page: the organisation's administrators and procurers."""
    user = require_user(rel.user)
    if not rel.can_view_people:
        raise Forbidden("Only the organisation's administrators can manage its people.")
    return user


def ensure_org_admin(rel: OrganisationRelation) -> User:
    """Approving, revoking, domains and the audit log: the organisation's administrators."""
    user = require_user(rel.user)
    if not rel.is_org_admin:
        raise Forbidden("Only the organisation's administrators can manage its people.")
    return user


def ensure_can_invite(rel: OrganisationRelation, role: MembershipRole) -> User:
    """Administrators invite into any role the organisation has; procurers invite colleagues."""
    user = require_user(rel.user)
    if role not in rel.invitable_roles():
        raise Forbidden("You cannot invite people into this role in this organisation.")
    return user


def ensure_platform_admin(user: User | None) -> User:
    """Platform administration: creating, verifying and deactivating organisations."""
    user = require_user(user)
    if user.role != Role.admin:
        raise Forbidden("Only platform administrators can do this.")
    return user
