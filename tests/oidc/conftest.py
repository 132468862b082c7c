"""Pivotal as the relying party of two real providers on loopback: ID-porten-like (PKCE required,
private_key_jwt, `pid` and `acr`) and Entra-ID-like (a tenant claim that proves employment)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from app.config import get_settings
from app.oidc_settings import OidcProviderSettings
from app.services.oidc import provider as providers
from tests.oidc.op import RunningProvider, client_key_pair, run_provider

TRONDHEIM_NUMBER = "942110464"  # the organisation number the Entra tenant stands for
CLIENT_SECRET = "entra-test-secret-0123456789"


def registered(name: str, client_id: str, **metadata: Any) -> dict[str, Any]:
    """Pivotal's client registration at a provider (its callback and logout addresses)."""
    base = get_settings().base_url.rstrip("/")
    return {
        "client_id": client_id,
        "redirect_uris": [f"{base}/login/oidc/{name}/callback"],
        "post_logout_redirect_uris": [f"{base}/login/oidc/{name}/logged-out"],
        **metadata,
    }


@pytest.fixture(scope="module")
def idporten_key() -> tuple[dict[str, Any], dict[str, Any]]:
    """Pivotal's private key for private_key_jwt at ID-porten, and its public JWKS."""
    return client_key_pair("pivotal-client")


@pytest.fixture(scope="module")
def idporten_op(idporten_key: tuple[dict[str, Any], dict[str, Any]]) -> Iterator[RunningProvider]:
    """An ID-porten-like provider."""
    client = registered(
        "idporten",
        "pivotal-idporten",
        token_endpoint_auth_method="private_key_jwt",
        jwks=idporten_key[1],
    )
    with run_provider("idporten", clients=[client]) as op:
        yield op


@pytest.fixture(scope="module")
def entra_op() -> Iterator[RunningProvider]:
    """An Entra-ID-like provider of municipal employees."""
    client = registered(
        "entra",
        "pivotal-entra",
        client_secret=CLIENT_SECRET,
        token_endpoint_auth_method="client_secret_post",
    )
    with run_provider("entra", clients=[client]) as op:
        yield op


def idporten_settings(op: RunningProvider, key: dict[str, Any]) -> OidcProviderSettings:
    """Pivotal's settings for the ID-porten-like provider."""
    return OidcProviderSettings(
        name="idporten",
        label="ID-porten",
        issuer=op.issuer,
        client_id="pivotal-idporten",
        private_key=key,
        scopes=["openid", "profile"],
        acr_values=["idporten-loa-substantial"],
    )


def entra_settings(op: RunningProvider) -> OidcProviderSettings:
    """Pivotal's settings for the Entra-ID-like provider (tenant → Trondheim)."""
    return OidcProviderSettings(
        name="entra",
        label="Trondheim kommune (Entra ID)",
        issuer=op.issuer,
        client_id="pivotal-entra",
        client_secret=CLIENT_SECRET,
        scopes=["openid", "profile", "email"],
        proves="employee",
        tenants={"trondheim-tenant": TRONDHEIM_NUMBER},
        trusts_email=True,
    )


@pytest.fixture
def configured(
    monkeypatch: pytest.MonkeyPatch,
    idporten_op: RunningProvider,
    entra_op: RunningProvider,
    idporten_key: tuple[dict[str, Any], dict[str, Any]],
) -> Iterator[list[OidcProviderSettings]]:
    """Both providers in Pivotal's settings; what was fetched from them forgotten around it."""
    chosen = [idporten_settings(idporten_op, idporten_key[0]), entra_settings(entra_op)]
    monkeypatch.setattr(get_settings(), "oidc_providers", chosen)
    providers.forget()
    yield chosen
    providers.forget()
