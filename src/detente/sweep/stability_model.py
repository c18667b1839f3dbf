"""The first-strike stability calculus as a sweep model (``model: stability``).

The base is a scenario (:mod:`detente.model.scenario`): a path to a scenario file, relative to
the sweep file, or the scenario written inline under ``base``. Each swept parameter is a
dotted path of the scenario's uncertain inputs (:mod:`detente.analysis.scenario`)::

    parameters.<de|alpha|surcharge|avail|lua_escape|assured_destruction_emt>
    parties.<PARTY>.w80
    parties.<PARTY>.holdings.<HOLDING>.<loading|warheads|launchers.deployed|alert.<posture>>

Points are evaluated in one batched call per chunk
(:func:`detente.analysis.uncertainty.evaluate_batch`, the same code as the Monte Carlo).
Outputs (:func:`~detente.analysis.uncertainty.output_names`): ``fsi``, and per party ``r.P``,
``surviving.P``, ``arriving.P`` (pairwise names for three or more parties).

The scenario's own ``uncertain`` block is not drawn in a sweep: the sweep's parameters replace
it. Missile-defence inputs (``parties.P.defense.*``) are refused, because the batched
evaluation does not apply them yet.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from detente.errors import InputError
from detente.model.yamlio import Document, load_yaml

if TYPE_CHECKING:
    from detente.sweep.spec import Parameter

_CACHE_SIZE = 16
_resolved_cache: dict[tuple[str, tuple[str, ...]], Any] = {}


def _scenario_doc(base: Any, where: Document | None) -> Document:
    """The scenario's document: read from the file ``base`` names, or ``base`` itself."""
    if isinstance(base, str):
        path = Path(base)
        if where is not None and not path.is_absolute() and Path(where.file).is_file():
            path = Path(where.file).parent / path
        return load_yaml(path)
    if isinstance(base, Mapping) and set(base) == {"scenario", "files"}:  # already resolved
        return Document(dict(base["scenario"]), "<stored scenario>")
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


def _resolved_for(base: Mapping[str, Any], inputs: Mapping[str, np.ndarray]):
    """The base scenario with ``inputs`` as its uncertain inputs, resolved once per process.

    The inputs' targets do not depend on their values, so the first value of each fixes a
    zero-width distribution; every value was checked against the target's range when the
    sweep file was read.
    """
    key = (json.dumps(base, sort_keys=True), tuple(inputs))
    if key not in _resolved_cache:
        if len(_resolved_cache) >= _CACHE_SIZE:
            _resolved_cache.clear()
        point = {
            name: {"dist": "uniform", "low": float(v[0]), "high": float(v[0])}
            for name, v in inputs.items()
        }
        _resolved_cache[key] = _resolve(base["scenario"], point)
    return _resolved_cache[key]


def _distribution(p: Parameter) -> dict[str, Any]:
    """The sweep parameter's range as a scenario distribution (checked by the scenario layer)."""
    if p.values is not None:
        if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in p.values):
            raise ValueError(f"stability input {p.name!r} takes numbers")
        return {"dist": "uniform", "low": float(min(p.values)), "high": float(max(p.values))}
    if p.bounds is not None:
        return {"dist": "uniform", "low": p.bounds[0], "high": p.bounds[1]}
    d = p.dist
    if d.kind == "uniform":
        return {"dist": "uniform", "low": d.low, "high": d.high}
    if d.kind == "triangular":
        return {"dist": "triangular", "low": d.low, "mode": d.mode, "high": d.high}
    if d.kind == "normal":
        return {"dist": "normal", "mean": d.mean, "sd": d.sd}
    return {"dist": "lognormal", "median": math.exp(d.mu), "sigma": d.sigma}


class Stability:
    """The stability calculus on a scenario, as a sweep model (see the module docstring)."""

    name = "stability"

    def resolve(self, base: Any, where: Document | None = None) -> dict[str, Any]:
        """``{"scenario": the scenario inline, "files": {path: sha256}}``.

        Relative force and treaty paths become absolute, and the SHA-256 of each such file is
        kept, so a changed force file changes the sweep's hash. Errors name the scenario's
        file (or the sweep file, for an inline scenario), line and field.
        """
        from detente.model.scenario import scenario_from_document

        doc = _scenario_doc(base, where)
        try:
            scenario = scenario_from_document(doc)
        except InputError as exc:
            if isinstance(base, str) or where is None:
                raise
            field = f"base.{exc.field}" if exc.field else "base"
            raise InputError(exc.message, file=exc.file, line=exc.line, field=field) from None
        data = json.loads(json.dumps(scenario.document.data, default=str))  # dates as text
        data.pop("uncertain", None)
        parties = [dict(p) for p in data["parties"]]
        files = {}
        for p in parties:
            p["force"] = scenario.file_ref(p["force"])
            if Path(p["force"]).suffix in {".yaml", ".yml"}:
                files[p["force"]] = _digest(p["force"])
        data["parties"] = parties
        if data.get("treaty"):
            data["treaty"] = scenario.file_ref(data["treaty"])
            if Path(data["treaty"]).suffix in {".yaml", ".yml"}:
                files[data["treaty"]] = _digest(data["treaty"])
        _resolve(data, {})
        return {"scenario": data, "files": files}

    def check_input(self, parameter: Parameter, base: Mapping[str, Any]) -> None:
        """The path must be an input the batched evaluation applies, its range valid."""
        try:
            resolved = _resolve(base["scenario"], {parameter.name: _distribution(parameter)})
        except InputError as exc:
            message = exc.message.replace("the distribution reaches", "the sweep reaches")
            raise ValueError(message.removesuffix("; set low/high inside it")) from None
        t = resolved.inputs[0].target
        if t.kind == "defense":
            raise ValueError(f"{parameter.name}: missile-defence inputs are not swept yet")
        if t.kind == "holding" and t.name.startswith("alert."):
            posture = resolved.party(t.party).spec.posture
            if t.name != f"alert.{posture}":
                raise ValueError(
                    f"{parameter.name}: party {t.party} is in posture {posture}, so only "
                    f"alert.{posture} enters the exchange"
                )

    def outputs(self, base: Mapping[str, Any]) -> tuple[str, ...]:
        from detente.analysis.uncertainty import output_names

        return tuple(output_names(_resolve(base["scenario"], {})))

    def evaluate(
        self, inputs: Mapping[str, np.ndarray], base: Mapping[str, Any]
    ) -> dict[str, np.ndarray]:
        from detente.analysis.uncertainty import evaluate_batch

        values = {k: np.asarray(v, dtype=float) for k, v in inputs.items()}
        n = len(next(iter(values.values())))
        return evaluate_batch(_resolved_for(base, values), values, n)
