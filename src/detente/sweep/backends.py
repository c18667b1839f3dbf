"""Backends: where chunks are evaluated. Every backend runs the same task,
:func:`detente.sweep.evaluators.evaluate_chunk`, on the kernel the sweep chose once
(:func:`detente.sweep.registry.sweep_kernel`), so results are identical on all of them,
bit for bit, however the points are split into chunks.

* :class:`InProcess` evaluates chunks one after another in this process.
* :class:`DaskBackend` evaluates them on a Dask distributed cluster: a ``LocalCluster`` of
  ``workers`` processes it starts, or an existing cluster at ``scheduler``. Each task carries
  its chunk's inputs, so when a worker dies the scheduler reruns its tasks elsewhere.

What makes the cluster pay (docs/sweeps.md, "Dask"): a local cluster's workers are forked
from a server process that has imported the model once (:func:`start_forkserver`,
:mod:`detente.sweep.worker`), and they start in the background while the runner samples and
stores the points. Before the evaluation is timed, :meth:`DaskBackend.prepare` waits for them,
has each load the sweep's kernel (:func:`detente.sweep.registry.sweep_kernel`) and evaluate
one point of the sweep (the base's scenario resolved once per process), and sends the resolved
base case, the same for every chunk, to each worker once (``scatter``): tasks refer to it.
The runner sizes chunks from the backend's ``threads`` and writes the results in batches
(:attr:`DaskBackend.flush_s`), while the workers go on. A local cluster's workers are
separate processes of one thread each, with every thread pool pinned to one thread and Dask's
log on critical messages only (:data:`WORKER_ENV`); the cluster is closed from the client
(workers retired before the sockets close), so a successful run ends without the workers'
heartbeat errors or connection notes.

Both are context managers whose :meth:`imap` yields results as chunks complete: each
chunk's in-process, on Dask those that completed together, as one.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
from collections.abc import Iterable, Iterator
from typing import Any, Protocol

import numpy as np

from detente.sweep import actors
from detente.sweep.evaluators import Chunk, concat_results, evaluate_chunk
from detente.sweep.registry import evaluator


class Backend(Protocol):
    """Evaluates chunks; see :class:`InProcess` and :class:`DaskBackend`."""

    name: str
    threads: int  # worker threads that evaluate chunks at once (sizes the chunks)
    flush_s: float  # [s] longest wait before received results are written

    def __enter__(self) -> Backend: ...

    def __exit__(self, *exc: object) -> None: ...

    def prepare(
        self,
        model: str,
        base: dict[str, Any],
        outputs: tuple[str, ...] | None,
        probe: Chunk,
        kernel: str = "numpy",
    ) -> None: ...

    def imap(
        self,
        model: str,
        base: dict[str, Any],
        outputs: tuple[str, ...] | None,
        chunks: Iterable[Chunk],
        kernel: str = "numpy",
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
    threads = 1  # chunks one after another (a kernel may use threads within one)
    flush_s = 0.0  # each chunk written as it is evaluated

    def __enter__(self) -> InProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def prepare(self, model, base, outputs, probe, kernel="numpy"):
        """Ready this process as a Dask worker is readied (:func:`ready_worker`: imports, the
        base resolved, the sweep's ``kernel`` loaded), so that the clock of
        :func:`detente.sweep.runner.run_sweep` times the evaluation alone on every backend."""
        ready_worker(model, base, outputs, probe, kernel)

    def imap(self, model, base, outputs, chunks, kernel="numpy"):
        """Yield the result of each chunk, evaluated on ``kernel``."""
        for chunk in chunks:
            yield evaluate_chunk(model, base, outputs, chunk, kernel)


class DaskBackend:
    """Evaluate chunks on a Dask distributed cluster.

    Parameters
    ----------
    workers : int, optional
        Start a ``LocalCluster`` of this many worker processes of one thread each
        (:data:`WORKER_ENV`), forked from a server process that has imported the model
        (:func:`start_forkserver`). Entering the backend starts them and returns at once:
        they start while the caller samples and stores the points, and :meth:`prepare` waits
        for them.
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
        self._cluster = self._client = self._config = None
        self._shared = None  # (base, its future on every worker)
        self._limit = 0  # most chunks in flight, from the workers readied (prepare)
        self._actors = None  # ((model, base, outputs, kernel), the actors' futures, the actors)
        self.threads = workers or 1

    #: [s] results are written in batches, at most this long after the last write (and at
    #: the end): each write costs the client a transaction (a few milliseconds) besides its
    #: rows, and the workers go on meanwhile (:meth:`imap` yields together the chunks that
    #: arrived since it last yielded)
    flush_s = 0.5

    def __enter__(self) -> DaskBackend:
        import dask
        from distributed import Client, LocalCluster

        try:
            if self.workers is not None:
                # Kept while the cluster runs: a nanny reads them when it starts (or
                # restarts) its worker process, which may be after this call returns.
                self._config = dask.config.set(_local_config(forked=start_forkserver()))
                self._cluster = LocalCluster(
                    n_workers=0,
                    processes=True,
                    threads_per_worker=1,
                    dashboard_address=":0",  # a free port; the default 8787 may be taken
                    silence_logs=logging.ERROR,
                    preload=[PRELOAD[-1]],  # already imported where forked; else on start
                )
                self._cluster.scale(self.workers)  # started in the background
                self._client = Client(self._cluster, direct_to_workers=True)
            else:
                self._client = Client(self.scheduler)  # timeout: distributed.comm.timeouts.connect
                try:  # chunks are sized from the threads of the workers there now
                    self._client.wait_for_workers(1, timeout=WORKER_START_S)
                except TimeoutError:
                    raise ValueError(
                        f"no worker joined the Dask scheduler {self.scheduler} within "
                        f"{WORKER_START_S:.0f} s"
                    ) from None
                self.threads = max(1, sum(self._client.nthreads().values()))
        except OSError as exc:
            self.__exit__()
            raise ValueError(f"cannot reach the Dask scheduler {self.scheduler}: {exc}") from None
        except BaseException:  # including no worker joining in time
            self.__exit__()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        client, cluster, config = self._client, self._cluster, self._config
        self._release_actors()
        self._client = self._cluster = self._config = self._shared = None
        self._limit = 0
        try:
            if cluster is not None:
                # Stop the workers, then the scheduler, while the client still listens:
                # closing the sockets first left workers' heartbeats failing (a traceback on
                # success); the calls of a worker lost mid-sweep, abandoned, fail as it closes.
                with _quiet("distributed", "tornado", "asyncio"):
                    if client is not None:
                        with contextlib.suppress(Exception):
                            client.retire_workers(close_workers=True)
                        client.close()
                    cluster.close()
            elif client is not None:
                with _quiet("distributed", "tornado", "asyncio"):  # a lost worker's calls
                    client.close()
        finally:
            if config is not None:
                config.__exit__(None, None, None)
            if cluster is not None:
                stop_forkserver()  # no process left behind, and the server free for others

    @property
    def client(self):
        """The ``distributed.Client`` of the entered backend (None outside the ``with``)."""
        return self._client

    def prepare(self, model, base, outputs, probe, kernel="numpy"):
        """Ready every worker for this sweep: wait for a local cluster's workers, send each
        the base case once, then run on each, as a task (the path its chunks take: the task
        thread, the shared base), :func:`ready_worker`: the sweep's ``kernel`` loaded (the
        compiled one compiled first where a machine has not) and the one-point chunk
        ``probe`` evaluated (imports not preloaded, the base's scenario resolved once per
        process). A worker's first task costs about 20 ms more than later ones: paid here,
        not by the first chunk."""
        client = self._client
        if client is None:
            raise RuntimeError("use DaskBackend as a context manager")
        if self.workers is not None:
            try:
                client.wait_for_workers(self.workers, timeout=WORKER_START_S)
            except TimeoutError:
                raise RuntimeError(
                    f"the local Dask cluster's {self.workers} workers did not start within "
                    f"{WORKER_START_S:.0f} s"
                ) from None
        shared = self._share(base)
        nthreads = client.nthreads()
        readied = [
            client.submit(
                ready_worker, model, shared, outputs, probe, kernel,
                workers=[address], allow_other_workers=False, pure=False,
            )
            for address in nthreads
        ]  # fmt: skip
        client.gather(readied)
        for future in readied:
            future.release()
        self._limit = self.in_flight or max(2, 2 * sum(nthreads.values()))
        self._release_actors()
        if self.workers is not None:  # a local cluster: its workers are reachable directly
            started = actors.start(client, nthreads, shared, model, outputs, kernel, probe)
            self._actors = ((model, base, outputs, kernel), *started)

    def _release_actors(self) -> None:
        """End this backend's actors (before its cluster closes, or for another sweep)."""
        if self._actors is not None:
            for future in self._actors[1]:
                future.release()
            self._actors = None

    def _share(self, base):
        """The future of ``base`` on every worker (scattered once per base)."""
        if self._shared is None or self._shared[0] is not base:
            if self._shared is not None:
                self._shared[1].release()
            (future,) = self._client.scatter([base], broadcast=True, hash=False)  # one future
            self._shared = (base, future)
        return self._shared[1]

    def imap(self, model, base, outputs, chunks, kernel="numpy"):
        """Yield the results of the chunks that have completed since the last yield, as one
        (the chunks in any order, each evaluated on ``kernel``): results in bulk, written
        while the workers go on. On a local cluster, chunks go straight to the actors
        :meth:`prepare` started on its workers for this sweep (:mod:`detente.sweep.actors`);
        on an existing cluster (``scheduler``), as tasks through its scheduler."""
        client = self._client
        if client is None:
            raise RuntimeError("use DaskBackend as a context manager")
        prepared, _, evaluators = self._actors or (None, [], [])
        if not evaluators or any(
            x is not y for x, y in zip(prepared, (model, base, outputs, kernel), strict=True)
        ):  # no actors, or actors of another sweep
            yield from self._tasks(model, base, outputs, chunks, kernel)
            return
        per_actor = max(1, self._limit // len(evaluators))
        yield from actors.imap(
            client, evaluators, chunks, per_actor,
            fallback=lambda rest: self._tasks(model, base, outputs, rest, kernel),
        )  # fmt: skip

    def _tasks(self, model, base, outputs, chunks, kernel):
        """:meth:`imap` by tasks through the scheduler (rerun wherever a worker dies)."""
        from distributed import as_completed

        client = self._client
        limit = self._limit or self.in_flight or max(2, 2 * sum(client.nthreads().values()))
        pending = iter(chunks)
        shared = self._share(base)  # tasks refer to it: no copy of the base per task
        # Our client's loop (the default would be the process's default client, wrong when a
        # process holds several clients); with_results gathers there, retrying lost results.
        done = as_completed(loop=client.loop, with_results=True)
        live = set()

        def submit_next() -> bool:
            chunk = next(pending, None)
            if chunk is None:
                return False
            future = client.submit(
                evaluate_chunk, model, shared, outputs, chunk, kernel, pure=False
            )
            live.add(future)
            done.add(future)
            return True

        try:
            while len(live) < limit and submit_next():
                pass
            for batch in done.batches():  # every result that has arrived, in one go
                results = []
                for future, result in batch:
                    live.discard(future)
                    future.release()
                    submit_next()  # the workers go on while this batch is written
                    results.append(result)
                yield concat_results(results)
        finally:
            if live:
                client.cancel(list(live))


#: The environment of a local cluster's workers: one process per core, so no thread pools
#: inside one (the stability kernel's, numba's, OpenMP's and BLAS's), which would compete
#: for the same cores; and Dask's own log on critical messages only: a worker's connection
#: notes and status races at shutdown are not news (a task's error is raised in the client,
#: a lost worker reported by its nanny there).
#: Dask's periodic bookkeeping, made rarer in a sweep's cluster: the workers' statistical
#: profiler (which samples the computing thread's stack every 10 ms), the event loops' health
#: ticks (every 20 ms), the system monitor and the memory checks. At their defaults they
#: cost an idle two-worker cluster about 0.065 s of CPU a second (0.014 s with these), the
#: same seconds that a loaded machine takes from the evaluation.
QUIET = {
    "distributed.worker.profile.enabled": False,
    "distributed.admin.tick.interval": "1s",
    "distributed.admin.system-monitor.interval": "2s",
    "distributed.worker.memory.monitor-interval": "1s",
}

WORKER_ENV = {
    "DASK_LOGGING__DISTRIBUTED": "critical",
    # QUIET, as the workers read it: their own configuration comes from the environment
    **{"DASK_" + k.upper().replace(".", "__").replace("-", "_"): str(v) for k, v in QUIET.items()},
    "DETENTE_THREADS": "1",
    "NUMBA_NUM_THREADS": "1",
    "OMP_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
}

#: [s] longest wait for a local cluster's workers to start, or for a first worker to join an
#: existing cluster (tens of seconds on a loaded 2-core machine; otherwise a cluster whose
#: workers never come would wait for ever).
WORKER_START_S = 300.0

#: What a local cluster's workers import before they start (:mod:`detente.sweep.worker`).
PRELOAD = ("distributed", "detente.sweep.worker")


def _forkserver() -> bool:
    """Whether this platform can fork workers from a server process (not on Windows)."""
    return "forkserver" in multiprocessing.get_all_start_methods()


def _local_config(forked: bool) -> dict[str, Any]:
    """Dask settings of a local cluster (its scheduler and nannies run in this process):
    :data:`QUIET`, and workers ``forked`` from the preloaded server, or else spawned with
    :data:`WORKER_ENV` set before each starts."""
    import dask

    if forked:
        return {**QUIET, "distributed.worker.multiprocessing-method": "forkserver"}
    key = "distributed.nanny.pre-spawn-environ"
    return {
        **QUIET,
        "distributed.worker.multiprocessing-method": "spawn",
        key: {**dask.config.get(key, {}), **WORKER_ENV},
    }


_started = False  # whether this process's forkserver was started by start_forkserver


def start_forkserver() -> bool:
    """Start, in the background, the process that a local cluster forks its workers from:
    it imports :data:`PRELOAD` once under :data:`WORKER_ENV` (read at import by Python,
    numba and Dask), and every worker forked from it starts with those imports, at a few
    milliseconds of CPU instead of a second each. Returns at once; the server lives until its
    cluster closes (:func:`stop_forkserver`) or this process ends. ``detente sweep --workers
    N`` calls it first thing, so the server imports while the command reads its sweep file.

    Returns
    -------
    bool
        Whether workers can be forked from it: False where the platform cannot fork, or where
        other code of this process (the web app's worker pool) started the process's one
        forkserver first, with its own imports and environment; a local cluster then spawns
        its workers instead.
    """
    global _started
    if not _forkserver():
        return False
    if _started:
        return True
    from multiprocessing import forkserver

    if getattr(forkserver._forkserver, "_forkserver_pid", None) is not None:
        return False  # started by other code (no public handle tells)
    multiprocessing.get_context("forkserver").set_forkserver_preload(list(PRELOAD))
    saved = {k: os.environ.get(k) for k in WORKER_ENV}
    os.environ.update(WORKER_ENV)  # the server's environment is its workers'
    try:
        forkserver.ensure_running()
    finally:
        for k, v in saved.items():
            if v is None:
                del os.environ[k]
            else:
                os.environ[k] = v
    _started = True
    return True


def stop_forkserver() -> None:
    """Stop the forkserver that :func:`start_forkserver` started (when its cluster closes), so
    that this process leaves no server behind and other code (the web app's worker pool, a
    later cluster) starts its own with its own imports and environment."""
    global _started
    if not _started:
        return
    from multiprocessing import forkserver

    stop = getattr(forkserver._forkserver, "_stop", None)  # no public way to stop it
    if stop is not None:
        stop()
        _started = False


def ready_worker(model, base, outputs, probe, kernel) -> None:
    """Ready a worker for a sweep (run on each by :meth:`DaskBackend.prepare`): have the model
    load what its sweep's ``kernel`` needs (its optional ``ready``, e.g. the compiled kernel;
    :mod:`detente.sweep.registry`), then evaluate the one-point chunk ``probe`` on it
    (imports, the base's scenario resolved and cached, the kernel's first call)."""
    found = evaluator(model)
    if hasattr(found, "ready"):
        found.ready(kernel)
    evaluate_chunk(model, base, outputs, probe, kernel)


@contextlib.contextmanager
def _quiet(*roots: str) -> Iterator[None]:
    """Silence the loggers ``roots`` and their children below CRITICAL (a cluster's shutdown
    chatter: closed connections, workers' last heartbeats, an interrupt's in-flight messages)."""
    names = [
        *roots,
        *(n for n in logging.root.manager.loggerDict for r in roots if n.startswith(f"{r}.")),
    ]
    loggers = [logging.getLogger(n) for n in names]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)
