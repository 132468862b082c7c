"""How an operator configures OpenID Connect login providers (`PIVOTAL_OIDC_PROVIDERS`).

A JSON list, or the path of a file holding one. Each provider is named, labelled as people know
it ("ID-porten"), and says what a login there proves: a citizen's identity, or also membership
of a municipality (by an organisation-number claim, a tenant map, or a verified e-mail domain).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, Field, model_validator

from app.models.identity import LoginLevel

# What ID-porten and Ansattporten call their levels (now, and before 2023), and the eIDAS words.
KNOWN_ACR_LEVELS: dict[str, LoginLevel] = {
    "idporten-loa-substantial": LoginLevel.substantial,
    "idporten-loa-high": LoginLevel.high,
    "Level3": LoginLevel.substantial,
    "Level4": LoginLevel.high,
    "substantial": LoginLevel.substantial,
    "high": LoginLevel.high,
}
LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})


class OidcProviderSettings(BaseModel):
    """One OpenID provider, as the operator registered Pivotal with it."""

    model_config = {"extra": "forbid"}

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{0,39}$")  # in addresses: /login/oidc/{name}
    label: str = Field(min_length=1, max_length=60)  # shown on the button: "ID-porten"
    issuer: str = Field(min_length=8, max_length=300)
    client_id: str = Field(min_length=1, max_length=200)
    # One of the two ways to authenticate at the token endpoint: a shared secret
    # (client_secret_post), or a private key (private_key_jwt, as ID-porten recommends), as
    # a JWK object or the path of a file holding one.
    client_secret: str = ""
    private_key: dict[str, Any] | str | None = None
    scopes: list[str] = Field(default_factory=lambda: ["openid"])
    # The `acr_values` asked for at an ordinary login (empty: the provider's default).
    acr_values: list[str] = Field(default_factory=list)
    # The provider's `acr` values and the level each gives (added to the known ones).
    acr_levels: dict[str, LoginLevel] = Field(default_factory=dict)
    # What a login here proves: "citizen" (who the person is), "employee" (also employment).
    proves: Literal["citizen", "employee"] = "citizen"
    # Employment, by one of: a claim holding the organisation number (Ansattporten-like), the
    # tenant claim `tid` mapped to organisation numbers (Entra ID), or the e-mail claim's
    # domain among an organisation's verified domains.
    organisation_claim: str = ""
    tenants: dict[str, str] = Field(default_factory=dict)
    email_proves_domain: bool = False
    # The provider's `email` claims are addresses it has verified (a municipality's own Entra
    # ID): a new account takes the address as proven. Otherwise only `email_verified: true` is.
    trusts_email: bool = False
    # The claim holding the national identity number (ID-porten: pid); only its keyed hash
    # is kept.
    pid_claim: str = "pid"
    # Send the person to the provider's end_session_endpoint when they log out of Pivotal.
    logout_at_provider: bool = True

    @model_validator(mode="after")
    def _checked(self) -> OidcProviderSettings:
        parts = urlsplit(self.issuer)
        if parts.scheme != "https" and not (parts.scheme == "http" and parts.hostname in LOOPBACK):
            raise ValueError(f"provider {self.name}: the issuer must be an https address")
        if bool(self.client_secret) == bool(self.private_key):
            raise ValueError(
                f"provider {self.name}: give either client_secret or private_key, not both"
            )
        if "openid" not in self.scopes:
            raise ValueError(f"provider {self.name}: the scopes must include openid")
        if self.proves == "employee" and not (
            self.organisation_claim or self.tenants or self.email_proves_domain
        ):
            raise ValueError(
                f"provider {self.name}: say how it proves employment (organisation_claim, "
                "tenants or email_proves_domain)"
            )
        if isinstance(self.private_key, str):
            self.private_key = json.loads(Path(self.private_key).read_text())
        return self

    def level_of(self, acr: str | None) -> LoginLevel:
        """The level an `acr` claim of this provider gives (unknown or none: basic)."""
        if not acr:
            return LoginLevel.basic
        return {**KNOWN_ACR_LEVELS, **self.acr_levels}.get(acr, LoginLevel.basic)

    def acr_for(self, level: LoginLevel, supported: list[str]) -> str | None:
        """The lowest `acr` value to ask this provider for to reach `level` (None: it has none).

        `supported` is the provider's `acr_values_supported` from its discovery document.
        """
        levels = {**KNOWN_ACR_LEVELS, **self.acr_levels}
        offered = [acr for acr in [*supported, *self.acr_values] if acr in levels]
        fitting = [acr for acr in offered if levels[acr].rank >= level.rank]
        return min(fitting, key=lambda acr: levels[acr].rank, default=None)


def parse_providers(value: object) -> object:
    """The providers from a JSON list, or from the file whose path is given."""
    if not isinstance(value, str):
        return value
    text = value.strip()
    if not text:
        return []
    if not text.startswith("["):
        text = Path(text).read_text()
    return json.loads(text)


def unique_names(providers: list[OidcProviderSettings]) -> list[OidcProviderSettings]:
    """The providers, refused when two share a name."""
    names = [provider.name for provider in providers]
    if len(names) != len(set(names)):
        raise ValueError("two OpenID providers have the same name")
    return providers
