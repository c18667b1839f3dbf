"""First-strike stability of three or more parties: forces in, pairwise table and system index out.

Builds the (1, P, E) element arrays and the w80 matrix of :mod:`detente.kernels.multiparty`
from forces, sides or a resolved scenario, calls the kernel once for every ordered pair and
wraps the result with party labels (docs/multiparty.md).

``w80`` of a party depends on who strikes it: the default divides the assured-destruction
yardstick by the mean EMT of the *attacker's* warheads (:func:`~detente.analysis.stability.
default_w80`), so a party's w80 is kept per attacker. A w80 given for a party (or in a notional
force file) applies against every attacker.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from detente.analysis.elements import Elements, elements_from_force, elements_from_notional
from detente.analysis.stability import (
    Side,
    StabilityParams,
    default_w80,
    force_labels,
    per_label,
)
from detente.display import Display
from detente.errors import InputError
from detente.kernels.multiparty import RESERVE, RESERVE_MODE, RESERVE_MODES, system_index
from detente.model import limits
from detente.model.force import Force, Posture
from detente.model.notional import NotionalForce

if TYPE_CHECKING:
    import pandas as pd

    from detente.analysis.scenario import ResolvedScenario


@dataclass(frozen=True)
class ReserveRule:
    """What a striker withholds against every armed third party (eq. M1 of the kernel).

    Attributes
    ----------
    mode : {'w80', 'share', 'warheads'}
        ``w80``: ``amount`` times the third party's w80 (default: 1, enough to destroy 80 %
        of its value) [ours]; ``share``: a share in [0, 1] of the striker's usable weapons
        per third party; ``warheads``: warheads per third party.
    amount : float
        ρ [-, or warheads], >= 0.
    """

    mode: str = RESERVE_MODE
    amount: float = RESERVE

    def __post_init__(self) -> None:
        if self.mode not in RESERVE_MODES:
            raise InputError(
                f"reserve mode must be one of {', '.join(RESERVE_MODES)}; got {self.mode!r}",
                field="reserve_mode",
            )
        high = 1.0 if self.mode == "share" else limits.MAX_RESERVE[self.mode]
        if not (0.0 <= self.amount <= high and math.isfinite(self.amount)):
            rule = "in [0, 1]" if self.mode == "share" else f"finite, from 0 to {high:g}"
            raise InputError(
                f"a {self.mode} reserve must be {rule}; got {self.amount:g}", field="reserve"
            )

    def describe(self) -> str:
        """One line for tables and reports."""
        if self.mode == "w80":
            return f"{self.amount:g} x w80 of each armed third party"
        if self.mode == "share":
            return f"{self.amount:.0%} of usable weapons per armed third party"
        return f"{self.amount:g} warheads per armed third party"


@dataclass(frozen=True)
class PairResult:
    """One pair of a system: each side striking the other first, its reserve withheld.

    Attributes
    ----------
    pair : tuple of str
        (X, Y).
    fsi : float
        Pairwise index min(1, r_X)·min(1, r_Y) [-].
    C1, C2, r, r_uncapped : dict
        Per side: cost of striking the other first (reserve withheld), cost of being struck
        first by the other, min(1, C1/C2) and C1/C2 [-].
    reserve : dict
        Per side: warheads withheld against the third parties when it strikes first.
    x_star : dict
        Per side: counterforce warheads spent when it strikes first.
    arriving : dict
        Per side: its warheads that survive the other's first strike and retaliate.
    """

    pair: tuple[str, str]
    fsi: float
    C1: dict[str, float]
    C2: dict[str, float]
    r: dict[str, float]
    r_uncapped: dict[str, float]
    reserve: dict[str, float]
    x_star: dict[str, float]
    arriving: dict[str, float]

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe dict (an infinite ratio as ``"inf"``)."""
        out = {k: v for k, v in self.__dict__.items() if k != "pair"}
        out["r_uncapped"] = {
            k: v if math.isfinite(v) else "inf" for k, v in self.r_uncapped.items()
        }
        return out


@dataclass(frozen=True, repr=False)
class SystemResult(Display):
    """First-strike stability of a system of parties.

    Attributes
    ----------
    labels : tuple of str
    pairs : dict
        :class:`PairResult` by pair tag (``"US-CN"``), in the order of ``labels``.
    fsi_min, fsi_product : float
        System index: the least and the product of the pairwise indices [-].
    weakest : str
        The tag of the pair with the least index (the first if tied).
    reserve : ReserveRule
    w80 : dict
        ``w80[victim][attacker]`` [warheads].
    w80_notes : dict
        Where each party's w80 comes from.
    posture, lua : dict
        Per party (the posture applies to real forces; notional ones have fixed alerts;
        ``None`` where sides were given, with their elements as built).
    params : StabilityParams
    """

    labels: tuple[str, ...]
    pairs: dict[str, PairResult]
    fsi_min: float
    fsi_product: float
    weakest: str
    reserve: ReserveRule
    w80: dict[str, dict[str, float]]
    w80_notes: dict[str, str]
    posture: dict[str, str | None]
    lua: dict[str, bool]
    params: StabilityParams = field(repr=False)

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe summary: the system index first, then every pair."""
        return {
            "fsi_min": self.fsi_min,
            "fsi_product": self.fsi_product,
            "weakest_pair": self.weakest,
            "parties": list(self.labels),
            "pairs": {tag: p.to_dict() for tag, p in self.pairs.items()},
            "reserve": {"mode": self.reserve.mode, "amount": self.reserve.amount},
            "w80": self.w80,
            "w80_notes": self.w80_notes,
            "posture": self.posture,
            "lua": self.lua,
            "params": self.params.__dict__,
        }

    def summary(self) -> str:
        """The system index and its weakest pair, in words."""
        return (
            f"system first-strike stability {self.fsi_min:.2f} (the least pairwise index; "
            f"1 = no party gains by striking first), weakest pair {self.weakest}; "
            f"product of the pairwise indices {self.fsi_product:.2f}"
        )

    def to_frame(self) -> pd.DataFrame:
        """One row per ordered pair (striker, victim)."""
        import pandas as pd

        rows = []
        for tag, p in self.pairs.items():
            for striker, victim in (p.pair, p.pair[::-1]):
                rows.append(
                    {
                        "pair": tag,
                        "striker": striker,
                        "victim": victim,
                        "reserve": p.reserve[striker],
                        "x_star": p.x_star[striker],
                        "C1": p.C1[striker],
                        "C2": p.C2[striker],
                        "r": p.r[striker],
                        "r_uncapped": p.r_uncapped[striker],
                        "arriving_retaliation": p.arriving[victim],
                        "fsi": p.fsi,
                    }
                )
        return pd.DataFrame(rows).set_index(["striker", "victim"])


def _w80_matrix(
    forces: Sequence[Force | NotionalForce], labels: list[str], given: Mapping[str, float]
) -> tuple[np.ndarray, dict[str, str]]:
    """``w80[a, v]`` (v struck by a) and a note per party."""
    unknown = set(given) - set(labels)
    if unknown:
        raise InputError(
            f"w80 given for {', '.join(sorted(unknown))}, not a party here ({', '.join(labels)})",
            field="w80",
        )
    size = len(forces)
    w80 = np.ones((size, size))
    notes = {}
    for v, (label, victim) in enumerate(zip(labels, forces, strict=True)):
        if label in given:
            w80[:, v], notes[label] = float(given[label]), "given"
            if not given[label] > 0:
                raise InputError(f"w80 of {label} must be > 0; got {given[label]}", field="w80")
            continue
        if isinstance(victim, NotionalForce):
            w80[:, v], notes[label] = victim.w80, "given in the file"
            continue
        parts = {}
        for a, attacker in enumerate(forces):
            if a == v:
                continue
            if not isinstance(attacker, Force):
                raise InputError(
                    f"w80 of {label} against notional {labels[a]} has no default (no yields): "
                    f"give it (CLI: --w80 {label}=VALUE)",
                    field="w80",
                )
            try:
                w80[a, v], note = default_w80(attacker)
            except InputError as exc:
                why = exc.message.partition(":")[0]
                raise InputError(
                    f"w80 of {label} against {labels[a]} has no default ({why}): give it "
                    f"(CLI: --w80 {label}=VALUE; scenario: w80 of party {label})",
                    field="w80",
                ) from None
            parts[labels[a]] = note
        notes[label] = _note(parts)
    return w80, notes


def _elements(force: Force | NotionalForce, posture: Posture) -> Elements:
    """Exchange elements; a notional force has one alert fraction per element, no posture."""
    if isinstance(force, NotionalForce):
        return elements_from_notional(force)
    return elements_from_force(force, posture)


def evaluate_system(
    forces_or_sides: Sequence[Force | NotionalForce] | Sequence[Side],
    params: StabilityParams | None = None,
    reserve: ReserveRule | None = None,
    *,
    posture: Posture | Mapping[str, Posture] = "day_to_day",
    lua: bool | Mapping[str, bool] = False,
    w80: Mapping[str, float] | None = None,
) -> SystemResult:
    """Pairwise and system first-strike stability of two or more parties.

    Parameters
    ----------
    forces_or_sides : sequence of Force, NotionalForce or Side
        The parties. :class:`~detente.analysis.stability.Side` objects carry their elements,
        w80 (used against every attacker) and launch under attack; ``posture``, ``lua`` and
        ``w80`` then do not apply.
    params : StabilityParams, optional
    reserve : ReserveRule, optional
        Default: one w80 of each armed third party.
    posture, lua : str or bool, or dict by party label
        Posture of real forces and launch under attack of each party.
    w80 : dict, optional
        w80 [warheads] by party label, used against every attacker. Default: per attacker,
        through its warheads' EMT (:func:`~detente.analysis.stability.default_w80`).

    Returns
    -------
    SystemResult

    Raises
    ------
    InputError
        Fewer than two parties, shared labels, a w80 that cannot be defaulted (a force
        without known yields: give the victim's w80), a bad reserve.

    Examples
    --------
    Three copies of the T1 notional force: every pair is T1 without a reserve (FSI 0.2871);
    keeping one w80 (804.7 warheads) against the third party raises every pair to 0.7336.

    >>> from detente.analysis.stability import load_side_force
    >>> from detente.model.catalog import DATA_DIR
    >>> path = DATA_DIR.parent.parent.parent / "examples" / "notional" / "t1-a.yaml"
    >>> t1 = load_side_force(path)
    >>> trio = [t1.model_copy(update={"party": p}) for p in ("A", "B", "C")]
    >>> round(evaluate_system(trio, reserve=ReserveRule("w80", 0.0)).fsi_min, 4)
    0.2871
    >>> result = evaluate_system(trio)
    >>> round(result.fsi_min, 4), round(result.pairs["A-B"].reserve["A"], 1)
    (0.7336, 804.7)
    """
    items = list(forces_or_sides)
    if len(items) < 2:
        raise InputError(f"a system needs at least two parties; got {len(items)}")
    if all(isinstance(s, Side) for s in items):
        sides: list[Side] = items  # type: ignore[assignment]
        labels = [s.label for s in sides]
        if len(set(labels)) != len(labels):
            raise InputError(f"two sides share the label(s) {labels}")
        matrix = np.tile([s.w80 for s in sides], (len(sides), 1))
        return _evaluate(
            labels,
            [s.elements for s in sides],
            matrix,
            {s.label: s.w80_note for s in sides},
            {s.label: None for s in sides},
            {s.label: s.lua for s in sides},
            params,
            reserve,
        )
    if any(isinstance(s, Side) for s in items):
        raise InputError("give either forces or sides, not a mix")
    forces: list[Force | NotionalForce] = items  # type: ignore[assignment]
    labels = force_labels(forces, "parties")
    postures = {k: per_label(posture, k, "day_to_day") for k in labels}
    matrix, notes = _w80_matrix(forces, labels, w80 or {})
    return _evaluate(
        labels,
        [_elements(f, postures[k]) for k, f in zip(labels, forces, strict=True)],
        matrix,
        notes,
        postures,
        {k: bool(per_label(lua, k, False)) for k in labels},
        params,
        reserve,
    )


def system_from_scenario(
    resolved: ResolvedScenario, reserve: ReserveRule | None = None
) -> SystemResult:
    """The system index of a resolved scenario: its parties, postures, w80 and parameters.

    A party's w80 against each attacker is the one its pair's sides use
    (:meth:`~detente.analysis.scenario.ResolvedScenario.sides`): the scenario's own, else the
    default through that attacker's warheads (scaled to the scenario's yardstick).
    """
    labels = list(resolved.labels)
    index = {k: i for i, k in enumerate(labels)}
    matrix = np.ones((len(labels), len(labels)))
    elements: dict[str, Elements] = {}
    notes: dict[str, dict[str, str]] = {k: {} for k in labels}
    lua: dict[str, bool] = {}
    for pair in resolved.pairs():
        sides = resolved.sides(pair)
        for side, other in zip(sides, sides[::-1], strict=True):
            matrix[index[other.label], index[side.label]] = side.w80
            elements[side.label], lua[side.label] = side.elements, side.lua
            notes[side.label][other.label] = side.w80_note
    return _evaluate(
        labels,
        [elements[k] for k in labels],
        matrix,
        {k: _note(v) for k, v in notes.items()},
        {p.label: p.spec.posture for p in resolved.parties},
        lua,
        resolved.params,
        reserve,
    )


def _note(by_attacker: dict[str, str]) -> str:
    """One note for a party's w80: shared by every attacker, or one per attacker."""
    if len(set(by_attacker.values())) == 1:
        return next(iter(by_attacker.values()))
    return "; ".join(f"against {a}: {note}" for a, note in by_attacker.items())


def _column(w80: np.ndarray, labels: list[str], victim: int) -> dict[str, float]:
    """The w80 of party ``victim`` against every other party [warheads]."""
    return {a: float(w80[j, victim]) for j, a in enumerate(labels) if j != victim}


def _pad(elements: list[Elements]) -> list[np.ndarray]:
    """(1, P, E) arrays n, m, fixed, alert, padded with n = 0 elements."""
    width = max(1, *(len(e) for e in elements))
    out = [np.zeros((1, len(elements), width)) for _ in range(4)]
    out[2] = out[2].astype(bool)
    for i, e in enumerate(elements):
        for arr, values in zip(out, (e.n, e.m, e.fixed, e.alert), strict=True):
            arr[0, i, : len(e)] = values
    return out


def _evaluate(
    labels: list[str],
    elements: list[Elements],
    w80: np.ndarray,
    notes: dict[str, str],
    posture: dict[str, str | None],
    lua: dict[str, bool],
    params: StabilityParams | None,
    reserve: ReserveRule | None,
) -> SystemResult:
    """One kernel call for all ordered pairs, wrapped by label."""
    params = params or StabilityParams()
    reserve = reserve or ReserveRule()
    si = system_index(
        *_pad(elements),
        w80[None],
        params.de,
        lua=np.array([[lua[k] for k in labels]]),
        reserve=reserve.amount,
        reserve_mode=reserve.mode,
        **params.kernel_kwargs(),
    )
    pairs = {}
    for i, x in enumerate(labels):
        for j in range(i + 1, len(labels)):
            y = labels[j]

            def both(a: np.ndarray, i: int = i, j: int = j, x: str = x, y: str = y) -> dict:
                return {x: float(a[0, i, j]), y: float(a[0, j, i])}

            pairs[f"{x}-{y}"] = PairResult(
                pair=(x, y),
                fsi=float(si.fsi[0, i, j]),
                C1=both(si.C1),
                C2=both(si.C2),
                r=both(si.r),
                r_uncapped=both(si.r_uncapped),
                reserve=both(si.reserve),
                x_star=both(si.strike.x_star),
                arriving={x: float(si.strike.R[0, j, i]), y: float(si.strike.R[0, i, j])},
            )
    weakest = min(pairs, key=lambda tag: pairs[tag].fsi)
    return SystemResult(
        labels=tuple(labels),
        pairs=pairs,
        fsi_min=float(si.fsi_min[0]),
        fsi_product=float(si.fsi_product[0]),
        weakest=weakest,
        reserve=reserve,
        w80={v: _column(w80, labels, i) for i, v in enumerate(labels)},
        w80_notes=notes,
        posture=posture,
        lua=lua,
        params=params,
    )
