"""The market-dialogue scene that the permission tests look at, as every role.

A public project in market dialogue, two registered supplier companies, their questions,
proposals, events and documents, built through the API; `Market` keeps the id of each object so
tests can look at it through any route.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlmodel import select

from app.demo import demo_pdf
from app.models import Membership
from app.models.base import OrganisationKind, Phase, Role, id_of
from app.models.maturity import AnswerIn, MaturityUnit, RespondentInvite, RoundOpen
from app.models.user import Registration
from app.services import accounts, memberships, permissions
from app.services.maturity import rounds
from tests.conftest import PASSWORD, Factory, World
from tests.helpers import Api

ROLES = (
    "citizen",
    "employee",
    "procurer",
    "other_procurer",
    "supplier_a",
    "supplier_b",
    "researcher",
    "pending_employee",  # registered as the owner's employee; no one has vouched for it yet
    "anonymous",
)
EVERYONE = frozenset(ROLES)
PROCURERS = frozenset({"procurer"})
SUPPLIER_B_ORG_NUMBER = "986105174"

# Texts that only one object carries, so finding them in a response means the object is shown.
UNANSWERED = "Kan løsningen driftes uten skytjenester fra land utenfor EØS?"
ASKED = "Helsetek-spesifikt: må sensorene våre ha CE-merking klasse IIa allerede nå?"
ANONYMISED = "Må sensorene være CE-merket som medisinsk utstyr ved tilbudsfrist?"
ANSWER = "Ja, klasse IIa kreves ved tilbudsfristen, ikke under dialogen."
RATIONALE = "Behovene er verifisert og markedet skal høres før konkurransen."
SECRET_BODY = "Forretningshemmelighet: radarmodulen koster 1 240 kroner i innkjøp."
UNPUBLISHED_SUMMARY = "Et forslag om radarsensorer som ennå ikke er publisert av leverandøren."
PUBLISHED_SUMMARY = "Varmestyring som også merker hvem som er våken om natten."
CONFERENCE = "Dialogkonferanse om nattilsyn i omsorgsboliger"
MINUTES = "Referat: leverandørene ønsker åpne grensesnitt mot plattformen."
PUBLIC_DOCUMENT = "Behovsbeskrivelse for alle"
PARTICIPANTS_DOCUMENT = "Utkast til kravspesifikasjon på høring"
DRAFT_DOCUMENT = "Evalueringsnotat under arbeid"
PARTICIPANTS = PROCURERS | {"employee", "supplier_a", "supplier_b"}
# Editing and withdrawing (issue 12, item 4): a need edited by its author, a comment withdrawn.
EARLIER_PROBLEM = "Første utkast: nattevaktene rekker ikke alle rundene."
EDITED_PROBLEM = "Rettet: nattevaktene rekker rundene, men vekker beboerne."
WITHDRAWN_BODY = "En kommentar forfatteren angret på og trakk tilbake."
PENDING_EMAIL = "mallory@evil.example"
OWNER_DOMAIN = "eier.example"


DRAFT_REQUIREMENT = "Løsningen skal varsle pårørende innen ti minutter."
# Trace links (issue 13, item 3): the draft requirement traced to the need, and (confidentially)
# to supplier A's unpublished proposal.
NEED_LINK_RATIONALE = "Sporing: kravet bygger på behovet for nattilsyn uten å vekke."
CONFIDENTIAL_RATIONALE = "Fortrolig sporing: radarmodulens innkjøpspris satte nivået for kravet."
# The hearing (issue 13, item 2): put to the project's employees and the registered suppliers.
HEARING_COMMENT = "Høringssvar: ti minutter er for lenge når det gjelder fall om natten."
SUPPLIER_HEARING_COMMENT = "Høringsinnspill: varslingen bør kunne gå gjennom eksisterende anlegg."
HEARD = PROCURERS | {"employee", "supplier_a", "supplier_b"}
# A self-assessment round (issue 14): the employee's answer, in the owners' export only.
MATURITY_COMMENT = "Modenhet: tjenesten blir sjelden spurt før anskaffelsen."
# The self-assessment (issue 14): the owner's round answered by its employee and by a colleague,
# and a second round the employee is not invited to.
ROUND_TITLE = "Modenhetsvurdering for innkjøp 2026"
LEADERSHIP_ROUND_TITLE = "Modenhetsvurdering for ledelsen"
COLLEAGUE = "Eva Evaluator"
OWN_EVIDENCE = "Egenvurdering: behovene kartlegges i tverrfaglige verksteder."
COLLEAGUE_EVIDENCE = "Kollegas egenvurdering: markedsdialog bare i store prosjekter."


class Market:
    """The scene: the world's public project in market dialogue, seen by eight roles."""

    def __init__(self, api: Api, world: World, factory: Factory) -> None:
        self.project = world.public.id
        self.internal = world.internal.id
        self.owner_org = world.owner.id
        self.supplier_a_org = world.supplier_org.id
        self._session = factory.session
        self._people(world, factory)
        org_b = factory.org(
            OrganisationKind.supplier, name="Konkurrent AS", org_number=SUPPLIER_B_ORG_NUMBER
        )
        self.users: dict[str, Any] = {
            "citizen": world.citizen,
            "employee": world.employee,
            "procurer": world.procurer,
            "other_procurer": world.other_procurer,
            "supplier_a": world.supplier,
            "supplier_b": factory.user(Role.supplier, org_b, name="Kim Konkurrent"),
            "researcher": world.researcher,
            "pending_employee": self.pending,
            "anonymous": None,
        }
        procurer, supplier_a = world.procurer, world.supplier
        api.move_phase(procurer, self.project, Phase.market_dialogue, RATIONALE)
        for supplier in (supplier_a, self.users["supplier_b"]):
            registered = api.post(f"/projects/{self.project}/suppliers", supplier)
            assert registered.status_code == 201, registered.text
        self.unanswered = self._ask(api, supplier_a, UNANSWERED)
        self.published = self._ask(api, supplier_a, ASKED)
        published = api.post(
            f"/questions/{self.published}/publish",
            procurer,
            json={"public_question": ANONYMISED, "answer": ANSWER},
        )
        assert published.status_code == 200, published.text
        self._proposals(api, world)
        self._events(api, procurer, supplier_a)
        self.documents = {
            title: self._document(api, procurer, title, audience, publish=audience != "procurers")
            for title, audience in (
                (PUBLIC_DOCUMENT, "public"),
                (PARTICIPANTS_DOCUMENT, "participants"),
                (DRAFT_DOCUMENT, "procurers"),
            )
        }
        self.participants_document = self.documents[PARTICIPANTS_DOCUMENT]
        self._more(api, world)
        self._edits(api, world)
        self._specification(api, world)
        self._maturity(api, world, factory)

    def _maturity(self, api: Api, world: World, factory: Factory) -> None:
        """The owner's self-assessment round, answered by its employee and a colleague; and a
        second round only the colleague is invited to."""
        colleague = factory.user(Role.employee, world.owner, name=COLLEAGUE)
        deadline = (datetime.now(UTC) + timedelta(days=30)).isoformat()
        rounds = []
        for title, invited in (
            (ROUND_TITLE, (world.employee, colleague)),
            (LEADERSHIP_ROUND_TITLE, (colleague,)),
        ):
            opened = api.post(
                f"/organisations/{self.owner_org}/maturity/rounds",
                world.procurer,
                json={"title": title, "deadline": deadline},
            )
            assert opened.status_code == 201, opened.text
            rounds.append(opened.json()["id"])
            for person in invited:
                body = {"user_id": person.id, "unit": "service_area"}
                made = api.post(
                    f"/maturity/rounds/{rounds[-1]}/respondents", world.procurer, json=body
                )
                assert made.status_code == 201, made.text
                if person is world.employee:
                    self.respondent = made.json()["id"]
        self.maturity_round, self.leadership_round = rounds
        for person, evidence in ((world.employee, OWN_EVIDENCE), (colleague, COLLEAGUE_EVIDENCE)):
            answer = {"indicator": "need_discovery", "level": 3, "evidence": evidence}
            saved = api.put(
                f"/maturity/rounds/{self.maturity_round}/answers", person, json=[answer]
            )
            assert saved.status_code == 200, saved.text

    def _specification(self, api: Api, world: World) -> None:
        """A draft requirement, with the owner's employee invited to co-author the specification."""
        body = {"kind": "functional", "title": "Varsling", "text": DRAFT_REQUIREMENT}
        drafted = api.post(f"/projects/{self.project}/requirements", world.procurer, json=body)
        assert drafted.status_code == 201, drafted.text
        self.requirement = drafted.json()["id"]
        invited = api.post(
            f"/projects/{self.project}/specification/co-authors",
            world.procurer,
            json={"user_id": world.employee.id},
        )
        assert invited.status_code == 201, invited.text
        self.need_link = self._link(api, world, "need", self.need, NEED_LINK_RATIONALE)
        self.confidential_link = self._link(
            api, world, "proposal", self.hidden_proposal, CONFIDENTIAL_RATIONALE
        )
        # A second draft resting on supplier A's unpublished proposal alone: the influence
        # report's single-supplier flag names that proposal to the procurers, and nobody else.
        body = {"kind": "performance", "title": "Rekkevidde", "text": "Radaren skal dekke rommet."}
        drafted = api.post(f"/projects/{self.project}/requirements", world.procurer, json=body)
        assert drafted.status_code == 201, drafted.text
        self.single_source_requirement = drafted.json()["id"]
        linked = api.post(
            f"/requirements/{self.single_source_requirement}/links",
            world.procurer,
            json={
                "source_type": "proposal",
                "source_id": self.hidden_proposal,
                "relation": "derived_from",
                "rationale": "Radarens rekkevidde fra det fortrolige forslaget.",
            },
        )
        assert linked.status_code == 201, linked.text

        self._hearing(api, world)

    def _link(self, api: Api, world: World, kind: str, source_id: int, rationale: str) -> int:
        """A trace link from the draft requirement, drawn by the procurer."""
        body = {
            "source_type": kind,
            "source_id": source_id,
            "relation": "derived_from",
            "rationale": rationale,
        }
        linked = api.post(f"/requirements/{self.requirement}/links", world.procurer, json=body)
        assert linked.status_code == 201, linked.text
        return int(linked.json()["id"])

    def _hearing(self, api: Api, world: World) -> None:
        """The draft out for hearing to employees and suppliers, with a comment from each."""
        deadline = (datetime.now(UTC) + timedelta(days=14)).isoformat()
        body = {"deadline": deadline, "employees": True, "suppliers": True}
        opened = api.post(f"/projects/{self.project}/hearings", world.procurer, json=body)
        assert opened.status_code == 201, opened.text
        self.hearing = opened.json()["id"]
        quote = "innen ti minutter"
        start = DRAFT_REQUIREMENT.index(quote)
        for author, text, passage in (
            (world.employee, HEARING_COMMENT, {}),
            (
                world.supplier,
                SUPPLIER_HEARING_COMMENT,
                {"start": start, "end": start + len(quote), "quote": quote, "version": 2},
            ),
        ):
            made = api.post(
                f"/hearings/{self.hearing}/comments",
                author,
                json={"requirement_id": self.requirement, "body": text} | passage,
            )
            assert made.status_code == 201, made.text

    def _edits(self, api: Api, world: World) -> None:
        """A need its author edited, with a comment its author withdrew."""
        need = api.post_need(world.employee, self.project, problem=EARLIER_PROBLEM)
        self.edited_need = need["id"]
        edited = api.request(
            "PATCH", f"/needs/{need['id']}", world.employee, json={"problem": EDITED_PROBLEM}
        )
        assert edited.status_code == 200, edited.text
        comment = api.comment(world.citizen, need["id"], WITHDRAWN_BODY)
        assert api.delete(f"/comments/{comment['id']}", world.citizen).status_code == 204

    def _people(self, world: World, factory: Factory) -> None:
        """The owner's procurer administers it (with a domain); Mallory asks to be its employee."""
        session = factory.session
        rel = permissions.organisation_relation(session, world.admin, world.owner)
        memberships.grant_admin(session, rel=rel, email=world.procurer.email)
        self.domain = id_of(memberships.add_domain(session, rel=rel, domain=OWNER_DOMAIN))
        data = Registration(
            email=PENDING_EMAIL,
            display_name="Mallory",
            password=PASSWORD,
            role=Role.employee,
            organisation_id=world.owner.id,
        )
        self.pending = accounts.register(session, data=data)
        self.pending_request = id_of(
            session.exec(select(Membership).where(Membership.user_id == self.pending.id)).one()
        )
        session.commit()

    def _more(self, api: Api, world: World) -> None:
        """One of every other kind of object, so every route has something to look at."""
        self.organisation = world.owner.id
        self.comment = api.comment(world.citizen, self.need)["id"]
        attached = api.post(
            f"/proposals/{self.hidden_proposal}/attachments",
            world.supplier,
            files={"file": ("pris.pdf", demo_pdf("Pris", ["Pris"]), "application/pdf")},
            data={"justification": "Prisene er forretningshemmeligheter."},
        )
        assert attached.status_code == 201, attached.text
        self.attachment = attached.json()["id"]
        start = datetime.now(UTC) + timedelta(days=21)
        meetings = api.post(
            f"/projects/{self.project}/events",
            world.procurer,
            json={
                "kind": "one_to_one",
                "title": "En-til-en-møter",
                "description": "Tretti minutter med hver leverandør.",
                "location": "Rådhuset",
                "starts_at": start.isoformat(),
                "ends_at": (start + timedelta(hours=2)).isoformat(),
                "slot_minutes": 30,
            },
        )
        assert meetings.status_code == 201, meetings.text
        self.meetings = meetings.json()["id"]
        slots = api.post(f"/events/{self.meetings}/slots", world.procurer)
        assert slots.status_code == 201, slots.text
        self.slot = slots.json()[0]["id"]
        booked = api.post(f"/slots/{self.slot}/booking", world.supplier)
        assert booked.status_code == 201, booked.text
        today = datetime.now(UTC).date()
        study = api.post(
            "/research/studies",
            world.researcher,
            json={
                "title": "Deltakelse i innovative anskaffelser",
                "institution": "Universitetet",
                "ethics_reference": "Sikt 123456",
                "legal_basis": "consent",
                "period_start": (today - timedelta(days=30)).isoformat(),
                "period_end": (today + timedelta(days=365)).isoformat(),
                "include_free_text": False,
                "project_ids": [self.project],
            },
        )
        assert study.status_code == 201, study.text
        self.study = study.json()["id"]
        self._round(world)

    def _round(self, world: World) -> None:
        """A closed self-assessment round of the owner municipality; the employee answered."""
        session = self._session
        org = permissions.organisation_relation(session, world.procurer, world.owner)
        deadline = datetime.now(UTC) + timedelta(days=7)
        opened = rounds.open_round(
            session, rel=org, data=RoundOpen(title="Modenhet i eierkommunen", deadline=deadline)
        )
        rel = permissions.round_relation(session, world.procurer, id_of(opened))
        invite = RespondentInvite(user_id=world.employee.id, unit=MaturityUnit.service_area)
        rounds.invite(session, rel=rel, data=invite)
        mine = permissions.round_relation(session, world.employee, id_of(opened))
        answer = AnswerIn(indicator="roles", level=2, comment=MATURITY_COMMENT)
        rounds.save_answers(session, rel=mine, answers=[answer])
        rounds.close_round(session, rel=rel)
        session.commit()
        self.round = id_of(opened)

    def _proposals(self, api: Api, world: World) -> None:
        need = api.post_need(world.employee, self.project, title="Nattilsyn uten å vekke")
        supplier_a, supplier_b = world.supplier, self.users["supplier_b"]
        hidden = api.post(
            f"/projects/{self.project}/proposals",
            supplier_a,
            json={
                "need_ids": [need["id"]],
                "title": "Radar i taket",
                "summary": UNPUBLISHED_SUMMARY,
                "body": SECRET_BODY,
                "claims": [
                    {"field": "body", "justification": "Prisen er en forretningshemmelighet."}
                ],
            },
        )
        assert hidden.status_code == 201, hidden.text
        self.hidden_proposal = hidden.json()["id"]
        self.claim = hidden.json()["claims"][0]["id"]
        self.need = need["id"]
        shown = api.post(
            f"/projects/{self.project}/proposals",
            supplier_b,
            json={
                "need_ids": [need["id"]],
                "title": "Varmestyring",
                "summary": PUBLISHED_SUMMARY,
                "body": "Fullt forslag fra Konkurrent AS med detaljer om drift og pris.",
            },
        )
        assert shown.status_code == 201, shown.text
        consent = api.post(f"/proposals/{shown.json()['id']}/publish-summary", supplier_b)
        assert consent.status_code == 200, consent.text

    def _events(self, api: Api, procurer: Any, supplier_a: Any) -> None:
        start = datetime.now(UTC) + timedelta(days=14)
        created = api.post(
            f"/projects/{self.project}/events",
            procurer,
            json={
                "kind": "conference",
                "title": CONFERENCE,
                "description": "Behovene presenteres for alle registrerte leverandører.",
                "location": "Rådhuset",
                "starts_at": start.isoformat(),
                "ends_at": (start + timedelta(hours=3)).isoformat(),
                "capacity": 10,
            },
        )
        assert created.status_code == 201, created.text
        self.event = created.json()["id"]
        for supplier in (supplier_a, self.users["supplier_b"]):
            joined = api.post(f"/events/{self.event}/registrations", supplier)
            assert joined.status_code == 201, joined.text
        written = api.put(f"/events/{self.event}/minutes", procurer, json={"minutes": MINUTES})
        assert written.status_code == 200, written.text
        published = api.post(f"/events/{self.event}/minutes/publish", procurer)
        assert published.status_code == 200, published.text

    def _document(self, api: Api, procurer: Any, title: str, audience: str, publish: bool) -> int:
        uploaded = api.post(
            f"/projects/{self.project}/documents",
            procurer,
            data={"title": title, "kind": "other", "audience": audience},
            files={"file": ("dokument.pdf", demo_pdf(title, [title]), "application/pdf")},
        )
        assert uploaded.status_code == 201, uploaded.text
        document = int(uploaded.json()["id"])
        if publish:
            published = api.post(f"/documents/{document}/publish", procurer)
            assert published.status_code == 200, published.text
        return document

    def _ask(self, api: Api, supplier: Any, body: str) -> int:
        asked = api.post(f"/projects/{self.project}/questions", supplier, json={"body": body})
        assert asked.status_code == 201, asked.text
        return int(asked.json()["id"])
