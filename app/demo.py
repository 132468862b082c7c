"""A believable demo: Trøndelag municipalities, suppliers, NTNU, three projects with real dialogue.

Everything goes through the services, so the demo's participation log is as real as any.
"""

from __future__ import annotations

import io
from collections.abc import Callable

from sqlmodel import Session, select

from app.models import Organisation, Project, SecrecyClaim, User
from app.models.base import NeedStatus, OrganisationKind, Phase, Role, Visibility, id_of
from app.models.document import DocumentAudience, DocumentCreate, DocumentKind
from app.models.need import CommentCreate, NeedCreate, NeedStatusChange
from app.models.project import ProjectCreate
from app.models.proposal import (
    ClaimCreate,
    ClaimDecisionInput,
    ProposalCreate,
    ProposalStatusChange,
)
from app.models.question import AnswerDraft, QuestionCreate
from app.models.user import UserCreate
from app.services import (
    accounts,
    dialogue,
    documents,
    needs,
    permissions,
    projects,
    proposals,
    questions,
)

DEMO_PASSWORD = "pivotal-demo"

ORGANISATIONS = [
    ("trondheim", "Trondheim kommune", OrganisationKind.municipality, "942110464"),
    ("stjordal", "Stjørdal kommune", OrganisationKind.municipality, "938726027"),
    ("trondelag", "Trøndelag fylkeskommune", OrganisationKind.county, "817920632"),
    ("helsetek", "Helsetek AS", OrganisationKind.supplier, "912345629"),
    ("klimalos", "Klimaløs AS", OrganisationKind.supplier, "923456783"),
    ("ntnu", "NTNU", OrganisationKind.research, "974767880"),
]

USERS = [
    ("innkjoper@trondheim.example", "Ingrid Innkjøper", Role.procurer, "trondheim"),
    ("ansatt@trondheim.example", "Tone Helsefagarbeider", Role.employee, "trondheim"),
    ("ansatt@stjordal.example", "Stian Sykepleier", Role.employee, "stjordal"),
    ("innbygger@example.org", "Ola Innbygger", Role.citizen, None),
    ("leverandor@helsetek.example", "Hanne fra Helsetek", Role.supplier, "helsetek"),
    ("leverandor@klimalos.example", "Kari fra Klimaløs", Role.supplier, "klimalos"),
    ("forsker@ntnu.example", "Frida Forsker", Role.researcher, "ntnu"),
    ("admin@pivotal.example", "Pivotal-administrator", Role.admin, None),
]


def load_demo(session: Session) -> None:
    """Create the demo organisations, accounts, projects, needs, supports, comments and phases."""
    orgs: dict[str, Organisation] = {}
    for key, name, kind, number in ORGANISATIONS:
        org = Organisation(name=name, kind=kind, org_number=number)
        session.add(org)
        session.flush()
        orgs[key] = org
    users: dict[str, User] = {}
    for email, name, role, org_key in USERS:
        data = UserCreate(
            email=email,
            display_name=name,
            password=DEMO_PASSWORD,
            role=role,
            organisation_id=orgs[org_key].id if org_key else None,
        )
        users[email.split("@")[0] + "@" + email.split("@")[1].split(".")[0]] = accounts.create_user(
            session, data=data
        )

    procurer = users["innkjoper@trondheim"]
    tone, stian = users["ansatt@trondheim"], users["ansatt@stjordal"]
    ola, hanne = users["innbygger@example"], users["leverandor@helsetek"]
    kari = users["leverandor@klimalos"]

    home_care = projects.create_project(
        session,
        user=procurer,
        data=ProjectCreate(
            title="Digital oppfølging i hjemmetjenesten",
            summary=(
                "Trondheim og Stjørdal vil sammen finne bedre måter å følge opp hjemmeboende med "
                "kroniske sykdommer på, slik at de kan bo trygt hjemme lenger."
            ),
            service_area="Helse og velferd",
            innovation_ambition=(
                "Fra faste besøk etter liste til oppfølging etter behov: pasienten måler selv, "
                "tjenesten reagerer når målingene tilsier det, og ansatte får tid til dem som trenger mest."
            ),
            visibility=Visibility.public,
            partner_org_ids=[id_of(orgs["stjordal"])],
        ),
    )
    construction = projects.create_project(
        session,
        user=procurer,
        data=ProjectCreate(
            title="Utslippsfrie byggeplasser",
            summary="Kommunens byggeplasser skal bli fossilfrie og deretter utslippsfrie innen 2030.",
            service_area="Bygg og eiendom",
            innovation_ambition=(
                "Byggherren stiller funksjonskrav til energi og maskiner i stedet for å foreskrive "
                "løsninger, og lærer sammen med entreprenørene underveis."
            ),
            visibility=Visibility.public,
        ),
    )
    session.flush()

    def rel(user: User, project: Project) -> permissions.ProjectRelation:
        return permissions.relation(session, user, project)

    night = needs.post_need(
        session,
        rel=rel(tone, home_care),
        data=NeedCreate(
            title="Færre unødvendige nattbesøk",
            problem=(
                "Vi vekker brukere om natten for å sjekke at alt er i orden. Mange sover godt og blir "
                "urolige av besøket. Vi trenger å vite hvem som faktisk trenger tilsyn."
            ),
            affected="Brukere med nattlig tilsyn og nattpatruljen",
        ),
    )
    medication = needs.post_need(
        session,
        rel=rel(stian, home_care),
        data=NeedCreate(
            title="Oversikt over legemidler på tvers av kommunene",
            problem=(
                "Når en bruker flytter mellom Stjørdal og Trondheim, mister vi oversikten over hvilke "
                "legemidler som er gitt. Det gir risiko for feil og dobbel dosering."
            ),
            affected="Brukere med multidose og sykepleiere i begge kommuner",
        ),
    )
    lonely = needs.post_need(
        session,
        rel=rel(ola, home_care),
        data=NeedCreate(
            title="Mindre ensomhet mellom besøkene",
            problem=(
                "Min mor får besøk fire ganger om dagen, men de er korte. Resten av dagen er hun alene "
                "og blir engstelig. Hun trenger noen å snakke med, ikke bare en alarmknapp."
            ),
            affected="Eldre som bor alene, og pårørende",
            anonymous=True,
        ),
    )
    noise = needs.post_need(
        session,
        rel=rel(ola, construction),
        data=NeedCreate(
            title="Mindre støy og eksos ved skoleveien",
            problem="Dieselmaskinene ved byggeplassen på Lade står på tomgang når barna går til skolen.",
            affected="Skolebarn og naboer",
        ),
    )
    charging = needs.post_need(
        session,
        rel=rel(tone, construction),
        data=NeedCreate(
            title="Strøm nok til elektriske maskiner",
            problem=(
                "Byggeplassene har ikke nok effekt i nettet til å lade elektriske gravemaskiner. "
                "Vi trenger en måte å planlegge effekt på før prosjektet starter."
            ),
            affected="Prosjektledere i kommunen og entreprenører",
        ),
    )
    session.flush()

    for user, need, project in [
        (stian, night, home_care),
        (ola, night, home_care),
        (procurer, night, home_care),
        (tone, medication, home_care),
        (tone, lonely, home_care),
        (stian, lonely, home_care),
        (tone, noise, construction),
        (ola, charging, construction),
    ]:
        needs.support_need(session, rel=rel(user, project), need=need)

    first = needs.add_comment(
        session,
        rel=rel(stian, home_care),
        need=night,
        data=CommentCreate(
            body="Det samme ser vi i Stjørdal. Sensorer i rommet kunne kanskje hjelpe?"
        ),
    )
    session.flush()
    needs.add_comment(
        session,
        rel=rel(tone, home_care),
        need=night,
        data=CommentCreate(
            body="Ja, men brukerne må samtykke, og vi må vite hva vi gjør med varslene.",
            parent_id=first.id,
        ),
    )
    needs.add_comment(
        session,
        rel=rel(hanne, home_care),
        need=night,
        data=CommentCreate(
            body="Hvor mange brukere har nattlig tilsyn i dag? Det hjelper oss å forstå omfanget."
        ),
    )
    question = needs.add_comment(
        session,
        rel=rel(procurer, home_care),
        need=lonely,
        data=CommentCreate(
            body="Takk for at du deler dette. Hvor mange besøk om dagen ville vært riktig for din mor?"
        ),
    )
    session.flush()
    needs.add_comment(
        session,
        rel=rel(ola, home_care),
        need=lonely,
        data=CommentCreate(
            body="Det er ikke antallet, men at noen har tid til å sette seg ned.",
            parent_id=question.id,
        ),
    )
    needs.add_comment(
        session,
        rel=rel(kari, construction),
        need=charging,
        data=CommentCreate(
            body="Mobile batteribanker kan dekke toppene. Vi deler gjerne erfaringer fra Oslo."
        ),
    )
    needs.set_status(
        session,
        rel=rel(procurer, home_care),
        need=night,
        change=NeedStatusChange(status=NeedStatus.verified),
    )
    needs.set_status(
        session,
        rel=rel(procurer, home_care),
        need=medication,
        change=NeedStatusChange(status=NeedStatus.under_review),
    )
    session.flush()

    # A third project that went through its gate decisions into the market dialogue.
    care_homes = projects.create_project(
        session,
        user=procurer,
        data=ProjectCreate(
            title="Trygge og energismarte omsorgsboliger",
            summary=(
                "Trondheim kommune bygger nye omsorgsboliger og vil at beboerne skal være trygge uten "
                "å bli overvåket, samtidig som byggene bruker langt mindre energi."
            ),
            service_area="Helse og velferd / Bygg og eiendom",
            innovation_ambition=(
                "Fra separate anskaffelser av trygghetsalarmer og byggautomasjon til én løsning der "
                "sensorer i boligen tjener både beboerens trygghet og byggets energibruk."
            ),
            visibility=Visibility.public,
            phase=Phase.preparation,
        ),
    )
    session.flush()
    projects.move_phase(
        session,
        rel=rel(procurer, care_homes),
        to_phase=Phase.needs,
        rationale=(
            "Kommunedirektøren har forankret prosjektet i handlingsplanen for velferdsteknologi, "
            "og et tverrfaglig team fra helse, eiendom og innkjøp er satt sammen."
        ),
    )
    quiet_checks = needs.post_need(
        session,
        rel=rel(tone, care_homes),
        data=NeedCreate(
            title="Vite at beboeren har det bra uten å gå inn",
            problem=(
                "Nattevaktene går inn i leilighetene for å sjekke om beboerne sover. Vi trenger å "
                "vite hvem som trenger oss, uten kamera og uten å vekke dem som sover."
            ),
            affected="Beboere med demens og nattevaktene",
        ),
    )
    projects.move_phase(
        session,
        rel=rel(procurer, care_homes),
        to_phase=Phase.market_dialogue,
        rationale=(
            "Behovene er verifisert med ansatte og pårørende. Vi inviterer nå markedet til dialog "
            "gjennom veiledende kunngjøring på Doffin før vi skriver konkurransegrunnlaget."
        ),
    )
    for supplier in (hanne, kari):
        dialogue.register_supplier(session, rel=rel(supplier, care_homes))
    session.flush()

    # Q&A in the market dialogue: one answer published to all, one question still waiting.
    sensors = questions.ask(
        session,
        rel=rel(hanne, care_homes),
        data=QuestionCreate(
            body=(
                "Vi i Helsetek har en radarsensor som allerede brukes i Stjørdal. Kan dere bruke "
                "den, eller må alle sensorene kobles til samme plattform som byggautomasjonen?"
            )
        ),
    )
    questions.publish(
        session,
        rel=rel(procurer, care_homes),
        question=sensors,
        data=AnswerDraft(
            public_question=(
                "Kan sensorer som allerede er i bruk i andre kommuner tilbys, eller må alle "
                "sensorene kobles til samme plattform som byggautomasjonen?"
            ),
            answer=(
                "Alle løsninger er velkomne. Vi krever åpne grensesnitt, slik at data fra sensorene "
                "kan brukes både til trygghet for beboerne og til styring av energibruken."
            ),
        ),
    )
    questions.ask(
        session,
        rel=rel(kari, care_homes),
        data=QuestionCreate(
            body=(
                "Hvor mange omsorgsboliger gjelder anskaffelsen, og når skal de første tas i bruk?"
            )
        ),
    )
    # Its documents: the needs description for everyone, a draft specification on hearing
    # among the participants (the municipality's staff and the registered suppliers).
    needs_description = documents.upload_document(
        session,
        rel=rel(procurer, care_homes),
        data=DocumentCreate(
            kind=DocumentKind.needs_description,
            title="Behovsbeskrivelse: trygge og energismarte omsorgsboliger",
            description="Verifiserte behov fra ansatte, beboere og pårørende.",
            audience=DocumentAudience.public,
        ),
        stream=io.BytesIO(
            demo_pdf(
                "Behovsbeskrivelse",
                [
                    "Trygge og energismarte omsorgsboliger, Trondheim kommune.",
                    "1. Nattevaktene må vite hvem som trenger dem, uten kamera.",
                    "2. Beboere som sover, skal ikke vekkes av tilsyn.",
                    "3. Sensorene skal også styre lys, varme og ventilasjon.",
                ],
            )
        ),
        filename="Behovsbeskrivelse omsorgsboliger.pdf",
    )
    documents.publish_document(session, rel=rel(procurer, care_homes), document=needs_description)
    draft_specification = documents.upload_document(
        session,
        rel=rel(procurer, care_homes),
        data=DocumentCreate(
            kind=DocumentKind.draft_specification,
            title="Utkast til kravspesifikasjon på høring",
            description="Kommentarer fra leverandørene ønskes før konkurransen kunngjøres.",
            audience=DocumentAudience.participants,
        ),
        stream=io.BytesIO(
            demo_pdf(
                "Utkast til kravspesifikasjon",
                [
                    "Funksjonskrav: løsningen varsler nattevakten når en beboer trenger hjelp.",
                    "Ytelseskrav: energibruken i boligene skal ned med minst 30 prosent.",
                    "Høringsfrist: fire uker etter publisering.",
                ],
            )
        ),
        filename="Kravspesifikasjon – utkast til høring.pdf",
    )
    documents.publish_document(session, rel=rel(procurer, care_homes), document=draft_specification)
    session.flush()
    _demo_events(session, procurer=procurer, project=care_homes, people=[hanne, kari, tone])
    _demo_proposals(session, rel, procurer, hanne, kari, care_homes, id_of(quiet_checks))
    _demo_study(session, researcher=users["forsker@ntnu"], consenting=[tone, stian, ola, hanne])


def _demo_events(session: Session, *, procurer: User, project: Project, people: list[User]) -> None:
    """A dialogue conference with a waitlist, and one-to-one meetings with one slot booked."""
    from datetime import datetime, timedelta

    from app.i18n import TIMEZONE
    from app.models.event import DialogueEventCreate, EventKind
    from app.services import events

    def rel(user: User) -> permissions.ProjectRelation:
        return permissions.relation(session, user, project)

    day = datetime.now(TIMEZONE).replace(hour=9, minute=0, second=0, microsecond=0)
    conference = events.create_event(
        session,
        rel=rel(procurer),
        data=DialogueEventCreate(
            kind=EventKind.conference,
            title="Dialogkonferanse: trygge og energismarte omsorgsboliger",
            description=(
                "Vi presenterer behovene fra ansatte og pårørende og forteller hvordan "
                "markedsdialogen og konkurransen blir lagt opp. Alle registrerte leverandører får "
                "samme informasjon; referatet publiseres til alle."
            ),
            location="Trondheim rådhus, bystyresalen",
            starts_at=day + timedelta(days=14),
            ends_at=day + timedelta(days=14, hours=3),
            capacity=2,
        ),
    )
    for person in people:  # two seats: the last one lands on the waitlist
        events.register(session, rel=rel(person), event=conference)
    meetings = events.create_event(
        session,
        rel=rel(procurer),
        data=DialogueEventCreate(
            kind=EventKind.one_to_one,
            title="En-til-en-møter med leverandører",
            description="30 minutter per leverandør, samme spørsmål til alle.",
            location="digital",
            starts_at=day + timedelta(days=21),
            ends_at=day + timedelta(days=21, hours=3),
            slot_minutes=30,
        ),
    )
    slots = events.generate_slots(session, rel=rel(procurer), event=meetings, slot_minutes=None)
    events.book_slot(session, rel=rel(people[0]), event=meetings, slot=slots[1])
    session.flush()


def demo_pdf(title: str, lines: list[str]) -> bytes:
    """A small, valid one-page PDF with a title and some lines of text (Latin-1 text)."""

    def text(value: str) -> str:
        return value.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")

    rows = [f"BT /F1 18 Tf 72 770 Td ({text(title)}) Tj ET"]
    rows += [
        f"BT /F1 12 Tf 72 {740 - 20 * i} Td ({text(line)}) Tj ET" for i, line in enumerate(lines)
    ]
    stream = "\n".join(rows).encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe6\xf8\xe5\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def _demo_proposals(
    session: Session,
    rel: Callable[[User, Project], permissions.ProjectRelation],
    procurer: User,
    hanne: User,
    kari: User,
    project: Project,
    need_id: int,
) -> None:
    """One proposal from each demo supplier, each with a business-secret claim on its body."""
    radar = proposals.submit_proposal(
        session,
        rel=rel(hanne, project),
        data=ProposalCreate(
            need_ids=[need_id],
            title="Radar i taket i stedet for tilsyn om natten",
            summary=(
                "En radarsensor i taket ser om beboeren sover, står opp eller faller, uten kamera. "
                "Nattevakten får varsel bare når noen trenger hjelp."
            ),
            body=(
                "Sensoren er utviklet sammen med en norsk radarprodusent. Vi tilbyr den som tjeneste "
                "til 190 kroner per leilighet per måned, inkludert drift og varsling til "
                "Trondheims eksisterende responssenter. Algoritmen for fallvarsling er trent på "
                "4 000 timer med data fra tre sykehjem."
            ),
            claims=[
                ClaimCreate(
                    justification=(
                        "Prisen og opplysningene om treningsdata og samarbeidspartner gir "
                        "konkurrentene innsikt i vår forretningsmodell og utviklingsforsprang."
                    )
                )
            ],
        ),
    )
    session.flush()
    proposals.publish_summary(session, rel=rel(hanne, project), proposal=radar)
    [radar_claim] = session.exec(
        select(SecrecyClaim).where(SecrecyClaim.proposal_id == radar.id)
    ).all()
    proposals.decide_claim(
        session,
        rel=rel(procurer, project),
        proposal=radar,
        claim=radar_claim,
        decision=ClaimDecisionInput(decision="accepted"),
    )
    proposals.set_status(
        session,
        rel=rel(procurer, project),
        proposal=radar,
        change=ProposalStatusChange(status="acknowledged"),
    )
    proposals.submit_proposal(
        session,
        rel=rel(kari, project),
        data=ProposalCreate(
            need_ids=[need_id],
            title="Varmestyring som også ser hvem som er våken",
            summary=(
                "Byggets varme- og ventilasjonsstyring bruker sensorene den allerede har til å "
                "varsle når en beboer er våken og urolig om natten."
            ),
            body=(
                "Vi kobler CO₂- og bevegelsessensorene i ventilasjonsanlegget til en regelmotor som "
                "skiller mellom søvn og uro. Energibesparelsen i pilotbygget i Malvik var 23 %, "
                "og løsningen krever ingen ekstra utstyr i leilighetene."
            ),
            claims=[
                ClaimCreate(
                    justification=(
                        "Resultatene fra piloten i Malvik er ikke publisert og er avgjørende "
                        "for vår posisjon i kommende konkurranser."
                    )
                )
            ],
        ),
    )
    session.flush()


def _demo_study(session: Session, *, researcher: User, consenting: list[User]) -> None:
    """NTNU's registered study of participation, on consent, and the demo users who consented."""
    from datetime import date, timedelta

    from app.models.research import LegalBasis, StudyCreate
    from app.services import research

    today = date.today()
    study = research.register_study(
        session,
        user=researcher,
        data=StudyCreate(
            title="Medvirkning og påvirkning i innovative anskaffelser (PIVOTAL)",
            institution="NTNU",
            ethics_reference="Sikt 583921",
            legal_basis=LegalBasis.consent,
            period_start=today - timedelta(days=30),
            period_end=today + timedelta(days=2 * 365),
            include_free_text=True,
        ),
    )
    for user in consenting:
        research.give_consent(session, user=user, study_id=id_of(study))
