"""The zone of possible agreement and its Pareto frontier.

Each party states acceptance criteria on the outputs and inputs of a proposal (a sweep point),
e.g. "our FSI at least 0.8", "at least 300 of our warheads arrive in retaliation", "warhead cap
at most 1500". A party accepts a point that meets all its criteria; criteria without a party
bind every party. The zone of possible agreement is the set of points every party accepts;
its Pareto frontier is the subset no other point of the zone improves on in every objective.

References
----------
.. [1] H. Raiffa, *The Art and Science of Negotiation*, Harvard University Press, 1982
   (zone of possible agreement; efficient frontier of joint gains).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd

from detente.sweep.spec import Criterion

ALL_PARTIES = "all"


def _criteria(criteria: Iterable[Criterion | Mapping]) -> list[Criterion]:
    return [c if isinstance(c, Criterion) else Criterion.model_validate(c) for c in criteria]


def acceptance(frame: pd.DataFrame, criteria: Iterable[Criterion | Mapping]) -> pd.DataFrame:
    """Whether each party accepts each point: one boolean column per party.

    Parties are those named by the criteria (column ``all`` when none is named). A missing
    (NaN) value meets no criterion.

    Examples
    --------
    >>> frame = pd.DataFrame({"cap": [1000, 1500, 2000], "fsi_US": [0.7, 0.85, 0.9]})
    >>> crit = [{"party": "US", "output": "fsi_US", "min": 0.8}, {"input": "cap", "max": 1500}]
    >>> acceptance(frame, crit)
          US
    0  False
    1   True
    2  False
    """
    criteria = _criteria(criteria)
    if not criteria:
        raise ValueError("give at least one criterion")
    if missing := sorted({c.column for c in criteria} - set(frame.columns)):
        raise ValueError(f"criteria name columns the results lack: {', '.join(missing)}")
    parties = list(dict.fromkeys(c.party for c in criteria if c.party is not None)) or [ALL_PARTIES]
    met = {}
    for c in criteria:
        if not pd.api.types.is_numeric_dtype(frame[c.column]):
            raise ValueError(f"criterion on {c.column!r}: min and max need a numeric column")
        x = frame[c.column].to_numpy(dtype=float)
        ok = ~np.isnan(x)
        if c.min is not None:
            ok &= x >= c.min
        if c.max is not None:
            ok &= x <= c.max
        met[id(c)] = ok
    out = {}
    for party in parties:
        mine = [met[id(c)] for c in criteria if c.party in (party, None) or party == ALL_PARTIES]
        out[party] = np.logical_and.reduce(mine)
    return pd.DataFrame(out, index=frame.index)


def agreement_zone(frame: pd.DataFrame, criteria: Iterable[Criterion | Mapping]) -> pd.DataFrame:
    """The rows of ``frame`` that every party accepts (see :func:`acceptance`).

    Examples
    --------
    >>> frame = pd.DataFrame({"a_US": [1, 5, 9], "a_RU": [9, 5, 1]})
    >>> crit = [
    ...     {"party": "US", "output": "a_US", "min": 4},
    ...     {"party": "RU", "output": "a_RU", "min": 4},
    ... ]
    >>> agreement_zone(frame, crit)
       a_US  a_RU
    1     5     5
    """
    return frame[acceptance(frame, criteria).all(axis=1).to_numpy()]


def objectives_from_criteria(criteria: Iterable[Criterion | Mapping]) -> dict[str, str]:
    """Objectives implied by the criteria: a ``min`` bound is maximised, a ``max`` bound
    minimised; a column bounded on both sides, or in both directions, is left out.

    Examples
    --------
    >>> objectives_from_criteria([{"output": "fsi", "min": 0.8}, {"input": "cap", "max": 1500}])
    {'fsi': 'max', 'cap': 'min'}
    """
    seen: dict[str, set[str]] = {}
    for c in _criteria(criteria):
        if c.min is not None and c.max is None:
            seen.setdefault(c.column, set()).add("max")
        elif c.max is not None and c.min is None:
            seen.setdefault(c.column, set()).add("min")
        else:
            seen.setdefault(c.column, set()).add("both")
    return {col: d.pop() for col, d in seen.items() if len(d) == 1 and "both" not in d}


def pareto_mask(costs: np.ndarray) -> np.ndarray:
    """Non-dominated rows of ``costs`` (every column minimised).

    Row a dominates row b when a ≤ b in every column and a < b in at least one. Rows with a
    NaN are never on the frontier; equal rows are all kept. Vectorised: one pass over the
    rows per frontier point, O(n × frontier size × columns).

    Parameters
    ----------
    costs : array_like, shape (n, k)

    Returns
    -------
    ndarray of bool, shape (n,)

    Examples
    --------
    >>> pareto_mask([[1, 4], [2, 2], [3, 3], [4, 1], [2, 2]]).tolist()
    [True, True, False, True, True]
    """
    costs = np.asarray(costs, dtype=float)
    if costs.ndim != 2:
        raise ValueError(f"costs must be 2-D (points, objectives); got shape {costs.shape}")
    index = np.flatnonzero(~np.isnan(costs).any(axis=1))
    c = costs[index]
    i = 0
    while i < len(c):
        keep = (c < c[i]).any(axis=1) | (c == c[i]).all(axis=1)
        index, c = index[keep], c[keep]
        i = int(keep[:i].sum()) + 1
    mask = np.zeros(len(costs), dtype=bool)
    mask[index] = True
    return mask


def pareto_frontier(frame: pd.DataFrame, objectives: Mapping[str, str]) -> pd.DataFrame:
    """The rows of ``frame`` on the Pareto frontier of ``objectives`` (``{column: 'max'|'min'}``).

    Examples
    --------
    >>> frame = pd.DataFrame({"fsi": [0.9, 0.8, 0.7], "cap": [1500, 1000, 1200]})
    >>> pareto_frontier(frame, {"fsi": "max", "cap": "min"})
       fsi   cap
    0  0.9  1500
    1  0.8  1000
    """
    if not objectives:
        raise ValueError("give at least one objective")
    if bad := {k: v for k, v in objectives.items() if v not in ("max", "min")}:
        raise ValueError(f"objectives are 'max' or 'min'; got {bad}")
    if missing := sorted(set(objectives) - set(frame.columns)):
        raise ValueError(f"objectives name columns the frame lacks: {', '.join(missing)}")
    sign = np.array([-1.0 if v == "max" else 1.0 for v in objectives.values()])
    costs = frame[list(objectives)].to_numpy(dtype=float) * sign
    return frame[pareto_mask(costs)]
