"""The production compose file: valid by the Compose Specification, and the topology we test."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import yaml

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = ROOT / "tests" / "schemas" / "compose-spec" / "compose-spec.json"


def _compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_compose_file_validates_against_the_compose_specification() -> None:
    schema = json.loads(SCHEMA.read_text())
    validator = jsonschema.Draft7Validator(schema)
    errors = sorted(validator.iter_errors(_compose()), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors)


def test_compose_runs_several_workers_on_postgresql_with_health_checks() -> None:
    services = _compose()["services"]
    app = services["app"]
    assert "--workers" in app["command"]
    env = app["environment"]
    assert env["PIVOTAL_DATABASE_URL"].startswith("postgresql+psycopg://")
    assert env["PIVOTAL_BUS_URL"].startswith("postgresql://")
    assert env["PIVOTAL_ENVIRONMENT"] == "production"
    assert (
        "${PIVOTAL_SECRET_KEY:?" in env["PIVOTAL_SECRET_KEY"]
    )  # from the environment, never inline
    assert "/readyz" in " ".join(app["healthcheck"]["test"])
    assert "healthcheck" in services["db"]
    assert app["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert {"pgdata", "uploads"} <= set(_compose()["volumes"])


def test_dockerfile_installs_the_package_and_runs_unprivileged() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "pip install ." in dockerfile
    assert "USER pivotal" in dockerfile


def test_compose_app_listens_on_every_interface_of_its_container() -> None:
    env = _compose()["services"]["app"]["environment"]
    assert (env["HOST"], str(env["PORT"])) == ("0.0.0.0", "8000")


def test_package_metadata_uses_no_deprecated_setuptools_form() -> None:
    # A license as a TOML table (or a license classifier) makes `pip install -e .`, and so
    # `make run`, print setuptools deprecation warnings; an SPDX string needs setuptools 77.
    import tomllib

    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert isinstance(pyproject["project"]["license"], str)
    assert not [c for c in pyproject["project"].get("classifiers", []) if "License ::" in c]
    assert "setuptools>=77" in pyproject["build-system"]["requires"]
