"""Settings: environment variables with the PIVOTAL_ prefix; production demands a real secret."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from app import config
from app.config import Settings


def test_production_refuses_to_start_without_secret_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PIVOTAL_SECRET_KEY", raising=False)
    monkeypatch.setenv("PIVOTAL_ENVIRONMENT", "production")
    with pytest.raises(ValidationError, match="PIVOTAL_SECRET_KEY is required"):
        Settings(_env_file=None)


def test_production_refuses_a_short_secret_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PIVOTAL_ENVIRONMENT", "production")
    monkeypatch.setenv("PIVOTAL_SECRET_KEY", "too-short")
    with pytest.raises(ValidationError, match="at least 32 characters"):
        Settings(_env_file=None)


def test_development_generates_and_keeps_a_secret_under_var(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("PIVOTAL_SECRET_KEY", raising=False)
    monkeypatch.setenv("PIVOTAL_ENVIRONMENT", "development")
    monkeypatch.setattr(config, "VAR_DIR", tmp_path / "var")
    first = Settings(_env_file=None).secret_key
    second = Settings(_env_file=None).secret_key
    assert len(first) >= 32
    assert first == second
    assert (tmp_path / "var" / "secret_key").read_text() == first
    assert (tmp_path / "var" / "secret_key").stat().st_mode & 0o077 == 0


def test_settings_come_from_prefixed_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PIVOTAL_DATABASE_URL", "postgresql+psycopg://u:p@127.0.0.1/pivotal")
    monkeypatch.setenv("PIVOTAL_DEFAULT_LANGUAGE", "en")
    monkeypatch.setenv("PIVOTAL_BASE_URL", "https://pivotal.example.no")
    settings = Settings(_env_file=None)
    assert settings.database_url.startswith("postgresql+psycopg://")
    assert settings.default_language == "en"
    assert settings.base_url == "https://pivotal.example.no"


def test_default_database_is_sqlite_under_var(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PIVOTAL_DATABASE_URL", raising=False)
    assert Settings(_env_file=None).database_url == "sqlite:///var/pivotal.db"


def test_ocds_prefix_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    assert Settings(_env_file=None).ocds_prefix == "ocds-pivotal"
    monkeypatch.setenv("PIVOTAL_OCDS_PREFIX", "ocds-a1b2c3")
    assert Settings(_env_file=None).ocds_prefix == "ocds-a1b2c3"


@pytest.mark.parametrize("prefix", ["", "a1b2c3", "ocds-", "ocds-a1b2c3/x", "ocds-a1 b2"])
def test_ocds_prefix_must_be_an_ocid_prefix(monkeypatch: pytest.MonkeyPatch, prefix: str) -> None:
    monkeypatch.setenv("PIVOTAL_OCDS_PREFIX", prefix)
    with pytest.raises(ValidationError, match="ocds_prefix"):
        Settings(_env_file=None)
