"""Live updates: a bus that carries small change events, and a hub that pushes HTML to viewers.

`bus` stages an event in the writing transaction and delivers it after the commit; `hub` keeps
the sockets and renders each event once per audience; `registry` is where each domain says what
its pages show; `topics` names the pages. The names services use are re-exported here.
"""

from app.services.live.bus import (
    METRICS_PAGE,
    STAGED_KEY,
    Bus,
    Deliver,
    LiveEvent,
    MemoryBus,
    Resync,
    announce,
    get_bus,
    make_bus,
    spawn,
)
from app.services.live.hub import LiveHub, Viewer, hub
from app.services.live.topics import PageKind, Topic

__all__ = [
    "METRICS_PAGE",
    "STAGED_KEY",
    "Bus",
    "Deliver",
    "LiveEvent",
    "LiveHub",
    "MemoryBus",
    "PageKind",
    "Resync",
    "Topic",
    "Viewer",
    "announce",
    "get_bus",
    "hub",
    "make_bus",
    "spawn",
]
