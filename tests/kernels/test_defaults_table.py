"""The kernels' keyword defaults equal the one parameter table, ``data/parameters.yaml``.

Every kernel exposes its constants as keyword defaults (so a user can sweep them); those
defaults are written in the kernel modules for speed and must not drift from the table that the
scenarios, the docs and the provenance ledger read.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import pytest

import detente.kernels
from detente.analysis.stability import StabilityParams, make_defense
from detente.model import parameters

#: The table group whose names are kernel keyword arguments. (The ``defense`` group holds the
#: defaults of a defence given only by its size, :func:`make_defense`; the kernels' own
#: defaults there mean "no defence" and are checked below for that meaning.)
GROUPS = ("kent_thaler",)


def kernel_functions():
    """(qualified name, function) of every public function of ``detente.kernels``."""
    for info in pkgutil.iter_modules(detente.kernels.__path__):
        module = importlib.import_module(f"detente.kernels.{info.name}")
        for name, fn in inspect.getmembers(module, inspect.isfunction):
            if fn.__module__ == module.__name__ and not name.startswith("_"):
                yield f"{module.__name__}.{name}", fn


def table_defaults() -> dict[str, object]:
    return {
        name: parameters.default(group, name)
        for group in GROUPS
        for name in parameters._table()[group]
    }


def test_kernel_keyword_defaults_equal_the_table():
    table = table_defaults()
    checked = []
    for qualname, fn in kernel_functions():
        for p in inspect.signature(fn).parameters.values():
            if p.name in table and p.default not in (inspect.Parameter.empty, None):
                assert p.default == table[p.name], f"{qualname}({p.name}={p.default!r})"
                checked.append((qualname, p.name))
    names = {name for _, name in checked}
    assert {"alpha", "surcharge", "avail", "kmax", "lua_escape"} <= names, names
    assert len(checked) >= 10


@pytest.mark.parametrize("name", ["de", "kmax", "alpha", "surcharge", "avail", "lua_escape"])
def test_calculus_parameters_default_to_the_table(name):
    assert getattr(StabilityParams(), name) == parameters.default("kent_thaler", name)


@pytest.mark.parametrize("name", ["p_kill", "shots_per_rv", "availability"])
def test_a_defence_of_given_size_defaults_to_the_table(name):
    assert getattr(make_defense(100.0), name) == parameters.default("defense", name)


def test_kernel_defence_defaults_mean_no_defence():
    """Without interceptors the kernels' defence defaults let every warhead through."""
    import numpy as np

    from detente.kernels.defense import penetration_share

    assert penetration_share(np.array([500.0]), 0.0, 0.9)[0] == 1.0
