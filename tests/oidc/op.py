"""A real OpenID provider on loopback for the tests: panva's `oidc-provider` run by
`tests/oidc/provider/server.mjs`, configured like ID-porten or like a municipality's Entra ID.

    with run_provider("idporten", clients=[...]) as op:
        url = op_login(authorize_url, person="kari", acr="idporten-loa-high")
        op.restart(keys=[new_signing_key("k2")])  # key rotation

The test people: idporten `kari` (pid 01017012345) and `ola` (pid 02028054321); entra `ansatt`
(tid trondheim-tenant, kari.ansatt@trondheim.kommune.no) and `fremmed` (tid other-tenant,
ola@annet.example).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, Literal
from urllib.parse import parse_qsl, urljoin, urlsplit

import httpx
import pytest
from joserfc.jwk import RSAKey

from tests.servers import HOST, free_port, stop

PROVIDER_DIR = Path(__file__).resolve().parent / "provider"
SERVER = PROVIDER_DIR / "server.mjs"
NODE_MODULES = PROVIDER_DIR / "node_modules"

Profile = Literal["idporten", "entra"]
ACR_SUBSTANTIAL = "idporten-loa-substantial"
ACR_HIGH = "idporten-loa-high"


def new_signing_key(kid: str) -> dict[str, Any]:
    """A fresh private RSA JWK (2048 bits) with key id `kid`, for the provider to sign with."""
    key = RSAKey.generate_key(
        2048, parameters={"kid": kid, "use": "sig", "alg": "RS256"}, private=True
    )
    return dict(key.as_dict(private=True))


def client_key_pair(kid: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """A private_key_jwt client's keys: (private JWK for the relying party, public JWKS for the
    provider's client metadata `jwks`)."""
    key = RSAKey.generate_key(
        2048, parameters={"kid": kid, "use": "sig", "alg": "RS256"}, private=True
    )
    return dict(key.as_dict(private=True)), {"keys": [dict(key.as_dict(private=False))]}


def _node() -> str:
    """The `node` executable; skip the test without it (fail under CI=true)."""
    node = shutil.which("node")
    reason = ""
    if node is None:
        reason = "Node.js is not installed (the OpenID provider of the tests runs on it)"
    elif not (NODE_MODULES / "oidc-provider").is_dir():
        reason = (
            f"the OpenID provider's node modules are missing (run: npm ci --prefix {PROVIDER_DIR})"
        )
    if reason:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{reason} (CI=true: the OpenID tests may not be skipped)", pytrace=False)
        pytest.skip(reason)
    assert node is not None
    return node


class RunningProvider:
    """A running `server.mjs`: its issuer URL, port and signing keys (the first one signs)."""

    def __init__(
        self,
        profile: Profile,
        *,
        clients: list[dict[str, Any]],
        port: int,
        keys: list[dict[str, Any]],
        people: dict[str, Any] | None,
        id_token_ttl: int,
        workdir: Path,
    ) -> None:
        self.profile = profile
        self.clients = clients
        self.port = port
        self.issuer = f"http://{HOST}:{port}"
        self.keys = keys
        self.people = people
        self.id_token_ttl = id_token_ttl
        self.log = workdir / "provider.log"
        self._config = workdir / "config.json"
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def discovery_url(self) -> str:
        """The provider's `/.well-known/openid-configuration`."""
        return f"{self.issuer}/.well-known/openid-configuration"

    def start(self) -> None:
        """Write the configuration and start the provider; return once discovery answers."""
        config = {
            "issuer": self.issuer,
            "port": self.port,
            "profile": self.profile,
            "keys": self.keys,
            "clients": self.clients,
            "id_token_ttl": self.id_token_ttl,
        }
        if self.people is not None:
            config["people"] = self.people
        self._config.write_text(json.dumps(config))
        with self.log.open("ab") as out:
            self._process = subprocess.Popen(
                [_node(), str(SERVER), str(self._config)],
                cwd=PROVIDER_DIR,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self._wait_until_up(timeout=20.0)

    def _wait_until_up(self, timeout: float) -> None:
        assert self._process is not None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                code = self._process.returncode
                raise RuntimeError(f"OpenID provider exited with {code}:\n{self.log.read_text()}")
            with contextlib.suppress(httpx.TransportError):
                if httpx.get(self.discovery_url, timeout=1).status_code == 200:
                    return
            time.sleep(0.05)
        raise RuntimeError(
            f"OpenID provider did not answer within {timeout:.0f} s:\n{self.log.read_text()}"
        )

    def stop(self) -> None:
        """SIGTERM, then SIGKILL if it hangs."""
        if self._process is not None:
            stop(self._process)
            self._process = None

    def restart(self, *, keys: list[dict[str, Any]] | None = None) -> None:
        """Stop and start again on the same port, with new signing keys if given (key rotation;
        sessions, codes and grants of the old process are gone)."""
        self.stop()
        if keys is not None:
            self.keys = keys
        self.start()


@contextlib.contextmanager
def run_provider(
    profile: Profile,
    *,
    clients: list[dict[str, Any]],
    port: int | None = None,
    keys: list[dict[str, Any]] | None = None,
    people: dict[str, Any] | None = None,
    id_token_ttl: int = 600,
) -> Iterator[RunningProvider]:
    """Run an OpenID provider with `profile` and `clients` (oidc-provider client metadata) on
    127.0.0.1 until the block ends; skip without Node.js or its modules (fail under CI=true)."""
    _node()
    with tempfile.TemporaryDirectory(prefix="pivotal-op-") as workdir:
        provider = RunningProvider(
            profile,
            clients=clients,
            port=port or free_port(),
            keys=keys or [new_signing_key(f"{profile}-1")],
            people=people,
            id_token_ttl=id_token_ttl,
            workdir=Path(workdir),
        )
        provider.start()
        try:
            yield provider
        finally:
            provider.stop()


class _Form(HTMLParser):
    """The first form of a page: its action and its fields (radio, select, hidden)."""

    def __init__(self) -> None:
        super().__init__()
        self.action: str | None = None
        self.fields: dict[str, str] = {}
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and self.action is None:
            self.action = a.get("action", "")
        elif tag == "input" and a.get("type") == "hidden":
            self.fields[a["name"]] = a.get("value", "")
        elif tag == "select":
            self._select = a.get("name")
        elif (
            tag == "option"
            and self._select
            and ("selected" in a or self._select not in self.fields)
        ):
            self.fields[self._select] = a.get("value", "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None


def _parse_form(html: str) -> _Form:
    form = _Form()
    form.feed(html)
    return form


def _is_provider(url: str, issuer: str) -> bool:
    return urlsplit(url)[:2] == urlsplit(issuer)[:2]


def _back_to_relying_party(http: httpx.Client, response: httpx.Response, issuer: str) -> str:
    """Follow the provider's redirects to the first one that leaves it; that address."""
    while response.is_redirect:
        target = urljoin(str(response.url), response.headers["location"])
        if not _is_provider(target, issuer):
            return target
        response = http.get(target)
    raise AssertionError(
        f"the provider did not redirect back ({response.status_code}):\n{response.text}"
    )


def op_login(
    authorize_url: str,
    *,
    person: str,
    acr: str | None = None,
    client: httpx.Client | None = None,
) -> str:
    """Log `person` in at the provider of `authorize_url` (choosing `acr` on ID-porten's page,
    else the level the page preselects) and return the provider's final redirect to the relying
    party (with `code` and `state`, or `error`), without requesting it."""
    issuer = "{0.scheme}://{0.netloc}".format(urlsplit(authorize_url))
    http = client or httpx.Client()
    try:
        response = http.get(authorize_url)
        while response.is_redirect:
            target = urljoin(str(response.url), response.headers["location"])
            if not _is_provider(target, issuer):
                return target
            response = http.get(target)
        if response.status_code != 200 or 'id="login"' not in response.text:
            raise AssertionError(
                f"no login page at the provider ({response.status_code}):\n{response.text}"
            )
        form = _parse_form(response.text)
        fields = {**form.fields, "person": person}
        if acr is not None:
            fields["acr"] = acr
        response = http.post(urljoin(str(response.url), form.action or ""), data=fields)
        return _back_to_relying_party(http, response, issuer)
    finally:
        if client is None:
            http.close()


def op_logout_confirm(url: str, *, client: httpx.Client) -> str:
    """Follow the relying party's logout redirect `url` to the provider (with the browser's
    provider session in `client`), press "Logg ut" and return the redirect back to the relying
    party's `post_logout_redirect_uri` (with its `state`), without requesting it."""
    issuer = "{0.scheme}://{0.netloc}".format(urlsplit(url))
    response = client.get(url)
    if response.status_code != 200:
        raise AssertionError(
            f"no logout page at the provider ({response.status_code}):\n{response.text}"
        )
    form = _parse_form(response.text)
    fields = dict(form.fields)
    if 'id="logout"' in response.text:
        fields["logout"] = "yes"
    response = client.post(urljoin(str(response.url), form.action or ""), data=fields)
    return _back_to_relying_party(client, response, issuer)


def query_of(url: str) -> dict[str, str]:
    """The query parameters of a redirect URL, one value each."""
    return dict(parse_qsl(urlsplit(url).query))
