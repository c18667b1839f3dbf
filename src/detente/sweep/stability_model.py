"""The first-strike stability calculus as a sweep model (``model: stability``), with treaty caps.

The base is a scenario (:mod:`detente.model.scenario`): a path to a scenario file, relative to
the sweep file, or the scenario written inline under ``base``; or a mapping of that scenario
and the rules of how each side's force looks under the caps (:class:`CapRules`)::

    base:
      scenario: ../new-start-expiry.yaml
      caps: {fill: [US, RU], launcher_rule: proportional, bomber_rule: one_per_bomber}

Each swept parameter is a dotted path of the scenario's uncertain inputs
(:mod:`detente.analysis.scenario`) or a treaty cap that binds every party alike::

    parameters.<de|alpha|surcharge|avail|lua_escape|assured_destruction_emt|reserve>
    parties.<PARTY>.w80
    parties.<PARTY>.defense.<interceptors|p_kill|availability>
    parties.<PARTY>.holdings.<HOLDING>.<loading|warheads|launchers.deployed|alert.<posture>>
    treaty.<warhead_cap|launcher_cap|interceptor_cap>     [warheads, launchers, interceptors]
    treaty.mirv                                           allowed | icbm_ban | full_ban

A point is evaluated in two steps, both batched over the chunk: each party's force elements
(the scenario's, with the point's loadings and launchers) are restructured under the point's
caps (:func:`detente.analysis.caps.restructure`; a cap the sweep does not vary does not
bind), then the restructured launchers and loadings enter
:func:`detente.analysis.uncertainty.evaluate_batch` (the code of the Monte Carlo) as each
holding's ``launchers.deployed`` and ``loading`` inputs, and the capped interceptors as
``parties.P.defense.interceptors``. Outputs (:func:`~detente.analysis.uncertainty.
output_names`): ``fsi``, and per party ``r.P``, ``surviving.P``, ``arriving.P`` (pairwise
names for three or more parties); then per party the force under the caps,
``deployed_warheads.P`` (counted by the bomber rule) and ``deployed_launchers.P``, and
``interceptors.P`` for a party with a missile defence.

The scenario's own ``uncertain`` block is not drawn in a sweep: the sweep's parameters replace
it. Missile defences (a party's ``defense`` block, ``parties.P.defense.*`` inputs and the
interceptor cap) apply to two parties only: with three or more, the batched evaluation applies
none, and such inputs are refused.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict

from detente import jsonio
from detente.errors import InputError
from detente.model.catalog import looks_like_path
from detente.model.distribution import DISTRIBUTION
from detente.model.yamlio import Document, load_yaml, validate
from detente.sweep.registry import register

if TYPE_CHECKING:
    from detente.analysis.caps import CapInputs
    from detente.analysis.scenario import ResolvedScenario
    from detente.sweep.spec import Parameter

#: Treaty caps a stability sweep can vary; each binds every party alike.
CAP_PARAMETERS = ("treaty.warhead_cap", "treaty.launcher_cap", "treaty.interceptor_cap")
MIRV_PARAMETER = "treaty.mirv"
BASE_KEYS = ("scenario", "caps", "files")
_NO_DEFENCE = "with three or more parties the batched evaluation applies no missile defence"


class CapRules(BaseModel):
    """How each side's force looks under a treaty cap (:mod:`detente.analysis.caps`).

    Attributes
    ----------
    fill : tuple of str
        Parties that upload to the warhead cap within their upload capacity; the others keep
        their force where it is under the cap.
    launcher_rule : {'proportional', 'silos_first'}
        How launchers above a cap are retired.
    bomber_rule : {'one_per_bomber', 'loading'}
        How a deployed heavy bomber counts toward the warhead cap (New START: one).
    """

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)

    fill: tuple[str, ...] = ()
    launcher_rule: Literal["proportional", "silos_first"] = "proportional"
    bomber_rule: Literal["one_per_bomber", "loading"] = "one_per_bomber"


def _scenario_doc(base: Any, where: Document | None) -> Document:
    """The scenario's document: read from the file ``base`` names, or ``base`` itself."""
    if isinstance(base, str):
        path = Path(base)
        if where is not None and not path.is_absolute() and Path(where.file).is_file():
            path = Path(where.file).parent / path
        return load_yaml(path)
    if isinstance(base, Mapping):
        if where is not None:
            return Document(dict(base), where.file, where.lines)
        return Document(dict(base), "<scenario>")
    raise ValueError("the stability base is a scenario file path or an inline scenario")


def _digest(path: str) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def _resolve(scenario_data: Mapping[str, Any], uncertain: Mapping[str, Any]):
    """Validate and resolve a scenario with the given uncertain inputs (InputError if bad)."""
    from detente.analysis.scenario import resolve
    from detente.model.scenario import scenario_from_document

    data = {k: v for k, v in scenario_data.items() if k != "uncertain"}
    if uncertain:
        data["uncertain"] = dict(uncertain)
    return resolve(scenario_from_document(Document(data, "<sweep scenario>")))


def _within(where: Document | None, key: str) -> Document | None:
    """The part of the sweep file under ``key`` of the base, when the base came from it."""
    if where is None or not isinstance(where.data, Mapping) or key not in where.data:
        return None
    return where.sub((key,))


def _located(exc: InputError, prefix: str) -> InputError:
    field = f"{prefix}.{exc.field}" if exc.field else prefix
    return InputError(exc.message, file=exc.file, line=exc.line, field=field)


def _cap_rules(data: Any, where: Document | None, labels: tuple[str, ...]) -> CapRules:
    doc = where if where is not None else Document(data, "<sweep>")
    try:
        rules = validate(CapRules, doc)
        for i, label in enumerate(rules.fill):
            if label not in labels:
                raise doc.error(
                    ("fill", i), f"unknown party {label!r}; parties: {', '.join(labels)}"
                )
    except InputError as exc:
        raise _located(exc, "base.caps") from None
    return rules


def _distribution(p: Parameter) -> dict[str, Any]:
    """The sweep parameter's range as a scenario distribution (checked by the scenario layer)."""
    if p.values is not None:
        if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in p.values):
            raise ValueError(f"stability input {p.name!r} takes numbers")
        low, high = float(min(p.values)), float(max(p.values))
        if low == high:
            return {"dist": "fixed", "value": low}
        return {"dist": "uniform", "low": low, "high": high}
    if p.bounds is not None:
        return {"dist": "uniform", "low": p.bounds[0], "high": p.bounds[1]}
    return p.dist.model_dump(exclude_none=True)


def _check_cap(p: Parameter, resolved: ResolvedScenario) -> None:
    """A treaty cap: a known name, and every value it can take valid."""
    from detente.analysis.caps import MIRV_RULES

    if p.name == MIRV_PARAMETER:
        if p.values is None or not all(isinstance(v, str) for v in p.values):
            raise ValueError(f"{p.name} takes values among {', '.join(MIRV_RULES)}")
        if unknown := [v for v in p.values if v not in MIRV_RULES]:
            raise ValueError(
                f"{p.name}: unknown rule(s) {', '.join(unknown)}; rules: {', '.join(MIRV_RULES)}"
            )
        return
    if p.name not in CAP_PARAMETERS:
        known = ", ".join((*CAP_PARAMETERS, MIRV_PARAMETER))
        raise ValueError(f"unknown treaty cap {p.name!r}; caps: {known}")
    low, high = DISTRIBUTION.validate_python(_distribution(p)).support()
    if low < 0:
        raise ValueError(
            f"the sweep reaches [{low:g}, {high:g}], outside the valid range [0, inf] of {p.name}"
        )
    if p.name == "treaty.interceptor_cap":
        if all(x.defense is None for x in resolved.parties):
            raise ValueError(
                f"{p.name}: no party of the scenario has a defense block, so there is nothing "
                "to cap"
            )
        if len(resolved.parties) > 2:
            raise ValueError(f"{p.name}: {_NO_DEFENCE}")


@dataclass(frozen=True)
class _SidePlan:
    """One party's force as the caps see it, and the inputs that carry it into the kernel."""

    label: str
    caps: CapInputs
    loading: tuple[str, ...]
    launchers: tuple[str, ...]
    interceptors: str | None
    planned: float


@dataclass(frozen=True)
class _Plan:
    resolved: ResolvedScenario
    sides: tuple[_SidePlan, ...]


def _holding_key(force, i: int) -> str:
    """How an input path names holding ``i``: its system id if unique in the force, else its
    label (:func:`detente.analysis.scenario.holding_index`)."""
    h = force.holdings[i]
    same = sum(x.system == h.system for x in force.holdings)
    return h.system if same == 1 or h.label is None else h.label


@dataclass(frozen=True)
class _PlanKey:
    """What a plan depends on: the base (as JSON) and the names of the point's inputs.

    ``scenario`` is the base's scenario itself and ``first`` one valid value of each input, in
    the order of ``names``; neither is compared (the plan does not depend on the values).
    """

    base: str
    names: tuple[str, ...]
    scenario: Mapping[str, Any] = field(compare=False)
    first: tuple[float, ...] = field(compare=False)


def _plan_for(base: Mapping[str, Any], first: Mapping[str, float]) -> _Plan:
    """:func:`_plan` of ``base`` for inputs named as ``first``'s keys, whose values are one
    valid value of each."""
    key = _PlanKey(
        jsonio.dumps(base, sort_keys=True),
        tuple(first),
        base["scenario"],
        tuple(float(v) for v in first.values()),
    )
    return _plan(key)


@functools.lru_cache(maxsize=16)
def _plan(key: _PlanKey) -> _Plan:
    """The base scenario resolved with the user's inputs and the inputs that carry each
    party's force under the caps, once per process, base and set of input names.

    The inputs' targets do not depend on their values, so a zero-width distribution at one
    valid value of each fixes them: the first value of a swept input (every value was checked
    when the sweep file was read), the scenario's own value of a carried one.
    """
    from detente.analysis.caps import cap_inputs
    from detente.analysis.elements import strategic_holdings

    scenario = key.scenario
    plain = _resolve(scenario, {})
    point = dict(zip(key.names, key.first, strict=True))
    sides = []
    for party in plain.parties:
        held = strategic_holdings(party.force)
        keys = [f"parties.{party.label}.holdings.{_holding_key(party.force, i)}" for i, _ in held]
        caps = cap_inputs(party.force)
        loading = tuple(f"{k}.loading" for k in keys)
        launchers = tuple(f"{k}.launchers.deployed" for k in keys)
        carried = (*zip(loading, caps.m, strict=True), *zip(launchers, caps.n, strict=True))
        for path, value in carried:
            point.setdefault(path, float(value))
        interceptors, planned = None, 0.0
        if party.defense is not None:
            interceptors = f"parties.{party.label}.defense.interceptors"
            planned = party.defense.interceptors
            point.setdefault(interceptors, float(planned))
        sides.append(_SidePlan(party.label, caps, loading, launchers, interceptors, planned))
    dists = {k: {"dist": "fixed", "value": v} for k, v in point.items()}
    return _Plan(_resolve(scenario, dists), tuple(sides))


def _force_under_caps(
    plan: _Plan, side: _SidePlan, values, caps, rules: CapRules, size: int
) -> tuple[np.ndarray, np.ndarray]:
    """The side's launchers and loadings, shape (size, E): the scenario's, the point's
    holding inputs applied as :func:`~detente.analysis.uncertainty.evaluate_batch` applies
    them, then restructured under the caps."""
    from detente.analysis.caps import restructure
    from detente.analysis.elements import strategic_holdings

    c = side.caps
    n, m = np.tile(c.n, (size, 1)), np.tile(c.m, (size, 1))
    force = plan.resolved.party(side.label).force
    column = {i: col for col, (i, _) in enumerate(strategic_holdings(force))}
    for x in plan.resolved.inputs:
        t = x.target
        if x.path not in values or t.kind != "holding" or t.party != side.label:
            continue
        j, v = column[t.holding], values[x.path]
        if t.name == "loading":
            m[:, j] = v
        elif t.name == "warheads":
            m[:, j] = v / c.n[j]
        elif t.name == "launchers.deployed":
            n[:, j] = v
    return restructure(
        n, m, c.leg, c.silo, c.capacity, c.reserve,
        warhead_cap=caps["treaty.warhead_cap"], launcher_cap=caps["treaty.launcher_cap"],
        mirv=caps[MIRV_PARAMETER], fill=side.label in rules.fill,
        launcher_rule=rules.launcher_rule, bomber_rule=rules.bomber_rule,
    )  # fmt: skip


class Stability:
    """The stability calculus on a scenario, as a sweep model (see the module docstring)."""

    name = "stability"

    def resolve(self, base: Any, where: Document | None = None) -> dict[str, Any]:
        """``{"scenario": the scenario inline, "files": {path: sha256}}``, and ``"caps"``
        (the :class:`CapRules`) when the base gives them.

        Relative force and treaty paths become absolute, and the SHA-256 of each such file is
        kept, so a changed force file changes the sweep's hash. Errors name the scenario's
        file (or the sweep file, for an inline scenario), line and field.
        """
        from detente.model.scenario import scenario_from_document

        wrapped = isinstance(base, Mapping) and "scenario" in base
        if wrapped and (extra := sorted(set(base) - set(BASE_KEYS))):
            raise ValueError(
                f"unknown key(s) {', '.join(map(str, extra))} in the stability base; "
                "it takes scenario and caps"
            )
        scenario_base = base["scenario"] if wrapped else base
        scenario_where = _within(where, "scenario") if wrapped else where
        if wrapped and scenario_where is None and where is not None:
            scenario_where = Document(None, where.file, {})
        doc = _scenario_doc(scenario_base, scenario_where)
        try:
            scenario = scenario_from_document(doc)
        except InputError as exc:
            if isinstance(scenario_base, str) or scenario_where is None:
                raise
            raise _located(exc, "base.scenario" if wrapped else "base") from None
        data = jsonio.jsonable(scenario.document.data)  # dates as text
        data.pop("uncertain", None)
        parties = [dict(p) for p in data["parties"]]
        files = {}
        for p in parties:
            p["force"] = scenario.file_ref(p["force"])
            if looks_like_path(p["force"]):
                files[p["force"]] = _digest(p["force"])
        data["parties"] = parties
        if data.get("treaty"):
            data["treaty"] = scenario.file_ref(data["treaty"])
            if looks_like_path(data["treaty"]):
                files[data["treaty"]] = _digest(data["treaty"])
        resolved = _resolve(data, {})
        out: dict[str, Any] = {"scenario": data, "files": files}
        if wrapped and base.get("caps") is not None:
            rules = _cap_rules(base["caps"], _within(where, "caps"), resolved.labels)
            out["caps"] = rules.model_dump(mode="json")
        return out

    def check_input(self, parameter: Parameter, base: Mapping[str, Any]) -> None:
        """The path must be an input the batched evaluation applies, its range valid."""
        if parameter.name.startswith("treaty."):
            _check_cap(parameter, _resolve(base["scenario"], {}))
            return
        try:
            resolved = _resolve(base["scenario"], {parameter.name: _distribution(parameter)})
        except InputError as exc:
            message = exc.message.replace("the distribution reaches", "the sweep reaches")
            raise ValueError(message.removesuffix("; set low/high inside it")) from None
        t = resolved.inputs[0].target
        if t.kind == "defense" and len(resolved.parties) > 2:
            raise ValueError(f"{parameter.name}: {_NO_DEFENCE}")
        if t.kind == "holding" and t.name.startswith("alert."):
            posture = resolved.party(t.party).spec.posture
            if t.name != f"alert.{posture}":
                raise ValueError(
                    f"{parameter.name}: party {t.party} is in posture {posture}, so only "
                    f"alert.{posture} enters the exchange"
                )

    def outputs(self, base: Mapping[str, Any]) -> tuple[str, ...]:
        from detente.analysis.uncertainty import output_names

        resolved = _resolve(base["scenario"], {})
        names = list(output_names(resolved))
        for party in resolved.parties:
            names += [f"deployed_warheads.{party.label}", f"deployed_launchers.{party.label}"]
            if party.defense is not None:
                names.append(f"interceptors.{party.label}")
        return tuple(names)

    def kernel(self, points: int) -> str:
        """The kernel of a sweep of ``points`` points
        (:func:`detente.kernels.compiled.sweep_kernel`)."""
        from detente.kernels import compiled

        return compiled.sweep_kernel(points)

    def ready(self, kernel: str) -> None:
        """Load the compiled kernel if the sweep runs on it (from this machine's cache, or
        compiled first, with a note on standard error)."""
        if kernel == "compiled":
            from detente.kernels import compiled

            compiled.load()

    def evaluate(
        self, inputs: Mapping[str, np.ndarray], base: Mapping[str, Any], kernel: str = "numpy"
    ) -> dict[str, np.ndarray]:
        from detente.analysis.caps import capped_interceptors, counted_warheads, mirv_codes
        from detente.analysis.uncertainty import evaluate_batch, flat_outputs

        size = len(next(iter(inputs.values())))
        caps: dict[str, Any] = dict.fromkeys(CAP_PARAMETERS, np.inf) | {MIRV_PARAMETER: 0}
        values = {}
        for name, v in inputs.items():
            if name == MIRV_PARAMETER:
                caps[name] = mirv_codes(v)
            elif name in CAP_PARAMETERS:
                caps[name] = np.asarray(v, dtype=float)
            else:
                values[name] = np.asarray(v, dtype=float)
        rules = CapRules(**base.get("caps", {}))
        plan = _plan_for(base, {k: v[0] for k, v in values.items()})
        carried = {  # the point's holding counts now travel in the restructured force
            x.path
            for x in plan.resolved.inputs
            if x.path in values
            and x.target.kind == "holding"
            and x.target.name in ("loading", "warheads", "launchers.deployed")
        }
        columns = {k: v for k, v in values.items() if k not in carried}
        extra = {}
        for side in plan.sides:
            n, m = _force_under_caps(plan, side, values, caps, rules, size)
            columns |= dict(zip(side.loading, m.T, strict=True))
            columns |= dict(zip(side.launchers, n.T, strict=True))
            label = side.label
            extra[f"deployed_warheads.{label}"] = counted_warheads(
                n, m, side.caps.leg, bomber_rule=rules.bomber_rule
            )
            extra[f"deployed_launchers.{label}"] = n.sum(axis=1)
            if side.interceptors is not None:
                planned = values.get(side.interceptors, side.planned)
                capped = np.broadcast_to(
                    capped_interceptors(planned, caps["treaty.interceptor_cap"]), (size,)
                )
                columns[side.interceptors] = capped
                extra[f"interceptors.{label}"] = capped
        return flat_outputs(evaluate_batch(plan.resolved, columns, size, kernel=kernel)) | extra


register(Stability())
