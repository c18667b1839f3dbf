"""What a sweep's Dask worker loads before its first task, imported once per worker process.

Importing this module imports every module a chunk task runs (the evaluators, the stability
model, the analysis and kernel modules and xarray, which it imports when it first evaluates),
which costs a fresh process about a second of CPU, many times the work of a small sweep's
chunk (``tests/sweep/test_sweep_dask.py`` checks that a task imports no library of its own).

* A local cluster (``detente sweep --workers N``) forks its workers from one server process
  that has imported this module (:func:`detente.sweep.backends.start_forkserver`): the
  imports are paid once, however many workers, and each worker starts with them.
* On an existing cluster, start each worker with ``dask worker ... --preload
  detente.sweep.worker`` (docs/sweeps.md): each imports it when it starts, before the sweep
  connects, instead of during its first task.

The compiled kernel is not loaded here: a small sweep's chunks run on numpy, and a large one's
workers load it when the sweep is readied (:meth:`DaskBackend.prepare
<detente.sweep.backends.DaskBackend.prepare>`).
"""

from __future__ import annotations

import contextlib

import xarray  # noqa: F401  (a chunk's outputs are built as a Dataset, with pandas)

import detente.analysis.caps
import detente.analysis.scenario
import detente.analysis.uncertainty
import detente.model.scenario
import detente.sweep.evaluators
import detente.sweep.stability_model  # noqa: F401

with contextlib.suppress(ImportError):  # pandas builds its string indexes with it where present
    import pyarrow.pandas_compat  # noqa: F401
