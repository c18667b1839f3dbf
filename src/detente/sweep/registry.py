"""The registry of sweep models: a model name -> its evaluator.

An evaluator registers itself when its module is imported (a module-level
``register(MyModel())``); :func:`evaluator` finds one by name, importing the modules of the
bundled models on first use. Sweep files (:mod:`detente.sweep.spec`) and the chunk task
(:func:`detente.sweep.evaluators.evaluate_chunk`) look models up here, so neither imports a
model's module and no module imports back the module that looks it up.

An evaluator provides:

``resolve(base, where=None) -> dict``
    Validate the sweep file's ``base`` and make it self-contained and JSON-able (read the files
    it names). ``where`` is the part of the parsed sweep file that holds the base (a
    :class:`~detente.model.yamlio.Document`: its file locates relative paths and errors), or
    None for a base not read from a file. Must be idempotent: resolving a resolved base
    returns it unchanged. Raises ValueError (located at ``base`` by the caller) or a located
    :class:`~detente.errors.InputError`.
``check_input(parameter, base) -> None``
    Raise ValueError unless the swept ``parameter`` (a :class:`~detente.sweep.spec.Parameter`:
    its name and its bounds, values or distribution) is an input the evaluator understands
    and every value it can take is valid.
``outputs(base) -> tuple of str``
    The outputs it computes.
``evaluate(inputs, base) -> dict``
    Outputs (name -> array of shape ``(n,)``) of a chunk of ``n`` points, from ``inputs``
    (parameter name -> array of shape ``(n,)``) through batched kernels. It must be a pure,
    deterministic function of its arguments, so that every backend gives identical results.
    A model with ``kernel`` is called as ``evaluate(inputs, base, kernel=...)``.
``kernel(points) -> str`` (optional, for a model with more than one kernel)
    The kernel every chunk of a sweep of ``points`` points runs on (the stability model:
    ``"numpy"`` or ``"compiled"``), chosen once per sweep and recorded in its file, so that
    the numbers do not depend on how the points were split or where they ran. Without it,
    ``"numpy"``.
``ready(kernel) -> None`` (optional)
    Load what evaluating chunks on ``kernel`` will need (the compiled kernel), so that a
    Dask worker loads it before the sweep's first task rather than during it.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    import numpy as np

    from detente.model.yamlio import Document

#: Modules of the bundled models, imported (and so registered) on the first look-up.
BUNDLED = ("detente.sweep.evaluators", "detente.sweep.stability_model")


class Swept(Protocol):
    """A swept parameter as a model sees it (a :class:`detente.sweep.spec.Parameter`, not
    imported here: the spec module looks models up in this one)."""

    name: str
    bounds: tuple[float, float] | None
    values: tuple[Any, ...] | None


class Evaluator(Protocol):
    """What the sweep engine needs from a model (see the module docstring)."""

    name: str

    def resolve(self, base: Any, where: Document | None = None) -> dict[str, Any]: ...

    def check_input(self, parameter: Swept, base: Mapping[str, Any]) -> None: ...

    def outputs(self, base: Mapping[str, Any]) -> tuple[str, ...]: ...

    def evaluate(
        self, inputs: Mapping[str, np.ndarray], base: Mapping[str, Any]
    ) -> dict[str, np.ndarray]: ...


#: Registered evaluators by name.
EVALUATORS: dict[str, Evaluator] = {}


def register(evaluator: Evaluator) -> Evaluator:
    """Add ``evaluator`` to :data:`EVALUATORS` under its name (a module-level call)."""
    if evaluator.name in EVALUATORS:
        raise ValueError(f"an evaluator named {evaluator.name!r} is already registered")
    EVALUATORS[evaluator.name] = evaluator
    return evaluator


def evaluators() -> dict[str, Evaluator]:
    """Every registered evaluator by name, the bundled ones included.

    Examples
    --------
    >>> sorted(evaluators())
    ['ishigami', 'stability']
    """
    for module in BUNDLED:
        importlib.import_module(module)
    return EVALUATORS


def evaluator(name: str) -> Evaluator:
    """The evaluator registered as ``name``.

    Raises
    ------
    ValueError
        No model of that name, naming the known ones.
    """
    known = evaluators()
    if name not in known:
        raise ValueError(f"unknown model {name!r}; known: {', '.join(sorted(known))}")
    return known[name]


def sweep_kernel(name: str, points: int) -> str:
    """The kernel every chunk of a sweep of ``points`` points of model ``name`` runs on (its
    optional ``kernel``; else ``"numpy"``).

    Examples
    --------
    >>> sweep_kernel("ishigami", 10**6), sweep_kernel("stability", 4_698)
    ('numpy', 'numpy')
    """
    found = evaluator(name)
    return found.kernel(points) if hasattr(found, "kernel") else "numpy"
