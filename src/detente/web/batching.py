"""Concurrent stability requests evaluated together through the kernel's batch axis.

One call of :func:`detente.kernels.stability.stability_index` costs about the same for one
scenario as for a few hundred, so under load the web app does not evaluate requests one by
one: :class:`StabilityBatcher` queues them and, while one batch is evaluated in a worker
thread, gathers the next. :func:`evaluate_batch` pads the element axis with empty (n = 0)
elements and calls the kernel once per group of shared constants. Each request keeps
its own inputs and gets its own answer (or its own error); nothing one request sends can
change another's result.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from detente.analysis.stability import (
    Side,
    StabilityParams,
    evaluate,
    result_at,
    row_values,
)
from detente.errors import InputError
from detente.web.compute import stability_params, stability_sides
from detente.web.schemas import StabilityRequest
from detente.web.security import TimeBudgetError, Workers

#: Most requests evaluated in one kernel call.
MAX_BATCH = 256


def _group_key(params: StabilityParams) -> tuple:
    """Constants the kernel takes as scalars: requests sharing them share one call."""
    kw = params.kernel_kwargs()
    return tuple(sorted(kw.items()))


def _results(
    jobs: Sequence[tuple[list[Side], StabilityParams]],
) -> list[dict[str, Any]]:
    """``evaluate(sides, params).to_dict()`` for jobs that share their scalar constants."""
    values = row_values([s for s, _ in jobs], [p for _, p in jobs])
    return [result_at(values, i, sides, params).to_dict() for i, (sides, params) in enumerate(jobs)]


def evaluate_batch(requests: Sequence[StabilityRequest]) -> list[dict[str, Any] | Exception]:
    """The stability JSON of each request, or the :class:`InputError` it raised.

    Equal, request by request, to :func:`detente.web.compute.stability`. Requests with one
    DE for every warhead and no missile defence share kernel calls; the others (DE by weapon
    type, defences) are evaluated one by one.
    """
    answers: list[dict[str, Any] | Exception | None] = [None] * len(requests)
    groups: dict[tuple, list[tuple[int, list[Side], StabilityParams]]] = {}
    for i, req in enumerate(requests):
        try:
            sides, params = stability_sides(req), stability_params(req.params)
        except (InputError, ValueError) as exc:
            answers[i] = exc
            continue
        if params.weapons != "uniform" or any(s.defense is not None for s in sides):
            try:  # the extensions go through the analysis layer one by one
                answers[i] = evaluate(sides, params).to_dict()
            except (InputError, ValueError) as exc:
                answers[i] = exc
            continue
        groups.setdefault(_group_key(params), []).append((i, sides, params))
    for members in groups.values():
        try:
            results: list[Any] = _results([(s, p) for _, s, p in members])
        except (InputError, ValueError):
            results = []  # one bad member: evaluate each alone to blame the right request
            for _, sides, params in members:
                try:
                    results.append(evaluate(sides, params).to_dict())
                except (InputError, ValueError) as exc:
                    results.append(exc)
        for (i, _, _), result in zip(members, results, strict=True):
            answers[i] = result
    return answers  # type: ignore[return-value]


def _retrieve(future: asyncio.Future) -> None:
    if not future.cancelled():
        future.exception()


@dataclass
class _Queue:
    """Requests waiting on one event loop, and the batch being evaluated (if any)."""

    waiting: list[tuple[StabilityRequest, asyncio.Future]] = field(default_factory=list)
    running: object | None = None


class StabilityBatcher:
    """Stability requests gathered into batched kernel calls.

    A request joins the queue of its event loop; when no batch is running, the queue so far
    becomes one (at most ``max_batch`` requests) and goes to a worker thread. When it is done
    its answers are handed out and whatever queued meanwhile becomes the next batch. A batch
    that runs past ``budget_s`` stops holding up the queue (its requests get 503 from their
    own time budget). No task outlives the requests, so the batcher works under any event
    loop (servers, test clients).

    Parameters
    ----------
    workers : detente.web.security.Workers
        Threads that run :func:`evaluate_batch` off the event loop.
    budget_s : float
        Time budget of one request [s].
    max_batch : int
        Most requests per kernel call.
    """

    def __init__(self, workers: Workers, *, budget_s: float, max_batch: int = MAX_BATCH) -> None:
        self.workers = workers
        self.budget_s = budget_s
        self.max_batch = max_batch
        self._queues: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _Queue] = (
            weakref.WeakKeyDictionary()
        )

    async def submit(self, request: StabilityRequest) -> dict[str, Any]:
        """The stability JSON of ``request``; :class:`TimeBudgetError` after the budget."""
        loop = asyncio.get_running_loop()
        queue = self._queues.setdefault(loop, _Queue())
        future: asyncio.Future = loop.create_future()
        queue.waiting.append((request, future))
        if queue.running is None:
            self._launch(loop, queue)
        try:
            return await asyncio.wait_for(asyncio.shield(future), timeout=self.budget_s)
        except TimeoutError:
            future.add_done_callback(_retrieve)  # the answer comes too late: drop it quietly
            raise TimeBudgetError(self.budget_s) from None

    def _launch(self, loop: asyncio.AbstractEventLoop, queue: _Queue) -> None:
        batch = queue.waiting[: self.max_batch]
        del queue.waiting[: self.max_batch]
        try:
            work = loop.run_in_executor(
                self.workers.executor, evaluate_batch, [req for req, _ in batch]
            )
        except RuntimeError as exc:  # the pool is shutting down: fail this batch, stay usable
            for _, future in batch:
                if not future.done():
                    future.set_exception(exc)
            return
        token = object()
        queue.running = token

        def release() -> None:
            """This batch no longer holds up the queue: start the next one."""
            if queue.running is token:
                queue.running = None
                if queue.waiting:
                    self._launch(loop, queue)

        def done(work: asyncio.Future) -> None:
            watchdog.cancel()
            if work.cancelled():
                answers: list[Any] = [TimeBudgetError(self.budget_s)] * len(batch)
            elif work.exception() is not None:  # unexpected: fail this batch, not the server
                answers = [work.exception()] * len(batch)
            else:
                answers = work.result()
            for (_, future), answer in zip(batch, answers, strict=True):
                if future.done():
                    continue
                if isinstance(answer, BaseException):
                    future.set_exception(answer)
                else:
                    future.set_result(answer)
            release()

        watchdog = loop.call_later(self.budget_s, release)
        work.add_done_callback(done)
