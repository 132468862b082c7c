"""Login throttling: after ten wrong passwords the next attempt waits, right password or not."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from app.main import app
from app.services import accounts, login_throttle
from tests.conftest import CSRF_RE, PASSWORD, World
from tests.helpers import EN

WRONG = "not the password at all"


def _from(address: str) -> TestClient:
    return TestClient(app, client=(address, 50000))


def _login(client: TestClient, email: str, password: str):  # type: ignore[no-untyped-def]
    token = CSRF_RE.search(client.get("/login").text).group(1)  # type: ignore[union-attr]
    return client.post(
        "/login",
        data={"email": email, "password": password, "csrf_token": token},
        headers=EN,
        follow_redirects=False,
    )


def _miss(client: TestClient, email: str, times: int) -> None:
    for _ in range(times):
        assert _login(client, email, WRONG).status_code == 401


def test_after_ten_wrong_passwords_even_the_right_one_waits(
    client: TestClient, world: World
) -> None:
    _miss(client, world.citizen.email, 10)
    refused = _login(client, world.citizen.email, PASSWORD)
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) == 60
    assert "Too many wrong passwords in a row. Try again in 1 min., or reset" in refused.text


def test_the_api_token_endpoint_is_throttled_alike(client: TestClient, world: World) -> None:
    _miss(client, world.supplier.email, 10)
    refused = client.post(
        "/api/v1/auth/token",
        data={"username": world.supplier.email, "password": PASSWORD},
        headers=EN,
    )
    assert refused.status_code == 429
    assert refused.json()["code"] == "too_many_attempts"
    assert refused.headers["Retry-After"] == "60"


def test_the_account_is_throttled_from_every_address(world: World, client: TestClient) -> None:
    for n in range(10):
        _miss(_from(f"10.0.0.{n}"), world.citizen.email, 1)
    assert _login(_from("10.0.1.1"), world.citizen.email, PASSWORD).status_code == 429


def test_an_address_is_throttled_across_accounts(world: World, client: TestClient) -> None:
    guesser = _from("192.0.2.7")
    for n in range(10):
        _miss(guesser, f"someone{n}@example.org", 1)
    assert _login(guesser, world.employee.email, PASSWORD).status_code == 429
    assert _login(_from("192.0.2.8"), world.employee.email, PASSWORD).status_code == 303


def test_an_unknown_email_is_answered_exactly_like_a_known_one(
    world: World, client: TestClient
) -> None:
    answers = []
    for n, email in enumerate((world.citizen.email, "ingen@example.org")):
        api = _from(f"198.51.100.{n}")

        def token(password: str, email: str = email, api: TestClient = api):  # type: ignore[no-untyped-def]
            form = {"username": email, "password": password}
            return api.post("/api/v1/auth/token", data=form, headers=EN)

        misses = {(r.status_code, r.text) for r in (token(WRONG) for _ in range(10))}
        refused = token(PASSWORD)
        answers.append((misses, refused.status_code, refused.text, refused.headers["Retry-After"]))
    assert answers[0] == answers[1]
    assert answers[0][0] == {
        (401, '{"detail":"Wrong e-mail or password.","code":"not_authenticated"}')
    }
    assert answers[0][1] == 429


def test_the_right_password_resets_the_accounts_count(world: World, client: TestClient) -> None:
    _miss(_from("203.0.113.1"), world.citizen.email, 9)
    assert _login(_from("203.0.113.2"), world.citizen.email, PASSWORD).status_code == 303
    _miss(_from("203.0.113.3"), world.citizen.email, 9)
    assert _login(_from("203.0.113.4"), world.citizen.email, PASSWORD).status_code == 303


def test_the_wait_grows_with_every_further_miss() -> None:
    assert login_throttle.wait_after(9) is None
    assert login_throttle.wait_after(10) == timedelta(seconds=60)
    assert login_throttle.wait_after(11) == timedelta(seconds=120)
    assert login_throttle.wait_after(13) == timedelta(seconds=480)
    assert login_throttle.wait_after(40) == timedelta(hours=1)


def test_a_miss_after_the_wait_locks_again_for_longer(
    world: World, client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    _miss(client, world.citizen.email, 10)
    assert _login(client, world.citizen.email, PASSWORD).status_code == 429
    later = login_throttle.utcnow() + timedelta(seconds=61)
    monkeypatch.setattr(login_throttle, "utcnow", lambda: later)
    assert _login(client, world.citizen.email, WRONG).status_code == 401
    refused = _login(client, world.citizen.email, PASSWORD)
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) == 120


def test_argon2_hashes_at_most_the_configured_number_at_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    running, most = 0, 0
    lock = threading.Lock()
    real = accounts._hasher

    class CountingHasher:
        def verify(self, hash: str, password: str) -> bool:
            nonlocal running, most
            with lock:
                running += 1
                most = max(most, running)
            time.sleep(0.02)
            with lock:
                running -= 1
            return real.verify(hash, password)

    stored = accounts.hash_password(PASSWORD)
    monkeypatch.setattr(accounts, "_hasher", CountingHasher())
    threads = [
        threading.Thread(target=accounts._password_matches, args=(stored, PASSWORD))
        for _ in range(12)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert most == 2  # PIVOTAL_PASSWORD_HASH_SLOTS' default


def test_passwords_are_hashed_with_owasps_argon2id_parameters() -> None:
    hasher = accounts.PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
    assert accounts.PRODUCTION_HASHER.hash(PASSWORD).startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    assert hasher.check_needs_rehash(accounts.PasswordHasher().hash(PASSWORD))
