"""Group commit on SQLite's owner thread: the transactions waiting when the owner thread gets to them
commit together, one fsync for the group, each in its own savepoint (one failing undoes only its own
writes), and each caller is answered only after the group's commit.

A `Batchable` transaction's waiting calls run as one batch (a multi-row INSERT per table instead of
one per call); a batch that fails runs again call by call, each with its own savepoint.

The owner thread takes the next group itself once it has committed one (`GroupCommitter`). Before,
a task on the event loop handed each group over and waited for its result, so between two groups
the owner thread sat idle until the event loop had run everything else that was ready (in a burst,
a dozen requests' worth of parsing and checking). Each group still queues behind the store's other
calls asked for meanwhile, so a burst of intakes never starves a read.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable
from concurrent.futures import Executor
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlite_utils import Database

log = logging.getLogger(__name__)
T = TypeVar("T")
Item = TypeVar("Item")
Work = tuple[Callable[..., Any], tuple[Any, ...]]
Outcome = tuple[bool, Any]  # (True, result) or (False, the exception)
_Waiting = tuple[Callable[..., Any], tuple[Any, ...], "asyncio.Future[Any]"]

# The most transactions committed together: bounds how long one group holds the write lock.
GROUP_MAX = 128
GROUP_SAVEPOINT = "grouped"
# The database whose group savepoint was just opened for one grouped function, on the owner thread;
# that function's first `immediate(db)` takes it for its own instead of nesting a second one.
fresh_group: ContextVar[Database | None] = ContextVar("fresh_group", default=None)


@dataclass(frozen=True)
class Batchable(Generic[Item, T]):
    """A grouped transaction over one item that SQLite's group commit may run for several items at
    once: `many(db, items)` must leave the rows and give the results that `one(db, item)` would, called
    for each item in turn. Called as `fn(db, item)` it is `one` (PostgreSQL, or a batch that failed)."""

    one: Callable[[Database, Item], T]
    many: Callable[[Database, list[Item]], list[T]]

    def __call__(self, db: Database, item: Item) -> T:
        return self.one(db, item)


class GroupCommitter:
    """The grouped transactions of one store, and the jobs on its owner thread that commit them."""

    def __init__(self, executor: Executor, database: Callable[[], Database]) -> None:
        self._executor = executor  # the store's single owner thread
        self._database = database
        self._lock = threading.Lock()  # guards the three below, shared by both threads
        self._waiting: list[_Waiting] = []
        self._draining = False  # a drain job is queued on, or running on, the owner thread
        self._closed = False
        self._idle = asyncio.Event()  # set while no drain job is queued or running
        self._idle.set()

    async def call(self, fn: Callable[..., T], args: tuple[Any, ...]) -> T:
        """Run the transaction `fn(db, *args)` in the next group commit; its result once committed."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()
        with self._lock:
            if self._closed:
                raise RuntimeError("the store is closed")
            self._waiting.append((fn, args, future))
            start, self._draining = not self._draining, True
        if start:
            self._idle.clear()
            # After what else is ready on the event loop now: the requests read in the same turn join
            # the first group, instead of it leaving with one transaction and the rest in a second.
            loop.call_soon(self._executor.submit, self._drain, loop)
        return await future

    async def close(self) -> None:
        """Refuse new transactions and wait until those already asked for are committed."""
        with self._lock:
            self._closed = True
        await self._idle.wait()

    def _drain(self, loop: asyncio.AbstractEventLoop) -> None:
        """On the owner thread: commit the next group, answer its callers, and queue itself again
        while transactions wait (behind the calls asked for meanwhile)."""
        with self._lock:
            group = self._waiting[:GROUP_MAX]
            del self._waiting[:GROUP_MAX]
        try:
            outcomes = run_group(self._database(), [(fn, args) for fn, args, _ in group])
        except BaseException as exc:
            # Not committed as far as anyone can tell: every caller still waiting is told so.
            failure = exc if isinstance(exc, Exception) else RuntimeError("the store was stopped")
            with self._lock:
                group, self._waiting, self._draining = group + self._waiting, [], False
            _post(loop, _settle, group, [(False, failure)] * len(group))
            _post(loop, self._check_idle)
            raise
        _post(loop, _settle, group, outcomes)
        with self._lock:
            more = self._draining = bool(self._waiting)
        if more:
            self._executor.submit(self._drain, loop)
        else:
            _post(loop, self._check_idle)

    def _check_idle(self) -> None:
        with self._lock:
            if not self._draining:
                self._idle.set()


def _post(loop: asyncio.AbstractEventLoop, callback: Callable[..., None], *args: Any) -> None:
    try:
        loop.call_soon_threadsafe(callback, *args)
    except RuntimeError:  # the event loop is closed: nobody is left to answer
        log.warning("the event loop closed before a group commit's callers were answered")


def _settle(group: list[_Waiting], outcomes: list[Outcome]) -> None:
    for (_, _, future), (ok, value) in zip(group, outcomes, strict=True):
        if not future.done():  # a caller that gave up (its request cancelled) is not answered
            future.set_result(value) if ok else future.set_exception(value)


def run_group(db: Database, work: list[Work]) -> list[Outcome]:
    """On the owner thread: one transaction, a savepoint per function, one commit. When the group
    as a whole fails (its commit, or an error that ends the transaction), each runs alone."""
    outcomes: list[Outcome] = []
    try:
        db.execute("BEGIN IMMEDIATE")
        start = 0
        while start < len(work):
            fn, end = work[start][0], start + 1
            if isinstance(fn, Batchable):  # its calls next to each other run as one batch
                while end < len(work) and work[end][0] is fn:
                    end += 1
                whole = start == 0 and end == len(work)  # the group is this one batch
                # A lone call runs as a batch too when it is the whole group: no savepoint, and
                # `many`'s fewer statements (on disk, a burst's first group is often one intake).
                if end - start > 1 or whole:
                    outcomes += _batch(db, fn, [args for _, args in work[start:end]], whole)
                    start = end
                    continue
            outcomes.append(_in_group(db, fn, work[start][1]))
            start = end
        db.conn.commit()
    except Exception as exc:
        if db.conn.in_transaction:
            db.conn.rollback()
        log.warning("a group of %d transactions failed (%s); committing each alone", len(work), exc)
        return [_alone(db, fn, args) for fn, args in work]
    return outcomes


def _in_group(db: Database, fn: Callable[..., Any], args: tuple[Any, ...]) -> Outcome:
    """One function of a group, in a savepoint of its own: its failure undoes only its writes."""
    db.execute(f"SAVEPOINT {GROUP_SAVEPOINT}")
    fresh_group.set(db)
    try:
        value = fn(db, *args)
    except Exception as exc:
        if not db.conn.in_transaction:
            raise  # SQLite rolled the whole transaction back (e.g. SQLITE_FULL)
        db.execute(f"ROLLBACK TO {GROUP_SAVEPOINT}")
        db.execute(f"RELEASE {GROUP_SAVEPOINT}")
        return False, exc
    else:
        db.execute(f"RELEASE {GROUP_SAVEPOINT}")
        return True, value
    finally:
        fresh_group.set(None)


def _batch(db: Database, fn: Batchable[Any, Any], calls: list[tuple[Any, ...]], whole: bool) -> list[Outcome]:
    """Several calls of one batchable function as one batch, in one savepoint (none when it is the
    `whole` transaction: its rollback does as well); when the batch fails, each call again on its
    own, so that only the failing one's writes are undone."""
    if not whole:
        db.execute(f"SAVEPOINT {GROUP_SAVEPOINT}")
    try:
        values = fn.many(db, [args[0] for args in calls])
        if len(values) != len(calls):
            raise RuntimeError(f"a batch of {len(calls)} gave {len(values)} results")
    except Exception as exc:
        if not db.conn.in_transaction:
            raise
        if whole:
            db.conn.rollback()
            db.execute("BEGIN IMMEDIATE")
        else:
            db.execute(f"ROLLBACK TO {GROUP_SAVEPOINT}")
            db.execute(f"RELEASE {GROUP_SAVEPOINT}")
        log.info("a batch of %d failed (%s); running each alone", len(calls), exc)
        return [_in_group(db, fn, args) for args in calls]
    if not whole:
        db.execute(f"RELEASE {GROUP_SAVEPOINT}")
    return [(True, value) for value in values]


def _alone(db: Database, fn: Callable[..., Any], args: tuple[Any, ...]) -> Outcome:
    try:
        return True, fn(db, *args)
    except Exception as exc:
        if db.conn.in_transaction:
            db.conn.rollback()
        return False, exc
