"""A believable demo: Trøndelag municipalities, suppliers, NTNU, three projects with real dialogue.

Everything goes through the services, so the demo's participation log is as real as any. The
story is told over the ten weeks before this one: each step runs at its own day and hour (the
services' clock, `history_clock`), in time order, so the metrics have weeks, delays and threads
to show.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlmodel import Session, select

from app.i18n import TIMEZONE
from app.models import Need, Organisation, SecrecyClaim, User
from app.models.base import (
    NeedStatus,
    OrganisationKind,
    Phase,
    Role,
    Visibility,
    history_clock,
    id_of,
)
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
WEEKS = 10  # the story runs over the ten whole weeks before the current one

ORGANISATIONS = [
    ("trondheim", "Trondheim kommune", OrganisationKind.municipality, "942110464"),
    ("stjordal", "Stjørdal kommune", OrganisationKind.municipality, "938726027"),
    ("trondelag", "Trøndelag fylkeskommune", OrganisationKind.county, "817920632"),
    ("helsetek", "Helsetek AS", OrganisationKind.supplier, "912345629"),
    ("klimalos", "Klimaløs AS", OrganisationKind.supplier, "923456783"),
    ("ntnu", "NTNU", OrganisationKind.research, "974767880"),
]

# The demo accounts the README lists, one per role.
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

# The other people who take part: staff in both municipalities and the county, and citizens
# (residents and next of kin). Same password; the story refers to them by the e-mail's name part.
PEOPLE = [
    ("lars.eriksen@trondheim.example", "Lars Eriksen", Role.employee, "trondheim"),
    ("nora.strand@trondheim.example", "Nora Strand", Role.employee, "trondheim"),
    ("knut.dahl@trondheim.example", "Knut Dahl", Role.employee, "trondheim"),
    ("ingvild.ronning@trondheim.example", "Ingvild Rønning", Role.employee, "trondheim"),
    ("hilde.aasen@stjordal.example", "Hilde Aasen", Role.employee, "stjordal"),
    ("eirik.lund@stjordal.example", "Eirik Lund", Role.employee, "stjordal"),
    ("mona.flataas@stjordal.example", "Mona Flataas", Role.employee, "stjordal"),
    ("siri.vold@trondelag.example", "Siri Vold", Role.employee, "trondelag"),
    ("anders.vik@trondelag.example", "Anders Vik", Role.employee, "trondelag"),
    ("astrid.berg@innbygger.example", "Astrid Berg", Role.citizen, None),
    ("per.olav.hansen@innbygger.example", "Per Olav Hansen", Role.citizen, None),
    ("marit.lie@innbygger.example", "Marit Lie", Role.citizen, None),
    ("jonas.aune@innbygger.example", "Jonas Aune", Role.citizen, None),
    ("sigrid.moe@innbygger.example", "Sigrid Moe", Role.citizen, None),
    ("ahmed.hassan@innbygger.example", "Ahmed Hassan", Role.citizen, None),
    ("kristin.solberg@innbygger.example", "Kristin Solberg", Role.citizen, None),
    ("bjorn.haugen@innbygger.example", "Bjørn Haugen", Role.citizen, None),
    ("emma.nilsen@innbygger.example", "Emma Nilsen", Role.citizen, None),
]


def _key(email: str) -> str:
    """How the story names a person: `ansatt@trondheim`, or `lars.eriksen` for the others."""
    local, domain = email.split("@")
    return local if any(email == p[0] for p in PEOPLE) else f"{local}@{domain.split('.')[0]}"


def first_day(today: date) -> date:
    """Day 0 of the story: the Monday `WEEKS` weeks before the current week's Monday."""
    return today - timedelta(days=today.weekday(), weeks=WEEKS)


@dataclass
class _Story:
    """Steps on days of the story, each run at its moment (Norwegian time) in time order."""

    session: Session
    day0: date
    steps: list[tuple[datetime, int, str | None, Callable[[], Any]]] = field(default_factory=list)
    made: dict[str, Any] = field(default_factory=dict)
    need_project: dict[str, str] = field(default_factory=dict)  # need key -> project key

    def moment(self, day: int, clock: str) -> datetime:
        """The moment `clock` (HH:MM, Norwegian time) on day `day` of the story."""
        hour, minute = (int(part) for part in clock.split(":"))
        return datetime.combine(self.day0 + timedelta(days=day), time(hour, minute), TIMEZONE)

    def on(self, day: int, clock: str, step: Callable[[], Any], key: str | None = None) -> None:
        """Plan `step` for that moment; its result is kept as `made[key]`."""
        if not 0 <= day < 7 * WEEKS:
            raise ValueError(f"Day {day} is outside the story's {WEEKS} weeks")
        self.steps.append((self.moment(day, clock), len(self.steps), key, step))

    def run(self, set_now: Callable[[datetime], None]) -> None:
        """Run every step in time order, each at its moment, flushing after each."""
        for moment, _order, key, step in sorted(self.steps, key=lambda s: (s[0], s[1])):
            set_now(moment)
            result = step()
            self.session.flush()
            if key is not None:
                self.made[key] = result

    def rel(self, user: User, project: str) -> permissions.ProjectRelation:
        return permissions.relation(self.session, user, self.made[project])

    # The dialogue's common steps, by key.

    def need(
        self,
        key: str,
        day: int,
        clock: str,
        by: User,
        project: str,
        title: str,
        problem: str,
        affected: str,
        *,
        anonymous: bool = False,
    ) -> None:
        data = NeedCreate(title=title, problem=problem, affected=affected, anonymous=anonymous)
        self.on(
            day,
            clock,
            lambda: needs.post_need(self.session, rel=self.rel(by, project), data=data),
            key,
        )
        self.need_project[key] = project

    def support(self, day: int, clock: str, by: User, need: str) -> None:
        self.on(
            day,
            clock,
            lambda: needs.support_need(
                self.session, rel=self.rel(by, self.need_project[need]), need=self.made[need]
            ),
        )

    def comment(
        self,
        day: int,
        clock: str,
        by: User,
        need: str,
        body: str,
        *,
        key: str | None = None,
        reply_to: str | None = None,
    ) -> None:
        def step() -> Any:
            parent = id_of(self.made[reply_to]) if reply_to else None
            return needs.add_comment(
                self.session,
                rel=self.rel(by, self.need_project[need]),
                need=self.made[need],
                data=CommentCreate(body=body, parent_id=parent),
            )

        self.on(day, clock, step, key)

    def status(self, day: int, clock: str, by: User, need: str, status: NeedStatus) -> None:
        self.on(
            day,
            clock,
            lambda: needs.set_status(
                self.session,
                rel=self.rel(by, self.need_project[need]),
                need=self.made[need],
                change=NeedStatusChange(status=status),
            ),
        )


def load_demo(session: Session) -> None:
    """Create the demo organisations and accounts, then tell the projects' ten weeks of dialogue."""
    story = _Story(session, first_day(datetime.now(TIMEZONE).date()))
    with history_clock() as set_now:
        set_now(story.moment(0, "08:00"))  # everyone has an account when the story begins
        orgs: dict[str, Organisation] = {}
        for key, name, kind, number in ORGANISATIONS:
            org = Organisation(name=name, kind=kind, org_number=number)
            session.add(org)
            session.flush()
            orgs[key] = org
        users: dict[str, User] = {}
        shared_hash = accounts.hash_password(DEMO_PASSWORD)
        for email, name, role, org_key in [*USERS, *PEOPLE]:
            data = UserCreate(
                email=email,
                display_name=name,
                password=DEMO_PASSWORD,
                role=role,
                organisation_id=orgs[org_key].id if org_key else None,
            )
            users[_key(email)] = accounts.create_user(
                session, data=data, password_hash=shared_hash, email_verified=True
            )
        _home_care(story, users, orgs)
        _construction(story, users)
        _care_homes(story, users)
        _study(story, users)
        story.run(set_now)


# ---- the story -----------------------------------------------------------------------------------

_TIMES = ("07:40", "12:15", "19:30", "21:05", "10:20", "15:45")


def _supports(story: _Story, need: str, day: int, people: list[User]) -> None:
    """People support a need over the days after `day`, a couple a day, at varied hours."""
    for i, person in enumerate(people):
        story.support(day + i // 2, _TIMES[(i + day) % len(_TIMES)], person, need)


def _home_care(story: _Story, u: dict[str, User], orgs: dict[str, Organisation]) -> None:
    """Digital follow-up in home care, Trondheim with Stjørdal: ten weeks in the needs phase."""
    procurer, tone, stian = u["innkjoper@trondheim"], u["ansatt@trondheim"], u["ansatt@stjordal"]
    ola, hanne = u["innbygger@example"], u["leverandor@helsetek"]
    s = story
    s.on(
        0,
        "09:00",
        lambda: projects.create_project(
            s.session,
            user=procurer,
            data=ProjectCreate(
                title="Digital oppfølging i hjemmetjenesten",
                summary=(
                    "Trondheim og Stjørdal vil sammen finne bedre måter å følge opp hjemmeboende "
                    "med kroniske sykdommer på, slik at de kan bo trygt hjemme lenger."
                ),
                service_area="Helse og velferd",
                innovation_ambition=(
                    "Fra faste besøk etter liste til oppfølging etter behov: pasienten måler selv, "
                    "tjenesten reagerer når målingene tilsier det, og ansatte får tid til dem som "
                    "trenger mest."
                ),
                visibility=Visibility.public,
                partner_org_ids=[id_of(orgs["stjordal"])],
            ),
        ),
        "home_care",
    )
    # The first needs keep the ids they always had (tests and links refer to /needs/3): night,
    # medication, lonely, noise, charging, then the care homes' quiet checks; all others follow.
    s.need(
        "night", 1, "13:10", tone, "home_care",
        "Færre unødvendige nattbesøk",
        "Vi vekker brukere om natten for å sjekke at alt er i orden. Mange sover godt og blir "
        "urolige av besøket. Vi trenger å vite hvem som faktisk trenger tilsyn.",
        "Brukere med nattlig tilsyn og nattpatruljen",
    )  # fmt: skip
    s.need(
        "medication", 2, "10:40", stian, "home_care",
        "Oversikt over legemidler på tvers av kommunene",
        "Når en bruker flytter mellom Stjørdal og Trondheim, mister vi oversikten over hvilke "
        "legemidler som er gitt. Det gir risiko for feil og dobbel dosering.",
        "Brukere med multidose og sykepleiere i begge kommuner",
    )  # fmt: skip
    s.need(
        "lonely", 3, "20:15", ola, "home_care",
        "Mindre ensomhet mellom besøkene",
        "Min mor får besøk fire ganger om dagen, men de er korte. Resten av dagen er hun alene "
        "og blir engstelig. Hun trenger noen å snakke med, ikke bare en alarmknapp.",
        "Eldre som bor alene, og pårørende",
        anonymous=True,
    )  # fmt: skip
    s.need(
        "handover", 8, "14:30", u["lars.eriksen"], "home_care",
        "Bedre overlevering mellom vaktene",
        "Dagvakten skriver i journalen, men kveldsvakten rekker ikke å lese alt før første "
        "besøk. Viktige endringer hos brukeren blir borte mellom vaktene.",
        "Helsefagarbeidere og sykepleiere i hjemmetjenesten",
    )  # fmt: skip
    s.need(
        "aids", 10, "19:05", u["kristin.solberg"], "home_care",
        "Enklere å få hjelpemidler hjem",
        "Da far kom hjem fra sykehuset, tok det tre uker før han fikk rullator og dusjstol. "
        "Vi visste ikke hvem vi skulle spørre, og han falt på badet i mellomtiden.",
        "Eldre som skrives ut fra sykehus, og pårørende",
    )  # fmt: skip
    s.need(
        "pressure", 15, "11:20", u["eirik.lund"], "home_care",
        "Måle blodtrykk hjemme og dele målingene",
        "Vi reiser ut for å måle blodtrykk hos brukere som godt kunne målt selv, hvis "
        "målingene kom trygt fram til oss og til fastlegen.",
        "Brukere med høyt blodtrykk eller hjertesvikt, og hjemmesykepleien",
    )  # fmt: skip
    s.need(
        "video", 22, "18:40", u["bjorn.haugen"], "home_care",
        "Kunne se hjemmetjenesten på skjerm",
        "Jeg bor alene og er ofte usikker på om jeg har tatt medisinene riktig. En kort "
        "videosamtale ville vært nok mange ganger, i stedet for å vente på neste besøk.",
        "Hjemmeboende som er usikre mellom besøkene",
    )  # fmt: skip
    s.need(
        "keys", 29, "09:50", u["mona.flataas"], "home_care",
        "Digitale nøkler i stedet for nøkkelbokser",
        "Nøkkelboksene ved inngangsdørene er lette å bryte opp, og vi mister tid når koden "
        "er byttet uten at alle har fått beskjed.",
        "Brukere som får hjemmetjenester, og alle som besøker dem",
    )  # fmt: skip
    s.need(
        "language", 36, "21:00", u["ahmed.hassan"], "home_care",
        "Informasjon om tjenesten på flere språk",
        "Min tante forstår lite norsk. Hun vet ikke når hjemmetjenesten kommer, og tør ikke "
        "ringe og spørre. Hun trenger beskjeder hun forstår.",
        "Brukere som ikke leser norsk, og familiene deres",
    )  # fmt: skip
    s.need(
        "region", 43, "10:15", u["siri.vold"], "home_care",
        "Samme løsning i flere kommuner i fylket",
        "Små kommuner i Trøndelag har ikke råd til å anskaffe alene. Hvis løsningen kan tas i "
        "bruk av flere, får også brukerne i distriktet digital oppfølging.",
        "Små kommuner i Trøndelag og brukerne deres",
    )  # fmt: skip

    _supports(s, "night", 2, [stian, ola, procurer, u["nora.strand"], u["marit.lie"]])
    _supports(s, "medication", 3, [tone, u["hilde.aasen"], u["lars.eriksen"]])
    _supports(s, "lonely", 6, [tone, stian, u["astrid.berg"], u["sigrid.moe"], u["jonas.aune"]])
    _supports(s, "handover", 9, [u["nora.strand"], u["eirik.lund"], u["ingvild.ronning"], tone])
    _supports(s, "aids", 11, [u["ingvild.ronning"], u["per.olav.hansen"], ola, u["emma.nilsen"]])
    _supports(s, "pressure", 16, [u["hilde.aasen"], u["lars.eriksen"], u["bjorn.haugen"]])
    _supports(s, "video", 23, [u["jonas.aune"], u["astrid.berg"], u["mona.flataas"], ola])
    _supports(s, "keys", 30, [u["sigrid.moe"], stian, u["knut.dahl"], u["kristin.solberg"]])
    _supports(s, "language", 37, [u["emma.nilsen"], u["marit.lie"], u["nora.strand"]])
    _supports(s, "region", 44, [u["anders.vik"], u["hilde.aasen"], stian, u["per.olav.hansen"]])
    _supports(s, "night", 57, [u["ahmed.hassan"], u["eirik.lund"]])
    _supports(s, "video", 62, [u["sigrid.moe"], u["lars.eriksen"], u["kristin.solberg"]])

    s.comment(
        2, "07:45", stian, "night",
        "Det samme ser vi i Stjørdal. Sensorer i rommet kunne kanskje hjelpe?",
        key="night:sensors",
    )  # fmt: skip
    s.comment(
        2, "15:20", tone, "night",
        "Ja, men brukerne må samtykke, og vi må vite hva vi gjør med varslene.",
        key="night:consent", reply_to="night:sensors",
    )  # fmt: skip
    s.comment(
        3, "08:10", u["nora.strand"], "night",
        "På Byåsen prøvde vi sensormatter i fjor. Samtykket gikk greit når pårørende var med.",
        reply_to="night:consent",
    )  # fmt: skip
    s.comment(
        3, "11:00", hanne, "night",
        "Hvor mange brukere har nattlig tilsyn i dag? Det hjelper oss å forstå omfanget.",
    )  # fmt: skip
    s.status(6, "09:30", procurer, "medication", NeedStatus.under_review)
    s.comment(
        7, "09:15", procurer, "lonely",
        "Takk for at du deler dette. Hvor mange besøk om dagen ville vært riktig for din mor?",
        key="lonely:question",
    )  # fmt: skip
    s.comment(
        7, "20:30", ola, "lonely",
        "Det er ikke antallet, men at noen har tid til å sette seg ned.",
        reply_to="lonely:question",
    )  # fmt: skip
    s.comment(
        8, "18:00", u["astrid.berg"], "lonely",
        "Kjenner meg igjen. Far ringer meg ti ganger om dagen fordi han ikke har noen å prate med.",
        key="lonely:astrid",
    )  # fmt: skip
    s.comment(
        9, "12:10", tone, "lonely",
        "Vi ser det samme. Frivilligsentralen har besøksvenner, men få vet om dem.",
        reply_to="lonely:astrid",
    )  # fmt: skip
    s.status(9, "10:00", procurer, "night", NeedStatus.verified)
    s.comment(
        11, "19:30", u["marit.lie"], "night",
        "Far ble redd da nattevakten kom inn. Han hadde heller hatt en lampe som tennes.",
    )  # fmt: skip
    s.comment(
        11, "13:00", u["ingvild.ronning"], "aids",
        "Vi bestiller hjelpemidler når vi vet om utskrivningen, men beskjeden kommer ofte sent.",
        key="aids:late",
    )  # fmt: skip
    s.comment(
        11, "20:00", u["kristin.solberg"], "aids",
        "Det var akkurat det som skjedde: sykehuset trodde kommunen visste, og omvendt.",
        key="aids:both", reply_to="aids:late",
    )  # fmt: skip
    s.comment(
        12, "09:00", procurer, "handover",
        "Hva er det viktigste som går tapt? Medisinendringer, eller hvordan brukeren har det?",
        key="handover:what",
    )  # fmt: skip
    s.status(12, "09:05", procurer, "handover", NeedStatus.under_review)
    s.comment(
        12, "16:00", u["lars.eriksen"], "handover",
        "Begge deler, men mest små endringer: at en bruker spiser mindre eller er mer forvirret.",
        reply_to="handover:what",
    )  # fmt: skip
    s.comment(
        13, "10:30", procurer, "aids",
        "Vi tar dette med i dialogen med sykehuset om utskrivning.",
        reply_to="aids:both",
    )  # fmt: skip
    s.status(13, "10:35", procurer, "aids", NeedStatus.verified)
    s.comment(
        16, "08:30", u["hilde.aasen"], "pressure",
        "I Stjørdal har vi prøvd målere som sender over mobilnettet. Det fungerte for de fleste.",
        key="pressure:stjordal",
    )  # fmt: skip
    s.comment(
        16, "14:00", u["eirik.lund"], "pressure",
        "Men ikke for dem uten mobildekning inne. Det må vi tenke på.",
        key="pressure:coverage", reply_to="pressure:stjordal",
    )  # fmt: skip
    s.comment(
        17, "11:40", u["lars.eriksen"], "pressure",
        "I Trondheim kan vi teste hos de samme brukerne som har trygghetsalarm med eget nett.",
        reply_to="pressure:coverage",
    )  # fmt: skip
    s.comment(
        23, "20:00", u["jonas.aune"], "video",
        "Bestemor bruker nettbrett til å snakke med barnebarna. Det kunne vært samme nettbrett.",
    )  # fmt: skip
    s.status(24, "13:15", procurer, "pressure", NeedStatus.verified)
    s.comment(
        24, "10:00", u["nora.strand"], "video",
        "Videosamtale passer for noen besøk, men ikke for sårstell eller dusj.",
        key="video:limits",
    )  # fmt: skip
    s.status(26, "14:00", procurer, "handover", NeedStatus.verified)
    s.comment(
        27, "09:40", procurer, "video",
        "Vi ser på hvilke besøk som kan bli samtaler, og lar brukeren velge.",
        reply_to="video:limits",
    )  # fmt: skip
    s.status(27, "09:45", procurer, "video", NeedStatus.under_review)
    s.comment(
        30, "19:00", u["sigrid.moe"], "keys",
        "Mor er redd for at noen skal få tak i koden. Digital lås høres tryggere ut.",
        key="keys:fear",
    )  # fmt: skip
    s.comment(
        31, "08:00", u["mona.flataas"], "keys",
        "Takk! Med digital lås ser vi også hvem som har vært inne, og når.",
        reply_to="keys:fear",
    )  # fmt: skip
    s.status(33, "11:00", procurer, "keys", NeedStatus.verified)
    s.comment(
        37, "18:00", u["emma.nilsen"], "language",
        "Naboen min har samme problem. Kanskje meldinger med bilder og enkle ord?",
        key="language:pictures",
    )  # fmt: skip
    s.comment(
        38, "21:00", u["ahmed.hassan"], "language",
        "Ja, og at hun kan svare med én knapp når hun har forstått.",
        reply_to="language:pictures",
    )  # fmt: skip
    s.status(38, "08:45", procurer, "language", NeedStatus.under_review)
    s.comment(
        44, "09:00", u["anders.vik"], "region",
        "Fylkeskommunen kan hjelpe små kommuner med å bli med på en felles avtale.",
        key="region:county",
    )  # fmt: skip
    s.comment(
        45, "13:30", stian, "region",
        "Stjørdal er gjerne med og deler erfaringene fra denne anskaffelsen.",
        key="region:stjordal", reply_to="region:county",
    )  # fmt: skip
    s.comment(
        46, "08:20", u["siri.vold"], "region",
        "Flott. Jeg samler interesserte kommuner til et møte i høst.",
        reply_to="region:stjordal",
    )  # fmt: skip
    s.status(50, "10:00", procurer, "region", NeedStatus.verified)
    s.comment(
        52, "19:45", u["astrid.berg"], "video",
        "Far ville likt dette, hvis skjermen er enkel og store knapper.",
        key="video:astrid",
    )  # fmt: skip
    s.comment(
        53, "20:10", u["bjorn.haugen"], "video",
        "Enig. Jeg klarer ikke små knapper med gikten min.",
        reply_to="video:astrid",
    )  # fmt: skip
    s.comment(
        58, "07:55", u["hilde.aasen"], "night",
        "Nattpatruljen i Stjørdal har halvert antall vekkebesøk etter at vi spurte brukerne selv.",
    )  # fmt: skip
    s.comment(
        60, "14:10", u["nora.strand"], "region",
        "Kan opplæringen også deles? Vi lager gjerne videoer for de andre kommunene.",
    )  # fmt: skip
    s.comment(
        64, "18:30", ola, "keys",
        "Vil pårørende også kunne få digital nøkkel?",
        key="keys:relatives",
    )  # fmt: skip
    s.comment(
        65, "09:20", procurer, "keys",
        "Det vurderer vi. Brukeren må i så fall samtykke.",
        reply_to="keys:relatives",
    )  # fmt: skip
    s.comment(
        66, "15:00", u["ingvild.ronning"], "handover",
        "En kort muntlig rapport på telefonen mellom vaktene ville hjulpet mye.",
    )  # fmt: skip


def _construction(story: _Story, u: dict[str, User]) -> None:
    """Low-emission construction sites: a smaller needs dialogue with the county and a supplier."""
    procurer, tone, ola = u["innkjoper@trondheim"], u["ansatt@trondheim"], u["innbygger@example"]
    s = story
    s.on(
        0,
        "11:00",  # opened the same morning as home care, and before the care homes (project 3)
        lambda: projects.create_project(
            s.session,
            user=procurer,
            data=ProjectCreate(
                title="Utslippsfrie byggeplasser",
                summary=(
                    "Kommunens byggeplasser skal bli fossilfrie og deretter utslippsfrie innen 2030."
                ),
                service_area="Bygg og eiendom",
                innovation_ambition=(
                    "Byggherren stiller funksjonskrav til energi og maskiner i stedet for å "
                    "foreskrive løsninger, og lærer sammen med entreprenørene underveis."
                ),
                visibility=Visibility.public,
            ),
        ),
        "construction",
    )
    s.need(
        "noise", 4, "07:50", ola, "construction",
        "Mindre støy og eksos ved skoleveien",
        "Dieselmaskinene ved byggeplassen på Lade står på tomgang når barna går til skolen.",
        "Skolebarn og naboer",
    )  # fmt: skip
    s.need(
        "charging", 4, "14:00", tone, "construction",
        "Strøm nok til elektriske maskiner",
        "Byggeplassene har ikke nok effekt i nettet til å lade elektriske gravemaskiner. "
        "Vi trenger en måte å planlegge effekt på før prosjektet starter.",
        "Prosjektledere i kommunen og entreprenører",
    )  # fmt: skip
    s.need(
        "masses", 23, "10:30", u["anders.vik"], "construction",
        "Kortere massetransport mellom byggeplassene",
        "Lastebilene kjører stein og jord gjennom byen fordi kommunen og fylket ikke vet om "
        "hverandres prosjekter. Mange turer kunne vært spart med en felles oversikt.",
        "Naboer langs anleggsveiene og byggherrene i kommune og fylke",
    )  # fmt: skip
    _supports(s, "noise", 10, [tone, u["emma.nilsen"], u["per.olav.hansen"]])
    _supports(s, "charging", 11, [ola, u["knut.dahl"]])
    _supports(s, "masses", 24, [u["knut.dahl"], u["siri.vold"], u["jonas.aune"]])
    s.comment(
        12, "21:15", u["per.olav.hansen"], "noise",
        "Det samme skjer ved Brundalen. Maskinene går fra sju om morgenen.",
    )  # fmt: skip
    s.comment(
        17, "13:40", u["leverandor@klimalos"], "charging",
        "Mobile batteribanker kan dekke toppene. Vi deler gjerne erfaringer fra Oslo.",
        key="charging:batteries",
    )  # fmt: skip
    s.comment(
        18, "09:10", u["knut.dahl"], "charging",
        "Interessant. Hvor lenge holder en batteribank en gravemaskin i gang?",
        reply_to="charging:batteries",
    )  # fmt: skip
    s.status(21, "10:30", procurer, "charging", NeedStatus.verified)
    s.status(30, "11:15", procurer, "masses", NeedStatus.verified)


def _care_homes(story: _Story, u: dict[str, User]) -> None:
    """Safe, energy-smart care homes: preparation, needs, then the market dialogue."""
    procurer, tone, stian = u["innkjoper@trondheim"], u["ansatt@trondheim"], u["ansatt@stjordal"]
    hanne, kari = u["leverandor@helsetek"], u["leverandor@klimalos"]
    s = story

    def rel(user: User) -> permissions.ProjectRelation:
        return s.rel(user, "care_homes")

    s.on(
        1,
        "08:30",
        lambda: projects.create_project(
            s.session,
            user=procurer,
            data=ProjectCreate(
                title="Trygge og energismarte omsorgsboliger",
                summary=(
                    "Trondheim kommune bygger nye omsorgsboliger og vil at beboerne skal være "
                    "trygge uten å bli overvåket, samtidig som byggene bruker langt mindre energi."
                ),
                service_area="Helse og velferd / Bygg og eiendom",
                innovation_ambition=(
                    "Fra separate anskaffelser av trygghetsalarmer og byggautomasjon til én "
                    "løsning der sensorer i boligen tjener både beboerens trygghet og byggets "
                    "energibruk."
                ),
                visibility=Visibility.public,
                phase=Phase.preparation,
            ),
        ),
        "care_homes",
    )
    s.on(
        4,
        "09:00",
        lambda: projects.move_phase(
            s.session,
            rel=rel(procurer),
            to_phase=Phase.needs,
            rationale=(
                "Kommunedirektøren har forankret prosjektet i handlingsplanen for "
                "velferdsteknologi, og et tverrfaglig team fra helse, eiendom og innkjøp er "
                "satt sammen."
            ),
        ),
    )
    s.need(
        "quiet_checks", 5, "13:00", tone, "care_homes",
        "Vite at beboeren har det bra uten å gå inn",
        "Nattevaktene går inn i leilighetene for å sjekke om beboerne sover. Vi trenger å "
        "vite hvem som trenger oss, uten kamera og uten å vekke dem som sover.",
        "Beboere med demens og nattevaktene",
    )  # fmt: skip
    s.need(
        "falls", 8, "10:30", u["hilde.aasen"], "care_homes",
        "Fallvarsling uten at beboeren må bære noe",
        "Beboerne legger fra seg alarmknappen, og da hjelper den ikke når de faller. Vi "
        "trenger varsling som virker uten at de må huske noe.",
        "Beboere med fallrisiko og personalet som rykker ut",
    )  # fmt: skip
    s.need(
        "warmth", 9, "20:45", u["astrid.berg"], "care_homes",
        "Pappa fryser om natten",
        "Far får ikke skrudd opp varmen selv, og nattevakten vet ikke at han fryser. Han "
        "ligger våken og ringer meg.",
        "Beboere som ikke klarer å styre varmen selv, og pårørende",
    )  # fmt: skip
    s.need(
        "energy", 11, "09:10", u["knut.dahl"], "care_homes",
        "Energibruk målt per bolig",
        "Vi ser bare strømforbruket for hele bygget. Uten måling per bolig vet vi ikke hvor "
        "varmen går, og kan ikke følge opp om tiltakene virker.",
        "Driftsteknikere og eiendomsforvaltningen",
    )  # fmt: skip
    s.need(
        "relatives", 13, "19:30", u["sigrid.moe"], "care_homes",
        "Vite at mor har det bra uten å ringe hver dag",
        "Jeg ringer personalet hver kveld for å høre om mor har spist og sover. De har "
        "dårlig tid, og jeg føler at jeg maser.",
        "Pårørende og personalet",
    )  # fmt: skip
    s.need(
        "alarms", 17, "21:10", u["per.olav.hansen"], "care_homes",
        "Alarmer som ikke vekker naboene",
        "Brannalarmen og trygghetsalarmen hyler i hele gangen når én beboer trenger hjelp. "
        "Alle blir vekket, og noen blir redde.",
        "Beboere i samme etasje",
    )  # fmt: skip
    s.need(
        "training", 22, "10:00", u["siri.vold"], "care_homes",
        "Opplæring av nattevakter i ny teknologi",
        "Ny teknologi blir ikke brukt hvis nattevaktene ikke stoler på den. Opplæringen må "
        "passe for vikarer og dem som bare jobber natt.",
        "Nattevakter og vikarer i omsorgsboligene",
    )  # fmt: skip
    s.need(
        "privacy", 25, "18:20", u["marit.lie"], "care_homes",
        "Ingen kamera i leiligheten",
        "Min bror vil ikke bli filmet i sitt eget hjem. Trygghet må ikke bety overvåking.",
        "Beboere og pårørende",
    )  # fmt: skip

    s.status(7, "10:00", procurer, "quiet_checks", NeedStatus.under_review)
    s.status(12, "11:00", procurer, "quiet_checks", NeedStatus.verified)
    s.status(15, "14:00", procurer, "falls", NeedStatus.verified)
    s.status(14, "09:20", procurer, "energy", NeedStatus.under_review)
    s.status(19, "09:00", procurer, "warmth", NeedStatus.verified)
    s.status(20, "12:30", procurer, "relatives", NeedStatus.under_review)
    s.status(26, "13:00", procurer, "energy", NeedStatus.verified)
    s.status(29, "10:40", procurer, "relatives", NeedStatus.verified)
    s.status(30, "15:10", procurer, "training", NeedStatus.under_review)
    s.status(32, "09:30", procurer, "privacy", NeedStatus.verified)

    _supports(s, "quiet_checks", 6, [u["eirik.lund"], u["nora.strand"], u["sigrid.moe"], stian])
    _supports(s, "falls", 9, [tone, u["ingvild.ronning"], u["jonas.aune"], u["mona.flataas"]])
    _supports(s, "warmth", 10, [u["marit.lie"], u["knut.dahl"], u["ahmed.hassan"], procurer])
    _supports(s, "energy", 12, [u["anders.vik"], u["lars.eriksen"], u["siri.vold"]])
    _supports(s, "relatives", 14, [u["astrid.berg"], u["bjorn.haugen"], u["ingvild.ronning"]])
    _supports(s, "alarms", 18, [u["emma.nilsen"], u["kristin.solberg"], u["lars.eriksen"]])
    _supports(s, "training", 23, [u["mona.flataas"], stian, u["hilde.aasen"]])
    _supports(s, "privacy", 26, [u["per.olav.hansen"], u["astrid.berg"], tone])
    _supports(s, "falls", 47, [u["kristin.solberg"], u["emma.nilsen"], u["eirik.lund"]])
    _supports(s, "privacy", 55, [u["bjorn.haugen"], u["jonas.aune"], u["nora.strand"]])

    s.comment(
        6, "07:30", u["eirik.lund"], "quiet_checks",
        "Vi har samme problem i Stjørdal. Kan en sensor ved døra si om beboeren er i seng?",
        key="quiet:door",
    )  # fmt: skip
    s.comment(
        6, "12:00", tone, "quiet_checks",
        "Kanskje, men det må virke for dem som går mye om natten også.",
        key="quiet:walkers", reply_to="quiet:door",
    )  # fmt: skip
    s.comment(
        7, "08:15", u["hilde.aasen"], "quiet_checks",
        "Vi har gode erfaringer med sengesensorer for nettopp de beboerne.",
        reply_to="quiet:walkers",
    )  # fmt: skip
    s.comment(
        8, "20:00", u["sigrid.moe"], "quiet_checks",
        "Mor våkner hver gang døra går. Hun ville sovet mye bedre uten tilsynet.",
        key="quiet:mother",
    )  # fmt: skip
    s.comment(
        9, "09:00", procurer, "quiet_checks",
        "Takk. Slike erfaringer fra pårørende tar vi med i behovsbeskrivelsen.",
        reply_to="quiet:mother",
    )  # fmt: skip
    s.comment(
        9, "11:00", u["nora.strand"], "falls",
        "Som ergoterapeut ser jeg at mange fall skjer på vei til toalettet om natten.",
        key="falls:night",
    )  # fmt: skip
    s.comment(
        10, "08:00", u["hilde.aasen"], "falls",
        "Samme hos oss. Lys som tennes automatisk har hjulpet noen.",
        reply_to="falls:night",
    )  # fmt: skip
    s.comment(
        10, "19:00", u["jonas.aune"], "falls",
        "Bestefar falt og lå i to timer før noen fant ham. Dette er viktig.",
    )  # fmt: skip
    s.comment(
        10, "09:30", u["knut.dahl"], "warmth",
        "Vi kan måle temperaturen i hvert rom i de nye byggene. Da ser vi det med en gang.",
        key="warmth:measure",
    )  # fmt: skip
    s.comment(
        10, "21:00", u["astrid.berg"], "warmth",
        "Det ville vært til stor hjelp. Kan varmen skrus opp uten at noen må inn?",
        key="warmth:remote", reply_to="warmth:measure",
    )  # fmt: skip
    s.comment(
        11, "10:00", procurer, "warmth",
        "Det er akkurat den typen behov vi vil at markedet skal løse.",
        reply_to="warmth:remote",
    )  # fmt: skip
    s.comment(
        12, "13:00", u["anders.vik"], "energy",
        "Fylket har målt energi per rom på to videregående skoler. Vi deler gjerne tallene.",
        key="energy:schools",
    )  # fmt: skip
    s.comment(
        13, "08:40", u["knut.dahl"], "energy",
        "Ja takk! Særlig hvor mye de sparte på ventilasjonen.",
        reply_to="energy:schools",
    )  # fmt: skip
    s.comment(
        14, "12:00", u["ingvild.ronning"], "relatives",
        "Vi vil gjerne gi pårørende en kort melding om dagen, men har ikke noe godt verktøy.",
        key="relatives:message",
    )  # fmt: skip
    s.comment(
        14, "20:30", u["sigrid.moe"], "relatives",
        "En kort melding ville vært nok. Jeg trenger ikke detaljer.",
        reply_to="relatives:message",
    )  # fmt: skip
    s.comment(
        16, "19:00", u["ahmed.hassan"], "relatives",
        "Meldingen bør kunne komme på andre språk enn norsk også.",
    )  # fmt: skip
    s.comment(
        18, "14:00", u["lars.eriksen"], "alarms",
        "Vi kan sende alarmen bare til nattevaktens telefon, ikke til hele gangen.",
        key="alarms:phone",
    )  # fmt: skip
    s.comment(
        19, "20:00", u["per.olav.hansen"], "alarms",
        "Det høres bra ut, så lenge brannalarmen fortsatt varsler alle.",
        reply_to="alarms:phone",
    )  # fmt: skip
    s.comment(
        23, "09:10", u["mona.flataas"], "training",
        "Korte videoer på telefonen har fungert for vikarene i Stjørdal.",
        key="training:videos",
    )  # fmt: skip
    s.comment(
        24, "14:30", stian, "training",
        "Og noen å ringe om natten når teknologien svikter.",
        reply_to="training:videos",
    )  # fmt: skip
    s.comment(
        26, "10:20", tone, "privacy",
        "Enig. Beboerne våre skal ha det som hjemme, ikke som på et overvåket rom.",
        key="privacy:home",
    )  # fmt: skip
    s.comment(
        27, "09:00", procurer, "privacy",
        "Vi skriver inn i behovsbeskrivelsen at løsningen ikke skal bruke kamera.",
        key="privacy:no_camera", reply_to="privacy:home",
    )  # fmt: skip
    s.comment(
        27, "19:40", u["marit.lie"], "privacy",
        "Takk, det betyr mye for ham.",
        reply_to="privacy:no_camera",
    )  # fmt: skip

    # The gate into the market dialogue, and the market dialogue itself.
    s.on(
        35,
        "09:00",
        lambda: projects.move_phase(
            s.session,
            rel=rel(procurer),
            to_phase=Phase.market_dialogue,
            rationale=(
                "Behovene er verifisert med ansatte og pårørende. Vi inviterer nå markedet til "
                "dialog gjennom veiledende kunngjøring på Doffin før vi skriver "
                "konkurransegrunnlaget."
            ),
        ),
    )
    s.on(36, "10:00", lambda: _needs_description(s.session, rel(procurer)))
    s.on(36, "13:00", lambda: dialogue.register_supplier(s.session, rel=rel(hanne)))
    s.on(37, "09:30", lambda: dialogue.register_supplier(s.session, rel=rel(kari)))
    s.comment(
        37, "10:00", hanne, "falls",
        "Radarsensoren vår varsler fall uten at beboeren bærer noe, og uten kamera.",
        key="falls:radar",
    )  # fmt: skip
    s.comment(
        38, "08:30", u["hilde.aasen"], "falls",
        "Virker den også på badet, der det er fuktig?",
        reply_to="falls:radar",
    )  # fmt: skip
    s.comment(
        38, "11:15", procurer, "falls",
        "Spørsmål om løsningen stiller dere i markedsdialogen, så alle får samme svar.",
        reply_to="falls:radar",
    )  # fmt: skip
    s.on(
        39,
        "14:20",
        lambda: questions.ask(
            s.session,
            rel=rel(hanne),
            data=QuestionCreate(
                body=(
                    "Vi i Helsetek har en radarsensor som allerede brukes i Stjørdal. Kan dere "
                    "bruke den, eller må alle sensorene kobles til samme plattform som "
                    "byggautomasjonen?"
                )
            ),
        ),
        "question:sensors",
    )
    s.comment(
        40, "13:00", kari, "energy",
        "Vi har målt energibruk per leilighet i et pilotbygg i Malvik.",
        key="energy:malvik",
    )  # fmt: skip
    s.comment(
        41, "09:00", u["knut.dahl"], "energy",
        "Målte dere varme og strøm hver for seg?",
        key="energy:separately", reply_to="energy:malvik",
    )  # fmt: skip
    s.comment(
        42, "10:30", kari, "energy",
        "Ja, per rom, hvert kvarter. Vi viser det gjerne på dialogkonferansen.",
        reply_to="energy:separately",
    )  # fmt: skip
    s.on(
        42,
        "15:00",
        lambda: questions.publish(
            s.session,
            rel=rel(procurer),
            question=s.made["question:sensors"],
            data=AnswerDraft(
                public_question=(
                    "Kan sensorer som allerede er i bruk i andre kommuner tilbys, eller må alle "
                    "sensorene kobles til samme plattform som byggautomasjonen?"
                ),
                answer=(
                    "Alle løsninger er velkomne. Vi krever åpne grensesnitt, slik at data fra "
                    "sensorene kan brukes både til trygghet for beboerne og til styring av "
                    "energibruken."
                ),
            ),
        ),
    )
    s.comment(
        44, "20:15", u["emma.nilsen"], "privacy",
        "Godt å se at kamera er utelukket. Gjelder det også mikrofoner?",
    )  # fmt: skip
    s.on(44, "10:00", lambda: _conference(s.session, rel(procurer)), "conference")
    s.on(45, "09:00", lambda: _register(s, hanne))
    s.on(46, "11:30", lambda: _register(s, kari))
    s.on(47, "08:45", lambda: _register(s, tone))  # two seats: Tone lands on the waitlist
    s.comment(
        47, "21:00", u["astrid.berg"], "quiet_checks",
        "Blir pårørende invitert til dialogkonferansen?",
    )  # fmt: skip
    s.on(48, "10:00", lambda: _meetings(s, rel(procurer)), "meetings")
    s.on(49, "13:20", lambda: _book(s, hanne))
    s.on(50, "09:00", lambda: _draft_specification(s.session, rel(procurer)))
    s.on(
        52,
        "11:00",
        lambda: _radar_proposal(s.session, rel(hanne), s.made["quiet_checks"]),
        "proposal:radar",
    )
    s.on(
        52,
        "11:30",
        lambda: proposals.publish_summary(
            s.session, rel=rel(hanne), proposal=s.made["proposal:radar"]
        ),
    )
    s.comment(
        55, "19:10", u["bjorn.haugen"], "relatives",
        "Jeg er pårørende i Stjørdal. Kan løsningen brukes der også?",
        key="relatives:stjordal",
    )  # fmt: skip
    s.comment(
        56, "20:40", u["sigrid.moe"], "relatives",
        "Stjørdal er partner i hjemmetjenesteprosjektet, så kanskje der?",
        reply_to="relatives:stjordal",
    )  # fmt: skip
    s.on(56, "13:00", lambda: _decide_radar(s, rel(procurer)))
    s.on(
        58,
        "15:00",
        lambda: _heating_proposal(s.session, rel(kari), s.made["quiet_checks"]),
    )
    s.comment(
        59, "08:10", u["eirik.lund"], "training",
        "Kan leverandørene lage opplæringen på norsk og engelsk?",
        key="training:languages",
    )  # fmt: skip
    s.comment(
        60, "10:45", u["siri.vold"], "training",
        "Det tar vi med som krav i høringsinnspillet fra fylket.",
        reply_to="training:languages",
    )  # fmt: skip
    s.on(
        62,
        "10:00",
        lambda: questions.ask(
            s.session,
            rel=rel(kari),
            data=QuestionCreate(
                body=(
                    "Hvor mange omsorgsboliger gjelder anskaffelsen, og når skal de første tas "
                    "i bruk?"
                )
            ),
        ),
    )
    s.comment(
        63, "14:00", hanne, "privacy",
        "Radaren gir bare bevegelsesmønster, ikke bilde eller lyd.",
        key="privacy:radar",
    )  # fmt: skip
    s.comment(
        64, "19:30", u["marit.lie"], "privacy",
        "Da kan det kanskje gå for min bror. Hvem ser dataene?",
        reply_to="privacy:radar",
    )  # fmt: skip
    s.comment(
        67, "09:30", procurer, "privacy",
        "Bare personalet på vakt, og data slettes etter et døgn. Dette blir et krav.",
        reply_to="privacy:radar",
    )  # fmt: skip


def _needs_description(session: Session, rel: permissions.ProjectRelation) -> Any:
    """The needs description, for everyone."""
    document = documents.upload_document(
        session,
        rel=rel,
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
    return documents.publish_document(session, rel=rel, document=document)


def _draft_specification(session: Session, rel: permissions.ProjectRelation) -> Any:
    """A draft specification on hearing among the participants (staff and registered suppliers)."""
    document = documents.upload_document(
        session,
        rel=rel,
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
    return documents.publish_document(session, rel=rel, document=document)


def _conference(session: Session, rel: permissions.ProjectRelation) -> Any:
    """A dialogue conference two weeks from today, with two seats (so a waitlist)."""
    from app.models.event import DialogueEventCreate, EventKind
    from app.services import events

    day = datetime.now(TIMEZONE).replace(hour=9, minute=0, second=0, microsecond=0)
    return events.create_event(
        session,
        rel=rel,
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


def _register(story: _Story, person: User) -> Any:
    from app.services import events

    rel = story.rel(person, "care_homes")
    return events.register(story.session, rel=rel, event=story.made["conference"])


def _meetings(story: _Story, rel: permissions.ProjectRelation) -> Any:
    """One-to-one meetings three weeks from today, in 30-minute slots."""
    from app.models.event import DialogueEventCreate, EventKind
    from app.services import events

    day = datetime.now(TIMEZONE).replace(hour=9, minute=0, second=0, microsecond=0)
    meetings = events.create_event(
        story.session,
        rel=rel,
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
    story.made["slots"] = events.generate_slots(
        story.session, rel=rel, event=meetings, slot_minutes=None
    )
    return meetings


def _book(story: _Story, person: User) -> Any:
    from app.services import events

    return events.book_slot(
        story.session,
        rel=story.rel(person, "care_homes"),
        event=story.made["meetings"],
        slot=story.made["slots"][1],
    )


def _radar_proposal(session: Session, rel: permissions.ProjectRelation, need: Need) -> Any:
    """Helsetek's proposal, with a business-secret claim on its body."""
    return proposals.submit_proposal(
        session,
        rel=rel,
        data=ProposalCreate(
            need_ids=[id_of(need)],
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


def _decide_radar(story: _Story, rel: permissions.ProjectRelation) -> None:
    """The procurer accepts Helsetek's claim and acknowledges the proposal."""
    radar = story.made["proposal:radar"]
    [claim] = story.session.exec(
        select(SecrecyClaim).where(SecrecyClaim.proposal_id == radar.id)
    ).all()
    proposals.decide_claim(
        story.session,
        rel=rel,
        proposal=radar,
        claim=claim,
        decision=ClaimDecisionInput(decision="accepted"),
    )
    proposals.set_status(
        story.session,
        rel=rel,
        proposal=radar,
        change=ProposalStatusChange(status="acknowledged"),
    )


def _heating_proposal(session: Session, rel: permissions.ProjectRelation, need: Need) -> Any:
    """Klimaløs's proposal, its claim still undecided."""
    return proposals.submit_proposal(
        session,
        rel=rel,
        data=ProposalCreate(
            need_ids=[id_of(need)],
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


def _study(story: _Story, u: dict[str, User]) -> None:
    """NTNU's registered study of participation, on consent, and the demo users who consented."""
    from app.models.research import LegalBasis, StudyCreate
    from app.services import research

    def register() -> Any:
        return research.register_study(
            story.session,
            user=u["forsker@ntnu"],
            data=StudyCreate(
                title="Medvirkning og påvirkning i innovative anskaffelser (PIVOTAL)",
                institution="NTNU",
                ethics_reference="Sikt 583921",
                legal_basis=LegalBasis.consent,
                period_start=story.day0,
                period_end=date.today() + timedelta(days=2 * 365),
                include_free_text=True,
            ),
        )

    story.on(14, "10:00", register, "study")
    consenting = ["ansatt@trondheim", "ansatt@stjordal", "innbygger@example", "leverandor@helsetek"]
    for i, key in enumerate(consenting):
        story.on(15 + i, "12:00", _consent(story, u[key]))


def _consent(story: _Story, user: User) -> Callable[[], Any]:
    from app.services import research

    return lambda: research.give_consent(
        story.session, user=user, study_id=id_of(story.made["study"])
    )


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
