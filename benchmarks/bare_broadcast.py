"""A bare WebSocket broadcast server: the limit Pivotal's live fan-out is measured against.

A plain ASGI app (no framework, no database) on the same uvicorn stack and options as
`pivotal serve` (uvloop and httptools when installed, the same WebSocket library, per-message
deflate off, the same ping interval). Each socket gets a first message on connect (as Pivotal's
resync) and an outbox it drains, so a slow socket cannot stall the others, as Pivotal's hub.
`POST /broadcast?marker=X&size=N` queues one fragment of N bytes (default 1,024) carrying
`X-END` on every socket and answers 204 at once. Anything else over HTTP answers 200 "ok".

    .venv/bin/python -m benchmarks.bare_broadcast --port 8100
"""

from __future__ import annotations

import asyncio
from typing import Any
from urllib.parse import parse_qs

from benchmarks.serving import serve_like_pivotal

Scope = dict[str, Any]

outboxes: set[asyncio.Queue[str | None]] = set()


def fragment(marker: str, size: int) -> str:
    """An HTML fragment of about `size` characters that names the marker."""
    head = f'<li id="need-{marker}" hx-swap-oob="afterbegin:#needs"><h3>{marker}-END</h3><p>'
    tail = "</p></li>"
    return head + "x" * max(0, size - len(head) - len(tail)) + tail


async def _websocket(receive: Any, send: Any) -> None:
    if (await receive())["type"] != "websocket.connect":
        return
    await send({"type": "websocket.accept"})
    outbox: asyncio.Queue[str | None] = asyncio.Queue(256)
    outbox.put_nowait(fragment("RESYNC", 1024))
    outboxes.add(outbox)

    async def watch() -> None:
        while (await receive())["type"] != "websocket.disconnect":
            pass
        outbox.put_nowait(None)

    watcher = asyncio.create_task(watch())
    try:
        while (message := await outbox.get()) is not None:
            await send({"type": "websocket.send", "text": message})
    except OSError:
        pass
    finally:
        outboxes.discard(outbox)
        watcher.cancel()


async def _http(scope: Scope, receive: Any, send: Any) -> None:
    while (await receive()).get("more_body"):
        pass
    status, body = 200, b"ok"
    if scope["method"] == "POST" and scope["path"] == "/broadcast":
        query = parse_qs(scope["query_string"].decode())
        html = fragment(query["marker"][0], int(query.get("size", ["1024"])[0]))
        for outbox in list(outboxes):
            if outbox.full():
                continue  # a socket this far behind is dropped in Pivotal; here it just skips
            outbox.put_nowait(html)
        status, body = 204, b""
    await send({"type": "http.response.start", "status": status, "headers": []})
    await send({"type": "http.response.body", "body": body})


async def app(scope: Scope, receive: Any, send: Any) -> None:
    """The ASGI application."""
    if scope["type"] == "websocket":
        await _websocket(receive, send)
    elif scope["type"] == "http":
        await _http(scope, receive, send)
    elif scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return


def main() -> None:
    """Serve the app with the options of `pivotal serve` (app/cli.py), one process."""
    serve_like_pivotal("benchmarks.bare_broadcast:app", description=__doc__, default_port=8100)


if __name__ == "__main__":
    main()
