"""Evaluate a sweep's points: the one path of ``detente sweep`` (:func:`~detente.sweep.runner.
run_sweep`, into a store) and of the web app's agreement panel (:mod:`detente.web.agreement`,
in memory), so both find the same outputs, and the same accepted proposals, for the same spec.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import numpy as np

from detente.sweep.backends import Backend, InProcess
from detente.sweep.evaluators import Chunk
from detente.sweep.registry import sweep_kernel
from detente.sweep.samplers import sample
from detente.sweep.spec import SweepSpec


def spec_chunks(
    spec: SweepSpec, points: Mapping[str, Any], size: int | None = None
) -> Iterator[Chunk]:
    """``points`` (a column per parameter, and ``point_id`` unless they are all the points of
    the spec, in order) in chunks of ``size`` points (default ``spec.chunk_size``)."""
    size = size or spec.chunk_size
    n = len(np.asarray(points[spec.names[0]]))
    ids = np.asarray(points["point_id"] if "point_id" in points else np.arange(n), np.int64)
    columns = {name: np.asarray(points[name]) for name in spec.names}
    for start in range(0, n, size):
        stop = start + size
        yield Chunk(ids[start:stop], {k: v[start:stop] for k, v in columns.items()})


def evaluate_spec(
    spec: SweepSpec,
    points: Mapping[str, Any] | None = None,
    *,
    backend: Backend | None = None,
    ready: Callable[[], None] | None = None,
    chunk_size: int | None = None,
    kernel: str | None = None,
) -> Iterator[dict[str, np.ndarray]]:
    """Evaluate the points of a resolved spec chunk by chunk, yielding each chunk's result.

    Parameters
    ----------
    spec : SweepSpec
        A resolved spec (:func:`~detente.sweep.spec.load_spec`,
        :func:`~detente.sweep.spec.spec_from_document`).
    points : mapping, optional
        Columns of the points to evaluate (a DataFrame or a dict of arrays) with their
        ``point_id``; default: every point of :func:`~detente.sweep.samplers.sample`.
    backend : Backend, optional
        An entered backend; default: this process.
    ready : callable, optional
        Called once the backend is prepared (a Dask cluster's workers have imported the model
        and evaluated one point), before the first chunk is evaluated.
    chunk_size : int, optional
        Points per chunk (a task); default ``spec.chunk_size``.
    kernel : {"numpy", "compiled"}, optional
        The kernel of every chunk; default the model's choice for the spec's points
        (:func:`~detente.sweep.registry.sweep_kernel`). A stored sweep passes the one its
        file records.

    Yields
    ------
    dict
        ``point_id``, the inputs and the kept outputs of a chunk, each of shape ``(n,)``, in
        the order the backend finishes them.

    Examples
    --------
    >>> from detente.sweep.spec import parse_spec
    >>> spec = parse_spec("model: ishigami\\nsampler: grid\\n"
    ...                   "parameters: [{name: x1, values: [0, 1.5707963267948966]}]")
    >>> [r["y"].tolist() for r in evaluate_spec(spec)]
    [[0.0, 1.0]]
    """
    backend = backend or InProcess()
    kernel = kernel or sweep_kernel(spec.model, spec.n_points)
    chunks = spec_chunks(spec, sample(spec) if points is None else points, chunk_size)
    first = next(chunks, None)
    if first is not None:  # workers ready (imports, data, kernel) before the first chunk
        probe = Chunk(first.point_ids[:1], {k: v[:1] for k, v in first.inputs.items()})
        backend.prepare(spec.model, spec.base, spec.outputs, probe, kernel)
        chunks = itertools.chain([first], chunks)
    if ready is not None:
        ready()
    yield from backend.imap(spec.model, spec.base, spec.outputs, chunks, kernel)
