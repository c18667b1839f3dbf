"""Run a sweep into its store: sample once, then evaluate the missing points chunk by chunk.

Sampling, evaluation and storage are separate steps (SALib's habit): the points are drawn once
and stored with the spec; each run evaluates the points that have no results yet, so running
the same sweep on the same file again resumes it.
"""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from detente.sweep.backends import Backend, InProcess
from detente.sweep.evaluate import evaluate_spec
from detente.sweep.samplers import sample
from detente.sweep.spec import SweepSpec
from detente.sweep.store import SweepStore

Progress = Callable[[int, int], None]


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
    """

    run_id: str
    n_points: int
    evaluated: int
    stored: int
    seconds: float

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
        ``progress(stored, n_points)``, called at the start and after each stored chunk.

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
        run_id = store.meta["run_id"]
        missing = store.missing_point_ids()
        inputs = store.points(missing)
        stored = spec.n_points - len(missing)
        session = store.begin_session(backend.name)
        status = "failed"
        t0 = time.perf_counter()
        try:

            def ready() -> None:  # the clock starts once the workers are ready
                nonlocal t0
                t0 = time.perf_counter()
                if progress:
                    progress(stored, spec.n_points)

            for result in evaluate_spec(spec, inputs, backend=backend, ready=ready):
                stored += store.write_results(result)
                if progress:
                    progress(stored, spec.n_points)
            status = "complete"
        except BaseException as exc:  # an interrupt may surface as DuckDB's or Dask's error
            interrupted = isinstance(exc, KeyboardInterrupt) or STOP.signum is not None
            status = "interrupted" if interrupted else "failed"
            raise
        finally:
            seconds = time.perf_counter() - t0
            store.end_session(session, status)
        return SweepOutcome(
            run_id, spec.n_points, stored - (spec.n_points - len(missing)), stored, seconds
        )
