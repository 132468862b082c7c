"""The live hub's sending: one loop per push, a slow socket queued apart and dropped when too
far behind, and nothing sent to a socket the hub closed."""

from __future__ import annotations

import asyncio

from app.services.live import LiveEvent, LiveHub, PageKind, Topic, Viewer
from tests.conftest import run_async

TOPIC = Topic(PageKind.project, 7)


class Socket:
    """A fake socket: records what it is sent; a stalled one waits until released."""

    def __init__(self, *, stalled: bool = False) -> None:
        self.sent: list[str] = []
        self.closed: list[int] = []
        self.ready = asyncio.Event()
        if not stalled:
            self.ready.set()

    async def send(self, message: str) -> None:
        await self.ready.wait()  # a full transport buffer: the send waits
        self.sent.append(message)

    async def close(self, code: int) -> None:
        self.closed.append(code)

    def viewer(self, audience: str = "a") -> Viewer:
        return Viewer(send=self.send, close=self.close, topic=TOPIC, audience=audience)


def _hub(queue_size: int = 256) -> LiveHub:
    hub = LiveHub(queue_size=queue_size, viewers_debounce=60)
    hub.render = lambda event, topic, audience: f"need-{event.object_id}"
    return hub


def _need(n: int) -> LiveEvent:
    return LiveEvent(kind="need.created", object_id=n, project_id=7)


# The sockets' serving tasks, kept (as the server keeps them) until the test ends them.
_serving: list[asyncio.Task[None]] = []


async def _join(hub: LiveHub, socket: Socket) -> asyncio.Future[None]:
    closed: asyncio.Future[None] = asyncio.get_running_loop().create_future()
    _serving.append(asyncio.create_task(hub.serve(socket.viewer(), "resync", until=closed)))
    await asyncio.sleep(0)
    return closed


async def _end_all() -> None:
    for task in _serving:
        task.cancel()
    await asyncio.gather(*_serving, return_exceptions=True)
    _serving.clear()


def test_a_push_reaches_every_socket_in_the_pushing_turn() -> None:
    """No task per socket: when `deliver` returns, every socket has the fragment."""

    async def scenario() -> list[list[str]]:
        hub = _hub()
        sockets = [Socket() for _ in range(50)]
        for socket in sockets:
            await _join(hub, socket)
        await hub.deliver(_need(1))
        sent = [list(socket.sent) for socket in sockets]  # no sleep: nothing left to run
        await _end_all()
        return sent

    sent = run_async(scenario())
    assert all(s == ["resync", "need-1"] for s in sent), sent[:3]


def test_a_slow_socket_does_not_delay_the_others_and_gets_everything_in_order() -> None:
    async def scenario() -> tuple[list[str], list[str], list[str]]:
        hub = _hub()
        slow, fast = Socket(stalled=True), Socket()
        await _join(hub, slow)
        await _join(hub, fast)
        for n in (1, 2, 3):
            await hub.deliver(_need(n))
        fast_then = list(fast.sent)
        slow.ready.set()
        await asyncio.sleep(0.01)
        await _end_all()
        return fast_then, slow.sent, fast.sent

    fast_then, slow_sent, fast_sent = run_async(scenario())
    assert fast_then == ["resync", "need-1", "need-2", "need-3"]  # while the slow one waited
    assert slow_sent == ["resync", "need-1", "need-2", "need-3"]
    assert fast_sent == fast_then


def test_a_socket_too_far_behind_is_dropped_and_its_outbox_let_go() -> None:
    async def scenario() -> tuple[Socket, Socket, Viewer]:
        hub = _hub(queue_size=3)
        slow, fast = Socket(stalled=True), Socket()
        await _join(hub, slow)
        await _join(hub, fast)
        (slow_viewer,) = [v for v in hub.topics[TOPIC] if v.send == slow.send]
        for n in range(1, 6):
            await hub.deliver(_need(n))
        await _end_all()
        return slow, fast, slow_viewer

    slow, fast, slow_viewer = run_async(scenario())
    assert slow.closed == [1013]
    assert slow_viewer.dropped and slow_viewer.outbox is None
    assert fast.sent == ["resync", *(f"need-{n}" for n in range(1, 6))]


def test_a_socket_the_hub_closed_is_sent_nothing_more() -> None:
    async def scenario() -> Socket:
        hub = _hub()
        socket = Socket()
        await _join(hub, socket)
        await hub.close_all()
        await hub.deliver(_need(1))
        await _end_all()
        return socket

    socket = run_async(scenario())
    assert socket.closed == [1012]
    assert socket.sent == ["resync"]


def test_a_socket_that_closed_leaves_its_topic() -> None:
    async def scenario() -> int:
        hub = _hub()
        closed = await _join(hub, Socket())
        closed.set_result(None)
        await asyncio.gather(*_serving)
        _serving.clear()
        return hub.open_sockets

    assert run_async(scenario()) == 0


def test_the_viewer_count_of_a_crowded_page_goes_out_less_often() -> None:
    """While thousands join, the count (sent to every viewer) waits a millisecond per viewer."""

    async def scenario() -> tuple[list[str], list[str]]:
        hub = LiveHub(viewers_debounce=0.01)
        hub.render_viewers = lambda topic, audience, count: f"{count} viewing"
        sockets = [Socket() for _ in range(100)]
        for socket in sockets[:99]:
            await _join(hub, socket)
        await asyncio.sleep(0.05)  # the first joiner scheduled the count: 0.01 s
        await _join(hub, sockets[99])  # now 100 viewers: the next count waits 0.1 s
        await asyncio.sleep(0.05)
        early = list(sockets[0].sent)
        await asyncio.sleep(0.1)
        late = list(sockets[0].sent)
        await _end_all()
        return early, late

    early, late = run_async(scenario())
    assert early[-1] == "99 viewing"
    assert late[-1] == "100 viewing"
