"""Calculations in worker processes that a time budget really stops.

A thread cannot be stopped from outside, so a calculation that ran past its budget used to go
on computing (and holding memory) after its request had been answered. :class:`ProcessWorkers`
keeps a fixed number of worker processes, each running one calculation at a time:

* a request waits for a free worker only while fewer than ``max_waiting`` others wait and for
  at most ``max_wait_s``; otherwise it is answered at once with :class:`BusyError` (503);
* the time budget starts when a worker takes the calculation, not while it queues;
* past the budget the worker process is killed (the work really stops, its memory is freed)
  and a fresh one takes its place;
* each worker's address space is capped (``memory_bytes``), so a calculation that would
  exhaust the machine fails alone, and its CPU priority is lower than the server's, so cheap
  endpoints stay fast while every worker is busy.

Workers come from a ``forkserver`` that has imported the calculators once, so a replacement
starts in a fraction of a second without inheriting the server's threads.
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import os
import resource
import traceback
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any

from pydantic import ValidationError

from detente.errors import InputError

#: How much lower the workers' CPU priority is than the server's (``nice``): on a small
#: machine the event loop, and with it every cheap endpoint, keeps answering under load.
WORKER_NICENESS = 10
#: Longest wait for a worker that is still starting [s] (the forkserver's first imports).
STARTUP_WAIT_S = 120.0
#: Modules the forkserver imports once, so that every worker starts with them loaded.
PRELOAD = [
    "detente.web.api",
    "detente.analysis.assess",
    "detente.analysis.risk",
    "detente.analysis.upload",
    "detente.analysis.verification",
    "detente.web.chart_warmup",
]


class BusyError(Exception):
    """Every worker is busy and the queue is full (or the wait ran out): answer 503 at once."""

    def __init__(self, running: int, waiting: int) -> None:
        self.running, self.waiting = running, waiting
        super().__init__(
            f"the server is busy ({running} calculations running, {waiting} waiting); "
            "try again in a few seconds"
        )


class WorkerError(Exception):
    """A calculation failed in its worker with an unexpected error (a bug): answer 500."""


class OutOfMemoryError(Exception):
    """A calculation passed its worker's memory cap."""


def _one_line_validation(exc: ValidationError) -> InputError:
    err = exc.errors(include_url=False)[0]
    field = ".".join(str(p) for p in err["loc"]) or None
    return InputError(err["msg"].removeprefix("Value error, "), field=field)


def _serve(conn: Connection, memory_bytes: int | None) -> None:
    """A worker's loop: receive ``(func, args)``, send back ``(kind, payload)``."""
    if memory_bytes:
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    with contextlib.suppress(OSError):
        os.nice(WORKER_NICENESS)  # the server's own process (cheap answers) comes first
    while True:
        try:
            func, args = conn.recv()
        except (EOFError, OSError):
            return
        try:
            reply = ("ok", func(*args))
        except ValidationError as exc:  # a model refusing data it built: a located 422
            e = _one_line_validation(exc)
            reply = ("input", (e.message, e.file, e.line, e.field))
        except InputError as exc:
            reply = ("input", (exc.message, exc.file, exc.line, exc.field))
        except MemoryError:
            reply = ("memory", "")
        except ValueError as exc:  # a kernel refusing its input (a documented ValueError)
            reply = ("value", str(exc).splitlines()[0] if str(exc) else "invalid input")
        except Exception as exc:
            reply = ("bug", f"{type(exc).__name__}: {exc}\n{traceback.format_exc()}")
        try:
            conn.send(reply)
        except Exception as exc:  # a result that cannot be sent back
            conn.send(("bug", f"{type(exc).__name__}: {exc}"))


class _Worker:
    def __init__(self, ctx: Any, memory_bytes: int | None) -> None:
        self.conn, child = ctx.Pipe()
        self.process = ctx.Process(target=_serve, args=(child, memory_bytes), daemon=True)
        self.process.start()
        child.close()

    def kill(self) -> None:
        with contextlib.suppress(Exception):
            self.process.kill()
            self.process.join(timeout=5)
        with contextlib.suppress(Exception):
            self.conn.close()


class ProcessWorkers:
    """A fixed set of worker processes with a bounded queue (see the module docstring).

    Parameters
    ----------
    size : int
        Worker processes.
    max_waiting : int
        Requests that may wait for a worker; one more is answered with :class:`BusyError`.
    max_wait_s : float
        Longest wait for a worker [s]; then :class:`BusyError`.
    memory_bytes : int or None
        Address-space cap of each worker [bytes] (None: none).
    """

    def __init__(
        self,
        size: int,
        *,
        max_waiting: int,
        max_wait_s: float,
        memory_bytes: int | None = None,
    ) -> None:
        self.size = size
        self.max_waiting = max_waiting
        self.max_wait_s = max_wait_s
        self.memory_bytes = memory_bytes
        self._ctx: Any = None
        self._idle: list[_Worker] = []
        self._started = 0
        self._running = 0
        self._waiters: list[asyncio.Future] = []

    def _context(self) -> Any:
        if self._ctx is None:
            self._ctx = multiprocessing.get_context("forkserver")
            self._ctx.set_forkserver_preload(PRELOAD)
        return self._ctx

    @property
    def running(self) -> int:
        """Calculations running now."""
        return self._running

    @property
    def waiting(self) -> int:
        """Requests waiting for a worker now."""
        return len(self._waiters)

    async def _acquire(self) -> _Worker:
        while True:
            if self._idle:
                return self._idle.pop()
            if self._started < self.size:
                self._started += 1
                try:
                    return await asyncio.to_thread(_Worker, self._context(), self.memory_bytes)
                except BaseException:
                    self._started -= 1
                    raise
            if len(self._waiters) >= self.max_waiting:
                raise BusyError(self._running, len(self._waiters))
            future: asyncio.Future = asyncio.get_running_loop().create_future()
            self._waiters.append(future)
            # While a worker is still starting, the wait is for it, not for others' work.
            starting = self._running < self._started
            try:
                worker = await asyncio.wait_for(
                    future, timeout=STARTUP_WAIT_S if starting else self.max_wait_s
                )
            except TimeoutError:
                raise BusyError(self._running, len(self._waiters)) from None
            finally:
                if future in self._waiters:
                    self._waiters.remove(future)
            if worker is not None:
                return worker
            # None: a killed worker's slot is free; start a worker for this request

    def _release(self, worker: _Worker | None) -> None:
        """Hand ``worker`` (None: a killed worker's free slot) to the first waiter, or keep
        it idle. Each request starts and waits for its own workers: no task outlives it."""
        if worker is None:
            self._started -= 1
        while self._waiters:
            future = self._waiters.pop(0)
            if future.done():
                continue
            try:
                future.get_loop().call_soon_threadsafe(self._hand, future, worker)
            except RuntimeError:  # that request's event loop is gone
                continue
            return
        if worker is not None:
            self._idle.append(worker)

    def _hand(self, future: asyncio.Future, worker: _Worker | None) -> None:
        if future.done():  # the waiter gave up meanwhile: pass it on
            if worker is None:
                self._started += 1  # undo: _release counts the slot free again
            self._release(worker)
        else:
            future.set_result(worker)

    async def run(self, func: Callable[..., Any], *args: Any, budget_s: float) -> Any:
        """``func(*args)`` in a worker; :class:`TimeoutError` after ``budget_s`` of its work.

        Raises
        ------
        BusyError
            No worker within the queue limits.
        TimeoutError
            The calculation ran past ``budget_s``; its worker was killed.
        InputError, ValueError, OutOfMemoryError, WorkerError
            What the calculation raised (an unexpected exception becomes WorkerError).
        """
        worker = await self._acquire()
        self._running += 1
        loop = asyncio.get_running_loop()
        reply: asyncio.Future = loop.create_future()

        def readable() -> None:
            if reply.done():
                return
            try:
                reply.set_result(worker.conn.recv())
            except Exception as exc:  # the worker died (killed by the OS, crashed)
                reply.set_exception(WorkerError(f"the worker process ended: {exc!r}"))

        keep: _Worker | None = None
        try:
            worker.conn.send((func, args))
            loop.add_reader(worker.conn.fileno(), readable)
            try:
                kind, payload = await asyncio.wait_for(reply, timeout=budget_s)
            finally:
                loop.remove_reader(worker.conn.fileno())
            keep = worker
        finally:
            self._running -= 1
            if keep is None:
                worker.kill()
            self._release(keep)
        return _outcome(kind, payload)

    async def warm(self) -> None:
        """Start every worker now (the forkserver's imports take seconds on a small machine),
        so that the first requests do not wait for them."""
        while self._started < self.size:
            self._started += 1
            try:
                worker = await asyncio.to_thread(_Worker, self._context(), self.memory_bytes)
            except BaseException:
                self._started -= 1
                raise
            self._release(worker)

    def close(self) -> None:
        """Stop the idle workers (the app's shutdown); the pool starts new ones if used again,
        and a worker still computing ends with the server's process."""
        for worker in self._idle:
            worker.kill()
        self._started -= len(self._idle)
        self._idle.clear()


def _outcome(kind: str, payload: Any) -> Any:
    if kind == "ok":
        return payload
    if kind == "input":
        message, file, line, field = payload
        raise InputError(message, file=file, line=line, field=field)
    if kind == "value":
        raise ValueError(payload)
    if kind == "memory":
        raise OutOfMemoryError("the calculation needed more memory than a request may use")
    raise WorkerError(payload)


def default_size() -> int:
    """Worker processes by default: the CPUs, at most 4."""
    return max(1, min(4, os.cpu_count() or 1))
