"""The one table of model constants, ``data/parameters.yaml``, and what is generated from it.

Each constant has a value (a kernel's keyword default), a label, a unit, a valid range, whether
it is a whole number, and its provenance (source ids, status, plausible low/high, note). From
the table come the pydantic types that bound it in every model (:func:`field_type`), the one
class of calculus parameters (:class:`StabilityParams`, used by scenarios, the web requests, the
command line and the analyses), the ranges an uncertain input must stay in (:func:`bounds`) and
the table of ``docs/parameters.md`` (:func:`markdown_table`). No range or default of a constant
is written anywhere else.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import create_model

from detente.model.catalog import DATA_DIR, check_source_ids
from detente.model.limits import count_type, real_type
from detente.model.provenance import Provenance, Sourced, is_sourced_value
from detente.model.yamlio import Document, load_yaml, validate

#: Keys of a table entry that describe the constant rather than its provenance.
SCHEMA_KEYS = frozenset({"label", "unit", "min", "max", "min_open", "integer"})
#: Groups whose constants are fields of :class:`StabilityParams`.
CALCULUS_GROUPS = ("kent_thaler", "value_damage", "multiparty")
#: Constants of the two-party calculus proper, the kernels' keyword arguments.
KERNEL_NAMES = ("alpha", "surcharge", "avail", "kmax", "lua_escape")
#: Choices of :attr:`StabilityParams.weapons`.
WEAPONS = ("uniform", "data")


@dataclass(frozen=True)
class Constant:
    """One model constant of ``data/parameters.yaml``.

    Attributes
    ----------
    group, name : str
        Table group (``kent_thaler``, ``defense``, ...) and name (``de``, ``p_kill``, ...).
    value : float or int
        The default, in ``unit``.
    label, unit : str
        What the page and the docs call it; its unit (``-`` for a pure number).
    min, max : float or None
        Valid range, inclusive (``min`` excluded when ``min_open``; no ``max``: unbounded).
    min_open, integer : bool
    provenance : Provenance
        Source ids, status, plausible low/high and the note that says what it means.
    """

    group: str
    name: str
    value: float | int
    label: str
    unit: str
    min: float
    max: float | None
    min_open: bool
    integer: bool
    provenance: Provenance

    def field_type(self) -> Any:
        """The pydantic type that holds a value of this constant to its range."""
        if self.integer:
            return count_type(int(self.max), low=int(self.min))
        return real_type(_inf(self.max), self.min, strict_low=self.min_open)

    @property
    def range_text(self) -> str:
        """The valid range in words, e.g. ``above 0, at most 1``."""
        low = f"above {self.min:,g}" if self.min_open else f"{self.min:,g}"
        if self.max is None:
            return f"{low}" if self.min_open else f"at least {self.min:,g}"
        return f"{low}, at most {self.max:,g}" if self.min_open else f"{low} to {self.max:,g}"


def _inf(value: float | None) -> float:
    return float("inf") if value is None else float(value)


@functools.cache
def _table() -> dict[str, dict[str, Constant]]:
    doc = load_yaml(DATA_DIR / "parameters.yaml")
    check_source_ids(doc)
    out: dict[str, dict[str, Constant]] = {}
    for group, entries in doc.data.items():
        for name, entry in entries.items():
            sourced = {k: v for k, v in entry.items() if k not in SCHEMA_KEYS}
            if not is_sourced_value(sourced) or not {"label", "unit", "min"} <= set(entry):
                raise doc.error(
                    (group, name),
                    "expected {label, unit, min, [max, min_open, integer,] value, source, "
                    "status, ...}",
                )
            out.setdefault(group, {})[name] = Constant(
                group=group,
                name=name,
                value=sourced.pop("value"),
                label=entry["label"],
                unit=entry["unit"],
                min=entry["min"],
                max=entry.get("max"),
                min_open=bool(entry.get("min_open", False)),
                integer=bool(entry.get("integer", False)),
                provenance=Provenance.model_validate(sourced),
            )
    return out


def constants(group: str | None = None) -> tuple[Constant, ...]:
    """Every constant of the table (or of one group), in file order."""
    table = _table()
    groups = [group] if group is not None else list(table)
    return tuple(c for g in groups for c in table[g].values())


def constant(name: str) -> Constant:
    """The constant ``name`` (names are unique across groups)."""
    for c in constants():
        if c.name == name:
            return c
    raise KeyError(name)


def default(group: str, name: str) -> Any:
    """The default value of a model constant, e.g. ``default("kent_thaler", "alpha")``."""
    return _table()[group][name].value


def provenance(group: str, name: str) -> Provenance:
    """Where a default comes from."""
    return _table()[group][name].provenance


def field_type(name: str) -> Any:
    """The bounded pydantic type of constant ``name`` (see :meth:`Constant.field_type`)."""
    return constant(name).field_type()


def bounds(name: str) -> tuple[float, float]:
    """Smallest and largest valid value of constant ``name`` (``inf``: unbounded)."""
    c = constant(name)
    return float(c.min), _inf(c.max)


def fields(group: str) -> dict[str, Any]:
    """``create_model`` field definitions of a group: bounded type and table default."""
    return {c.name: (c.field_type(), c.value) for c in constants(group)}


class _Calculus(Sourced):
    def kernel_kwargs(self) -> dict[str, Any]:
        """Keyword arguments shared by both directions of the kernel."""
        return {name: getattr(self, name) for name in KERNEL_NAMES}

    def given(self) -> dict[str, Any]:
        """The constants set explicitly (in a scenario file, a request, a call)."""
        return {k: getattr(self, k) for k in type(self).model_fields if k in self.model_fields_set}

    def __hash__(self) -> int:
        return hash(tuple(v for k, v in self if k != "provenance"))


_STABILITY_DOC = """Constants of the stability calculus: the one class for scenarios (their
``parameters:`` block), web requests, the command line and the analyses.

Its fields, their bounds and defaults are generated from ``data/parameters.yaml`` (groups
:data:`CALCULUS_GROUPS`; ``docs/parameters.md`` lists them): omitted constants keep the table's
values, and each value may carry its provenance as ``{value, source, status, ...}``.

Attributes
----------
de : float
    Damage expectancy of one warhead against one targetable launcher [-].
kmax : int
    Salvo levels per target [-].
alpha, surcharge : float
    Cost exponent α and surcharge k [-] (R-3765-AF App. C).
avail : float
    Share of survivable-force weapons a striker can use [-].
lua_escape : float
    Share of fixed-force weapons launched under attack [-].
assured_destruction_emt : float
    The assured-destruction yardstick of every default w80 [Mt EMT].
reserve : float
    Multiples of an armed third party's w80 each striker withholds (three or more parties) [-].
weapons : {'uniform', 'data'}
    ``uniform``: one DE (``de``) for every warhead against every target (the check cases);
    ``data``: DE by weapon type from the systems catalogue.
"""

StabilityParams = create_model(
    "StabilityParams",
    __base__=_Calculus,
    __module__=__name__,
    __doc__=_STABILITY_DOC,
    **{k: v for group in CALCULUS_GROUPS for k, v in fields(group).items()},
    weapons=(Literal[WEAPONS], "uniform"),
)


def calculus(**given: Any) -> StabilityParams:
    """:class:`StabilityParams` from keyword values (``None``: the table default).

    A value out of its range raises one :class:`~detente.errors.InputError` naming the field.

    Examples
    --------
    >>> calculus(de=0.7, kmax=None).kmax
    2
    >>> calculus(de=1.5)
    Traceback (most recent call last):
    ...
    detente.errors.InputError: field 'de': Input should be less than or equal to 1
    """
    data = {k: v for k, v in given.items() if v is not None}
    return validate(StabilityParams, Document(data, ""))


def option_help(name: str) -> str:
    """Help text of a command-line option for constant ``name``: label, unit, default, range.

    Examples
    --------
    >>> option_help("kmax")
    'Salvo levels per target [salvo levels]; default 2, valid 1 to 6.'
    """
    c = constant(name)
    unit = "" if c.unit == "-" else f" [{c.unit}]"
    return f"{c.label[0].upper()}{c.label[1:]}{unit}; default {c.value:g}, valid {c.range_text}."


#: Markers of the generated table in ``docs/parameters.md``.
TABLE_BEGIN = "<!-- parameters table: generated from data/parameters.yaml, do not edit -->"
TABLE_END = "<!-- end of parameters table -->"


def markdown_table() -> str:
    """The table of every constant for ``docs/parameters.md`` (one row per constant)."""
    rows = [
        "| group | name | meaning | value | unit | valid | plausible range | status | sources |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for c in constants():
        p = c.provenance
        span = "" if p.low is None else f"{p.low:,g} to {p.high:,g}"
        kind = "whole number, " if c.integer else ""
        rows.append(
            f"| {c.group} | `{c.name}` | {c.label} | {c.value:,g} | {c.unit} | "
            f"{kind}{c.range_text} | {span} | {p.status} | {', '.join(p.source)} |"
        )
    return "\n".join(rows)


def with_table(page: str) -> str:
    """``page`` (the text of ``docs/parameters.md``) with its generated table replaced."""
    head, rest = page.split(TABLE_BEGIN, 1)
    tail = rest.split(TABLE_END, 1)[1]
    return f"{head}{TABLE_BEGIN}\n{markdown_table()}\n{TABLE_END}{tail}"


if __name__ == "__main__":  # python -m detente.model.parameters docs/parameters.md
    import sys
    from pathlib import Path

    page = Path(sys.argv[1])
    page.write_text(with_table(page.read_text(encoding="utf-8")), encoding="utf-8")
