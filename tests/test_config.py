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


def _without_address(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("HOST", "PORT", "PIVOTAL_HOST", "PIVOTAL_PORT", "PIVOTAL_BASE_URL"):
        monkeypatch.delenv(name, raising=False)


def test_the_server_listens_on_this_machine_only_by_default(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _without_address(monkeypatch)
    settings = Settings(_env_file=None)
    assert (settings.host, settings.port) == ("127.0.0.1", 8000)
    assert settings.base_url == "http://127.0.0.1:8000"


def test_host_and_port_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    _without_address(monkeypatch)
    monkeypatch.setenv("HOST", "192.0.2.7")
    monkeypatch.setenv("PORT", "8080")
    settings = Settings(_env_file=None)
    assert (settings.host, settings.port) == ("192.0.2.7", 8080)
    monkeypatch.setenv("PIVOTAL_PORT", "9000")
    assert Settings(_env_file=None).port == 9000


@pytest.mark.parametrize(
    ("host", "port", "base_url"),
    [
        ("127.0.0.1", "8080", "http://127.0.0.1:8080"),
        ("localhost", "8000", "http://localhost:8000"),
        ("0.0.0.0", "8001", "http://127.0.0.1:8001"),
        ("::", "8002", "http://[::1]:8002"),
        ("::1", "8003", "http://[::1]:8003"),
    ],
)
def test_public_url_follows_host_and_port_when_not_set(
    monkeypatch: pytest.MonkeyPatch, host: str, port: str, base_url: str
) -> None:
    _without_address(monkeypatch)
    monkeypatch.setenv("HOST", host)
    monkeypatch.setenv("PORT", port)
    assert Settings(_env_file=None).base_url == base_url


def test_a_public_url_set_explicitly_wins_over_host_and_port(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _without_address(monkeypatch)
    monkeypatch.setenv("PORT", "8080")
    monkeypatch.setenv("PIVOTAL_BASE_URL", "https://pivotal.example.no")
    assert Settings(_env_file=None).base_url == "https://pivotal.example.no"


@pytest.mark.parametrize("port", ["0", "70000", "eighty"])
def test_a_port_out_of_range_is_refused(monkeypatch: pytest.MonkeyPatch, port: str) -> None:
    _without_address(monkeypatch)
    monkeypatch.setenv("PORT", port)
    with pytest.raises(ValidationError):
        Settings(_env_file=None)
