"""The kernels' keyword defaults, the one parameters class and the docs equal the one
parameter table, ``data/parameters.yaml``.

Every kernel exposes its constants as keyword defaults (so a user can sweep them); those
defaults are written in the kernel modules for speed and must not drift from the table that the
scenarios, the web requests, the docs and the provenance ledger read.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from pathlib import Path

import pytest

import detente.kernels
from detente.analysis.stability import make_defense
from detente.errors import InputError
from detente.model import parameters
from detente.model.parameters import StabilityParams
from detente.model.scenario import Defense

ROOT = Path(__file__).resolve().parents[2]
#: The table groups whose names are kernel keyword arguments. (The ``defense`` group holds the
#: defaults of a defence given only by its size, :func:`make_defense`; the kernels' own
#: defaults there mean "no defence" and are checked below for that meaning. The ``weapons``
#: group holds fallbacks for figures the systems catalogue lacks, read by the analysis layer.)
GROUPS = ("kent_thaler", "multiparty")
#: Every constant of the table, as (group, name).
EVERY = [(c.group, c.name) for c in parameters.constants()]


def kernel_functions():
    """(qualified name, function) of every public function of ``detente.kernels``."""
    for info in pkgutil.iter_modules(detente.kernels.__path__):
        module = importlib.import_module(f"detente.kernels.{info.name}")
        for name, fn in inspect.getmembers(module, inspect.isfunction):
            if fn.__module__ == module.__name__ and not name.startswith("_"):
                yield f"{module.__name__}.{name}", fn


def table_defaults() -> dict[str, object]:
    return {c.name: c.value for group in GROUPS for c in parameters.constants(group)}


def test_kernel_keyword_defaults_equal_the_table():
    table = table_defaults()
    checked = []
    for qualname, fn in kernel_functions():
        for p in inspect.signature(fn).parameters.values():
            if p.name in table and p.default not in (inspect.Parameter.empty, None):
                assert p.default == table[p.name], f"{qualname}({p.name}={p.default!r})"
                checked.append((qualname, p.name))
    names = {name for _, name in checked}
    assert {"alpha", "surcharge", "avail", "kmax", "lua_escape", "reserve"} <= names, names
    assert len(checked) >= 10


def test_every_constant_of_a_calculus_group_is_a_field_with_the_table_default():
    fields = set(StabilityParams.model_fields) - {"provenance", "weapons"}
    table = {c.name for g in parameters.CALCULUS_GROUPS for c in parameters.constants(g)}
    assert fields == table
    for name in table:
        assert getattr(StabilityParams(), name) == parameters.constant(name).value, name


@pytest.mark.parametrize(("group", "name"), EVERY)
def test_every_constant_has_a_unit_a_range_holding_its_default_and_a_source(group, name):
    c = parameters.constant(name)
    assert c.group == group and c.label and c.unit
    assert c.provenance.source and c.provenance.status
    low, high = parameters.bounds(name)
    assert (low < c.value if c.min_open else low <= c.value) and c.value <= high
    if c.provenance.low is not None:
        assert low <= c.provenance.low <= c.value <= c.provenance.high <= high
    assert isinstance(c.value, int) if c.integer else isinstance(c.value, int | float)


@pytest.mark.parametrize(
    "name",
    [
        c.name
        for g in ("kent_thaler", "value_damage", "multiparty", "defense")
        for c in parameters.constants(g)
    ],
)
def test_the_models_refuse_a_constant_just_outside_its_range(name):
    """The scenario's parameters and defence hold each constant to the table's range."""
    low, high = parameters.bounds(name)
    model = Defense if parameters.constant(name).group == "defense" else StabilityParams
    extra = {"interceptors": 10} if model is Defense else {}
    model.model_validate({name: high, **extra} if high < float("inf") else {name: low + 1})
    for bad in (low - 1, high + 1):
        if bad != float("inf"):
            with pytest.raises(ValueError, match=name):
                model.model_validate({name: bad, **extra})


def test_a_constant_out_of_range_is_one_located_input_error():
    with pytest.raises(InputError, match="field 'kmax'"):
        parameters.calculus(kmax=7)


def test_the_docs_table_is_the_table():
    page = (ROOT / "docs" / "parameters.md").read_text(encoding="utf-8")
    assert parameters.with_table(page) == page, (
        "docs/parameters.md is out of date: python -m detente.model.parameters docs/parameters.md"
    )
    assert parameters.markdown_table().count("\n") == len(EVERY) + 1


@pytest.mark.parametrize("name", ["p_kill", "shots_per_rv", "availability"])
def test_a_defence_of_given_size_defaults_to_the_table(name):
    assert getattr(make_defense(100.0), name) == parameters.default("defense", name)


def test_kernel_defence_defaults_mean_no_defence():
    """Without interceptors the kernels' defence defaults let every warhead through."""
    import numpy as np

    from detente.kernels.defense import penetration_share

    assert penetration_share(np.array([500.0]), 0.0, 0.9)[0] == 1.0
