"""One Settings class: every knob comes from a PIVOTAL_* environment variable."""

from __future__ import annotations

import secrets
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    AliasChoices,
    BaseModel,
    BeforeValidator,
    Field,
    model_validator,
)
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from app.i18n import N_
from app.models.identity import LoginLevel
from app.oidc_settings import OidcProviderSettings, parse_providers, unique_names

VAR_DIR = Path("var")
# The bases of GDPR art. 6(1) a purpose may rest on (the letter of the paragraph).
GdprBasis = Literal["a", "b", "c", "e", "f"]


class Purpose(BaseModel):
    """One purpose the platform processes personal data for, as the privacy statement lists it.

    The texts of the defaults are message ids (translated on the page); an operator's own texts
    are shown as written.
    """

    name: str
    legal_basis: GdprBasis
    law: str = ""  # the national law that gives the task or the duty, if any
    data: str
    retention: str


class Processor(BaseModel):
    """A data processor (databehandler) and what it does for the controller."""

    name: str
    task: str


DEFAULT_PURPOSES = [
    Purpose(
        name=N_("Needs dialogue and market dialogue in innovation projects"),
        legal_basis="e",
        law=N_("The Public Procurement Act § 4 and the Local Government Act § 2-1"),
        data=N_(
            "Name, e-mail, role and organisation; needs, comments, supports, questions, "
            "proposals, registrations and bookings you make."
        ),
        retention=N_(
            "While the project runs; after it closes, as long as the owning organisation has "
            "set (then your contributions are anonymised)."
        ),
    ),
    Purpose(
        name=N_("Your account, login and security"),
        legal_basis="e",
        data=N_(
            "E-mail, password hash, login sessions, API tokens, failed logins. If you log in "
            "with ID-porten or another login service: which service, its identifier for you, "
            "the level of the login, and a keyed hash of your national identity number that "
            "recognises you when you come back. The number itself is never stored; while you "
            "are logged in, your own browser's session cookie holds the service's login token "
            "(which contains it) so that logging out also logs you out there."
        ),
        retention=N_(
            "Until you delete your account (a linked login goes when you unlink it); sessions "
            "end after two weeks unused, and an unfinished login is forgotten after a day."
        ),
    ),
    Purpose(
        name=N_("The procurement record (audit log, decisions, published answers)"),
        legal_basis="c",
        law=N_(
            "The Public Procurement Regulations § 7-1 (procurement record) and the Archives Act"
        ),
        data=N_("Who decided what and when, in their role."),
        retention=N_("As the archive rules require; kept when an account is deleted."),
    ),
    Purpose(
        name=N_("Research on participation (registered studies)"),
        legal_basis="e",
        law=N_(
            "GDPR art. 89 and the Personal Data Act § 8; each study states its own legal basis "
            "below"
        ),
        data=N_("Pseudonymised participation records; free text only if the study allows it."),
        retention=N_("As the study's data-protection reference (Sikt) states."),
    ),
    Purpose(
        name=N_("E-mail about your account and the dialogue"),
        legal_basis="e",
        data=N_("E-mail address and the message."),
        retention=N_("Deleted from the outbox when your account is deleted."),
    ),
]
DEFAULT_PROCESSORS = [
    Processor(
        name=N_("The operator of the servers (hosting)"),
        task=N_("Runs the platform's servers and database in Norway"),
    ),
    Processor(name=N_("The e-mail provider"), task=N_("Delivers the platform's e-mail")),
]


class Settings(BaseSettings):
    """Runtime configuration; production refuses to start without a real secret key."""

    model_config = SettingsConfigDict(env_prefix="PIVOTAL_", env_file=".env", extra="ignore")

    environment: Literal["development", "production", "test"] = "development"
    database_url: str = f"sqlite:///{VAR_DIR / 'pivotal.db'}"
    bus_url: str = "memory://"
    secret_key: str = ""
    # Where `pivotal serve` listens: HOST and PORT (or PIVOTAL_HOST, PIVOTAL_PORT).
    host: str = Field(default="127.0.0.1", validation_alias=AliasChoices("PIVOTAL_HOST", "HOST"))
    port: int = Field(
        default=8000, ge=1, le=65535, validation_alias=AliasChoices("PIVOTAL_PORT", "PORT")
    )
    # The public address used in e-mails, calendar files and exports; when not set, the
    # address `pivotal serve` listens on (set it in production, where a proxy sits in front).
    base_url: str = ""
    default_language: Literal["nb", "nn", "en"] = "nb"
    # Tokens from POST /api/v1/auth/token live this long; named tokens choose their own.
    api_token_max_age: int = 12 * 3600
    # A browser session ends after this many seconds without a request (and at logout).
    session_max_age: int = Field(default=14 * 24 * 3600, gt=0)
    # Argon2 hashes at most this many passwords at once per process (each takes its memory,
    # see accounts.PASSWORD_HASHER); logins beyond wait their turn.
    password_hash_slots: int = Field(default=2, ge=1, le=32)
    # Wrong passwords in a row, per account and per client address, before logins from there
    # must wait (60 s, doubling with every further miss, at most an hour).
    login_failure_limit: int = Field(default=10, ge=1)
    # Needs, comments and questions one account may post per minute and per hour (0: no limit);
    # more are refused with 429 and the seconds to wait.
    post_limit_per_minute: int = Field(default=6, ge=0)
    post_limit_per_hour: int = Field(default=60, ge=0)
    live_queue_size: int = 256
    # Threads for sync handlers. Writers waiting their turn sleep in one, and the writer whose
    # turn it is may need another to finish its response; keep this above concurrent writers.
    worker_threads: int = 100
    # The write lane (app/web/lanes.py): while a write (POST, PUT, PATCH, DELETE) is in flight,
    # new page views and other reads wait, so the writer's thread is not kept from the GIL and
    # SQLite's write lock by the event loop; reads beyond these bounds get 503 and Retry-After
    # before any write waits. Reads served at once with no write in flight (0: no lane at all):
    lane_reads_in_flight: int = Field(default=32, ge=0)
    # ... and while a write is in flight:
    lane_reads_beside_writes: int = Field(default=2, ge=0)
    # Reads that may wait for their turn (the next is shed at once), and how long each may wait.
    lane_reads_waiting: int = Field(default=100, ge=0)
    lane_read_wait: float = Field(default=1.0, ge=0, le=60)
    # Seconds a shed read is told to wait (the Retry-After header).
    lane_retry_after: int = Field(default=1, ge=0, le=3600)
    # Pages for visitors who are not logged in are rendered at most once per this many seconds
    # (they cannot act on what they see, and live viewers get every change pushed at once).
    visitor_page_max_age: float = Field(default=1.0, ge=0, le=60)
    # Every this many seconds each process counts the settled participation events into the
    # metrics rollup (0: never; the figures stay right, counting more events live).
    rollup_interval: float = Field(default=30.0, ge=0, le=3600)
    # The OCID prefix of the OCDS open-data export; real deployments register their own with the
    # Open Contracting Partnership ("ocds-" and six letters or digits).
    ocds_prefix: str = Field(default="ocds-pivotal", pattern=r"^ocds-[a-z0-9]+$")

    # Outgoing mail: an SMTP server ("smtp://host:port", "smtps://user:password@host:465",
    # "smtp://…?starttls=true"); without one, mail is written as .eml files to mail_dir.
    smtp_url: str = ""
    mail_from: str = "Pivotal <pivotal@localhost>"
    mail_dir: Path = VAR_DIR / "mail"
    # Every this many seconds each process sends what the outbox has due (0: never).
    mail_interval: float = Field(default=2.0, ge=0, le=3600)
    # Every this many seconds each process looks for daily notification digests that are due
    # (0: never); a person's digest goes out once a day, after this hour (UTC).
    digest_interval: float = Field(default=60.0, ge=0, le=3600)
    digest_hour: int = Field(default=5, ge=0, le=23)
    # /metrics (Prometheus) answers the local machine, and anyone else sending this bearer token.
    metrics_token: str = ""

    # Uploaded documents and attachments: kept here (outside the web root), at most this big.
    upload_dir: Path = VAR_DIR / "uploads"
    max_upload_bytes: int = Field(default=20_000_000, gt=0)

    # The privacy statement (/personvern) and the accessibility statement (/tilgjengelighet),
    # with defaults for the demo: a real site names its own controller and contacts.
    privacy_controller: str = "Trondheim kommune"
    privacy_controller_address: str = "Postboks 2300 Torgarden, 7004 Trondheim"
    privacy_contact_email: str = "personvern@trondheim.example"
    privacy_dpo: str = "Personvernombudet i Trondheim kommune, personvernombud@trondheim.example"
    privacy_purposes: list[Purpose] = Field(default_factory=lambda: list(DEFAULT_PURPOSES))
    privacy_processors: list[Processor] = Field(default_factory=lambda: list(DEFAULT_PROCESSORS))
    accessibility_contact_email: str = "uu@trondheim.example"
    # The day the accessibility statement was last checked against the site.
    accessibility_statement_date: date = date(2026, 12, 4)
    # Every this many seconds each process anonymises what is past its retention (0: never).
    retention_interval: float = Field(default=3600.0, ge=0, le=86400)

    # OpenID Connect login (ID-porten, Ansattporten, Entra ID…): a JSON list of providers, or
    # the path of a file holding one (see app/oidc_settings.py and docs/login.md).
    oidc_providers: Annotated[
        list[OidcProviderSettings],
        NoDecode,
        BeforeValidator(parse_providers),
        AfterValidator(unique_names),
    ] = Field(default_factory=list)
    # The key of the hash that recognises a returning person by their national identity number
    # (never kept in clear); without it, one derived from the secret key. Changing it makes
    # returning people new ones, so set it once for good.
    oidc_pid_key: str = ""
    # Actions that need a higher login level wherever they happen, e.g.
    # {"submit_proposal": "substantial"} (a project may ask more of every contribution).
    oidc_action_levels: dict[str, LoginLevel] = Field(default_factory=dict)
    # Logins at a provider one client address may start within ten minutes (each is a row
    # until it is answered or expires); more are refused with 429 until the oldest expires.
    oidc_starts_per_address: int = Field(default=30, ge=1)

    @model_validator(mode="after")
    def _base_url(self) -> Settings:
        if not self.base_url:
            self.base_url = f"http://{_reachable(self.host)}:{self.port}"
        return self

    @model_validator(mode="after")
    def _secret_key(self) -> Settings:
        if self.secret_key:
            if self.environment == "production" and len(self.secret_key) < 32:
                raise ValueError("PIVOTAL_SECRET_KEY must be at least 32 characters in production")
            return self
        if self.environment == "production":
            raise ValueError("PIVOTAL_SECRET_KEY is required in production")
        self.secret_key = _development_secret()
        return self


def _reachable(host: str) -> str:
    """The host part of a URL for a server listening on `host` (all interfaces: this machine)."""
    if host in ("", "0.0.0.0"):
        return "127.0.0.1"
    if host == "::":
        return "[::1]"
    return f"[{host}]" if ":" in host else host


def _development_secret() -> str:
    """Generate once and keep under var/, so sessions survive a restart in development."""
    path = VAR_DIR / "secret_key"
    if path.exists():
        return path.read_text().strip()
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    path.write_text(key)
    path.chmod(0o600)
    return key


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings, read once from the environment."""
    return Settings()
