"""The write lane: reads beyond its bounds are shed with 503 and Retry-After, writes go through."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field

import anyio
import httpx
import pytest
from fastapi import FastAPI
from fastapi.responses import HTMLResponse

from app.config import get_settings
from app.web.lanes import WriteLaneMiddleware

pytestmark = pytest.mark.anyio

OVERLOADED = "Many people are using the service right now. Please try again in a moment."


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@dataclass
class Gate:
    """Held endpoints: each waits, once entered, until the test opens the gate."""

    entered: anyio.Event = field(default_factory=anyio.Event)
    opened: anyio.Event = field(default_factory=anyio.Event)

    async def hold(self) -> None:
        self.entered.set()
        await self.opened.wait()


@dataclass
class Lane:
    client: httpx.AsyncClient
    read: Gate
    write: Gate


def _app_with_held_routes(read: Gate, write: Gate) -> FastAPI:
    """The real app (every middleware), plus a read and a write that wait for the test."""
    from app.main import create_app

    app = create_app()

    @app.get("/api/v1/held-read")
    async def held_read() -> dict[str, str]:
        await read.hold()
        return {"read": "done"}

    @app.post("/api/v1/held-write", status_code=201)
    async def held_write() -> dict[str, str]:
        await write.hold()
        return {"write": "done"}

    @app.post("/api/v1/quick-write", status_code=201)
    async def quick_write() -> dict[str, str]:
        return {"write": "done"}

    @app.get("/api/v1/quick-read")
    async def quick_read() -> dict[str, str]:
        return {"read": "done"}

    @app.get("/quick-page")
    async def quick_page() -> HTMLResponse:
        return HTMLResponse("<p>page</p>")

    return app


@pytest.fixture
def lane_settings(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """One read at a time, none beside a write, one may wait a moment."""
    for name, value in {
        "PIVOTAL_LANE_READS_IN_FLIGHT": "1",
        "PIVOTAL_LANE_READS_BESIDE_WRITES": "0",
        "PIVOTAL_LANE_READS_WAITING": "1",
        "PIVOTAL_LANE_READ_WAIT": "0.05",
        "PIVOTAL_LANE_RETRY_AFTER": "2",
    }.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    yield
    monkeypatch.undo()
    get_settings.cache_clear()


@pytest.fixture
async def lane(database_url: str, lane_settings: None) -> AsyncIterator[Lane]:
    read, write = Gate(), Gate()
    app = _app_with_held_routes(read, write)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield Lane(client=client, read=read, write=write)
        read.opened.set()
        write.opened.set()


async def test_a_read_beyond_the_bound_is_shed_with_retry_after_while_a_write_goes_through(
    lane: Lane,
) -> None:
    answers: dict[str, httpx.Response] = {}

    async def held_read() -> None:
        answers["held"] = await lane.client.get("/api/v1/held-read")

    async with anyio.create_task_group() as tg:
        tg.start_soon(held_read)
        await lane.read.entered.wait()  # the one read slot is taken

        shed = await lane.client.get("/api/v1/quick-read", headers={"Accept-Language": "en"})
        write = await lane.client.post("/api/v1/quick-write")

        lane.read.opened.set()
    assert shed.status_code == 503
    assert shed.headers["Retry-After"] == "2"
    assert shed.json() == {"detail": OVERLOADED, "code": "overloaded"}
    assert write.status_code == 201
    assert answers["held"].status_code == 200


async def test_a_shed_page_is_the_error_page(lane: Lane) -> None:
    async with anyio.create_task_group() as tg:
        tg.start_soon(lane.client.get, "/api/v1/held-read")
        await lane.read.entered.wait()

        shed = await lane.client.get("/quick-page", headers={"Accept-Language": "en"})

        lane.read.opened.set()
    assert shed.status_code == 503
    assert shed.headers["Retry-After"] == "2"
    assert shed.headers["content-type"].startswith("text/html")
    assert OVERLOADED in shed.text
    assert "<html" in shed.text
    assert "content-security-policy" in shed.headers  # an answer like any other


async def test_reads_wait_while_a_write_is_in_flight_and_go_on_after_it(
    lane: Lane, monkeypatch: pytest.MonkeyPatch
) -> None:
    answers: dict[str, httpx.Response] = {}

    async def read() -> None:
        answers["read"] = await lane.client.get("/api/v1/quick-read")

    async with anyio.create_task_group() as tg:
        tg.start_soon(lane.client.post, "/api/v1/held-write")
        await lane.write.entered.wait()
        tg.start_soon(read)
        await anyio.wait_all_tasks_blocked()
        assert "read" not in answers  # held back: the write has the process to itself

        lane.write.opened.set()
    # The write ended within the read's wait (0.05 s), so the read was served, not shed.
    assert answers["read"].status_code == 200


async def test_probes_and_static_files_are_never_shed(lane: Lane) -> None:
    async with anyio.create_task_group() as tg:
        tg.start_soon(lane.client.get, "/api/v1/held-read")
        await lane.read.entered.wait()

        health = await lane.client.get("/healthz")
        ready = await lane.client.get("/readyz")
        static = await lane.client.get("/static/css/pivotal.css")

        lane.read.opened.set()
    assert health.status_code == 200
    assert ready.status_code in (200, 503)  # the probe's own answer (the bus is not started)
    assert ready.headers.get("Retry-After") is None
    assert static.status_code == 200


async def test_a_lane_with_no_read_bound_lets_everything_through() -> None:
    async def app(scope: dict, receive: object, send: object) -> None:  # type: ignore[type-arg]
        served.append(scope["path"])

    served: list[str] = []
    lane = WriteLaneMiddleware(
        app,  # type: ignore[arg-type]
        reads_in_flight=0,
        reads_beside_writes=0,
        reads_waiting=0,
        read_wait=0,
        retry_after=1,
    )
    for path in ("/a", "/b"):
        await lane({"type": "http", "method": "GET", "path": path}, None, None)  # type: ignore[arg-type]
    assert served == ["/a", "/b"]
    assert lane.shed == 0


async def test_a_read_cancelled_while_waiting_gives_its_turn_back() -> None:
    async def app(scope: dict, receive: object, send: object) -> None:  # type: ignore[type-arg]
        await anyio.sleep_forever()

    lane = WriteLaneMiddleware(
        app,  # type: ignore[arg-type]
        reads_in_flight=1,
        reads_beside_writes=0,
        reads_waiting=1,
        read_wait=60,
        retry_after=1,
    )
    read = {"type": "http", "method": "GET", "path": "/a"}
    async with anyio.create_task_group() as tg:
        tg.start_soon(lane, read, None, None)
        tg.start_soon(lane, read, None, None)
        await anyio.wait_all_tasks_blocked()
        assert (lane.reads, len(lane.waiting)) == (1, 1)
        tg.cancel_scope.cancel()
    assert (lane.reads, len(lane.waiting)) == (0, 0)
