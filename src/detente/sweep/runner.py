"""Run a sweep into its store: sample once, then evaluate the missing points chunk by chunk.

Sampling, evaluation and storage are separate steps (SALib's habit): the points are drawn once
and stored with the spec; each run evaluates the points that have no results yet, so running
the same sweep on the same file again resumes it.

Chunks are sized from the points to evaluate and the backend's worker threads
(:func:`chunk_size`) unless the sweep file or ``--chunk-size`` fixes them. Results are written
to DuckDB in batches (:class:`_Batch`), each in one transaction: every chunk at once
in-process; on Dask the chunks that arrived while the last batch was being written, while the
workers go on; whatever was received is written before an interrupted run records its session.
"""

from __future__ import annotations

import contextlib
import signal
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from detente.sweep.backends import Backend, InProcess
from detente.sweep.evaluate import evaluate_spec
from detente.sweep.evaluators import concat_results
from detente.sweep.registry import sweep_kernel
from detente.sweep.samplers import sample
from detente.sweep.spec import SweepSpec
from detente.sweep.store import SweepStore

Progress = Callable[[int, int], None]

#: [points] largest chunk :func:`chunk_size` chooses (bounds a task's memory and the work an
#: interrupt discards).
MAX_CHUNK = 100_000
#: [points] smallest chunk :func:`chunk_size` splits a sweep into for load balance (a task
#: costs a few milliseconds of scheduling and transport; this much work takes a fraction of a
#: second).
MIN_CHUNK = 20_000
#: Chunks per worker thread that :func:`chunk_size` aims at (the last wave idles workers).
CHUNKS_PER_THREAD = 4
#: [rows] a batch of results is written once it holds this many, whatever its age.
FLUSH_ROWS = 500_000


def chunk_size(n: int, threads: int = 1) -> int:
    """Points per task for ``n`` points on ``threads`` worker threads.

    As few chunks as keep every thread busy: at least one chunk per thread (a small sweep is
    split evenly), up to :data:`CHUNKS_PER_THREAD` per thread while chunks stay at least
    :data:`MIN_CHUNK` points, chunks of at most :data:`MAX_CHUNK` points, and a whole number
    of chunks per thread.

    Examples
    --------
    >>> chunk_size(4_698), chunk_size(4_698, threads=2)
    (4698, 2349)
    >>> chunk_size(1_000_000), chunk_size(1_000_000, threads=2), chunk_size(10**7, threads=4)
    (100000, 100000, 100000)
    >>> chunk_size(100_000, threads=2)
    16667
    """
    threads = max(1, threads)
    if n < 1:
        return 1
    tasks = max(
        -(-n // MAX_CHUNK),
        min(CHUNKS_PER_THREAD * threads, -(-n // MIN_CHUNK)),
        min(threads, n),
    )
    tasks = -(-tasks // threads) * threads
    return -(-n // tasks)


@dataclass(frozen=True)
class SweepOutcome:
    """What one run of a sweep did.

    Attributes
    ----------
    run_id : str
        The sweep's run id (kept by its file across resumed runs).
    n_points : int
        Points in the sweep.
    evaluated : int
        Points evaluated and stored by this run.
    stored : int
        Points with results after this run (``n_points`` when complete).
    seconds : float
        Wall time of the evaluation [s], from when the backend is ready (a Dask cluster's
        workers have imported the model and evaluated one point) to the last stored chunk.
    kernel : str
        The kernel of every point (``"numpy"`` or ``"compiled"``), as the file records it.
    """

    run_id: str
    n_points: int
    evaluated: int
    stored: int
    seconds: float
    kernel: str

    @property
    def complete(self) -> bool:
        """Whether every point has its result."""
        return self.stored == self.n_points

    @property
    def points_per_s(self) -> float:
        """Evaluation throughput of this run [1/s]."""
        return self.evaluated / self.seconds if self.seconds > 0 else float("nan")


@dataclass
class _Stop:
    """The first stop signal received under :func:`stop_on_signals` (None: none yet)."""

    signum: int | None = None


STOP = _Stop()


@contextmanager
def stop_on_signals() -> Iterator[_Stop]:
    """Ctrl-C (SIGINT) and SIGTERM stop a sweep: the first raises :class:`KeyboardInterrupt`
    and is recorded in the yielded object; later ones are ignored while the sweep records its
    session and closes its file, so the clean-up is never cut short.

    Only the main thread can handle signals; elsewhere this does nothing.
    """
    if threading.current_thread() is not threading.main_thread():
        yield STOP
        return

    def handler(signum, frame):
        if STOP.signum is None:
            STOP.signum = signum
            raise KeyboardInterrupt

    STOP.signum = None
    previous = {sig: signal.signal(sig, handler) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield STOP
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


def run_sweep(
    spec: SweepSpec,
    path: str | Path,
    *,
    backend: Backend | None = None,
    progress: Progress | None = None,
) -> SweepOutcome:
    """Evaluate every point of ``spec`` that ``path`` has no result for yet.

    Parameters
    ----------
    spec : SweepSpec
        A resolved spec (:func:`detente.sweep.spec.load_spec`).
    path : str or Path
        The sweep's DuckDB file: created if missing; otherwise it must hold the same sweep.
    backend : Backend, optional
        An entered backend; :class:`InProcess` when omitted.
    progress : callable, optional
        ``progress(stored, n_points)``, called at the start and after each stored batch.

    Raises
    ------
    InputError
        When the file holds a different sweep.
    KeyboardInterrupt
        Passed on after recording the session as interrupted; stored chunks stay stored. Under
        :func:`stop_on_signals` an interrupt that surfaces as another exception (DuckDB's
        ``InterruptException``, a cancelled Dask future) is recorded as interrupted too.
    """
    backend = backend or InProcess()
    with SweepStore(path) as store:
        if store.initialised:
            store.check_spec(spec)
        else:
            store.initialise(spec, sample(spec))
        meta = store.meta
        # chosen by the first run (of this detente) on the file, kept by every later one
        kernel = meta.get("kernel") or store.record_kernel(sweep_kernel(spec.model, spec.n_points))
        run_id = meta["run_id"]
        missing = store.missing_point_ids()
        inputs = store.points(missing)
        stored = spec.n_points - len(missing)
        session = store.begin_session(backend.name)
        status = "failed"
        t0 = time.perf_counter()
        batch = _Batch(store, flush_s=backend.flush_s)
        try:
            size = (
                spec.chunk_size
                if "chunk_size" in spec.model_fields_set  # fixed by the file or --chunk-size
                else chunk_size(len(missing), backend.threads)
            )

            def ready() -> None:  # the clock and the batch start once the workers are ready
                nonlocal t0
                t0 = batch.written = time.perf_counter()
                if progress:
                    progress(stored, spec.n_points)

            results = evaluate_spec(
                spec, inputs, backend=backend, ready=ready, chunk_size=size, kernel=kernel
            )
            # closing: an interrupt while a batch is written stops the backend's tasks now,
            # while its client is up (not when the generator is collected, after shutdown)
            with contextlib.closing(results):
                for result in results:
                    if batch.add(result):
                        stored += batch.flush()
                        if progress:
                            progress(stored, spec.n_points)
            if batch.results:
                stored += batch.flush()
                if progress:
                    progress(stored, spec.n_points)
            status = "complete"
        except BaseException as exc:  # an interrupt may surface as DuckDB's or Dask's error
            interrupted = isinstance(exc, KeyboardInterrupt) or STOP.signum is not None
            status = "interrupted" if interrupted else "failed"
            with contextlib.suppress(Exception):  # keep what was received (tried once more)
                stored += batch.flush()
            raise
        finally:
            seconds = time.perf_counter() - t0
            store.end_session(session, status)
        return SweepOutcome(
            run_id, spec.n_points, stored - (spec.n_points - len(missing)), stored, seconds, kernel
        )


@dataclass
class _Batch:
    """Results received and not yet written; written in one transaction once ``flush_s``
    seconds have passed since the last write or it holds :data:`FLUSH_ROWS` rows (:meth:`add`
    says when)."""

    store: SweepStore
    flush_s: float
    results: list[dict[str, np.ndarray]] = field(default_factory=list)
    rows: int = 0
    written: float = field(default_factory=time.perf_counter)

    def add(self, result: dict[str, np.ndarray]) -> bool:
        """Keep ``result``; True when the batch is due to be written."""
        self.results.append(result)
        self.rows += len(result["point_id"])
        return self.rows >= FLUSH_ROWS or time.perf_counter() - self.written >= self.flush_s

    def flush(self) -> int:
        """Write the batch (one transaction); return the rows added."""
        if not self.results:
            return 0
        added = self.store.write_results(concat_results(self.results))
        self.results, self.rows = [], 0  # only once written: a failed write is tried again
        self.written = time.perf_counter()
        return added
