"""The authorisation code flow with PKCE (S256), `state` and `nonce`, and ID-token validation.

`start` records the request and gives the provider's address to send the browser to; `finish`
takes the provider's answer once: it checks the `state` against the browser's, redeems the code
with the PKCE verifier, and validates the ID token (signature from the provider's keys, issuer,
audience, expiry, nonce, and the level its `acr` gives).
"""

from __future__ import annotations

import hashlib
import math
import secrets
import warnings
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode

import httpx
from authlib.common.security import generate_token
from authlib.deprecate import AuthlibDeprecationWarning
from authlib.integrations.base_client import OAuthError
from authlib.oauth2.rfc7523 import PrivateKeyJWT
from joserfc import jwt
from joserfc.errors import InvalidKeyIdError, JoseError
from sqlalchemy import delete
from sqlmodel import Session, col, select

from app.config import get_settings
from app.db import in_session
from app.i18n import N_
from app.models.base import utcnow
from app.models.event import as_utc
from app.models.identity import LoginLevel, LoginPurpose, OidcLogin
from app.oidc_settings import OidcProviderSettings
from app.services.errors import (
    Invalid,
    LoginLevelTooLow,
    PivotalError,
    ProviderUnavailable,
    TooManyAttempts,
)
from app.services.oidc import provider as providers
from app.services.sessions import key_hash

# Authlib 1.9 prefers the httpx2 fork and warns once when it falls back to httpx, which the rest
# of Pivotal (and Starlette's test client) uses: one HTTP library is enough.
with warnings.catch_warnings():
    warnings.simplefilter("ignore", AuthlibDeprecationWarning)
    from authlib.integrations.httpx_client import OAuth2Client

LOGIN_TTL = timedelta(minutes=10)  # a login not finished by then must start again
LEEWAY_SECONDS = 60  # clock skew allowed on exp, iat and nbf
# Asymmetric signatures only: "none" and shared-secret HMAC are never accepted.
ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512"]
REFUSED = N_("The login could not be completed. Start again from the login page.")


@dataclass(frozen=True)
class Verified:
    """A provider's answer that passed every check: the ID token's claims, and what it gave."""

    provider: OidcProviderSettings
    claims: dict[str, Any]
    level: LoginLevel
    id_token: str
    pending: OidcLogin


def redirect_uri(provider: OidcProviderSettings) -> str:
    """Where the provider sends the browser back (registered with the provider)."""
    return f"{get_settings().base_url.rstrip('/')}/login/oidc/{provider.name}/callback"


def logged_out_uri(provider: OidcProviderSettings) -> str:
    """Where the provider sends the browser after logging out there (registered with it)."""
    return f"{get_settings().base_url.rstrip('/')}/login/oidc/{provider.name}/logged-out"


def end_session_url(name: object, id_token: object) -> str | None:
    """The provider's logout address for a session that logged in there (None: none to visit).

    A provider gone from the settings, not answering, or without an end_session_endpoint is
    left alone: the person is logged out of Pivotal all the same.
    """
    try:
        provider = providers.configured(str(name))
        endpoint = providers.metadata(provider).get("end_session_endpoint")
    except PivotalError:
        return None
    if not isinstance(endpoint, str) or not provider.logout_at_provider:
        return None
    query = {
        "id_token_hint": str(id_token),
        "client_id": provider.client_id,
        "post_logout_redirect_uri": logged_out_uri(provider),
    }
    return f"{endpoint}?{urlencode(query)}"


def _client(provider: OidcProviderSettings, token_endpoint: str | None = None) -> OAuth2Client:
    if provider.private_key:
        return OAuth2Client(
            client_id=provider.client_id,
            client_secret=provider.private_key,
            token_endpoint_auth_method=PrivateKeyJWT(token_endpoint),
            redirect_uri=redirect_uri(provider),
            code_challenge_method="S256",
            timeout=providers.HTTP_TIMEOUT,
        )
    return OAuth2Client(
        client_id=provider.client_id,
        client_secret=provider.client_secret,
        token_endpoint_auth_method="client_secret_post",
        redirect_uri=redirect_uri(provider),
        code_challenge_method="S256",
        timeout=providers.HTTP_TIMEOUT,
    )


def state_hash(state: str) -> str:
    """The stored form of a `state`: the browser holds the value, the table its hash."""
    return hashlib.sha256(state.encode()).hexdigest()


def start(
    session: Session,
    *,
    provider: OidcProviderSettings,
    purpose: LoginPurpose,
    next: str,
    user_id: int | None,
    level: LoginLevel = LoginLevel.basic,
    language: str = "nb",
    address: str | None = None,
    replaces: str | None = None,
) -> tuple[str, str]:
    """Record a login request; the provider's address to send the browser to, and the state.

    `address`: the client's, which may start only so many within the login's lifetime;
    `replaces`: the state of the browser's login under way, if any, which this one ends.
    """
    document = providers.metadata(provider)
    acr_values = list(provider.acr_values)
    if level != LoginLevel.basic:
        acr = provider.acr_for(level, providers.offered_acr_values(provider))
        if acr is None:
            raise Invalid("This login provider cannot give the level this needs.")
        acr_values = [acr]
    _forget_old(session, replaces=replaces)
    address_hash = key_hash(f"oidc-start:{address}") if address else None
    if address_hash is not None:
        _ensure_may_start(session, address_hash)
    state, nonce, verifier = generate_token(43), generate_token(43), generate_token(64)
    session.add(
        OidcLogin(
            state_hash=state_hash(state),
            provider=provider.name,
            purpose=purpose,
            nonce=nonce,
            code_verifier=verifier,
            level=level,
            next=next,
            user_id=user_id,
            address_hash=address_hash,
        )
    )
    session.flush()
    extra = {"acr_values": " ".join(acr_values)} if acr_values else {}
    with _client(provider) as client:
        url, _ = client.create_authorization_url(
            document["authorization_endpoint"],
            state=state,
            nonce=nonce,
            code_verifier=verifier,
            scope=" ".join(provider.scopes),
            ui_locales=language,
            **extra,
        )
    return url, state


def _forget_old(session: Session, *, replaces: str | None) -> None:
    """Forget the requests past their lifetime (answered or not: an answer to one is refused
    anyway) and the one this browser started before, so that a retry does not pile up rows."""
    expired = col(OidcLogin.created_at) < utcnow() - LOGIN_TTL
    session.execute(delete(OidcLogin).where(expired))
    if replaces:
        session.execute(
            delete(OidcLogin).where(
                col(OidcLogin.state_hash) == state_hash(replaces), col(OidcLogin.used_at).is_(None)
            )
        )


def _ensure_may_start(session: Session, address_hash: str) -> None:
    """429 while this address has as many logins under way as it may start in their lifetime
    (each is a row until then); the wait is until the oldest of them expires."""
    limit = get_settings().oidc_starts_per_address
    started = session.exec(
        select(OidcLogin.created_at)
        .where(OidcLogin.address_hash == address_hash)
        .order_by(col(OidcLogin.created_at).desc())
        .limit(limit)
    ).all()
    if len(started) < limit:
        return
    seconds = math.ceil((as_utc(started[-1]) + LOGIN_TTL - utcnow()).total_seconds())
    raise TooManyAttempts(
        "Too many logins were started from this address. Try again in %(minutes)s min.",
        retry_after=max(1, seconds),
        minutes=max(1, math.ceil(seconds / 60)),
    )


def take_pending(
    *, provider: OidcProviderSettings, state: str, browser_state: str | None
) -> OidcLogin:
    """The login request this answer belongs to, marked used for good; 422 for any other state.

    Marked in a transaction of its own, so that an answer refused later (a wrong nonce, a
    failed token request) still cannot be replayed.
    """
    if not state or not browser_state or not secrets.compare_digest(state, browser_state):
        raise Invalid(REFUSED)

    def take(session: Session) -> OidcLogin:
        query = select(OidcLogin).where(col(OidcLogin.state_hash) == state_hash(state))
        pending = session.exec(query.with_for_update()).first()
        if (
            pending is None
            or pending.provider != provider.name
            or pending.used_at is not None
            or as_utc(pending.created_at) < utcnow() - LOGIN_TTL
        ):
            raise Invalid(REFUSED)
        pending.used_at = utcnow()
        session.add(pending)
        session.flush()
        return OidcLogin(**{name: getattr(pending, name) for name in OidcLogin.model_fields})

    return in_session(take)


def _redeem(provider: OidcProviderSettings, *, code: str, verifier: str) -> dict[str, Any]:
    """The provider's token response for the code (the PKCE verifier proves who asked)."""
    token_endpoint = providers.metadata(provider)["token_endpoint"]
    try:
        with _client(provider, token_endpoint) as client:
            return dict(client.fetch_token(token_endpoint, code=code, code_verifier=verifier))
    except httpx.TransportError:
        raise ProviderUnavailable("The login provider did not answer. Try again shortly.") from None
    except (OAuthError, httpx.HTTPError, ValueError):
        raise Invalid(REFUSED) from None


def finish(
    *, provider: OidcProviderSettings, state: str, browser_state: str | None, code: str
) -> Verified:
    """Redeem the provider's code for its request and validate the ID token, once."""
    pending = take_pending(provider=provider, state=state, browser_state=browser_state)
    if not code:
        raise Invalid(REFUSED)
    token = _redeem(provider, code=code, verifier=pending.code_verifier)
    id_token = token.get("id_token")
    if not isinstance(id_token, str):
        raise Invalid(REFUSED)
    claims = validate_id_token(provider, id_token, nonce=pending.nonce)
    level = provider.level_of(claims.get("acr"))
    if level.rank < LoginLevel(pending.level).rank:
        raise LoginLevelTooLow(
            "The login provider gave a lower level of login than this needs.",
            level=pending.level,
        )
    return Verified(provider, claims, level, id_token, pending)


def validate_id_token(
    provider: OidcProviderSettings,
    id_token: str,
    *,
    nonce: str,
    now: datetime | None = None,
) -> dict[str, Any]:
    """The ID token's claims once its signature, issuer, audience, expiry and nonce check out.

    A key the process has not seen makes it fetch the provider's keys again (rotation).
    """
    try:
        try:
            decoded = jwt.decode(id_token, providers.key_set(provider), algorithms=ALGORITHMS)
        except InvalidKeyIdError:
            keys = providers.key_set(provider, refresh=True)
            decoded = jwt.decode(id_token, keys, algorithms=ALGORITHMS)
        claims = dict(decoded.claims)
        registry = jwt.JWTClaimsRegistry(
            now=int((now or utcnow()).timestamp()),
            leeway=LEEWAY_SECONDS,
            iss={"essential": True, "value": provider.issuer},
            sub={"essential": True},
            exp={"essential": True},
            iat={"essential": True},
            nonce={"essential": True, "value": nonce},
        )
        registry.validate(claims)
    except (JoseError, ValueError, TypeError):
        raise Invalid(REFUSED) from None
    audience = claims.get("aud")
    audiences = audience if isinstance(audience, list) else [audience]
    if provider.client_id not in audiences or (
        len(audiences) > 1 and claims.get("azp") != provider.client_id
    ):
        raise Invalid(REFUSED)
    subject = claims.get("sub")
    if not isinstance(subject, str) or not 0 < len(subject) <= 255:
        raise Invalid(REFUSED)
    return claims
