"""A minimal WebSocket client connection for the load client: the opening handshake, then
frames parsed straight from the bytes as they arrive (no task, no message queue per socket).

It reads what a live page's socket gets (unfragmented or fragmented text frames, pings, a
close) and hands each whole message to a callback with its arrival time; it answers pings (the
server drops a socket whose pongs are late) and sends nothing else. Meant for 127.0.0.1 and a
server that behaves; not a general WebSocket client.
"""

from __future__ import annotations

import asyncio
import base64
import os
import struct
import time
from collections.abc import Callable
from typing import cast
from urllib.parse import urlsplit

TEXT, BINARY, CONTINUATION, CLOSE, PING = 0x1, 0x2, 0x0, 0x8, 0x9
OnMessage = Callable[[bytes, float], None]


class Wire(asyncio.Protocol):
    """One client socket: `opened` resolves when the first message (the resync) has arrived,
    with its arrival time; `closed` when the connection is gone. Every later message goes to
    `on_message`."""

    def __init__(self, on_message: OnMessage) -> None:
        self.on_message = on_message
        loop = asyncio.get_running_loop()
        self.opened: asyncio.Future[float] = loop.create_future()
        self.closed: asyncio.Future[None] = loop.create_future()
        self.transport: asyncio.Transport | None = None
        self.handshaking = True
        self.buffer = b""
        self.parts: list[bytes] = []
        self.close_code: int | None = None  # the code of the server's close frame, if one came

    @property
    def stage(self) -> str:
        """Where the opening is: "tcp" (connecting), "upgrade" (the request sent, no answer yet),
        "resync" (upgraded, no message yet) or "open"."""
        if self.transport is None:
            return "tcp"
        if self.handshaking:
            return "upgrade"
        return "open" if self.opened.done() else "resync"

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)  # uvloop's is not a subclass

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.opened.done():
            how = f"close {self.close_code}" if self.close_code else exc or "closed"
            self.opened.set_exception(ConnectionError(f"{how} before its first message"))
        if not self.closed.done():
            self.closed.set_result(None)

    def data_received(self, data: bytes) -> None:
        now = time.monotonic()
        buffer = self.buffer + data if self.buffer else data
        if self.handshaking:
            head, found, buffer = buffer.partition(b"\r\n\r\n")
            if not found:
                self.buffer = head
                return
            if not head.startswith(b"HTTP/1.1 101"):
                self._fail(ConnectionError(head.split(b"\r\n", 1)[0].decode(errors="replace")))
                return
            self.handshaking = False
        self.buffer = self._frames(buffer, now)

    def _frames(self, buffer: bytes, now: float) -> bytes:
        """Handle every whole frame in `buffer`; return what is left of the next one."""
        while len(buffer) >= 2:
            first, second = buffer[0], buffer[1]
            length, start = second & 0x7F, 2
            if length == 126:
                if len(buffer) < 4:
                    break
                (length,), start = struct.unpack_from("!H", buffer, 2), 4
            elif length == 127:
                if len(buffer) < 10:
                    break
                (length,), start = struct.unpack_from("!Q", buffer, 2), 10
            end = start + length
            if len(buffer) < end:
                break
            self._frame(first & 0x0F, bool(first & 0x80), buffer[start:end], now)
            buffer = buffer[end:]
        return buffer

    def _frame(self, opcode: int, fin: bool, payload: bytes, now: float) -> None:
        if opcode in (TEXT, BINARY, CONTINUATION):
            if not fin:
                self.parts.append(payload)
                return
            if self.parts:
                payload, self.parts = b"".join([*self.parts, payload]), []
            if self.opened.done():
                self.on_message(payload, now)
            else:  # the first message, the resync: it only tells that the socket is open
                self.opened.set_result(now)
        elif opcode == PING:
            self._send(0xA, payload)
        elif opcode == CLOSE:
            if len(payload) >= 2:
                (self.close_code,) = struct.unpack_from("!H", payload)
            self._send(CLOSE, payload[:2])
            if self.transport is not None:
                self.transport.close()

    def _send(self, opcode: int, payload: bytes) -> None:
        """A masked frame (a client must mask), short payloads only (pong, close)."""
        if self.transport is None or self.transport.is_closing():
            return
        mask = os.urandom(4)
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        self.transport.write(bytes([0x80 | opcode, 0x80 | len(payload)]) + mask + masked)

    def _fail(self, exc: Exception) -> None:
        if not self.opened.done():
            self.opened.set_exception(exc)
        if self.transport is not None:
            self.transport.close()

    def close(self) -> None:
        """Send a close frame (1000) and let the server end the connection."""
        self._send(CLOSE, struct.pack("!H", 1000))


async def connect(url: str, origin: str, wire: Wire, timeout: float) -> Wire:
    """Open `wire` on `url` ("ws://host:port/path") and wait for its first message."""
    parts = urlsplit(url)
    loop = asyncio.get_running_loop()
    transport, _wire = await asyncio.wait_for(
        loop.create_connection(lambda: wire, parts.hostname, parts.port), timeout
    )
    key = base64.b64encode(os.urandom(16)).decode()
    transport.write(
        (
            f"GET {parts.path or '/'} HTTP/1.1\r\nHost: {parts.netloc}\r\nUpgrade: websocket\r\n"
            f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
            f"Origin: {origin}\r\n\r\n"
        ).encode()
    )
    try:
        await asyncio.wait_for(asyncio.shield(wire.opened), timeout)
    except BaseException:
        transport.close()
        raise
    return wire
