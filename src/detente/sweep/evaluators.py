"""The bundled test model, and the task every backend runs on a chunk of sweep points.

* :class:`Ishigami` -- the Ishigami-Homma function as a sweep model (``model: ishigami``);
  the stability calculus is :mod:`detente.sweep.stability_model`. Models register
  themselves in :mod:`detente.sweep.registry`, where the protocol they follow is described.
* :class:`Chunk` and :func:`evaluate_chunk` -- what a backend evaluates (on a Dask worker,
  by name, so this module is light to import).
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from detente.sweep.registry import evaluator, register

if TYPE_CHECKING:
    from detente.model.yamlio import Document
    from detente.sweep.spec import Parameter


def ishigami(x1, x2, x3, *, a=7.0, b=0.1):
    """Ishigami-Homma test function, f = sin x1 + a sin² x2 + b x3⁴ sin x1.

    The standard test of global sensitivity methods: with x1, x2, x3 uniform on [-π, π] its
    Sobol' indices are known in closed form (for a = 7, b = 0.1: S1 = 0.3139, 0.4424, 0.0 and
    ST = 0.5576, 0.4424, 0.2437 [2]_).

    Parameters
    ----------
    x1, x2, x3 : array_like
        Inputs [-], broadcast against each other.
    a, b : float or array_like
        Constants [-]; a = 7, b = 0.1 as in [2]_ and SALib's ``test_functions.Ishigami``.

    Returns
    -------
    ndarray
        f [-].

    References
    ----------
    .. [1] T. Ishigami, T. Homma, "An importance quantification technique in uncertainty
       analysis for computer models", Proc. First International Symposium on Uncertainty
       Modeling and Analysis (ISUMA '90), 1990, pp. 398-403. doi:10.1109/ISUMA.1990.151285
    .. [2] A. Saltelli et al., *Global Sensitivity Analysis: The Primer*, Wiley, 2008,
       doi:10.1002/9780470725184.

    Examples
    --------
    >>> float(ishigami(np.pi / 2, np.pi / 2, 1.0))
    8.1
    >>> ishigami([0.0, 0.0], 0.0, 2.0).tolist()
    [0.0, 0.0]
    """
    x1, x2, x3 = (np.asarray(x, dtype=float) for x in (x1, x2, x3))
    sin_x1 = np.sin(x1)
    return sin_x1 + a * np.sin(x2) ** 2 + b * x3**4 * sin_x1


@dataclass(frozen=True)
class Ishigami:
    """The Ishigami function as a sweep model (see :func:`ishigami`).

    Base keys: ``x1``, ``x2``, ``x3`` (values of inputs not swept, default 0), ``a`` (default 7),
    ``b`` (default 0.1) and ``sleep_s`` [s] (default 0): a pause per chunk that makes a sweep
    slow enough to interrupt or to kill a worker in tests and demonstrations. Every base key can
    be swept except ``sleep_s``. Output: ``y``.
    """

    name: str = "ishigami"
    defaults: tuple[tuple[str, float], ...] = (
        ("x1", 0.0),
        ("x2", 0.0),
        ("x3", 0.0),
        ("a", 7.0),
        ("b", 0.1),
        ("sleep_s", 0.0),
    )

    def resolve(self, base: Any, where: Document | None = None) -> dict[str, Any]:
        """Fill in defaults; every value a finite number, ``sleep_s`` >= 0."""
        if base is None:
            base = {}
        if not isinstance(base, Mapping):
            raise ValueError(f"the ishigami base is a mapping of {', '.join(dict(self.defaults))}")
        out = dict(self.defaults)
        for key, value in base.items():
            if key not in out:
                raise ValueError(f"unknown ishigami base key {key!r}; known: {', '.join(out)}")
            if not _is_number(value):
                raise ValueError(f"ishigami base {key!r} must be a number, got {value!r}")
            if not math.isfinite(value) or (key == "sleep_s" and value < 0):
                raise ValueError(f"ishigami base {key!r} must be finite (sleep_s >= 0)")
            out[key] = float(value)
        return out

    def check_input(self, parameter: Parameter, base: Mapping[str, Any]) -> None:
        """Any numeric sweep of x1, x2, x3, a or b."""
        if parameter.name not in dict(self.defaults) or parameter.name == "sleep_s":
            raise ValueError(f"model 'ishigami' has no input {parameter.name!r}")
        if parameter.values is not None and not all(_is_number(v) for v in parameter.values):
            raise ValueError(f"ishigami input {parameter.name!r} takes numbers")

    def outputs(self, base: Mapping[str, Any]) -> tuple[str, ...]:
        return ("y",)

    def evaluate(
        self, inputs: Mapping[str, np.ndarray], base: Mapping[str, Any]
    ) -> dict[str, np.ndarray]:
        v = {**base, **inputs}
        if base["sleep_s"]:
            time.sleep(base["sleep_s"])
        y = ishigami(v["x1"], v["x2"], v["x3"], a=v["a"], b=v["b"])
        n = len(next(iter(inputs.values())))
        return {"y": np.broadcast_to(y, (n,)).copy()}


def _is_number(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


register(Ishigami())


@dataclass(frozen=True)
class Chunk:
    """A slice of a sweep: the point ids and their inputs (each an array of shape ``(n,)``)."""

    point_ids: np.ndarray
    inputs: dict[str, np.ndarray]


def evaluate_chunk(
    model: str,
    base: Mapping[str, Any],
    outputs: tuple[str, ...] | None,
    chunk: Chunk,
    kernel: str = "numpy",
) -> dict[str, np.ndarray]:
    """Evaluate one chunk (on the sweep's ``kernel`` where the model has a choice,
    :func:`~detente.sweep.registry.sweep_kernel`): the task every backend runs (on a Dask
    worker, by name).

    Returns
    -------
    dict
        ``point_id``, the inputs, then the kept outputs, each an array of shape ``(n,)``.

    Examples
    --------
    >>> chunk = Chunk(np.arange(2), {"x1": np.array([0.0, np.pi / 2])})
    >>> out = evaluate_chunk("ishigami", Ishigami().resolve({}), None, chunk)
    >>> list(out), out["y"].tolist()
    (['point_id', 'x1', 'y'], [0.0, 1.0])
    """
    found = evaluator(model)
    n = len(chunk.point_ids)
    chosen = {"kernel": kernel} if hasattr(found, "kernel") else {}  # a model that has a choice
    result = found.evaluate(chunk.inputs, base, **chosen)
    names = outputs if outputs is not None else found.outputs(base)
    out = {"point_id": np.asarray(chunk.point_ids, dtype=np.int64), **chunk.inputs}
    for name in names:
        if name not in result:
            raise ValueError(f"model {model!r} returned no output {name!r}")
        value = np.asarray(result[name])
        if value.shape != (n,):
            raise ValueError(
                f"model {model!r} returned output {name!r} of shape {value.shape} "
                f"for a chunk of {n} points"
            )
        out[name] = value
    return out


def concat_results(results: list[dict[str, np.ndarray]]) -> dict[str, np.ndarray]:
    """The results of several chunks as one, column by column, in the order given.

    Examples
    --------
    >>> concat_results([{"y": np.array([1.0])}, {"y": np.array([2.0, 3.0])}])["y"].tolist()
    [1.0, 2.0, 3.0]
    """
    if len(results) == 1:
        return results[0]
    return {k: np.concatenate([r[k] for r in results]) for k in results[0]}
