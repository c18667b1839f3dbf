"""Stability inputs of the bundled forces, prepared once and kept in the data cache as plain data.

A one-off ``detente stability us-2025 ru-2025`` (:mod:`detente.cli.quick`) needs of each
bundled force only its name, its party, its exchange elements in each posture and the default
w80 of the side it strikes, and of ``data/parameters.yaml`` the constants of the calculus and
their valid ranges. :func:`prepared_force` and :func:`prepared_calculus` build them with the
functions every other path uses (:func:`~detente.analysis.elements.elements_from_force`,
:func:`~detente.analysis.stability.default_w80`,
:func:`~detente.model.parameters.calculus`) and keep them in :mod:`detente.model.datacache`,
keyed by the data files and the code they rest on. Read back, they are tuples, lists, numbers
and text: neither pydantic nor the data model is imported, and :func:`bundled_sides` turns them
into the :class:`~detente.analysis.stability.Side` objects that
:func:`~detente.analysis.stability.evaluate` takes, equal to those of
:func:`~detente.analysis.stability.make_sides`.

Whatever cannot be prepared (a force without a figure the exchange needs, a force whose
warheads have no known yield) is kept as ``None``: the caller then takes the full path, which
reports the error.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from detente.analysis.elements import Elements
from detente.errors import DetenteError
from detente.model import datacache

#: Code that builds the prepared values, besides the data model (part of each entry's key).
CODE = (
    "analysis/prepared.py",
    "analysis/elements.py",
    "analysis/stability.py",
    "kernels/effects.py",
)


def _data_files(*patterns: str) -> list[Path]:
    """Bundled data files the prepared values rest on (the sources every file cites, too)."""
    found = {
        p for pattern in (*patterns, "sources*.yaml") for p in datacache.DATA_DIR.glob(pattern)
    }
    return sorted(found)


def forces_dir() -> Path:
    """The folder of the bundled forces."""
    return datacache.DATA_DIR / "forces"


def bundled_file(name: str) -> Path | None:
    """The file of the bundled force ``name``, or None when ``name`` is a path or unknown.

    The rule of :func:`detente.model.catalog.looks_like_path`: a reference with a ``/`` or a
    ``.yaml``/``.yml`` ending is a path; anything else is a bundled name.
    """
    if "/" in name or name.endswith((".yaml", ".yml")):
        return None
    path = forces_dir() / f"{name}.yaml"
    return path if path.is_file() else None


@dataclass(frozen=True)
class PreparedForce:
    """What the stability calculus needs of one bundled force.

    Attributes
    ----------
    name, party : str
        The force's name (``us-2025``) and party (``US``).
    elements : mapping of str to Elements or None
        Exchange elements in each posture (``day_to_day``, ``generated``); None where the
        force lacks a figure that posture needs.
    struck_w80 : tuple of (float, str) or None
        :func:`~detente.analysis.stability.default_w80` of this force: the w80 [warheads] of
        the side it strikes and how it was made; None where no warhead yield is known.
    """

    name: str
    party: str
    elements: Mapping[str, Elements | None]
    struck_w80: tuple[float, str] | None


def _plain_elements(elements: Elements) -> dict[str, Any]:
    """Elements as plain data: each array becomes ``{"dtype": ..., "values": [...]}``."""
    out = {}
    for f in dataclasses.fields(elements):
        value = getattr(elements, f.name)
        if isinstance(value, np.ndarray):
            value = {"dtype": value.dtype.str, "values": value.tolist()}
        out[f.name] = value
    return out


def _elements(plain: Mapping[str, Any]) -> Elements:
    """:func:`_plain_elements` back (lists of floats and booleans round-trip exactly)."""
    return Elements(
        **{
            k: np.asarray(v["values"], dtype=v["dtype"]) if isinstance(v, dict) else v
            for k, v in plain.items()
        }
    )


def _build_force(path: Path) -> dict[str, Any]:
    """The plain data of :class:`PreparedForce` for the bundled force file ``path``."""
    from detente.analysis.elements import elements_from_force
    from detente.analysis.stability import default_w80
    from detente.model.catalog import load_force
    from detente.model.force import POSTURES

    force = load_force(path)
    elements = {}
    for posture in POSTURES:
        try:
            elements[posture] = _plain_elements(elements_from_force(force, posture))
        except DetenteError:
            elements[posture] = None
    try:
        struck_w80 = default_w80(force)
    except DetenteError:
        struck_w80 = None
    return {
        "name": force.name,
        "party": force.party,
        "elements": elements,
        "struck_w80": struck_w80,
    }


def prepared_force(name: str) -> PreparedForce | None:
    """The prepared inputs of the bundled force ``name`` (None when it is no bundled name).

    Built on first use (which loads the force) and read from the data cache after that.

    Raises
    ------
    InputError
        A bundled file that does not validate (the message of :func:`load_force`).
    """
    path = bundled_file(name)
    if path is None:
        return None
    files = [path, *_data_files("systems*.yaml", "parameters.yaml")]
    plain = datacache.cached(
        f"prepared-force:{path.name}",
        files,
        lambda: _build_force(path),
        models=False,
        code=CODE,
    )
    return PreparedForce(
        name=plain["name"],
        party=plain["party"],
        elements={k: None if v is None else _elements(v) for k, v in plain["elements"].items()},
        struck_w80=None if plain["struck_w80"] is None else tuple(plain["struck_w80"]),
    )


class PlainParams:
    """The values of a validated :class:`~detente.model.parameters.StabilityParams` as plain
    attributes, for :func:`~detente.analysis.stability.evaluate` (which reads the values,
    :meth:`kernel_kwargs` and, for ``to_dict``, ``__dict__``: the same keys in the same order).
    """

    __slots__ = ("__dict__", "_kernel")

    def __init__(self, values: Mapping[str, Any], kernel: Sequence[str]) -> None:
        self.__dict__.update(values)
        self._kernel = tuple(kernel)

    def kernel_kwargs(self) -> dict[str, Any]:
        """Keyword arguments shared by both directions of the kernel."""
        return {name: self.__dict__[name] for name in self._kernel}


@dataclass(frozen=True)
class Calculus:
    """The constants of the calculus from ``data/parameters.yaml``, as plain data.

    Attributes
    ----------
    values : dict
        ``StabilityParams().__dict__``: every field's default, in field order.
    kernel : tuple of str
        The fields that are the kernels' keyword arguments.
    bounds : dict
        Per field: ``(min, max, min_open, integer)`` of its constant (max None: unbounded).
    """

    values: Mapping[str, Any]
    kernel: tuple[str, ...]
    bounds: Mapping[str, tuple[float, float | None, bool, bool]]

    def params(self, **given: float | int | None) -> PlainParams | None:
        """Parameters with the ``given`` values (None: the default), or None when one is out
        of its range or of the wrong kind (the full path then reports it)."""
        values = dict(self.values)
        for name, value in given.items():
            if value is None:
                continue
            if name not in self.bounds or not _within(value, *self.bounds[name]):
                return None
            values[name] = value
        return PlainParams(values, self.kernel)


def _within(
    value: float | int, low: float, high: float | None, open_low: bool, whole: bool
) -> bool:
    """Whether ``value`` is a valid value of a constant (NaN and infinities are not)."""
    if whole != (type(value) is int):
        return False
    above = value > low if open_low else value >= low
    return bool(above and (value <= high if high is not None else value < float("inf")))


def _build_calculus() -> dict[str, Any]:
    from detente.model import parameters

    values = dict(parameters.calculus().__dict__)
    bounds = {
        c.name: (c.min, c.max, c.min_open, c.integer)
        for c in parameters.constants()
        if c.name in values
    }
    return {"values": values, "kernel": tuple(parameters.KERNEL_NAMES), "bounds": bounds}


def prepared_calculus() -> Calculus:
    """The constants of the calculus (built on first use, then read from the data cache)."""
    plain = datacache.cached(
        "prepared-calculus",
        _data_files("parameters.yaml"),
        _build_calculus,
        models=False,
        code=CODE,
    )
    return Calculus(plain["values"], tuple(plain["kernel"]), plain["bounds"])


def bundled_sides(names: Sequence[str], *, posture: str, lua: bool) -> list | None:
    """The two :class:`~detente.analysis.stability.Side` objects of
    ``make_sides([load_force(a), load_force(b)], posture=posture, lua=lua)`` from the prepared
    inputs, or None when one cannot be prepared (not bundled, a missing figure, an unknown
    posture).

    Raises
    ------
    InputError
        Two forces with the same label (:func:`~detente.analysis.stability.force_labels`).
    """
    from detente.analysis.stability import Side, force_labels

    forces = [prepared_force(name) for name in names]
    if len(forces) != 2 or None in forces:
        return None
    labels = force_labels(forces)
    sides = []
    for label, force, other in zip(labels, forces, forces[::-1], strict=True):
        elements = force.elements.get(posture)
        if elements is None or other.struck_w80 is None or not other.struck_w80[0] > 0:
            return None
        w80, note = other.struck_w80
        sides.append(Side(label, elements, float(w80), bool(lua), note))
    return sides
