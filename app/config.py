"""One Settings class: every knob comes from a PIVOTAL_* environment variable."""

from __future__ import annotations

import secrets
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

VAR_DIR = Path("var")


class Settings(BaseSettings):
    """Runtime configuration; production refuses to start without a real secret key."""

    model_config = SettingsConfigDict(env_prefix="PIVOTAL_", env_file=".env", extra="ignore")

    environment: Literal["development", "production", "test"] = "development"
    database_url: str = f"sqlite:///{VAR_DIR / 'pivotal.db'}"
    bus_url: str = "memory://"
    secret_key: str = ""
    base_url: str = "http://127.0.0.1:8000"
    default_language: Literal["nb", "en"] = "nb"
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
    # /metrics (Prometheus) answers the local machine, and anyone else sending this bearer token.
    metrics_token: str = ""

    # Uploaded documents and attachments: kept here (outside the web root), at most this big.
    upload_dir: Path = VAR_DIR / "uploads"
    max_upload_bytes: int = Field(default=20_000_000, gt=0)

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
