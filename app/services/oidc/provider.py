"""A configured provider's discovery document and signing keys, fetched and kept per process.

The keys are fetched again when a token names one the process has not seen: that is how a
provider's key rotation is followed without a restart.
"""

from __future__ import annotations

import threading
import time
from typing import Any

import httpx
from joserfc.jwk import KeySet

from app.config import get_settings
from app.oidc_settings import OidcProviderSettings
from app.services.errors import NotFound, ProviderUnavailable

DISCOVERY_MAX_AGE = 3600.0  # seconds a discovery document is used before it is fetched again
HTTP_TIMEOUT = 10.0
_lock = threading.Lock()
_documents: dict[str, tuple[float, dict[str, Any]]] = {}
_key_sets: dict[str, KeySet] = {}


def configured(name: str) -> OidcProviderSettings:
    """The provider of this name, or 404."""
    for provider in get_settings().oidc_providers:
        if provider.name == name:
            return provider
    raise NotFound("No such login provider.")


def http_client() -> httpx.Client:
    """A client for the provider's endpoints: short timeouts, no redirects followed."""
    return httpx.Client(timeout=HTTP_TIMEOUT, follow_redirects=False)


def _get_json(url: str) -> dict[str, Any]:
    try:
        with http_client() as client:
            response = client.get(url, headers={"Accept": "application/json"})
            response.raise_for_status()
            document = response.json()
    except (httpx.HTTPError, ValueError):
        raise ProviderUnavailable("The login provider did not answer. Try again shortly.") from None
    if not isinstance(document, dict):
        raise ProviderUnavailable("The login provider did not answer. Try again shortly.")
    return document


def metadata(provider: OidcProviderSettings) -> dict[str, Any]:
    """The provider's discovery document (`/.well-known/openid-configuration`), checked."""
    now = time.monotonic()
    with _lock:
        kept = _documents.get(provider.name)
    if kept is not None and now - kept[0] < DISCOVERY_MAX_AGE:
        return kept[1]
    url = provider.issuer.rstrip("/") + "/.well-known/openid-configuration"
    document = _get_json(url)
    if document.get("issuer") != provider.issuer:  # OpenID Connect Discovery 1.0, § 4.3
        raise ProviderUnavailable("The login provider answered for another issuer.")
    needed = ("authorization_endpoint", "token_endpoint", "jwks_uri")
    if not all(isinstance(document.get(field), str) for field in needed):
        raise ProviderUnavailable("The login provider's configuration is incomplete.")
    with _lock:
        _documents[provider.name] = (now, document)
    return document


def offered_acr_values(provider: OidcProviderSettings) -> list[str]:
    """The `acr` values the provider's discovery document offers (none when it does not answer)."""
    try:
        values = metadata(provider).get("acr_values_supported")
    except ProviderUnavailable:
        return []
    return [value for value in values if isinstance(value, str)] if isinstance(values, list) else []


def key_set(provider: OidcProviderSettings, *, refresh: bool = False) -> KeySet:
    """The provider's public signing keys; `refresh` fetches them again (a rotated key)."""
    with _lock:
        kept = _key_sets.get(provider.name)
    if kept is not None and not refresh:
        return kept
    document = _get_json(metadata(provider)["jwks_uri"])
    try:
        keys = KeySet.import_key_set(document)  # type: ignore[arg-type]
    except (ValueError, TypeError, KeyError):
        raise ProviderUnavailable("The login provider's keys could not be read.") from None
    with _lock:
        _key_sets[provider.name] = keys
    return keys


def forget() -> None:
    """Drop what was fetched (tests that restart a provider on another port)."""
    with _lock:
        _documents.clear()
        _key_sets.clear()
