"""Missile defence: intercept probability, engagement capacity and arriving warheads.

docs/models.md §2, "Missile defence" [ours, after [1]_]. A defender with I interceptors, a
single-shot kill probability p_I against one reentry vehicle (RV), s interceptors fired at each
engaged RV and a system availability K (the probability that the defence works when needed)
kills each engaged RV with

    P = K·[1 − (1 − p_I)^s]                                                       (eq. D1)

and can engage at most ⌊I/s⌋ RVs (eq. D2). Of a salvo of N RVs that arrives together,
min(N, ⌊I/s⌋) are engaged, so the expected number that arrives is

    N_arr = N − P·min(N, ⌊I/s⌋) = max((1 − P)·N, N − P·⌊I/s⌋)                     (eq. D3)

and the share that arrives is ρ = N_arr/N = 1 − P·min(1, ⌊I/s⌋/N) (eq. D4; ρ = 1 for N = 0).
Engaged RVs are drawn without regard to their mission, so counterforce and countervalue
warheads of one salvo get through in the same share ρ (the expected-value treatment used by
the stability kernel, :mod:`detente.kernels.stability`).

Why a fixed-capacity defence can destabilise [1]_: it removes the share P·⌊I/s⌋/N of a salvo
of N. A full first strike is large, so its share is small; the ragged retaliation of a side
that has been struck first is small, so its share is large. The defence then lowers the
striker's cost of striking first (C1) more than its cost of being struck (C2).

References
----------
.. [1] D. Wilkening & K. Watman, *Strategic Defenses and First-Strike Stability*, RAND
   R-3412-FF/RC, 1986.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np


class Defense(NamedTuple):
    """One side's missile defence as the kernels take it; scalars or arrays of shape (B,).

    The model-level :class:`detente.model.scenario.Defense` becomes one of these in
    :func:`detente.analysis.stability.kernel_defense`.

    Attributes
    ----------
    interceptors : float or array_like
        Interceptors I [-], >= 0.
    p_kill : float or array_like
        Single-shot kill probability p_I [-] in [0, 1].
    shots_per_rv : int or array_like
        Interceptors s fired at each engaged RV [-], whole numbers >= 1 (default 1).
    availability : float or array_like
        Probability K [-] in [0, 1] that the defence works when needed (default 1).

    Examples
    --------
    >>> d = Defense(1000, p_kill=0.7, shots_per_rv=2, availability=0.9)
    >>> round(float(intercept_probability(d.p_kill, d.shots_per_rv, d.availability)), 4)
    0.819
    """

    interceptors: float | np.ndarray
    p_kill: float | np.ndarray
    shots_per_rv: int | np.ndarray = 1
    availability: float | np.ndarray = 1.0


def _array(name, x, lo, hi=np.inf, *, whole=False):
    """``x`` as a float array, or a ValueError naming ``name`` and its valid range."""
    a = np.asarray(x, dtype=float)
    ok = np.isfinite(a) & (a >= lo) & (a <= hi)
    if whole:
        ok &= a == np.floor(a)
    if not ok.all():
        rule = f"a whole number >= {lo:g}" if whole else f"finite and in [{lo:g}, {hi:g}]"
        raise ValueError(f"{name} must be {rule}; got {float(a[~ok].flat[0])}")
    return a


def intercept_probability(p_kill, shots_per_rv=1, availability=1.0):
    """Probability [-] that the defence kills one engaged RV, P = K·[1 − (1 − p_I)^s] (eq. D1).

    Parameters
    ----------
    p_kill : array_like
        Single-shot kill probability p_I [-] of one interceptor against one RV, in [0, 1].
    shots_per_rv : array_like
        Interceptors s fired at each engaged RV [-], whole numbers >= 1.
    availability : array_like
        Probability K [-] in [0, 1] that the defence works when needed.

    Returns
    -------
    ndarray
        P [-] in [0, 1], broadcast over the inputs.

    Examples
    --------
    Two shots of single-shot kill 0.7 with availability 0.9 (the golden-dome example):

    >>> round(float(intercept_probability(0.7, 2, 0.9)), 4)
    0.819
    """
    p = _array("p_kill", p_kill, 0.0, 1.0)
    s = _array("shots_per_rv", shots_per_rv, 1.0, whole=True)
    k = _array("availability", availability, 0.0, 1.0)
    return k * (1.0 - (1.0 - p) ** s)


def engagement_capacity(interceptors, shots_per_rv=1):
    """Most RVs the defence can engage, ⌊I/s⌋ [RVs] (eq. D2).

    Parameters
    ----------
    interceptors : array_like
        Interceptors I [-], >= 0.
    shots_per_rv : array_like
        Interceptors fired at each engaged RV [-], whole numbers >= 1.

    Examples
    --------
    >>> engagement_capacity([44, 1000], 2).tolist()
    [22.0, 500.0]
    """
    i = _array("interceptors", interceptors, 0.0)
    s = _array("shots_per_rv", shots_per_rv, 1.0, whole=True)
    return np.floor(i / s)


def arriving_warheads(warheads, interceptors, p_kill, shots_per_rv=1, availability=1.0):
    """Expected RVs of one salvo that get through, N − P·min(N, ⌊I/s⌋) [warheads] (eq. D3).

    Convex and piecewise linear in N: slope 1 − P up to the kink N = ⌊I/s⌋, slope 1 beyond.

    Parameters
    ----------
    warheads : array_like
        RVs N in the salvo [warheads], >= 0.
    interceptors, p_kill, shots_per_rv, availability : array_like
        The defence (see :func:`intercept_probability` and :func:`engagement_capacity`).

    Examples
    --------
    A defence of 200 interceptors, one shot each, P = 0.9, against a ragged retaliation of
    300 RVs and a first strike of 1,450:

    >>> arriving_warheads([300.0, 1450.0], 200, 0.9).round(6).tolist()
    [120.0, 1270.0]
    """
    n = _array("warheads", warheads, 0.0)
    p = intercept_probability(p_kill, shots_per_rv, availability)
    return n - p * np.minimum(n, engagement_capacity(interceptors, shots_per_rv))


def penetration_share(warheads, interceptors, p_kill, shots_per_rv=1, availability=1.0):
    """Share [-] of a salvo of N RVs that gets through, ρ = 1 − P·min(1, ⌊I/s⌋/N) (eq. D4).

    ρ = 1 where N = 0 (nothing to intercept).

    Parameters
    ----------
    warheads : array_like
        RVs N in the salvo [warheads], >= 0.
    interceptors, p_kill, shots_per_rv, availability : array_like
        The defence (see :func:`arriving_warheads`).

    Returns
    -------
    ndarray
        ρ [-] in [0, 1].

    Examples
    --------
    The same defence takes 60 % of the ragged retaliation but 12.4 % of the first strike:

    >>> penetration_share([300.0, 1450.0], 200, 0.9).round(4).tolist()
    [0.4, 0.8759]
    """
    n = _array("warheads", warheads, 0.0)
    p = intercept_probability(p_kill, shots_per_rv, availability)
    cap = engagement_capacity(interceptors, shots_per_rv)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        share = np.minimum(1.0, cap / n)
    return np.where(n > 0.0, 1.0 - p * share, 1.0)
