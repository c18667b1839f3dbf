"""Sweep files: which model to run, around which base case, over which parameters.

A sweep file is YAML. Its ``parameters`` list is a superset of SALib's problem definition: each
parameter has a ``name`` (a dotted path the evaluator understands) and exactly one of

* ``bounds: [lo, hi]`` -- uniform on the interval (the grid sampler needs ``levels`` too),
* ``values: [...]`` -- discrete levels (numbers, booleans or words such as ``banned``),
* ``dist: <family>`` with the family's parameters beside it -- a distribution, written as in
  scenario files (:mod:`detente.model.distribution`), e.g.
  ``{name: de, dist: triangular, low: 0.6, mode: 0.8, high: 0.95}``.

Example::

    model: ishigami
    sampler: sobol
    points: 1024        # base N; Saltelli/Sobol sampling evaluates N (D + 2) points
    seed: 42
    parameters:
      - {name: x1, bounds: [-3.141592653589793, 3.141592653589793]}
      - {name: x2, dist: uniform, low: -3.141592653589793, high: 3.141592653589793}
      - {name: x3, values: [-2, 0, 2]}
    criteria:
      - {party: US, output: y, min: 0}
"""

from __future__ import annotations

import hashlib
import math
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictFloat,
    StrictInt,
    StrictStr,
    model_serializer,
    model_validator,
)

from detente import jsonio
from detente.errors import InputError
from detente.model.distribution import DISTRIBUTION, METADATA, Distribution
from detente.model.yamlio import Document, load_yaml, parse_yaml, validate
from detente.sweep.registry import evaluator

# Assumption, not a sourced number: above 5e7 points the in-memory sample (8 bytes per
# parameter per point, 1.2 GB for 3 parameters) and the points table outgrow a workstation;
# a larger study should be split into several sweep files.
MAX_POINTS = 50_000_000
NAME_PATTERN = r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z0-9_-]+)*$"
RESERVED_COLUMNS = frozenset({"point_id"})

Level = StrictBool | StrictInt | StrictFloat | StrictStr


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)


def _inline(key: str, value: Any) -> tuple[str, Any]:
    """A field of the old nested ``dist: {kind: ..., mu: ...}`` form, as written inline."""
    if key == "kind":
        return "dist", value
    if key == "mu" and isinstance(value, int | float):
        return "median", float(f"{math.exp(value):.6g}")
    return key, value


class Parameter(_Frozen):
    """One swept input.

    Attributes
    ----------
    name : str
        Dotted path the evaluator understands, e.g. ``x1`` or ``treaty.warhead_cap``.
    bounds : (float, float), optional
        Uniform on ``[lo, hi]``.
    values : tuple, optional
        Discrete levels, all numbers, all booleans or all words.
    dist : Distribution, optional
        Written inline: ``{name: x, dist: normal, mean: 0, sd: 1}``.
    levels : int, optional
        Number of evenly spaced levels on ``bounds`` for the grid sampler.
    """

    name: str = Field(pattern=NAME_PATTERN)
    bounds: tuple[float, float] | None = None
    values: tuple[Level, ...] | None = Field(default=None, min_length=1)
    dist: Distribution | None = None
    levels: int | None = Field(default=None, ge=2)

    @model_validator(mode="before")
    @classmethod
    def _inline_distribution(cls, data: Any) -> Any:
        """Gather ``dist`` and the distribution's fields written beside it."""
        if not isinstance(data, dict) or "dist" not in data:
            return data
        own = {"name", "bounds", "values", "levels"}
        dist = {k: v for k, v in data.items() if k not in own}
        if isinstance(data["dist"], dict):
            nested = dict(_inline(k, v) for k, v in data["dist"].items())
            inline = ", ".join(f"{k}: {v}" for k, v in {"name": data.get("name"), **nested}.items())
            raise ValueError(f"write the distribution inline, as in scenario files: {{{inline}}}")
        return {
            **{k: v for k, v in data.items() if k in own},
            "dist": DISTRIBUTION.validate_python(dist),
        }

    @model_serializer(mode="wrap")
    def _flat(self, handler: Any) -> dict[str, Any]:
        out = handler(self)
        if self.dist is not None:
            d = self.dist
            meta = {k: getattr(d, k) for k in METADATA if getattr(d, k) not in (None, ())}
            out["dist"] = d.dist
            out.update(d.parameters, **meta)
        return out

    @model_validator(mode="after")
    def _one_kind(self) -> Parameter:
        kinds = [k for k in ("bounds", "values", "dist") if getattr(self, k) is not None]
        if len(kinds) != 1:
            raise ValueError(f"give exactly one of bounds, values or dist (got {kinds or 'none'})")
        if self.name in RESERVED_COLUMNS:
            raise ValueError(f"{self.name!r} is reserved for the point index")
        if self.bounds is not None:
            lo, hi = self.bounds
            if not (math.isfinite(lo) and math.isfinite(hi) and lo < hi):
                raise ValueError(f"bounds must be finite with lo < hi; got [{lo}, {hi}]")
        if self.levels is not None and self.bounds is None:
            raise ValueError("levels applies to bounds only")
        if self.values is not None:
            kinds_of = {_level_kind(v) for v in self.values}
            if len(kinds_of) > 1:
                raise ValueError("values must be all numbers, all booleans or all words")
            if len(set(self.values)) != len(self.values):
                raise ValueError("values must not repeat")
            if any(isinstance(v, float) and not math.isfinite(v) for v in self.values):
                raise ValueError("values must be finite")
        return self

    @property
    def n_levels(self) -> int | None:
        """Number of grid levels, or None for a continuous parameter without ``levels``."""
        return len(self.values) if self.values is not None else self.levels


def _level_kind(v: Any) -> str:
    return "bool" if isinstance(v, bool) else "str" if isinstance(v, str) else "number"


class Criterion(_Frozen):
    """One acceptance condition of a party, on an output or an input of each point.

    ``{party: US, output: fsi, min: 0.8}`` means the US accepts a point only if its ``fsi`` is at
    least 0.8; a criterion without ``party`` binds every party.

    Attributes
    ----------
    party : str, optional
    output : str, optional
        Name of an output (exactly one of ``output`` and ``input``).
    input : str, optional
        Name of a swept parameter.
    min, max : float, optional
        Inclusive bounds; at least one.
    """

    party: str | None = None
    output: str | None = None
    input: str | None = None
    min: float | None = None
    max: float | None = None

    @model_validator(mode="after")
    def _well_formed(self) -> Criterion:
        if (self.output is None) == (self.input is None):
            raise ValueError("give exactly one of output or input")
        if self.min is None and self.max is None:
            raise ValueError("give min, max or both")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"min ({self.min}) is above max ({self.max})")
        return self

    @property
    def column(self) -> str:
        """The output or input this criterion reads."""
        return self.output if self.output is not None else self.input


class SweepSpec(_Frozen):
    """A validated sweep file.

    Attributes
    ----------
    model : str
        Evaluator name (see :mod:`detente.sweep.registry`).
    base : Any
        The base case, in the evaluator's terms; after :func:`load_spec` it is self-contained
        (files it names are read in), so a stored spec reproduces the sweep.
    parameters : tuple of Parameter
    sampler : {'grid', 'lhs', 'sobol'}
    points : int, optional
        Number of points (``lhs``); base sample size N (``sobol``, a power of 2); not used by
        ``grid``, whose size is the product of the levels.
    seed : int
        Seed of the sampler.
    second_order : bool
        Sobol sampling for second-order indices too (N (2D + 2) points instead of N (D + 2)).
    outputs : tuple of str, optional
        Outputs to keep; all of the evaluator's when omitted.
    chunk_size : int
        Points per evaluation task; does not change results.
    criteria : tuple of Criterion
        Acceptance criteria for the zone of possible agreement.
    objectives : dict, optional
        ``{column: 'max' | 'min'}`` for the Pareto frontier; by default taken from the criteria
        (a ``min`` bound is maximised, a ``max`` bound minimised).
    """

    model: str
    base: Any = None
    parameters: tuple[Parameter, ...] = Field(min_length=1)
    sampler: Literal["grid", "lhs", "sobol"]
    points: int | None = Field(default=None, ge=1)
    seed: int = Field(default=0, ge=0)
    second_order: bool = False
    outputs: tuple[str, ...] | None = Field(default=None, min_length=1)
    chunk_size: int = Field(default=10_000, ge=1, le=MAX_POINTS)
    criteria: tuple[Criterion, ...] = ()
    objectives: dict[str, Literal["max", "min"]] | None = None

    @model_validator(mode="after")
    def _consistent(self) -> SweepSpec:
        names = [p.name for p in self.parameters]
        if dup := sorted({n for n in names if names.count(n) > 1}):
            raise ValueError(f"parameter names repeat: {', '.join(dup)}")
        if self.sampler == "grid":
            if self.points is not None:
                raise ValueError("a grid's size is the product of its levels; remove points")
            if open_ := [p.name for p in self.parameters if p.n_levels is None]:
                raise ValueError(
                    f"the grid sampler needs values, or bounds with levels: {', '.join(open_)}"
                )
        else:
            if self.points is None:
                raise ValueError(f"the {self.sampler} sampler needs points")
            if with_levels := [p.name for p in self.parameters if p.levels is not None]:
                raise ValueError(
                    f"levels applies to the grid sampler only: {', '.join(with_levels)}"
                )
        if self.sampler == "sobol" and self.points & (self.points - 1):
            raise ValueError(
                f"the sobol sampler needs points to be a power of 2 (the balance of the Sobol' "
                f"sequence); got {self.points}, try {2 ** round(math.log2(self.points))}"
            )
        if self.second_order and self.sampler != "sobol":
            raise ValueError("second_order applies to the sobol sampler only")
        if self.n_points > MAX_POINTS:
            raise ValueError(
                f"this sweep has {self.n_points:,} points, more than the limit of {MAX_POINTS:,}; "
                f"reduce points or levels, or split the study"
            )
        inputs = {c.input for c in self.criteria if c.input is not None}
        if unknown := sorted(inputs - set(names)):
            raise ValueError(f"criteria name inputs that are not parameters: {', '.join(unknown)}")
        return self

    @property
    def n_points(self) -> int:
        """Number of points the sampler produces."""
        d = len(self.parameters)
        if self.sampler == "grid":
            return math.prod(p.n_levels for p in self.parameters)
        if self.sampler == "sobol":
            return self.points * ((2 * d + 2) if self.second_order else (d + 2))
        return self.points

    @property
    def names(self) -> tuple[str, ...]:
        """Parameter names, in order."""
        return tuple(p.name for p in self.parameters)

    def to_yaml(self) -> str:
        """The spec as YAML text (what a store keeps)."""
        return yaml.safe_dump(self.model_dump(mode="json", exclude_none=True), sort_keys=False)

    def digest(self) -> str:
        """SHA-256 of everything that decides the results (all fields but ``chunk_size``)."""
        data = self.model_dump(mode="json", exclude={"chunk_size"})
        text = jsonio.dumps(data, sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()


def load_spec(
    path: str | Path, *, points: int | None = None, chunk_size: int | None = None
) -> SweepSpec:
    """Read, validate and resolve a sweep file.

    Parameters
    ----------
    path : str or Path
    points, chunk_size : int, optional
        Override the file's values (command-line options).

    Raises
    ------
    InputError
        Naming the file, line and field of the first problem.
    """
    return spec_from_document(load_yaml(path), points=points, chunk_size=chunk_size)


def parse_spec(text: str, file: str = "<sweep>", **overrides: int | None) -> SweepSpec:
    """:func:`load_spec` for YAML text.

    Examples
    --------
    >>> spec = parse_spec('''
    ... model: ishigami
    ... sampler: grid
    ... parameters:
    ...   - {name: x1, bounds: [0, 1], levels: 3}
    ...   - {name: x2, values: [-1, 1]}
    ... ''')
    >>> spec.n_points, spec.names
    (6, ('x1', 'x2'))
    """
    return spec_from_document(parse_yaml(text, file), **overrides)


def spec_from_document(
    doc: Document, *, points: int | None = None, chunk_size: int | None = None
) -> SweepSpec:
    """Validate a parsed sweep file, then check it against its evaluator and resolve its base."""
    if isinstance(doc.data, dict):
        overrides = {"points": points, "chunk_size": chunk_size}
        data = {**doc.data, **{k: v for k, v in overrides.items() if v is not None}}
        doc = Document(data, doc.file, doc.lines)
    spec = validate(SweepSpec, doc)
    try:
        model = evaluator(spec.model)
    except ValueError as exc:
        raise doc.error(("model",), str(exc)) from None
    where = doc.sub(("base",)) if "base" in doc.data else Document(None, doc.file, {})
    try:
        base = model.resolve(spec.base, where)
    except ValueError as exc:
        raise doc.error(("base",), str(exc)) from None
    for i, p in enumerate(spec.parameters):
        try:
            model.check_input(p, base)
        except ValueError as exc:
            raise doc.error(("parameters", i, "name"), str(exc)) from None
    outputs = model.outputs(base)
    for i, name in enumerate(spec.outputs or ()):
        if name not in outputs:
            raise doc.error(
                ("outputs", i),
                f"model {spec.model!r} has no output {name!r}; it has {', '.join(outputs)}",
            )
    kept = spec.outputs or outputs
    if clash := sorted(set(kept) & set(spec.names)):
        raise doc.error(("outputs",), f"outputs and parameters share names: {', '.join(clash)}")
    for i, c in enumerate(spec.criteria):
        if c.output is not None and c.output not in kept:
            raise doc.error(
                ("criteria", i, "output"), f"{c.output!r} is not among the kept outputs"
            )
    columns = set(kept) | set(spec.names)
    for col in spec.objectives or {}:
        if col not in columns:
            raise doc.error(("objectives", col), f"{col!r} is neither an output nor a parameter")
    return spec.model_copy(update={"base": base})


def stored_spec(text: str) -> SweepSpec:
    """The spec a store keeps (already resolved), read back."""
    doc = parse_yaml(text, "<stored spec>")
    try:
        return validate(SweepSpec, doc)
    except InputError as exc:
        raise InputError(
            f"the stored sweep spec is invalid: {exc.message}", field=exc.field
        ) from None
