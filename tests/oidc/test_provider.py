"""The test OpenID provider behaves like ID-porten and like Entra ID: discovery, PKCE, the login
page, the ID token's claims, key rotation and logout (no database, no browser)."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from authlib.common.security import generate_token
from authlib.oauth2.rfc7523 import PrivateKeyJWT
from joserfc import jwt
from joserfc.jwk import KeySet

from tests.oidc.op import (
    ACR_HIGH,
    ACR_SUBSTANTIAL,
    RunningProvider,
    client_key_pair,
    new_signing_key,
    op_login,
    op_logout_confirm,
    query_of,
    run_provider,
)

with warnings.catch_warnings():  # Authlib 1.9 would rather have the httpx2 package
    warnings.simplefilter("ignore", DeprecationWarning)
    from authlib.integrations.httpx_client import OAuth2Client

RP = "http://127.0.0.1:9"  # the relying party: never requested, only redirected to
REDIRECT_URI = f"{RP}/login/oidc/callback"
LOGGED_OUT_URI = f"{RP}/logged-out"
RP_KEY, RP_JWKS = client_key_pair("pivotal-rp-1")


def _client(client_id: str, **metadata: Any) -> dict[str, Any]:
    return {
        "client_id": client_id,
        "redirect_uris": [REDIRECT_URI],
        "post_logout_redirect_uris": [LOGGED_OUT_URI],
        **metadata,
    }


@pytest.fixture(scope="module")
def idporten() -> Iterator[RunningProvider]:
    clients = [
        _client("pivotal", jwks=RP_JWKS, token_endpoint_auth_method="private_key_jwt"),
        _client("other", jwks=RP_JWKS, token_endpoint_auth_method="private_key_jwt"),
    ]
    with run_provider("idporten", clients=clients) as op:
        yield op


@pytest.fixture(scope="module")
def entra() -> Iterator[RunningProvider]:
    clients = [
        _client(
            "pivotal", client_secret="entra-secret", token_endpoint_auth_method="client_secret_post"
        )
    ]
    with run_provider("entra", clients=clients) as op:
        yield op


def discovery(op: RunningProvider) -> dict[str, Any]:
    return httpx.get(op.discovery_url).raise_for_status().json()


def idporten_client(op: RunningProvider, client_id: str = "pivotal") -> OAuth2Client:
    token_endpoint = discovery(op)["token_endpoint"]
    return OAuth2Client(
        client_id,
        client_secret=RP_KEY,
        token_endpoint_auth_method=PrivateKeyJWT(token_endpoint),
        redirect_uri=REDIRECT_URI,
        scope="openid profile",
        code_challenge_method="S256",
    )


def entra_client() -> OAuth2Client:
    return OAuth2Client(
        "pivotal",
        client_secret="entra-secret",
        token_endpoint_auth_method="client_secret_post",
        redirect_uri=REDIRECT_URI,
        scope="openid profile email",
        code_challenge_method="S256",
    )


def log_in(
    op: RunningProvider,
    rp: OAuth2Client,
    *,
    person: str,
    acr: str | None = None,
    acr_values: str | None = None,
    browser: httpx.Client | None = None,
) -> dict[str, Any]:
    """The whole code flow with PKCE, state and nonce; the token response with the ID token's
    verified claims (signature from the JWKS, issuer, audience, nonce) and header."""
    meta = discovery(op)
    verifier = generate_token(48)
    nonce = generate_token(20)
    extra = {"acr_values": acr_values} if acr_values else {}
    url, state = rp.create_authorization_url(
        meta["authorization_endpoint"], code_verifier=verifier, nonce=nonce, **extra
    )
    back = op_login(url, person=person, acr=acr, client=browser)
    assert back.startswith(REDIRECT_URI)
    assert query_of(back)["state"] == state
    token = rp.fetch_token(
        meta["token_endpoint"], authorization_response=back, code_verifier=verifier, state=state
    )
    keys = KeySet.import_key_set(httpx.get(meta["jwks_uri"]).json())
    id_token = jwt.decode(token["id_token"], keys, algorithms=["RS256"])
    jwt.JWTClaimsRegistry(
        iss={"essential": True, "value": op.issuer},
        aud={"essential": True, "value": rp.client_id},
        nonce={"essential": True, "value": nonce},
        exp={"essential": True},
    ).validate(id_token.claims)
    return {**token, "claims": id_token.claims, "header": id_token.header}


def test_idporten_discovery_requires_pkce_s256_and_offers_its_levels(
    idporten: RunningProvider,
) -> None:
    meta = discovery(idporten)
    assert meta["issuer"] == idporten.issuer
    assert meta["code_challenge_methods_supported"] == ["S256"]
    assert meta["acr_values_supported"] == [ACR_SUBSTANTIAL, ACR_HIGH]
    assert meta["response_types_supported"] == ["code"]
    assert meta["end_session_endpoint"].startswith(idporten.issuer)
    assert "private_key_jwt" in meta["token_endpoint_auth_methods_supported"]


def test_idporten_refuses_an_authorization_request_without_pkce(idporten: RunningProvider) -> None:
    rp = idporten_client(idporten)
    rp.code_challenge_method = None
    url, _ = rp.create_authorization_url(discovery(idporten)["authorization_endpoint"], nonce="n")
    assert "code_challenge" not in url

    back = op_login(url, person="kari")

    assert back.startswith(REDIRECT_URI)
    assert query_of(back)["error"] == "invalid_request"
    assert "PKCE" in query_of(back)["error_description"]


def test_the_login_page_preselects_the_highest_level_asked_for(idporten: RunningProvider) -> None:
    rp = idporten_client(idporten)
    url, _ = rp.create_authorization_url(
        discovery(idporten)["authorization_endpoint"],
        code_verifier=generate_token(48),
        acr_values=f"{ACR_SUBSTANTIAL} {ACR_HIGH}",
    )
    page = httpx.get(url, follow_redirects=True)

    assert page.status_code == 200
    assert '<html lang="nb">' in page.text
    assert 'id="person-kari"' in page.text and 'id="person-ola"' in page.text
    assert f'<option value="{ACR_HIGH}" selected>' in page.text
    assert '<button id="login" type="submit">Logg inn</button>' in page.text


@pytest.mark.parametrize("acr", [ACR_SUBSTANTIAL, ACR_HIGH])
def test_idporten_id_token_carries_pid_and_the_chosen_level(
    idporten: RunningProvider, acr: str
) -> None:
    token = log_in(idporten, idporten_client(idporten), person="kari", acr=acr, acr_values=acr)
    claims = token["claims"]

    assert claims["acr"] == acr
    assert claims["pid"] == "01017012345"
    assert claims["amr"] == ["BankID"]
    assert claims["locale"] == "nb"
    assert {"sub", "auth_time", "sid", "exp", "iat"} <= set(claims)
    assert claims["exp"] - claims["iat"] == 600
    assert "name" not in claims and "email" not in claims
    assert token["header"]["kid"] == idporten.keys[0]["kid"]


def test_idporten_sub_is_pairwise_per_client(idporten: RunningProvider) -> None:
    ours = log_in(idporten, idporten_client(idporten), person="ola")["claims"]
    theirs = log_in(idporten, idporten_client(idporten, "other"), person="ola")["claims"]

    assert ours["pid"] == theirs["pid"] == "02028054321"
    assert ours["sub"] != theirs["sub"]
    assert ours["sub"] != "ola"


def test_entra_id_token_carries_tenant_and_email(entra: RunningProvider) -> None:
    meta = discovery(entra)
    assert meta["issuer"] == entra.issuer
    assert {"openid", "profile", "email"} <= set(meta["scopes_supported"])

    claims = log_in(entra, entra_client(), person="ansatt")["claims"]

    assert claims["tid"] == "trondheim-tenant"
    assert claims["email"] == "kari.ansatt@trondheim.kommune.no"
    assert claims["name"] == "Kari Ansatt"
    assert claims["preferred_username"] == "kari.ansatt@trondheim.kommune.no"
    assert "pid" not in claims


def test_entra_allows_a_login_without_pkce(entra: RunningProvider) -> None:
    rp = entra_client()
    rp.code_challenge_method = None
    meta = discovery(entra)
    url, state = rp.create_authorization_url(meta["authorization_endpoint"], nonce="n")

    back = op_login(url, person="fremmed")
    token = rp.fetch_token(meta["token_endpoint"], authorization_response=back, state=state)

    claims = jwt.decode(
        token["id_token"], KeySet.import_key_set(httpx.get(meta["jwks_uri"]).json())
    )
    assert claims.claims["tid"] == "other-tenant"
    assert claims.claims["email"] == "ola@annet.example"


def test_logout_at_the_provider_returns_to_the_relying_party_with_its_state(
    entra: RunningProvider,
) -> None:
    with httpx.Client() as browser:
        token = log_in(entra, entra_client(), person="ansatt", browser=browser)
        end_session = httpx.URL(
            discovery(entra)["end_session_endpoint"],
            params={
                "id_token_hint": token["id_token"],
                "post_logout_redirect_uri": LOGGED_OUT_URI,
                "state": "bye-1",
            },
        )
        page = browser.get(end_session)
        assert page.status_code == 200
        assert '<html lang="nb">' in page.text
        assert 'id="logout"' in page.text and "Logg ut" in page.text

        back = op_logout_confirm(str(end_session), client=browser)

        assert back == f"{LOGGED_OUT_URI}?state=bye-1"
        # The provider's session is gone: the next login asks again.
        url, _ = entra_client().create_authorization_url(
            discovery(entra)["authorization_endpoint"], code_verifier=generate_token(48)
        )
        assert 'id="login"' in browser.get(url, follow_redirects=True).text


def test_a_restart_with_a_new_key_rotates_the_signing_key_and_keeps_the_port() -> None:
    old, new = new_signing_key("rotate-1"), new_signing_key("rotate-2")
    clients = [_client("pivotal", jwks=RP_JWKS, token_endpoint_auth_method="private_key_jwt")]
    with run_provider("idporten", clients=clients, keys=[old], id_token_ttl=5) as op:
        port = op.port
        kids = [key["kid"] for key in httpx.get(discovery(op)["jwks_uri"]).json()["keys"]]
        assert kids == ["rotate-1"]

        op.restart(keys=[new])

        assert op.port == port and op.issuer == f"http://127.0.0.1:{port}"
        jwks = httpx.get(discovery(op)["jwks_uri"]).json()["keys"]
        assert [key["kid"] for key in jwks] == ["rotate-2"]
        assert all("d" not in key for key in jwks)  # public keys only
        token = log_in(op, idporten_client(op), person="kari", acr=ACR_HIGH)
        assert token["header"]["kid"] == "rotate-2"
        assert token["claims"]["exp"] - token["claims"]["iat"] == 5  # id_token_ttl survives


def test_a_higher_level_asked_for_logs_in_again_and_a_session_at_that_level_does_not(
    idporten: RunningProvider,
) -> None:
    with httpx.Client() as browser:
        first = log_in(idporten, idporten_client(idporten), person="kari", browser=browser)
        assert first["claims"]["acr"] == ACR_SUBSTANTIAL

        rp = idporten_client(idporten)
        meta = discovery(idporten)
        url, _ = rp.create_authorization_url(
            meta["authorization_endpoint"], code_verifier=generate_token(48), acr_values=ACR_HIGH
        )
        page = browser.get(url, follow_redirects=True)
        assert 'id="login"' in page.text  # step-up: the login page again
        assert f'<option value="{ACR_HIGH}" selected>' in page.text

        stepped = log_in(
            idporten, idporten_client(idporten), person="kari", acr_values=ACR_HIGH, browser=browser
        )
        assert stepped["claims"]["acr"] == ACR_HIGH
        assert stepped["claims"]["sub"] == first["claims"]["sub"]

        # Logged in at the high level: asking for either level again needs no login page.
        again = log_in(
            idporten,
            idporten_client(idporten),
            person="ola",
            acr_values=ACR_SUBSTANTIAL,
            browser=browser,
        )
        assert again["claims"]["acr"] == ACR_HIGH
        assert again["claims"]["pid"] == "01017012345"  # still kari: `person` was not asked
