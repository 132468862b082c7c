"""Logging in to Pivotal through real providers on loopback: accounts, links, membership, the
national identity number never stored, step-up, logout at the provider, and every refusal."""

from __future__ import annotations

import base64
import html
import json
import re
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from fastapi.testclient import TestClient
from joserfc import jwt
from joserfc.jwk import OctKey, RSAKey
from sqlmodel import Session, col, select

from app.models import LinkedIdentity, LoginSession, Membership, OidcLogin, Project, User
from app.models.base import OrganisationKind, Role
from app.models.identity import LoginLevel
from app.models.membership import MembershipStatus, VouchedBy
from app.oidc_settings import OidcProviderSettings
from app.services.errors import Invalid
from app.services.oidc import flow, people
from tests.conftest import CSRF_RE, Factory, login
from tests.oidc.conftest import TRONDHEIM_NUMBER
from tests.oidc.op import (
    ACR_HIGH,
    ACR_SUBSTANTIAL,
    RunningProvider,
    new_signing_key,
    op_login,
    op_logout_confirm,
    query_of,
)

pytestmark = pytest.mark.usefixtures("configured")
KARI_PID = "01017012345"


def _to_provider(client: TestClient, path: str, **data: str) -> str:
    """Start at Pivotal (a GET link or a POST form) and return where it sends the browser."""
    if data:
        response = client.post(path, data=data, follow_redirects=False)
    else:
        response = client.get(path, follow_redirects=False)
    assert response.status_code == 303, response.text
    return response.headers["location"]


def _back(client: TestClient, provider_redirect: str) -> httpx.Response:
    """Deliver the provider's redirect to Pivotal's callback."""
    parts = urlsplit(provider_redirect)
    return client.get(f"{parts.path}?{parts.query}", follow_redirects=False)


def log_in_with(
    client: TestClient, name: str, person: str, *, acr: str | None = None, start: str = ""
) -> httpx.Response:
    """The whole login at the provider; Pivotal's answer to the callback."""
    authorize = _to_provider(client, start or f"/login/oidc/{name}?next=/projects")
    return _back(client, op_login(authorize, person=person, acr=acr))


def _csrf(client: TestClient) -> str:
    return CSRF_RE.search(client.get("/").text).group(1)  # type: ignore[union-attr]


def test_the_login_page_offers_each_provider_by_its_own_name(client: TestClient) -> None:
    page = client.get("/login").text
    assert 'href="/login/oidc/idporten?next=/"' in page and "Logg inn med ID-porten" in page
    assert "Logg inn med Trondheim kommune (Entra ID)" in page
    assert client.get("/login/oidc/nobody", follow_redirects=False).status_code == 404


def test_the_authorisation_request_uses_pkce_state_nonce_and_the_level(client: TestClient) -> None:
    query = query_of(_to_provider(client, "/login/oidc/idporten"))
    assert query["code_challenge_method"] == "S256" and len(query["code_challenge"]) == 43
    assert query["response_type"] == "code" and query["client_id"] == "pivotal-idporten"
    assert query["state"] and query["nonce"] and query["state"] != query["nonce"]
    assert query["acr_values"] == ACR_SUBSTANTIAL and query["scope"] == "openid profile"


def test_a_new_id_porten_person_gets_a_citizen_account_without_their_number_stored(
    client: TestClient, session: Session
) -> None:
    response = log_in_with(client, "idporten", "kari")
    assert response.status_code == 303 and response.headers["location"] == (
        "/account/logins?welcome=1"
    )
    page = client.get("/account/logins?welcome=1").text
    assert "Velkommen til Pivotal" in page
    identity = session.exec(select(LinkedIdentity)).one()
    user = session.get(User, identity.user_id)
    assert user is not None and user.role == Role.citizen and not user.password_hash
    assert user.email.endswith("@id.invalid") and user.email_verified_at is None
    assert user.display_name == "Ny deltaker" and people.is_unnamed(user.display_name)
    assert 'id="name-input" name="display_name" value=""' in page  # to be chosen, not kept
    assert identity.pid_hash == people.pid_hash(KARI_PID) and KARI_PID not in identity.pid_hash
    for row in (identity, user):
        assert KARI_PID not in json.dumps({k: str(v) for k, v in row.__dict__.items()})
    level = session.exec(select(LoginSession.level).where(LoginSession.user_id == user.id)).one()
    assert level == LoginLevel.substantial

    client.headers["X-CSRF-Token"] = _csrf(client)
    assert client.post("/account/name", data={"display_name": "Kari N."}).status_code == 200
    session.refresh(user)
    assert user.display_name == "Kari N."


def test_a_returning_person_logs_in_to_the_same_account(
    client: TestClient, other_client: TestClient, session: Session
) -> None:
    log_in_with(client, "idporten", "kari")
    again = log_in_with(other_client, "idporten", "kari")
    assert again.headers["location"] == "/projects"  # not new: where the login was asked from
    assert len(session.exec(select(User).where(col(User.email).endswith("id.invalid"))).all()) == 1


def test_an_employee_login_proves_membership_of_the_municipality(
    client: TestClient, other_client: TestClient, factory: Factory, session: Session
) -> None:
    trondheim = factory.org(OrganisationKind.municipality, "Trondheim", TRONDHEIM_NUMBER)
    assert log_in_with(client, "entra", "ansatt").status_code == 303
    user = session.exec(select(User).where(User.email == "kari.ansatt@trondheim.kommune.no")).one()
    membership = session.exec(select(Membership).where(Membership.user_id == user.id)).one()
    assert membership.organisation_id == trondheim.id
    assert membership.status == MembershipStatus.active
    assert membership.vouched_by == VouchedBy.identity_provider
    assert user.role == Role.employee and user.display_name == "Kari Ansatt"

    log_in_with(other_client, "entra", "fremmed")  # another tenant: a citizen, no membership
    stranger = session.exec(select(User).where(User.email == "ola@annet.example")).one()
    assert stranger.role == Role.citizen
    assert not session.exec(select(Membership).where(Membership.user_id == stranger.id)).all()


def test_an_existing_address_is_not_taken_over_by_a_provider(
    client: TestClient, factory: Factory, session: Session
) -> None:
    owner = factory.user(Role.citizen)
    owner.email = "kari.ansatt@trondheim.kommune.no"
    session.add(owner)
    session.commit()
    response = log_in_with(client, "entra", "ansatt")
    assert response.status_code == 409 and "finnes allerede" in response.text
    assert not session.exec(select(LinkedIdentity)).all()


def test_a_password_account_links_and_unlinks_a_provider(
    client: TestClient, other_client: TestClient, factory: Factory, session: Session
) -> None:
    me = factory.user(Role.citizen)
    login(client, me)
    authorize = _to_provider(client, "/account/logins/idporten/link")
    assert _back(client, op_login(authorize, person="ola")).headers["location"] == (
        "/account/logins?linked=idporten"
    )
    assert "ID-porten" in client.get("/account/logins").text
    assert log_in_with(other_client, "idporten", "ola").status_code == 303
    assert other_client.get("/api/v1/auth/me").json()["id"] == me.id

    identity = session.exec(select(LinkedIdentity)).one()
    assert client.post(f"/account/logins/{identity.id}/unlink").status_code == 200
    assert not session.exec(select(LinkedIdentity)).all()


def test_the_only_way_in_cannot_be_unlinked(client: TestClient, session: Session) -> None:
    log_in_with(client, "idporten", "kari")
    client.headers["X-CSRF-Token"] = _csrf(client)
    identity = session.exec(select(LinkedIdentity)).one()
    response = client.post(f"/account/logins/{identity.id}/unlink")
    assert response.status_code == 409
    assert session.exec(select(LinkedIdentity)).one()


def test_someone_elses_identity_is_not_linked(
    client: TestClient, other_client: TestClient, factory: Factory
) -> None:
    log_in_with(other_client, "idporten", "kari")
    login(client, factory.user(Role.citizen))
    authorize = _to_provider(client, "/account/logins/idporten/link")
    assert _back(client, op_login(authorize, person="kari")).status_code == 409


def test_a_wrong_or_missing_state_is_refused(client: TestClient, other_client: TestClient) -> None:
    mine = op_login(_to_provider(client, "/login/oidc/idporten"), person="kari")
    theirs = op_login(_to_provider(other_client, "/login/oidc/idporten"), person="ola")
    assert _back(client, theirs).status_code == 422  # another browser's answer
    assert _back(other_client, mine).status_code == 422  # its own state was spent by now
    fresh = TestClient(client.app)
    assert _back(fresh, mine).status_code == 422  # no login under way in this browser


def test_an_answer_is_taken_once(client: TestClient, session: Session) -> None:
    authorize = _to_provider(client, "/login/oidc/idporten")
    answer = op_login(authorize, person="kari")
    cookie_before = dict(client.cookies)
    assert _back(client, answer).status_code == 303
    client.cookies.clear()
    client.cookies.update(cookie_before)  # the browser's cookie and the answer, replayed
    assert _back(client, answer).status_code == 422
    assert session.exec(select(OidcLogin.used_at)).one() is not None


def test_a_level_below_what_was_asked_is_refused(client: TestClient, session: Session) -> None:
    client.get("/")
    authorize = _to_provider(client, "/login/oidc/idporten?level=high")
    assert query_of(authorize)["acr_values"] == ACR_HIGH
    response = _back(client, op_login(authorize, person="kari", acr=ACR_SUBSTANTIAL))
    assert response.status_code == 403
    assert not session.exec(select(LinkedIdentity)).all()


def test_a_project_that_needs_a_high_login_asks_for_a_step_up(
    client: TestClient, world: Any, session: Session
) -> None:
    project = session.get(Project, world.public.id)
    project.login_level = LoginLevel.high
    session.add(project)
    session.commit()
    login(client, world.employee)
    need = {"title": "Trygg nattevakt", "problem": "Alene på vakt om natta.", "affected": "Alle"}
    refused = client.post(f"/api/v1/projects/{project.id}/needs", json=need)
    assert refused.status_code == 403 and refused.json()["code"] == "login_level_too_low"
    page = client.post(
        f"/projects/{project.id}/needs",
        data=need,
        headers={
            "HX-Request": "true",
            "HX-Current-URL": f"http://testserver/projects/{project.id}",
        },
    )
    assert page.status_code == 403
    assert f"/login/oidc/idporten?level=high&amp;next=%2Fprojects%2F{project.id}" in page.text

    start = f"/login/oidc/idporten?level=high&next=/projects/{project.id}"
    assert 'id="login-level-notice"' in client.get(f"/projects/{project.id}").text
    back = log_in_with(client, "idporten", "kari", acr=ACR_HIGH, start=start)
    assert back.headers["location"] == f"/projects/{project.id}"
    assert 'id="login-level-notice"' not in client.get(f"/projects/{project.id}").text
    client.headers["X-CSRF-Token"] = _csrf(client)
    assert client.post(f"/api/v1/projects/{project.id}/needs", json=need).status_code == 201
    assert client.get("/api/v1/auth/me").json()["id"] == world.employee.id  # the same account


def test_logging_out_logs_out_at_the_provider_too(client: TestClient) -> None:
    http = httpx.Client()
    authorize = _to_provider(client, "/login/oidc/idporten")
    _back(client, op_login(authorize, person="kari", client=http))
    client.headers["X-CSRF-Token"] = _csrf(client)
    response = client.post("/logout", follow_redirects=False)
    assert response.status_code == 200  # a page of ours moves on (CSP form-action 'self')
    end = html.unescape(
        re.search(r'http-equiv="refresh" content="0; url=([^"]+)"', response.text)[1]
    )
    assert f'href="{html.escape(end)}"' in response.text  # and links there, for the careful
    query = query_of(end)
    assert query["client_id"] == "pivotal-idporten" and query["id_token_hint"]
    assert query["post_logout_redirect_uri"].endswith("/login/oidc/idporten/logged-out")
    back = op_logout_confirm(end, client=http)
    assert urlsplit(back).path == "/login/oidc/idporten/logged-out"
    assert client.get(urlsplit(back).path, follow_redirects=False).status_code == 303
    assert client.get("/api/v1/auth/me").status_code == 401


def test_a_rotated_signing_key_is_fetched_again(
    client: TestClient, other_client: TestClient, idporten_op: RunningProvider
) -> None:
    assert log_in_with(client, "idporten", "kari").status_code == 303  # keys fetched, kept
    old = idporten_op.keys
    try:
        idporten_op.restart(keys=[new_signing_key("rotated")])
        assert log_in_with(other_client, "idporten", "ola").status_code == 303
    finally:
        idporten_op.restart(keys=old)


# ---- the ID token's own checks, on tokens the real provider signed ----------------------------


def _real_token(client: TestClient, settings: OidcProviderSettings) -> tuple[str, str]:
    """An ID token the provider issued for a login of Pivotal's, and its nonce."""
    authorize = _to_provider(client, "/login/oidc/idporten")
    nonce = query_of(authorize)["nonce"]
    answer = query_of(op_login(authorize, person="kari"))
    state = answer["state"]
    pending = flow.take_pending(provider=settings, state=state, browser_state=state)
    token = flow._redeem(settings, code=answer["code"], verifier=pending.code_verifier)
    return token["id_token"], nonce


@pytest.fixture
def issued(client: TestClient, configured: list[OidcProviderSettings]) -> tuple[str, str]:
    return _real_token(client, configured[0])


def test_the_real_token_passes(
    configured: list[OidcProviderSettings], issued: tuple[str, str]
) -> None:
    claims = flow.validate_id_token(configured[0], issued[0], nonce=issued[1])
    assert claims["pid"] == KARI_PID and claims["acr"] == ACR_SUBSTANTIAL


def test_a_wrong_nonce_is_refused(
    configured: list[OidcProviderSettings], issued: tuple[str, str]
) -> None:
    with pytest.raises(Invalid):
        flow.validate_id_token(configured[0], issued[0], nonce="another-login")


def test_an_expired_token_is_refused(
    configured: list[OidcProviderSettings], issued: tuple[str, str]
) -> None:
    from datetime import timedelta

    from app.models.base import utcnow

    later = utcnow() + timedelta(hours=2)
    with pytest.raises(Invalid):
        flow.validate_id_token(configured[0], issued[0], nonce=issued[1], now=later)


def test_a_token_for_another_audience_is_refused(
    configured: list[OidcProviderSettings], issued: tuple[str, str]
) -> None:
    other = configured[0].model_copy(update={"client_id": "another-service"})
    with pytest.raises(Invalid):
        flow.validate_id_token(other, issued[0], nonce=issued[1])


def _b64(part: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(part).encode()).rstrip(b"=").decode()


def test_an_unsigned_or_self_signed_token_is_refused(
    configured: list[OidcProviderSettings], issued: tuple[str, str]
) -> None:
    header, payload, _ = issued[0].split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
    kid = json.loads(base64.urlsafe_b64decode(header + "=="))["kid"]
    unsigned = f"{_b64({'alg': 'none', 'kid': kid})}.{payload}."
    forged = jwt.encode(  # the provider's key id, an attacker's key
        {"alg": "RS256", "kid": kid}, claims, RSAKey.import_key(new_signing_key(kid))
    )
    shared = jwt.encode({"alg": "HS256"}, claims, OctKey.import_key("s" * 32))
    for token in (unsigned, forged, shared, "not.a.token"):
        with pytest.raises(Invalid):
            flow.validate_id_token(configured[0], token, nonce=issued[1])


def test_an_account_without_a_password_is_deleted_after_a_fresh_login(
    client: TestClient, session: Session
) -> None:
    log_in_with(client, "idporten", "kari")
    client.headers["X-CSRF-Token"] = _csrf(client)
    assert 'id="delete-password"' not in client.get("/profile").text
    response = client.post("/profile/delete", data={"confirm": "SLETT"})
    assert response.status_code == 200, response.text
    assert not session.exec(select(LinkedIdentity)).all()  # the link goes with the account
    assert client.get("/api/v1/auth/me").status_code == 401


def test_a_stale_login_cannot_delete_a_password_less_account(
    client: TestClient, session: Session
) -> None:
    from datetime import timedelta

    log_in_with(client, "idporten", "kari")
    client.headers["X-CSRF-Token"] = _csrf(client)
    row = session.exec(select(LoginSession)).one()
    row.created_at = row.created_at - timedelta(hours=1)
    session.add(row)
    session.commit()
    assert client.post("/profile/delete", data={"confirm": "SLETT"}).status_code == 422
    assert session.exec(select(LinkedIdentity)).one()


def test_a_cancelled_login_is_refused_and_spent(client: TestClient, session: Session) -> None:
    authorize = _to_provider(client, "/login/oidc/idporten")
    state = query_of(authorize)["state"]
    response = client.get(f"/login/oidc/idporten/callback?error=access_denied&state={state}")
    assert response.status_code == 422 and "ID-porten" in response.text
    assert session.exec(select(OidcLogin.used_at)).one() is not None


def test_a_misspelt_action_level_stops_the_start(monkeypatch: pytest.MonkeyPatch) -> None:
    from app.config import get_settings
    from app.main import create_app

    monkeypatch.setattr(get_settings(), "oidc_action_levels", {"submit-proposal": "high"})
    with pytest.raises(ValueError, match="submit-proposal"):
        create_app()


def test_a_membership_the_organisation_ended_is_not_given_back_by_a_login(
    client: TestClient, other_client: TestClient, factory: Factory, session: Session
) -> None:
    factory.org(OrganisationKind.municipality, "Trondheim", TRONDHEIM_NUMBER)
    log_in_with(client, "entra", "ansatt")
    membership = session.exec(select(Membership)).one()
    membership.status = MembershipStatus.revoked
    session.add(membership)
    session.commit()
    assert log_in_with(other_client, "entra", "ansatt").status_code == 303
    session.expire_all()
    rows = session.exec(select(Membership)).all()
    assert [row.status for row in rows] == [MembershipStatus.revoked]


def test_starting_again_replaces_the_browsers_login_under_way(
    client: TestClient, session: Session
) -> None:
    first = op_login(_to_provider(client, "/login/oidc/idporten"), person="kari")
    second = _to_provider(client, "/login/oidc/idporten")
    assert len(session.exec(select(OidcLogin)).all()) == 1  # a retry does not pile up rows
    assert query_of(first)["state"] != query_of(second)["state"]
    assert _back(client, first).status_code == 422  # the one it replaced is gone


def test_an_address_may_start_only_so_many_logins_at_once(
    client: TestClient, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.config import get_settings

    monkeypatch.setattr(get_settings(), "oidc_starts_per_address", 3)
    for _ in range(3):  # browsers that drop their cookie: each start is a row of its own
        _to_provider(TestClient(client.app), "/login/oidc/idporten")
    refused = TestClient(client.app).get("/login/oidc/idporten", follow_redirects=False)
    assert refused.status_code == 429 and 540 <= int(refused.headers["retry-after"]) <= 600
    assert "For mange innlogginger" in refused.text
    assert len(session.exec(select(OidcLogin)).all()) == 3
    for row in session.exec(select(OidcLogin)).all():  # ten minutes later they have expired
        row.created_at = row.created_at - flow.LOGIN_TTL
        session.add(row)
    session.commit()
    assert (
        TestClient(client.app).get("/login/oidc/idporten", follow_redirects=False).status_code
        == 303
    )
    assert len(session.exec(select(OidcLogin)).all()) == 1  # the expired ones are forgotten
