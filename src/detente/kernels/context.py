"""Context measures shown next to the first-strike stability index (models.md §2, "Beyond the
report"): Schelling's penalty for waiting, arriving retaliatory warheads, generation stability
and launch-on-warning stability.

**Penalty for waiting** [rec]. Schelling's reciprocal fear of surprise attack [1]_ [2]_, as
summarised in a secondary account [3]_: let D1 be the damage a side suffers if the other
strikes first (it waited) and D2 the damage it suffers if it strikes first itself (the
other's second strike). D1 − D2 is the side's penalty for waiting; the balance is delicate to
the extent that both penalties are large, measured by (D1 − D2)·(d1 − d2). Normalised by the
damage of waiting [models.md §2]:

    p = 1 − D2/D1 ∈ (−inf, 1],   P = max(0, p_A)·max(0, p_B) ∈ [0, 1]            (eq. C1)

p = 1: striking first spares the side everything; p <= 0: striking first spares it nothing.
Clipping at 0 (so that two sides that both lose by striking first do not multiply to a
positive index) and p = 0 for D1 = D2 = 0 are [ours]. Unlike the FSI, 0 is stable here.

**Arriving retaliatory warheads** (ARW) [4]_: the victim's warheads that survive a first
strike and arrive on the striker, R = W_V − K(x) (every survivor arrives: no defences).

**Generation and launch-on-warning stability** [ours, after S. J. Cimbala's usage [4]_]: how
much of a side's retaliation depends on generating its forces, or on launching on warning:

    GS = ARW(day-to-day) / ARW(generated),   LS = ARW(ride out) / ARW(launch on warning)   (eq. C2)

1 = no dependence. 0/0 = 1 (nothing to lose) and x/0 = inf are [ours].

Which first strike: ``strike="kent_thaler"`` (default) is the striker's cost-minimising strike
of :func:`~detente.kernels.stability.first_strike`, the exchange of the index itself;
``strike="counterforce"`` spends as much as the striker can on counterforce,
x = min(W_S, Σ segment costs): every targetable launcher is attacked with up to kmax
warheads, closer to a worst-case attack on the retaliatory force [ours].

References
----------
.. [1] T. C. Schelling, *The Reciprocal Fear of Surprise Attack*, RAND P-1342, 1958.
.. [2] T. C. Schelling, *The Strategy of Conflict*, Harvard University Press, 1960, ch. 9.
.. [3] N. Miller, "The strategic nuclear balance during the Cold War", course notes, POLI 388,
   University of Maryland, Baltimore County (https://userpages.umbc.edu/~nmiller/POLI388/
   NUCLEAR.htm): D1, D2, d1, d2 and "(D1 − D2)·(d1 − d2)" as Schelling's incentive to
   pre-empt.
.. [4] S. J. Cimbala's exchange analyses count surviving and arriving retaliatory warheads
   under generated and day-to-day alert, launching on warning or riding out the attack
   (models.md §2 names this usage). We could not pin a primary definition of the two ratios:
   eq. C2 is the definition we implement, [ours].
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from detente.kernels._common import floats
from detente.kernels.exchange import (
    AVAIL,
    KMAX,
    LUA_ESCAPE,
    Forces,
    check_forces,
    counterforce_segments,
    drawdown,
    striker_weapons,
    total_weapons,
)
from detente.kernels.stability import (
    ALPHA,
    CHUNK_SIZE,
    SURCHARGE,
    THREADS,
    first_strike,
    value_damage,
)

#: First strikes the measures can assume (see the module notes).
STRIKES = ("kent_thaler", "counterforce")


def penalty_for_waiting(d_wait, d_strike):
    """A side's normalised penalty for waiting, p = 1 − D2/D1 (eq. C1, [1]_ [3]_).

    Parameters
    ----------
    d_wait : array_like
        D1 [-] in [0, 1]: damage to the side's value if the other side strikes first.
    d_strike : array_like
        D2 [-] in [0, 1]: damage to the side's value if it strikes first (the other's
        retaliation).

    Returns
    -------
    ndarray
        p [-] in (−inf, 1]; D1 = 0 gives 0 if D2 = 0 too, else −inf [ours].

    Examples
    --------
    >>> penalty_for_waiting([0.8, 0.5, 0.0], [0.2, 0.5, 0.0])
    array([0.75, 0.  , 0.  ])
    """
    d_wait = floats("d_wait", d_wait, np.shape(d_wait), hi=1.0)
    d_strike = floats("d_strike", d_strike, np.shape(d_strike), hi=1.0)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        p = 1.0 - d_strike / d_wait
    return np.where(d_wait > 0, p, np.where(d_strike > 0, -np.inf, 0.0))


def schelling_index(p_a, p_b):
    """Joint penalty for waiting, P = max(0, p_A)·max(0, p_B) (eq. C1, [1]_ [3]_).

    Parameters
    ----------
    p_a, p_b : array_like
        Each side's penalty for waiting [-] (:func:`penalty_for_waiting`).

    Returns
    -------
    ndarray
        P [-] in [0, 1]; 0: at least one side gains nothing by striking first.

    Examples
    --------
    >>> schelling_index([0.75, 0.75], [0.5, -0.2])
    array([0.375, 0.   ])
    """
    p_a = np.asarray(p_a, dtype=float)
    p_b = np.asarray(p_b, dtype=float)
    if np.any(np.isnan(p_a)) or np.any(np.isnan(p_b)) or np.any(p_a > 1) or np.any(p_b > 1):
        raise ValueError("penalties for waiting must be numbers <= 1")
    return np.maximum(p_a, 0.0) * np.maximum(p_b, 0.0)


def _ratio(name_num, num, name_den, den):
    """num/den of two checked arrays >= 0: 0/0 = 1 and x/0 = inf [ours]."""
    num = floats(name_num, num, np.shape(num))
    den = floats(name_den, den, np.shape(den))
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        r = num / den
    return np.where((num == 0) & (den == 0), 1.0, r)


def generation_stability(arw_day_to_day, arw_generated):
    """Generation stability, ARW(day-to-day) / ARW(generated) (eq. C2, [4]_).

    Parameters
    ----------
    arw_day_to_day, arw_generated : array_like
        Arriving retaliatory warheads [warheads] after a first strike on the side in its
        day-to-day and in its generated posture.

    Returns
    -------
    ndarray
        GS [-]; 1: retaliation does not depend on generating forces. 0/0 = 1 [ours].

    Examples
    --------
    >>> generation_stability([300.0, 0.0], [600.0, 0.0])
    array([0.5, 1. ])
    """
    return _ratio("arw_day_to_day", arw_day_to_day, "arw_generated", arw_generated)


def low_stability(arw_ride_out, arw_low):
    """Launch-on-warning stability, ARW(ride out) / ARW(launch on warning) (eq. C2, [4]_).

    Parameters
    ----------
    arw_ride_out, arw_low : array_like
        Arriving retaliatory warheads [warheads] if the side rides out the attack and if it
        launches its fixed force on warning.

    Returns
    -------
    ndarray
        LS [-]; 1: retaliation does not depend on launching on warning. 0/0 = 1 [ours].

    Examples
    --------
    >>> low_stability([300.0], [1200.0])
    array([0.25])
    """
    return _ratio("arw_ride_out", arw_ride_out, "arw_low", arw_low)


class StrikeOutcome(NamedTuple):
    """A first strike by S on V and V's retaliation; arrays of shape (B,).

    Attributes
    ----------
    x : ndarray
        Counterforce warheads S spends [warheads].
    arriving : ndarray
        V's arriving retaliatory warheads, ARW = W_V − K(x) [warheads].
    D_S : ndarray
        Damage [-] to S's value from the retaliation, f_S(ARW).
    D_V : ndarray
        Damage [-] to V's value from the strike, f_V(W_S − x).
    """

    x: np.ndarray
    arriving: np.ndarray
    D_S: np.ndarray
    D_V: np.ndarray


def strike_outcome(
    n_S,
    m_S,
    fixed_S,
    alert_S,
    n_V,
    m_V,
    fixed_V,
    alert_V,
    w80_S,
    w80_V,
    de,
    *,
    strike="kent_thaler",
    alpha=ALPHA,
    surcharge=SURCHARGE,
    avail=AVAIL,
    kmax=KMAX,
    lua=False,
    lua_escape=LUA_ESCAPE,
    chunk_size=CHUNK_SIZE,
    threads=THREADS,
):
    """S's first strike on V (``strike``: see the module notes) and V's arriving retaliation.

    Parameters
    ----------
    n_S, m_S, fixed_S, alert_S, n_V, m_V, fixed_V, alert_V, w80_S, w80_V, de
        As in :func:`~detente.kernels.stability.first_strike`, shapes (B, E_S), (B, E_V),
        (B,) and (B,) or (B, E_V).
    strike : {'kent_thaler', 'counterforce'}
        The striker's cost-minimising strike (default) or its largest counterforce strike.
    alpha, surcharge, avail, kmax, lua, lua_escape, chunk_size, threads
        As in :func:`~detente.kernels.stability.first_strike` (``alpha`` and ``surcharge``
        matter for the cost-minimising strike only).

    Returns
    -------
    StrikeOutcome

    Examples
    --------
    Check case T1 (models.md §2): the cost-minimising strike spends x* = 250, all the
    counterforce there is, so both strikes leave 300 arriving warheads; launch under attack
    (90 % of silo warheads escape) leaves 1,164 after the largest counterforce strike.

    >>> from detente.kernels.stability import LN5
    >>> t1 = [[100, 50]], [[10, 10]], [[True, False]], 0.5
    >>> strike_outcome(*t1, *t1, 500 * LN5, 500 * LN5, 0.8).arriving
    array([300.])
    >>> strike_outcome(*t1, *t1, 500 * LN5, 500 * LN5, 0.8, strike="counterforce",
    ...                lua=True).arriving
    array([1164.])
    """
    if strike not in STRIKES:
        raise ValueError(f"strike must be one of {STRIKES}; got {strike!r}")
    if strike == "kent_thaler":
        fs = first_strike(
            Forces(n_S, m_S, fixed_S, alert_S), Forces(n_V, m_V, fixed_V, alert_V),
            w80_S, w80_V, de,
            alpha=alpha, surcharge=surcharge, avail=avail, kmax=kmax, lua=lua,
            lua_escape=lua_escape, chunk_size=chunk_size, threads=threads,
        )  # fmt: skip
        return StrikeOutcome(fs.x_star, fs.R, fs.D_S, fs.D_V)
    n_S, m_S, fixed_S, _ = check_forces(n_S, m_S, fixed_S, alert_S, side="S")
    n_V, m_V, fixed_V, alert_V = check_forces(n_V, m_V, fixed_V, alert_V, side="V")
    batch = n_S.shape[0]
    if n_V.shape[0] != batch:
        raise ValueError(f"the sides' batch sizes differ: {batch} and {n_V.shape[0]}")
    w_s = striker_weapons(n_S, m_S, fixed_S, avail=avail)
    w_v = total_weapons(n_V, m_V)
    cost, eff = counterforce_segments(
        n_V, m_V, fixed_V, alert_V, de, kmax=kmax, lua=lua, lua_escape=lua_escape
    )
    x = np.minimum(w_s, cost.sum(axis=1))
    killed = drawdown(x[:, None], cost, eff)[:, 0]
    arriving = np.maximum(w_v - killed, 0.0)
    return StrikeOutcome(
        x,
        arriving,
        value_damage(arriving, floats("w80_S", w80_S, (batch,), lo_open=True)),
        value_damage(w_s - x, floats("w80_V", w80_V, (batch,), lo_open=True)),
    )
