"""Backends: where chunks are evaluated. Every backend runs the same task,
:func:`detente.sweep.evaluators.evaluate_chunk`, so results are identical on all of them.

* :class:`InProcess` evaluates chunks one after another in this process.
* :class:`DaskBackend` evaluates them on a Dask distributed cluster: a ``LocalCluster`` of
  ``workers`` processes it starts, or an existing cluster at ``scheduler``. Each task carries
  its chunk's inputs, so when a worker dies the scheduler reruns its tasks elsewhere.

Both are context managers whose :meth:`imap` yields each chunk's result as it completes.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterable, Iterator
from typing import Any, Protocol

import numpy as np

from detente.sweep.evaluators import Chunk, evaluate_chunk


class Backend(Protocol):
    """Evaluates chunks; see :class:`InProcess` and :class:`DaskBackend`."""

    name: str

    def __enter__(self) -> Backend: ...

    def __exit__(self, *exc: object) -> None: ...

    def imap(
        self,
        model: str,
        base: dict[str, Any],
        outputs: tuple[str, ...] | None,
        chunks: Iterable[Chunk],
    ) -> Iterator[dict[str, np.ndarray]]: ...


class InProcess:
    """Evaluate chunks in this process, in order.

    Examples
    --------
    >>> from detente.sweep.evaluators import Chunk, Ishigami
    >>> chunks = [Chunk(np.array([0]), {"x1": np.array([0.0])})]
    >>> base = Ishigami().resolve({})
    >>> with InProcess() as backend:
    ...     [r["y"].tolist() for r in backend.imap("ishigami", base, None, chunks)]
    [[0.0]]
    """

    name = "in-process"

    def __enter__(self) -> InProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def imap(self, model, base, outputs, chunks):
        """Yield the result of each chunk."""
        for chunk in chunks:
            yield evaluate_chunk(model, base, outputs, chunk)


class DaskBackend:
    """Evaluate chunks on a Dask distributed cluster.

    Parameters
    ----------
    workers : int, optional
        Start a ``LocalCluster(n_workers=workers, processes=True, threads_per_worker=1)``.
    scheduler : str, optional
        Join the cluster whose scheduler is at this address (``tcp://HOST:PORT``).
    in_flight : int, optional
        Most chunks submitted and not yet collected; bounds memory on the scheduler.
        Default: twice the cluster's threads.
    """

    def __init__(
        self,
        *,
        workers: int | None = None,
        scheduler: str | None = None,
        in_flight: int | None = None,
    ) -> None:
        if (workers is None) == (scheduler is None):
            raise ValueError("give either workers (start a local cluster) or scheduler (join one)")
        if workers is not None and workers < 1:
            raise ValueError(f"workers must be >= 1, got {workers}")
        if in_flight is not None and in_flight < 1:
            raise ValueError(f"in_flight must be >= 1, got {in_flight}")
        self.workers, self.scheduler, self.in_flight = workers, scheduler, in_flight
        self.name = f"dask-local-{workers}" if workers else f"dask {scheduler}"
        self._cluster = self._client = None

    def __enter__(self) -> DaskBackend:
        from distributed import Client, LocalCluster

        try:
            if self.workers is not None:
                self._cluster = LocalCluster(
                    n_workers=self.workers,
                    processes=True,
                    threads_per_worker=1,
                    dashboard_address=":0",  # a free port; the default 8787 may be taken
                    silence_logs=logging.ERROR,  # workers' warnings (a cancelled task) are noise
                )
                self._client = Client(self._cluster)
            else:
                self._client = Client(self.scheduler)  # timeout: distributed.comm.timeouts.connect
        except OSError as exc:
            self.__exit__()
            raise ValueError(f"cannot reach the Dask scheduler {self.scheduler}: {exc}") from None
        return self

    def __exit__(self, *exc: object) -> None:
        # Leaving on an interrupt or error: in-flight messages of the closing cluster are
        # expected to fail, so their log lines would only bury the one line that matters.
        quiet = exc and exc[0] is not None
        with _silenced("distributed", "tornado") if quiet else contextlib.nullcontext():
            if self._client is not None:
                self._client.close()
            if self._cluster is not None:
                self._cluster.close()
        self._client = self._cluster = None

    def imap(self, model, base, outputs, chunks):
        """Yield each chunk's result as it completes (in any order)."""
        from distributed import as_completed

        client = self._client
        if client is None:
            raise RuntimeError("use DaskBackend as a context manager")
        limit = self.in_flight or max(2, 2 * sum(client.nthreads().values()))
        pending = iter(chunks)
        # Our client's loop (the default would be the process's default client, wrong when a
        # process holds several clients); with_results gathers there, retrying lost results.
        done = as_completed(loop=client.loop, with_results=True)
        live = set()

        def submit_next() -> bool:
            chunk = next(pending, None)
            if chunk is None:
                return False
            future = client.submit(evaluate_chunk, model, base, outputs, chunk, pure=False)
            live.add(future)
            done.add(future)
            return True

        try:
            while len(live) < limit and submit_next():
                pass
            for future, result in done:
                live.discard(future)
                future.release()
                submit_next()
                yield result
        finally:
            if live:
                client.cancel(list(live))


@contextlib.contextmanager
def _silenced(*names: str) -> Iterator[None]:
    """Log nothing below CRITICAL from the loggers ``names`` inside the block."""
    loggers = [logging.getLogger(name) for name in names]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)
