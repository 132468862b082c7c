"""Engine and the request-scoped session: one transaction per request, committed once."""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import anyio
from fastapi import Depends
from sqlalchemy import Connection, Engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import ORMExecuteState, SessionTransaction
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Session, create_engine

from app.config import get_settings

_engine: Engine | None = None
T = TypeVar("T")

# SQLite lets one writer in at a time and makes the others poll with growing sleeps, which
# collapses under concurrent posts. Writers of this process queue on this lock instead, taken
# at the first write of a transaction and released when it ends. (Other processes on the same
# file still meet SQLite's busy timeout; PostgreSQL needs none of this.)
_sqlite_writer = threading.Lock()
_WRITER_KEY = "pivotal_sqlite_writer"
WRITER_WAIT_SECONDS = 15.0


def _take_sqlite_writer(session: OrmSession) -> None:
    if session.info.get(_WRITER_KEY) or session.get_bind().dialect.name != "sqlite":
        return
    if not _sqlite_writer.acquire(timeout=WRITER_WAIT_SECONDS):
        # Turned into a 503 by the app's database-unavailable handler.
        raise OperationalError("waiting for the SQLite writer", None, TimeoutError())
    session.info[_WRITER_KEY] = True


@event.listens_for(OrmSession, "before_flush")
def _before_flush(session: OrmSession, _context: Any, _instances: Any) -> None:
    if session.new or session.dirty or session.deleted:
        _take_sqlite_writer(session)


@event.listens_for(OrmSession, "do_orm_execute")
def _before_dml(state: ORMExecuteState) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        _take_sqlite_writer(state.session)


@event.listens_for(OrmSession, "after_transaction_end")
def _release_sqlite_writer(session: OrmSession, transaction: SessionTransaction) -> None:
    if transaction.parent is None and session.info.pop(_WRITER_KEY, False):
        _sqlite_writer.release()


def make_engine(url: str) -> Engine:
    """Create an engine; SQLite gets WAL, a busy timeout and enforced foreign keys."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(
            url, pool_pre_ping=True, pool_size=10, max_overflow=30, pool_timeout=10
        )
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    # SQLite connections are cheap: keep 20, open more when needed rather than make a request
    # wait for one (a waiting request may hold the thread the writer needs to finish).
    engine = create_engine(
        url,
        connect_args={"check_same_thread": False, "timeout": 30},
        pool_size=20,
        max_overflow=-1,
    )

    @event.listens_for(engine, "connect")
    def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()
        # Case-insensitive search beyond ASCII (æøå): SQLite's own lower() leaves them as they are.
        dbapi_connection.create_function("pivotal_fold", 1, _fold, deterministic=True)
        # Take transactions over from pysqlite (SQLAlchemy's pysqlite recipe): left to itself it
        # begins one only before INSERT/UPDATE/DELETE, so a first SAVEPOINT opened SQLite's
        # transaction and its RELEASE committed the guarded add on its own. We begin below.
        dbapi_connection.isolation_level = None

    event.listen(engine, "before_cursor_execute", _begin_before_first_write)
    return engine


# Statements that need the transaction begun: the writes, and a SAVEPOINT (a guarded write).
_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE", "SAVEPOINT")


def _begin_before_first_write(
    connection: Connection, cursor: Any, statement: str, *_args: Any
) -> None:
    """BEGIN before a transaction's first write (or savepoint), unless SQLite is in one.

    Not at SQLAlchemy's "begin", as the recipe has it: a transaction that began at its first
    read holds that read's snapshot, and SQLite refuses at once (no busy wait) to make it a
    writer when another connection committed since; and the app's long-lived sessions (the live
    hub, the tests' own) expect reads before a write to see the latest commit. So reads before
    the first write stay as pysqlite had them, and everything from the first write on, a
    SAVEPOINT included, is one transaction that commits or rolls back whole.
    """
    dbapi_connection = connection.connection.dbapi_connection
    if dbapi_connection is None or dbapi_connection.in_transaction:
        return
    if statement.lstrip()[:9].upper().startswith(_WRITES):
        cursor.execute("BEGIN")


def _fold(text: str | None) -> str | None:
    return None if text is None else text.lower()


def get_engine() -> Engine:
    """The process-wide engine for PIVOTAL_DATABASE_URL."""
    global _engine
    if _engine is None:
        _engine = make_engine(get_settings().database_url)
    return _engine


def use_database(url: str) -> Engine:
    """Point the process at another database (tests, and the CLI's --database options)."""
    global _engine
    reset_engine()
    _engine = make_engine(url)
    return _engine


# Memos of database contents that never change (such as an organisation's kind); they are
# forgotten with the engine, since another database has other rows under the same ids.
_memos: list[Callable[[], None]] = []


def forget_on_reset(clear: Callable[[], None]) -> None:
    """Have `clear` called whenever the process lets go of its database."""
    _memos.append(clear)


def reset_engine() -> None:
    """Forget the engine (tests and the CLI switch databases through this)."""
    global _engine
    if _engine is not None:
        _engine.dispose()
    _engine = None
    for clear in _memos:
        clear()


def new_session() -> Session:
    """A session outside a request (CLI, live hub, demo loader)."""
    return Session(get_engine(), expire_on_commit=False)


# Ending a transaction gets threads of its own. If commits queued for the request thread pool,
# a writer holding the write lock could wait for a thread while every thread waits for that lock.
_finishers = anyio.CapacityLimiter(16)


def _commit_and_close(session: Session) -> None:
    try:
        session.commit()
    finally:
        session.close()


def _roll_back_and_close(session: Session) -> None:
    try:
        session.rollback()
    finally:
        session.close()


def in_session(work: Callable[[Session], T]) -> T:
    """Run `work` in a session of its own, in this thread: commit if it returns, else roll back."""
    session = new_session()
    try:
        result = work(session)
    except BaseException:
        _roll_back_and_close(session)
        raise
    _commit_and_close(session)
    return result


async def get_session() -> AsyncIterator[Session]:
    """Yield the request's session; commit if the handler returned, roll back if it raised.

    The ending takes one thread hop, and none when the request never touched the database.
    """
    session = new_session()
    try:
        yield session
    except BaseException:
        await _finish(session, _roll_back_and_close)
        raise
    await _finish(session, _commit_and_close)


async def _finish(session: Session, end: Callable[[Session], None]) -> None:
    if session.in_transaction() or session.new or session.dirty or session.deleted:
        await anyio.to_thread.run_sync(end, session, limiter=_finishers)
    else:
        session.close()  # holds no connection: nothing to wait for


SessionDep = Annotated[Session, Depends(get_session, scope="function")]
