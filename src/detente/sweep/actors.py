"""Chunks sent straight to one actor per Dask worker, the results straight back.

A Dask task goes from the client to the scheduler, to a worker, back to the scheduler and to
the client, which then fetches its result from the worker: 11 to 14 ms for two tasks that do
nothing, on two idle workers of the project's machine. A call of an actor's method goes from
the client to the actor's worker and back: 3 ms. On a small sweep that difference is the
whole gain of a second worker (docs/sweeps.md, "Dask: what makes it pay").

* :class:`ChunkEvaluator` lives on one worker (a Dask actor) and holds what every chunk of a
  sweep shares: the model, the base case, the outputs and the kernel.
* :func:`start` puts one on each worker (workers of one thread each: a worker runs its
  actors' calls on one thread) and has each evaluate the one-point probe.
* :func:`imap` keeps ``per_actor`` chunks in flight on each actor and hands the next chunk to
  whichever returns first. A worker lost mid-sweep fails its calls with an ``OSError``
  (checked every :data:`LOSS_CHECK_S` seconds while a call is in flight): its chunks go to
  the other actors, and when none is left the rest go to ``fallback`` (ordinary
  tasks, which the scheduler reruns wherever a worker dies). An error of the model itself is
  raised, as a task's is.
"""

from __future__ import annotations

import contextlib
import queue
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import numpy as np

from detente.sweep.evaluators import Chunk, concat_results, evaluate_chunk

Results = dict[str, np.ndarray]


class ChunkEvaluator:
    """A sweep's evaluator on one Dask worker (an actor): :func:`evaluate_chunk` of each chunk
    with the sweep's model, base case, outputs and kernel, given once."""

    def __init__(self, model: str, base: dict[str, Any], outputs, kernel: str) -> None:
        self.model, self.base, self.outputs, self.kernel = model, base, outputs, kernel

    def evaluate(self, chunk: Chunk) -> Results:
        """The chunk's point ids, inputs and outputs."""
        return evaluate_chunk(self.model, self.base, self.outputs, chunk, self.kernel)


def start(client, nthreads, shared, model: str, outputs, kernel: str, probe: Chunk):
    """One :class:`ChunkEvaluator` on each worker of ``nthreads`` (address -> threads, as
    ``client.nthreads()`` gives it; ``shared``: the future of the base case there), each
    readied by evaluating ``probe``; none where a worker has more than one thread (its
    actors' calls would share one). Returns the actors' futures (releasing them ends the
    actors) and the actors."""
    if not nthreads or any(n != 1 for n in nthreads.values()):
        return [], []
    futures = [
        client.submit(
            ChunkEvaluator, model, shared, outputs, kernel,
            workers=[address], allow_other_workers=False, actor=True, pure=False,
        )
        for address in nthreads
    ]  # fmt: skip
    evaluators = [future.result() for future in futures]
    for actor in evaluators:
        actor.evaluate(probe).result()
    return futures, evaluators


def imap(
    client,
    evaluators: list,
    chunks: Iterable[Chunk],
    per_actor: int,
    fallback: Callable[[Iterator[Chunk]], Iterator[Results]],
) -> Iterator[Results]:
    """Yield, as one, the results of the chunks that have returned since the last yield (in
    any order), with ``per_actor`` chunks in flight on each actor of ``evaluators``.

    Raises
    ------
    Exception
        The first error a chunk raised in the model (not a lost worker).
    """
    arrived: queue.SimpleQueue = queue.SimpleQueue()
    pending = iter(chunks)
    again: deque[Chunk] = deque()  # chunks of a lost worker, sent first
    in_flight = dict.fromkeys(evaluators, 0)
    outstanding = 0

    def send(actor) -> bool:
        nonlocal outstanding
        chunk = again.popleft() if again else next(pending, None)
        if chunk is None:
            return False
        call = actor.evaluate(chunk)

        async def relay() -> None:  # on the client's loop, to this thread's queue
            try:
                arrived.put((actor, chunk, await _unless_lost(client, actor, call), None))
            except Exception as exc:  # sorted out by the receiving thread
                arrived.put((actor, chunk, None, exc))

        client.loop.add_callback(relay)
        in_flight[actor] += 1
        outstanding += 1
        return True

    def fill() -> None:  # round by round, so that every actor gets a chunk before a second
        for _ in range(per_actor):
            for actor in list(in_flight):
                if in_flight[actor] < per_actor and not send(actor):
                    return

    fill()
    while outstanding:
        batch = [_next(arrived)]
        with contextlib.suppress(queue.Empty):
            while True:
                batch.append(arrived.get_nowait())
        results = []
        for actor, chunk, result, error in batch:
            outstanding -= 1
            if error is None:
                if actor in in_flight:
                    in_flight[actor] -= 1
                results.append(result)
            elif isinstance(error, OSError):  # its worker is gone: the chunk goes elsewhere
                in_flight.pop(actor, None)
                again.append(chunk)
            else:
                raise error
        fill()  # the workers go on while this batch is written
        if results:
            yield concat_results(results)
        if not in_flight and outstanding == 0:  # every actor lost: the rest as tasks
            rest = [*again, *pending]
            if rest:
                yield from fallback(iter(rest))
            return


#: [s] how often a call in flight checks that its actor's worker is still in the cluster
LOSS_CHECK_S = 0.5


async def _unless_lost(client, actor, call):
    """The result of the actor call ``call``, or an ``OSError`` once the actor's worker has
    left the cluster: distributed's actor proxy would wait for ever for the lost actor to come
    back (it was placed on that worker alone)."""
    import asyncio

    waiting = asyncio.ensure_future(call)
    while True:
        done, _ = await asyncio.wait({waiting}, timeout=LOSS_CHECK_S)
        if done:
            return waiting.result()
        if actor._address not in await client.scheduler.ncores():  # no public attribute
            waiting.cancel()
            raise OSError(f"the Dask worker {actor._address} left the cluster")


def _next(arrived: queue.SimpleQueue):
    """The next returned call, waiting in short steps (so that Ctrl-C gets through)."""
    while True:
        with contextlib.suppress(queue.Empty):
            return arrived.get(timeout=0.1)
