"""First-strike stability: the Kent–Thaler cost calculus, stop rule and index (models.md §2).

Striker S spends x counterforce warheads on victim V's targetable forces (the draw-down curve
K(x) of :mod:`detente.kernels.exchange`), keeps L = W_S − x for V's value and suffers the
retaliation of V's R = W_V − K(x) surviving warheads. Value damage is f(w) = 1 − exp(−w/w0)
with w0 = w80/ln 5 (eq. 1), and each side's cost is

    C_X = D_X^α + k·(1 − D_Y^α)                                               (eq. 2)

where D_X is the damage X suffers and D_Y the damage X inflicts [1]_ (App. C). S picks x*
minimising its own cost C_S(x) (ties: the largest C_V, then the smallest x). The index is
r_X = C1_X / C2_X and FSI = min(1, r_A)·min(1, r_B) (eq. 3) [1]_ [2]_.

How the stop rule is solved exactly
-----------------------------------
On a segment of K(x) with efficiency e, dC_S/dx has the sign of

    d(x) = ln(k/w0_V) − ln(e/w0_S) + ψ(L/w0_V) − ψ(R/w0_S),
    ψ(z) = −z + (α − 1)·ln(1 − e^−z)                                          (eq. 4)

(the log of the marginal loss of damage inflicted minus the log of the marginal gain from
retaliation destroyed). ψ is decreasing and, for α <= 1, convex. Written in s = exp(x/w0_V),
the stationarity condition is a generalised polynomial of four terms with at most two sign
changes, so by Descartes' rule of signs (real exponents) dC_S/dx has at most two zeros on a
segment (one if α = 1, where d is linear): at most one interior local minimum. For every
batch row, with all work elementwise over (segments, rows) arrays, the kernel

1. sorts the segments (a sorting network), chains the breakpoints, evaluates C_S at each and
   takes the best;
2. keeps only segments that could beat it: on a segment D_S and D_V both fall as x grows,
   so C_S >= D_S(hi)^α + k·(1 − D_V(lo)^α) (typically one or two segments a row remain);
3. on those, looks at the sign of d at both ends. From <= 0 to > 0 there is exactly one
   interior minimum, found by safeguarded Newton–bisection to rounding level. With one sign
   at both ends, d keeps it if a cheap bound says so (ψ terms rise with x, hence
   d_lo − Δψ_S <= d <= d_lo + Δψ_V), else if tangent-and-chord lines say so (ψ convex), else
   the segment is halved and each half examined again;
4. chooses x* among breakpoints and interior minima: the least C_S, costs within ``TIE``
   counting as equal (then the largest C_V, then the smallest x).

Where L or R reaches 0 at a segment end, d tends to ±inf (or, both at once, to a finite
limit) and is set to it. Memory is bounded by ``chunk_size`` rows per block and thread.

Missile defence [ours, after [3]_; models.md §2, "Beyond the report"]
---------------------------------------------------------------------
A defence kills each engaged RV with P = K·[1 − (1 − p_I)^s] and engages at most
c = ⌊I/s⌋ RVs of a salvo (eqs. D1, D2 of :mod:`detente.kernels.defense`). Its two effects stay
exact in this calculus:

* V's defence meets S's whole first strike: counterforce and countervalue warheads arrive
  together, so the same share ρ_V = 1 − P_V·min(1, c_V/W_S) of each gets through (eq. D4,
  in expectation, engaged RVs drawn without regard to their mission). S's DE becomes ρ_V·DE
  (a penetration factor, models.md §1) and V's value suffers f_V(ρ_V·L): 1/w0_V is scaled
  by ρ_V. Neither depends on x, so nothing else changes.
* S's defence meets V's ragged retaliation R = W_V − K(x):
  R_arr = R − P_S·min(R, c_S) = max((1 − P_S)·R, R − P_S·c_S) (eq. D3), convex and piecewise
  linear in R with its kink at R = c_S, i.e. at K(x) = W_V − c_S. The segment holding that
  point is split there (one more breakpoint). Where R <= c_S, ρ = (1 − P_S)·R/w0_S: the
  undefended form with 1/w0_S scaled by 1 − P_S; where R >= c_S, ρ = (W_V − P_S·c_S − K)/w0_S:
  the undefended form with W_V shifted down. So every piece has the form of eq. 4 with its
  own W_V and 1/w0_S, and the exact search above applies piece by piece.

Zero interceptors (or no row with P > 0 and c > 0) skip all of this: the undefended path is
unchanged, bit for bit. Why such a defence tends to lower the index (C1 falls more than C2):
see :mod:`detente.kernels.defense`.

Weapon types
------------
With DE given by weapon type, shape (B, E_S, E_V) (each of S's elements is one type with its
own stock of usable warheads), the sorted segments are replaced by the greedy spend of
:mod:`detente.kernels.exchange` ("Heterogeneous weapons"): pieces in order of decreasing
efficiency, so K(x) is concave and piecewise linear and the stop rule above is unchanged.
Consecutive pieces of one salvo level with the same efficiency (one type running out, the
next going on) are joined into one segment: the point between them is no breakpoint of K(x),
and as a candidate it could win a tie (costs within ``TIE``) that the single-DE calculus,
which has no point there, never offers.

References
----------
.. [1] G. A. Kent & D. E. Thaler, *First-Strike Stability: A Methodology for Evaluating
   Strategic Forces*, RAND R-3765-AF, 1989.
.. [2] G. A. Kent, R. J. DeValk & D. E. Thaler, *A Calculus of First-Strike Stability*,
   RAND N-2526-AF, 1988.
.. [3] D. Wilkening & K. Watman, *Strategic Defenses and First-Strike Stability*, RAND
   R-3412-FF/RC, 1986.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from detente.kernels import compiled
from detente.kernels._common import (
    FLOOR,
    LN5,
    MAX_DEPTH,
    MAX_ITER,
    TIE,
    bools,
    chain,
    check_de,
    check_de_matrix,
    classes,
    count,
    floats,
    greedy_spend,
    ratio,
    segments,
    sort_segments,
    weapon_classes,
)
from detente.kernels.defense import Defense, engagement_capacity, intercept_probability
from detente.kernels.exchange import AVAIL, KMAX, LUA_ESCAPE, Forces, check_forces, check_kmax

ALPHA = 0.75  # [-] cost exponent α, R-3765 App. C [rec] (models.md §2)
SURCHARGE = 0.3  # [-] cost surcharge k for damage not inflicted, R-3765 App. C [rec]
CHUNK_SIZE = 1 << 18  # [rows] default batch rows per internal chunk (bounds memory)
# Default threads over chunks: $DETENTE_THREADS (1 on a Dask worker, where processes are
# the parallelism), else 2, or 1 on a single CPU.
THREADS = max(1, int(os.environ.get("DETENTE_THREADS") or min(2, os.cpu_count() or 1)))
_DENSE_ROWS = 1 << 15  # rows per elementwise pass: per-call overhead against cache use


def value_damage(w, w80):
    """Fraction of a side's value destroyed by ``w`` arriving weapons (eq. 1).

    f(w) = 1 − exp(−w/w0) with w0 = w80 / ln 5 [ours, standing in for the hand-drawn curves
    of [1]_], so that f(w80) = 0.8.

    Parameters
    ----------
    w : array_like
        Arriving warheads [warheads], >= 0.
    w80 : array_like
        Arriving warheads that destroy 80 % of the side's value [warheads], > 0.

    Returns
    -------
    ndarray
        Damage [-] in [0, 1].

    Examples
    --------
    >>> round(float(value_damage(300.0, 500.0 * LN5)), 6)  # 1 − e^−0.6, the worked T1
    0.451188
    """
    w = floats("w", w, np.shape(w))
    w80 = floats("w80", w80, np.shape(w80), lo_open=True)
    return -np.expm1(-w * LN5 / w80)


def kent_thaler_cost(d_own, d_other, *, alpha=ALPHA, surcharge=SURCHARGE):
    """A side's cost of an exchange, C = D_own^α + k·(1 − D_other^α) (eq. 2, [1]_ App. C).

    Parameters
    ----------
    d_own : array_like
        Damage [-] the side suffers, in [0, 1].
    d_other : array_like
        Damage [-] the side inflicts, in [0, 1].
    alpha : float
        Cost exponent α [-] in (0, 1] (default 0.75).
    surcharge : float
        Surcharge k [-] >= 0 for damage not inflicted (default 0.3).

    Returns
    -------
    ndarray
        Cost [-] in [0, 1 + k]; no war costs 0 [ours].

    Examples
    --------
    >>> d_a, d_b = value_damage(300.0, 500 * LN5), value_damage(1200.0, 500 * LN5)
    >>> round(float(kent_thaler_cost(d_a, d_b)), 4), round(float(kent_thaler_cost(d_b, d_a)), 4)
    (0.5712, 1.066)
    """
    d_own = floats("d_own", d_own, np.shape(d_own), hi=1.0)
    d_other = floats("d_other", d_other, np.shape(d_other), hi=1.0)
    alpha = floats("alpha", alpha, np.shape(alpha), hi=1.0, lo_open=True)
    surcharge = floats("surcharge", surcharge, np.shape(surcharge))
    return d_own**alpha + surcharge * (1.0 - d_other**alpha)


class FirstStrike(NamedTuple):
    """Outcome of striker S's cost-minimising first strike on victim V; arrays of shape (B,).

    Attributes
    ----------
    x_star : ndarray
        Counterforce warheads S spends [warheads].
    C_S : ndarray
        S's cost of striking first, C1 of S [-].
    C_V : ndarray
        V's cost of being struck, C2 of V [-].
    L : ndarray
        S's warheads left for V's value, W_S − x* [warheads].
    R : ndarray
        V's surviving warheads that retaliate on S's value, W_V − K(x*) [warheads].
    D_S : ndarray
        Damage [-] to S's value, f_S(R_arriving).
    D_V : ndarray
        Damage [-] to V's value, f_V(L_arriving).
    K : ndarray
        V's warheads destroyed by the counterforce strike, K(x*) [warheads].
    W_S : ndarray
        Warheads S can use [warheads].
    W_V : ndarray
        All of V's warheads [warheads].
    L_arriving : ndarray
        Of L, the warheads that get through V's defence, ρ_V·L [warheads] (eq. D4; L
        without a defence).
    R_arriving : ndarray
        Of R, the warheads that get through S's defence, R − P_S·min(R, ⌊I_S/s_S⌋)
        [warheads] (eq. D3; R without a defence).
    killed : ndarray, shape (B, E_V), or None
        V's warheads destroyed per element [warheads]; they sum to K (asked for with
        ``kills=True``, else None).
    spent : ndarray, shape (B, E_V), or None
        S's counterforce warheads spent on each of V's elements [warheads]; they sum to x*.
    """

    x_star: np.ndarray
    C_S: np.ndarray
    C_V: np.ndarray
    L: np.ndarray
    R: np.ndarray
    D_S: np.ndarray
    D_V: np.ndarray
    K: np.ndarray
    W_S: np.ndarray
    W_V: np.ndarray
    L_arriving: np.ndarray
    R_arriving: np.ndarray
    killed: np.ndarray | None = None
    spent: np.ndarray | None = None


class _Direction(NamedTuple):
    """Validated inputs of one striker → victim direction."""

    striker: Forces
    victim: Forces
    de: np.ndarray  # (B, E_V), or (B, E_S, E_V) by weapon type: S's DE against V's classes
    lua: np.ndarray  # (B,) and the rest
    lua_escape: np.ndarray
    avail: np.ndarray
    inv_w0_s: np.ndarray  # ln 5 / w80_S [1/warhead]
    inv_w0_v: np.ndarray  # ρ_V·ln 5 / w80_V: V's defence thins L (eq. D4)
    alpha: np.ndarray
    k: np.ndarray
    linear: bool  # some α = 1: 0·∞ in eq. 4 needs its limit
    rho_v: np.ndarray | None = None  # (B,) share of S's strike through V's defence, ρ_V
    p_s: np.ndarray | None = None  # (B,) S's defence: intercept probability P_S (eq. D1)
    cap_s: np.ndarray | None = None  # (B,) and engagement capacity ⌊I_S/s_S⌋ (eq. D2)

    @property
    def hetero(self):
        """DE by weapon type: the greedy spend of :mod:`detente.kernels.exchange`."""
        return self.de.ndim == 3


def _check_defense(side, defense, batch):
    """(P, ⌊I/s⌋) of one side's :class:`~detente.kernels.defense.Defense`, (B,) each, or
    None where there is none or no row has a working one."""
    if defense is None:
        return None
    shape = (batch,)
    i = floats(f"defense_{side}.interceptors", defense.interceptors, shape)
    s = floats(f"defense_{side}.shots_per_rv", defense.shots_per_rv, shape, lo=1.0)
    if not np.all(s == np.floor(s)):
        raise ValueError(f"defense_{side}.shots_per_rv must be whole numbers >= 1")
    a = floats(f"defense_{side}.availability", defense.availability, shape, hi=1.0)
    p_kill = floats(f"defense_{side}.p_kill", defense.p_kill, shape, hi=1.0)
    p = intercept_probability(p_kill, s, a)
    cap = engagement_capacity(i, s)
    works = (p > 0.0) & (cap > 0.0)
    if not works.any():
        return None
    return np.where(works, p, 0.0), np.where(works, cap, 0.0)  # rows without one: exactly none


def _striker_weapons(striker, avail, hetero):
    """W_S (B,) as the stop rule computes it, and when ``hetero`` the stock of each weapon
    type (B, E_S) that it sums (else None)."""
    n, m, fixed, _ = striker
    nm = n * m
    if hetero:
        stock = nm * np.where(fixed, 1.0, avail[:, None])
        return stock.sum(axis=1), stock
    return np.einsum("be->b", nm) - (1.0 - avail) * np.einsum("be,be->b", nm, ~fixed), None


def _direction(striker, victim, w80_S, w80_V, de, lua, params, names, defense=(None, None)):
    """Validate one direction between two :class:`Forces`; ``names`` label errors.

    ``defense``: S's and V's (P, ⌊I/s⌋) from :func:`_check_defense`, or None each.
    """
    batch = striker.n.shape[0]
    if victim.n.shape[0] != batch:
        raise ValueError(f"the sides' batch sizes differ: {batch} and {victim.n.shape[0]}")
    shape = (batch,)
    alpha = floats("alpha", params["alpha"], shape, hi=1.0, lo_open=True)
    if np.ndim(de) == 3:
        de = check_de_matrix(names["de"], de, batch, striker.n.shape[1], victim.n.shape[1])
    else:
        de = check_de(names["de"], de, victim.n.shape)
    avail = floats("avail", params["avail"], shape, hi=1.0)
    inv_w0_v = LN5 / floats(names["w80_V"], w80_V, shape, lo_open=True)
    rho_v = None
    if defense[1] is not None:  # V's defence meets the whole first strike W_S (eq. D4)
        p_v, cap_v = defense[1]
        w_s, _ = _striker_weapons(striker, avail, de.ndim == 3)
        with np.errstate(divide="ignore", invalid="ignore"):
            rho_v = np.where(w_s > 0.0, 1.0 - p_v * np.minimum(1.0, cap_v / w_s), 1.0)
        de = de * rho_v.reshape((batch,) + (1,) * (de.ndim - 1))
        inv_w0_v = inv_w0_v * rho_v
    p_s, cap_s = defense[0] if defense[0] is not None else (None, None)
    return _Direction(
        striker,
        victim,
        de,
        bools(names["lua"], lua, shape),
        lua_escape=floats("lua_escape", params["lua_escape"], shape, hi=1.0),
        avail=avail,
        inv_w0_s=LN5 / floats(names["w80_S"], w80_S, shape, lo_open=True),
        inv_w0_v=inv_w0_v,
        alpha=alpha,
        k=floats("surcharge", params["surcharge"], shape),
        linear=bool(np.any(alpha == 1.0)),
        rho_v=rho_v,
        p_s=p_s,
        cap_s=cap_s,
    )


class _Terms(NamedTuple):
    """Damage terms at points of the draw-down curve (eqs. 1, 4); shape of the inputs."""

    pow_s: np.ndarray  # D_S^α
    pow_v: np.ndarray  # D_V^α
    psi_s: np.ndarray  # ψ(ρ), ρ = R/w0_S
    psi_v: np.ndarray  # ψ(λ), λ = L/w0_V
    g_s: np.ndarray | None  # −ψ'(ρ) = α + (1 − α)/D_S, when asked for
    g_v: np.ndarray | None  # −ψ'(λ)


def _terms(x, K, W_S, W_V, inv_w0_s, inv_w0_v, alpha, linear, slopes=False, floor=0.0):
    """:class:`_Terms` where S spends ``x`` and destroys ``K``.

    Written with in-place operations: this is the kernel's innermost loop. ``linear``: some
    α = 1, where ψ(z) = −z and −ψ' = 1 also at z = 0 (the formulas give 0·∞ there).
    ``floor`` > 0 raises ρ and λ to at least ``floor`` (scalar or per row): D = 0, where log
    and exp of −inf take slow paths, becomes tiny, D^α ~ floor^α negligible and ψ finite;
    the caller must then mend d where L or R is 0.
    """
    out = []
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        for z, inv_w0 in ((K - W_V, inv_w0_s), (x - W_S, inv_w0_v)):  # −R and −L
            z *= inv_w0
            np.minimum(z, -floor, out=z)  # −ρ and −λ
            damage = np.expm1(z)
            np.subtract(0.0, damage, out=damage)  # D = 1 − e^−z (eq. 1), +0 at z = 0
            psi = np.log(damage)
            power = alpha * psi
            np.exp(power, out=power)  # D^α
            psi *= alpha - 1.0
            g = np.divide(1.0 - alpha, damage, out=damage) if slopes else None
            if linear:
                for a in (psi, g) if slopes else (psi,):
                    a[np.isnan(a)] = 0.0
            psi += z  # ψ = (α − 1)·ln D − z
            if slopes:
                g += alpha
            out.append((power, psi, g))
    (pow_s, psi_s, g_s), (pow_v, psi_v, g_v) = out
    return _Terms(pow_s, pow_v, psi_s, psi_v, g_s, g_v)


def _cost(pow_own, pow_other, k):
    """Eq. 2: D_own^α + k·(1 − D_other^α) from the powers."""
    c = pow_other * -k
    c += k
    c += pow_own
    return c


def _pick(c_s, x, K, c_v, best):
    """The stop rule's choice along axis 0: min C_S; ties max C_V, then min x. (x*, K*).

    ``best`` is ``c_s.min(axis=0)``. ``c_v(cols)`` gives C_V of the candidates in columns
    ``cols``; it is called only for columns where distinct candidates tie. All candidates lie
    on one draw-down curve, where K rises with x: the tied candidate with the smallest x also
    has the smallest K.
    """
    tied = c_s <= best + TIE
    x_lo = np.where(tied, x, np.inf).min(axis=0)
    K_lo = np.where(tied, K, np.inf).min(axis=0)
    real = np.flatnonzero(np.where(tied, x, -np.inf).max(axis=0) > x_lo)
    if real.size:
        cv = c_v(real)
        tied = tied[:, real]
        tied &= cv >= np.where(tied, cv, -np.inf).max(axis=0) - TIE
        x_lo[real] = np.where(tied, x[:, real], np.inf).min(axis=0)
        K_lo[real] = np.where(tied, K[:, real], np.inf).min(axis=0)
    return x_lo, K_lo


def _classify(d_lo, d_hi, h, pv_lo, pv_hi, ps_lo, ps_hi, gv_lo, gv_hi, gs_lo, gs_hi, e_s, inv_v):
    """Sort intervals inside segments by the sign of d (eq. 4) at their ends.

    ``pv``, ``ps``, ``gv``, ``gs`` are ψ_V, ψ_S, g_V, g_S (:class:`_Terms`) at the two ends,
    ``h`` > 0 the length and ``e_s`` = e/w0_S. Returns ``bracket`` (d <= 0 at the low end and
    > 0 at the high end: one interior minimum of C_S) and ``unsure`` (one sign at both ends,
    not certified to keep it).

    Certificate: with σ that sign, σ·d is bounded below by two lines through (lo, σ·d_lo) and
    (hi, σ·d_hi) whose slopes s1, s2 are the tangents at the ends of the convex term of σ·d
    (ψ_V for σ = +1, ψ_S for σ = −1, as functions of x) minus the chord of the other term.
    Their maximum is a convex piecewise-linear lower bound of σ·d; if its minimum over the
    interval is >= 0, d keeps its sign and C_S is monotone there.
    """
    neg = d_lo <= 0.0
    bracket = neg & (d_hi > 0.0)
    same = neg == (d_hi <= 0.0)
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        chord_v = (pv_hi - pv_lo) / h
        chord_s = (ps_hi - ps_lo) / h
        s1 = np.where(neg, e_s * gs_lo - chord_v, inv_v * gv_lo - chord_s)
        s2 = np.where(neg, e_s * gs_hi - chord_v, inv_v * gv_hi - chord_s)
        t_lo = np.abs(d_lo)
        t_hi = np.abs(d_hi)
        sure = (s1 >= 0.0) | (s2 <= 0.0) | (t_lo + s1 * h >= 0.0) | (t_hi - s2 * h >= 0.0)
        y = np.clip((t_lo - t_hi + s2 * h) / (s2 - s1), 0.0, h)
        sure |= np.maximum(t_lo + s1 * y, t_hi + s2 * (y - h)) >= 0.0
    # d is NaN only where its terms overflow (∞ − ∞, w80 near the smallest floats): no sign to
    # search there, and halving such intervals would only double them.
    return bracket, same & ~sure & ~(np.isnan(d_lo) | np.isnan(d_hi))


class _Seg(NamedTuple):
    """Segments left for the sparse stage; arrays of shape (N,)."""

    col: np.ndarray  # batch row
    x0: np.ndarray  # segment start [warheads]
    K0: np.ndarray  # K at the start [warheads]
    e: np.ndarray  # efficiency [-]
    x1: np.ndarray  # segment end (clipped at W_S) [warheads]
    d_lo: np.ndarray  # d (eq. 4) at the ends
    d_hi: np.ndarray
    W_S: np.ndarray  # the row's weapons [warheads]
    W_V: np.ndarray  # V's weapons, less P_S·⌊I_S/s_S⌋ where S's defence is saturated (eq. D3)
    inv_s: np.ndarray  # 1/w0_S, times 1 − P_S where S's defence is not saturated (eq. D3)


class _Pieces(NamedTuple):
    """The segments that a list of points or intervals lies in; arrays of shape (N,)."""

    col: np.ndarray  # batch row
    x0: np.ndarray
    K0: np.ndarray
    e: np.ndarray
    W_S: np.ndarray
    W_V: np.ndarray
    inv_w0_s: np.ndarray
    inv_w0_v: np.ndarray
    alpha: np.ndarray
    k: np.ndarray

    @classmethod
    def of(cls, seg, dr):
        """Pieces of the segments ``seg`` (:class:`_Seg`) of direction ``dr``."""
        c = seg.col
        rows = (a[c] for a in (dr.inv_w0_v, dr.alpha, dr.k))
        return cls(c, seg.x0, seg.K0, seg.e, seg.W_S, seg.W_V, seg.inv_s, *rows)

    def at(self, x, linear):
        """:class:`_Terms` (with slopes), d (eq. 4) and dd/dx where S spends ``x``."""
        K = self.K0 + self.e * (x - self.x0)
        t = _terms(x, K, self.W_S, self.W_V, self.inv_w0_s, self.inv_w0_v, self.alpha, linear, True)
        e_s = self.e * self.inv_w0_s
        with np.errstate(divide="ignore", invalid="ignore"):  # ±inf at a singular end
            d = np.log(self.k * self.inv_w0_v) - np.log(e_s) + t.psi_v - t.psi_s
            slope = self.inv_w0_v * t.g_v - e_s * t.g_s
        return t, d, slope


def _concat(parts):
    """Concatenate NamedTuples of arrays (nested ones too) field by field, on the last axis."""
    first = parts[0]
    if isinstance(first, np.ndarray):
        return np.concatenate(parts, axis=-1)
    return type(first)(*(_concat(list(f)) for f in zip(*parts, strict=True)))


def _take(nt, index):
    """Index every array of a (nested) NamedTuple."""
    if isinstance(nt, np.ndarray):
        return nt[index]
    return type(nt)(*(_take(a, index) for a in nt))


class _Span(NamedTuple):
    """Intervals [lo, hi] inside segments, with d and the eq. 4 terms at both ends."""

    p: _Pieces
    lo: np.ndarray
    hi: np.ndarray
    d_lo: np.ndarray
    d_hi: np.ndarray
    pv_lo: np.ndarray
    pv_hi: np.ndarray
    ps_lo: np.ndarray
    ps_hi: np.ndarray
    gv_lo: np.ndarray
    gv_hi: np.ndarray
    gs_lo: np.ndarray
    gs_hi: np.ndarray

    @classmethod
    def of(cls, p, lo, hi, d_lo, d_hi, linear):
        """Spans with their end terms computed."""
        a, b = p.at(lo, linear)[0], p.at(hi, linear)[0]
        return cls(
            p, lo, hi, d_lo, d_hi,
            a.psi_v, b.psi_v, a.psi_s, b.psi_s, a.g_v, b.g_v, a.g_s, b.g_s,
        )  # fmt: skip

    def classify(self):
        """(bracket, unsure) masks of :func:`_classify`."""
        return _classify(
            self.d_lo, self.d_hi, self.hi - self.lo, *self[5:],
            self.p.e * self.p.inv_w0_s, self.p.inv_w0_v,
        )  # fmt: skip

    def halves(self, xm, dm, tm):
        """The halves [lo, xm] and [xm, hi], given d and the terms ``tm`` at ``xm``."""
        s = self
        left = _Span(
            s.p, s.lo, xm, s.d_lo, dm,
            s.pv_lo, tm.psi_v, s.ps_lo, tm.psi_s, s.gv_lo, tm.g_v, s.gs_lo, tm.g_s,
        )  # fmt: skip
        right = _Span(
            s.p, xm, s.hi, dm, s.d_hi,
            tm.psi_v, s.pv_hi, tm.psi_s, s.ps_hi, tm.g_v, s.gv_hi, tm.g_s, s.gs_hi,
        )  # fmt: skip
        return left, right


def _subdivide(span, linear):
    """Bisect unsure intervals until each is certified or brackets a minimum.

    Returns the brackets found (a :class:`_Span`). Intervals still unsure after
    ``MAX_DEPTH`` halvings (a double root of d, where C_S is flat) are dropped.
    """
    found = [_take(span, np.zeros(span.lo.size, dtype=bool))]
    for _ in range(MAX_DEPTH):
        xm = 0.5 * (span.lo + span.hi)
        splits = (xm > span.lo) & (xm < span.hi)
        if not splits.any():
            break
        span, xm = _take(span, splits), xm[splits]
        tm, dm, _ = span.p.at(xm, linear)
        unsure = []
        for half in span.halves(xm, dm, tm):
            bracket, open_ = half.classify()
            found.append(_take(half, bracket))
            unsure.append(_take(half, open_))
        span = _concat(unsure)
    return _concat(found)


def _newton_bisect(p, lo, hi, linear):
    """Root of d in [lo, hi] where d(lo) <= 0 < d(hi): safeguarded Newton (rtsafe).

    Converged when a Newton step is below 1e-14·x and 1e-12 of the distance to where L or R
    would be 0 (d is log-shaped there), when the bracket is a few ulp wide (a root
    closer to a singular segment end than floats resolve) or when |d| is at its rounding
    level. A short Newton step that leaves the bracket means the root hugs that end: the
    next point probes a few ulp inside it rather than halving the bracket.
    """
    eps4 = 4.0 * np.finfo(float).eps
    x = 0.5 * (lo + hi)
    step = hi - lo
    probed = np.zeros(x.size, dtype=bool)
    idx = np.arange(x.size)
    for _ in range(MAX_ITER):
        if idx.size == 0:
            break
        xi, loi, hii, sti = x[idx], lo[idx], hi[idx], step[idx]
        q = _take(p, idx)
        t, d, slope = q.at(xi, linear)
        up = d > 0.0
        hii = np.where(up, xi, hii)
        loi = np.where(up, loi, xi)
        with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
            newton = d / slope
            aim = xi - newton
            fast = (aim > loi) & (aim < hii) & (np.abs(2.0 * d) <= np.abs(sti * slope))
            # A short Newton step out of the bracket: the root hugs that end; probe beside it.
            probe = ~fast & (np.abs(newton) <= 1e-6 * np.abs(xi)) & ((aim >= hii) | (aim <= loi))
            probe &= ~probed[idx]  # once: if the root is not there, halve the bracket next
        new_step = np.where(fast, newton, 0.5 * (hii - loi))
        xn = np.where(fast, aim, loi + new_step)
        nudge = eps4 * np.abs(hii)
        xn = np.where(probe, np.where(aim >= hii, hii - nudge, loi + nudge), xn)
        flat = np.abs(d) <= 64.0 * np.finfo(float).eps * (1.0 + np.abs(t.psi_v) + np.abs(t.psi_s))
        x[idx] = np.where(flat, xi, xn)
        lo[idx], hi[idx], step[idx], probed[idx] = loi, hii, new_step, probe
        # A step is small if it is small against x and against the distance to where L or R
        # is 0: near such an end d is ~log-shaped and Newton steps shrink with that distance.
        with np.errstate(over="ignore"):
            room = np.minimum(q.W_S - xi, (q.W_V - q.K0 - q.e * (xi - q.x0)) / q.e)
        small = np.abs(newton) <= np.minimum(1e-14 * np.abs(xn), 1e-12 * room)
        done = flat | (hii - loi <= eps4 * np.abs(xn)) | (fast & small)
        idx = idx[~done]
    return x


class _Points(NamedTuple):
    """Candidates of the stop rule: arrays of shape (candidates, rows)."""

    C_S: np.ndarray
    C_V: np.ndarray
    x: np.ndarray
    K: np.ndarray


class _Sparse(NamedTuple):
    """What a dense pass leaves for its block: segments to search, and their rows' points."""

    brackets: _Seg  # d <= 0 at the start and > 0 at the end: one interior minimum
    unsure: _Seg  # one sign of d at both ends, not yet certified to keep it
    cols: np.ndarray  # batch rows of those segments, ascending
    points: _Points  # breakpoints of those rows


def _exchange_setup(dr, rows, kmax, index=False):
    """Steps 1–2 for the rows ``rows``: W_S, W_V (b,) and the sorted segments (S, b); with
    ``index``, also the victim element (class) of each segment (S, b; −1: an empty step).

    By weapon type (``dr.hetero``), the segments are the greedy spend of each type's stock.
    """
    striker = [a[rows] for a in dr.striker]
    W_S, stock = _striker_weapons(striker, dr.avail[rows], dr.hetero)
    n, m, fixed, alert = (a[rows] for a in dr.victim)
    W_V = np.einsum("be,be->b", n, m)
    lua, lua_escape = dr.lua[rows], dr.lua_escape[rows]
    if dr.hetero:
        per_class = weapon_classes(n, m, fixed, alert, dr.de[rows], lua, lua_escape)
        cost, eff, _, cls, level = greedy_spend(*per_class, stock, kmax)
        # A type running out inside a level, the next one going on at the same efficiency,
        # is no breakpoint of K(x): join such pieces into one segment.
        for s in range(cost.shape[0] - 1, 0, -1):
            same = (cls[s] == cls[s - 1]) & (level[s] == level[s - 1]) & (eff[s] == eff[s - 1])
            cost[s - 1] += np.where(same, cost[s], 0.0)
            cost[s][same] = 0.0
        return (W_S, W_V, cost, eff, cls) if index else (W_S, W_V, cost, eff)
    per_class = classes(n, m, fixed, alert, dr.de[rows], lua, lua_escape)
    if index:
        cost, eff, seg = sort_segments(*segments(*per_class, kmax), kmax, index=True)
        return W_S, W_V, cost, eff, seg // kmax
    return W_S, W_V, *sort_segments(*segments(*per_class, kmax), kmax)


def _kills(dr, x_star, kmax):
    """V's warheads destroyed and S's warheads spent per victim element at ``x_star``,
    (B, E_V) each: the chained segments spent up to x*, summed by the element they strike."""
    _, _, cost, eff, cls = _exchange_setup(dr, slice(None), kmax, index=True)
    start = chain(cost, eff, np.inf)[0][:-1]
    spent = np.clip(x_star - start, 0.0, cost)
    shape = dr.victim.n.shape
    killed, used = np.zeros(shape), np.zeros(shape)
    for s in range(cost.shape[0]):
        hit = np.flatnonzero(cls[s] >= 0)
        j = cls[s, hit]
        killed[hit, j] += spent[s, hit] * eff[s, hit]
        used[hit, j] += spent[s, hit]
    return killed, used


def _regime(K, W_V, inv_s, p, cap):
    """W_V and 1/w0_S of the piece of eq. D3 that holds where V has lost ``K`` warheads.

    R = W_V − K retaliates into S's defence. Where R <= ⌊I/s⌋ every RV is engaged:
    R_arr = (1 − P)·R, so 1/w0_S scales by 1 − P; else R_arr = R − P·⌊I/s⌋, so W_V shifts
    down by P·⌊I/s⌋. Either way ρ = (W_V' − K)/w0_S' as without a defence (eq. 4 holds).
    """
    engaged_all = np.greater_equal(K, W_V - cap)  # R <= ⌊I/s⌋
    return (
        np.where(engaged_all, W_V, W_V - p * cap),
        np.where(engaged_all, (1.0 - p) * inv_s, inv_s),
    )


def _split_at_kink(x, K, eff, W_V, inv_s, p, cap):
    """Breakpoints with the kink of S's defence (R = ⌊I_S/s_S⌋) inserted, and each piece's
    W_V and 1/w0_S (:func:`_regime`).

    ``x``, ``K`` have shape (S + 1, b), ``eff`` (S, b), the rest (b,). Returns x, K (S + 2, b),
    eff (S + 1, b), W_V and 1/w0_S at the points (S + 2, b) and on the segments (S + 1, b).
    Rows whose kink is not strictly inside the draw-down curve get a zero-length last segment.
    """
    size = eff.shape[0]
    kink = np.where(cap > 0.0, W_V - cap, np.inf)  # K where R reaches the defence's capacity
    pos = np.count_nonzero(np.less(K, kink), axis=0)  # points before the kink
    inside = (pos > 0) & (pos <= size)
    at = np.where(inside, pos, size + 1)  # where the kink goes among the S + 2 points
    j = np.minimum(pos, size) - 1  # the segment holding it, where inside
    cols = np.arange(x.shape[1])
    x0, K0, e, x1 = x[j, cols], K[j, cols], eff[np.maximum(j, 0), cols], x[j + 1, cols]
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        x_kink = np.where(inside, np.minimum(x0 + (kink - K0) / e, x1), x[-1])
    K_kink = np.where(inside, kink, K[-1])
    i = np.arange(size + 2)[:, None]
    src = np.minimum(i - (i > at), size)
    x = np.where(i == at, x_kink, np.take_along_axis(x, src, axis=0))
    K = np.where(i == at, K_kink, np.take_along_axis(K, src, axis=0))
    src = np.clip(i[:-1] - (i[:-1] >= at), 0, size - 1)
    eff = np.take_along_axis(eff, src, axis=0)
    W_V_pt, inv_s_pt = _regime(K, W_V, inv_s, p, cap)
    return x, K, eff, W_V_pt, inv_s_pt, W_V_pt[:-1], inv_s_pt[:-1]


def _dense_pass(dr, rows, kmax):
    """Breakpoint choice (x*, K*) for the rows ``rows`` (a slice), and the sparse leftovers.

    Elementwise over (segments, rows) arrays: the sorted segments, the breakpoints and their
    costs. A segment can hold a cost below the best breakpoint's only if its lower bound
    D_S(hi)^α + k·(1 − D_V(lo)^α) is below it (D_S and D_V both fall as x grows); for those
    few, the sign of d at both ends, and a cheap certificate that settles nearly all with
    one sign at both ends: ψ_V and ψ_S both rise with x, so d_lo − Δψ_S <= d <= d_lo + Δψ_V.
    """
    inv_s, inv_v, alpha, k = (a[rows] for a in (dr.inv_w0_s, dr.inv_w0_v, dr.alpha, dr.k))
    W_S, W_V, cost, eff = _exchange_setup(dr, rows, kmax)
    x, K = chain(cost, eff, W_S)
    split = dr.p_s is not None and eff.shape[0] > 0
    W_V_pt, inv_s_pt = W_V, inv_s
    if split:  # S's defence: eq. D3 has two pieces, each of the undefended form
        p, cap = dr.p_s[rows], dr.cap_s[rows]
        x, K, eff, W_V_pt, inv_s_pt, W_V_seg, inv_s_seg = _split_at_kink(
            x, K, eff, W_V, inv_s, p, cap
        )
    floor = np.exp(FLOOR / alpha)
    t = _terms(x, K, W_S, W_V_pt, inv_s_pt, inv_v, alpha, dr.linear, floor=floor)
    c_s = _cost(t.pow_s, t.pow_v, k)
    best = c_s.min(axis=0)
    x_star, K_star = _pick(c_s, x, K, lambda c: _cost(t.pow_v[:, c], t.pow_s[:, c], k[c]), best)

    bound = _cost(t.pow_s[1:], t.pow_v[:-1], k)
    keep = bound < best + 2.0 * TIE
    keep &= x[1:] > x[:-1]
    keep &= eff > 0.0  # e = 0 or k = 0: C_S is monotone on the segment
    if not np.all(k > 0.0):
        keep &= k > 0.0
    if split:
        keep &= inv_s_seg > 0.0  # P_S = 1 and every RV engaged: D_S = 0 on the segment
    lo = np.flatnonzero(keep)
    if lo.size == 0:
        return x_star, K_star, W_S, W_V, None
    col = lo % x.shape[1]
    hi = lo + x.shape[1]
    x_lo, x_hi, K_lo, K_hi = (a.ravel().take(i) for a in (x, K) for i in (lo, hi))
    pv_lo, pv_hi, ps_lo, ps_hi = (a.ravel().take(i) for a in (t.psi_v, t.psi_s) for i in (lo, hi))
    e = eff.ravel().take(lo)
    if split:
        w_v, inv_s_e = W_V_seg.ravel().take(lo), inv_s_seg.ravel().take(lo)
    else:
        w_v, inv_s_e = W_V[col], inv_s[col]
    with np.errstate(divide="ignore", invalid="ignore"):
        c0 = np.log(k[col] * inv_v[col] / inv_s_e) - np.log(e)  # ln(k/w0_V) − ln(e/w0_S)
        d_lo = c0 + pv_lo - ps_lo
        d_hi = c0 + pv_hi - ps_hi
        # Mend d where a segment ends at L = 0 (+inf) or R = 0 (−inf); both: a finite limit.
        # With α = 1, ψ(0) = 0 is finite and the floored value is already right.
        singular = alpha[col] < 1.0
        at_l0 = (x_hi >= W_S[col]) & singular
        d_hi[at_l0] = np.inf
        at_r0 = (K_hi >= w_v) & singular
        d_hi[at_r0] = -np.inf
        ends = at_l0 & at_r0
        if ends.any():
            c = col[ends]
            lim = np.log(inv_v[c] / inv_s_e[ends]) - np.log(e[ends])
            d_hi[ends] = np.log(k[c]) + alpha[c] * lim
        falls = d_lo <= 0.0
        rises = d_hi > 0.0
        bracket = falls & rises
        # ψ_V and ψ_S rise with x: c0 + ψ_V(lo) − ψ_S(hi) <= d <= c0 + ψ_V(hi) − ψ_S(lo). The
        # ψ at an end with L or R = 0 is floored (see _terms), but such an end never has the
        # sign of d_lo here.
        sure = np.where(falls, d_lo + (pv_hi - pv_lo) <= 0.0, d_lo - (ps_hi - ps_lo) >= 0.0)
    unsure = (falls != rises) & ~(sure & ~ends)
    if not (bracket.any() or unsure.any()):
        return x_star, K_star, W_S, W_V, None
    w_s = W_S[col]
    col = col + rows.start

    def leftover(mask):
        arrays = (col, x_lo, K_lo, e, x_hi, d_lo, d_hi, w_s, w_v, inv_s_e)
        return _Seg(*(a[mask] for a in arrays))

    marked = np.zeros(x.shape[1], dtype=bool)
    marked[col[bracket | unsure] - rows.start] = True
    c = np.flatnonzero(marked)
    cols = c + rows.start
    ps, pv = t.pow_s[:, c], t.pow_v[:, c]
    points = _Points(c_s[:, c], _cost(pv, ps, k[c]), x[:, c], K[:, c])
    return x_star, K_star, W_S, W_V, _Sparse(leftover(bracket), leftover(unsure), cols, points)


def _solve_block(dr, rows, kmax, dense_rows):
    """x*, K*, W_S, W_V for the rows ``rows`` (a slice): dense passes, then interior minima."""
    parts, sparse = [], []
    for start in range(rows.start, rows.stop, dense_rows):
        *dense, rest = _dense_pass(dr, slice(start, min(start + dense_rows, rows.stop)), kmax)
        parts.append(dense)
        if rest is not None:
            sparse.append(rest)
    x_star, K_star, W_S, W_V = (np.concatenate(a) for a in zip(*parts, strict=True))
    if not sparse:
        return x_star, K_star, W_S, W_V
    sp = _concat(sparse)
    u = sp.unsure
    span = _Span.of(_Pieces.of(u, dr), u.x0, u.x1, u.d_lo, u.d_hi, dr.linear)
    _, unsure = span.classify()  # the full certificate, on the few left unsure
    found = _subdivide(_take(span, unsure), dr.linear)
    b = sp.brackets
    p = _concat([_Pieces.of(b, dr), found.p])
    col = p.col
    lo = np.concatenate([b.x0, found.lo])
    hi = np.concatenate([b.x1, found.hi])
    if lo.size == 0:
        return x_star, K_star, W_S, W_V
    root = _newton_bisect(p, lo, hi, dr.linear)
    tr = p.at(root, dr.linear)[0]
    # Choose again, among breakpoints and interior minima, in the rows that have minima.
    cols, slot = np.unique(col, return_inverse=True)
    order = np.argsort(slot, kind="stable")
    rank = np.empty_like(order)
    rank[order] = np.arange(order.size) - np.searchsorted(slot[order], slot[order])
    points = _take(sp.points, (slice(None), np.searchsorted(sp.cols, cols)))
    n_pts = points.x.shape[0]
    cand = _Points(*(np.full((n_pts + rank.max() + 1, cols.size), np.inf) for _ in range(4)))
    at_roots = (
        _cost(tr.pow_s, tr.pow_v, p.k),
        _cost(tr.pow_v, tr.pow_s, p.k),
        root,
        p.K0 + p.e * (root - p.x0),
    )
    for c, at_pts, at_root in zip(cand, points, at_roots, strict=True):
        c[:n_pts] = at_pts
        c[n_pts + rank, slot] = at_root
    best = _pick(cand.C_S, cand.x, cand.K, lambda c: cand.C_V[:, c], cand.C_S.min(axis=0))
    x_star[cols - rows.start], K_star[cols - rows.start] = best
    return x_star, K_star, W_S, W_V


def _outcome(dr, x_star, K_star, W_S, W_V):
    """:class:`FirstStrike` arrays at the chosen x* (recomputed in one place)."""
    L = W_S - x_star
    R = np.maximum(W_V - K_star, 0.0)
    W_V_eff, inv_s, R_arr, L_arr = W_V, dr.inv_w0_s, R, L
    if dr.p_s is not None:
        W_V_eff, inv_s = _regime(K_star, W_V, dr.inv_w0_s, dr.p_s, dr.cap_s)
        R_arr = R - dr.p_s * np.minimum(R, dr.cap_s)
    if dr.rho_v is not None:
        L_arr = dr.rho_v * L
    t = _terms(x_star, K_star, W_S, W_V_eff, inv_s, dr.inv_w0_v, dr.alpha, dr.linear)
    return FirstStrike(
        x_star=x_star,
        C_S=_cost(t.pow_s, t.pow_v, dr.k),
        C_V=_cost(t.pow_v, t.pow_s, dr.k),
        L=L,
        R=R,
        D_S=-np.expm1(-R_arr * dr.inv_w0_s),
        D_V=-np.expm1(-L * dr.inv_w0_v),
        K=K_star,
        W_S=W_S,
        W_V=W_V,
        L_arriving=L_arr,
        R_arriving=R_arr,
    )


def _solve(dr, kmax, chunk_size, threads, kills=False):
    """The stop rule over the batch, in blocks of ``chunk_size`` rows on ``threads`` threads;
    with ``kills``, the kills per victim element too (:func:`_kills`).

    Blocks bound the working memory; numpy releases the GIL inside its loops, so blocks on
    two threads overlap. Results do not depend on either setting.
    """
    batch = dr.inv_w0_s.shape[0]
    blocks = [slice(s, min(s + chunk_size, batch)) for s in range(0, batch, chunk_size)]
    dense = min(chunk_size, _DENSE_ROWS)
    if not blocks:
        parts = [tuple(np.zeros(0) for _ in range(4))]
    elif threads > 1 and len(blocks) > 1:
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(min(threads, len(blocks))) as pool:
            parts = list(pool.map(lambda rows: _solve_block(dr, rows, kmax, dense), blocks))
    else:
        parts = [_solve_block(dr, rows, kmax, dense) for rows in blocks]
    out = _outcome(dr, *(np.concatenate(a) for a in zip(*parts, strict=True)))
    if kills:
        killed, spent = _kills(dr, out.x_star, kmax)
        out = out._replace(killed=killed, spent=spent)
    return out


def first_strike(
    striker,
    victim,
    w80_S,
    w80_V,
    de,
    *,
    alpha=ALPHA,
    surcharge=SURCHARGE,
    avail=AVAIL,
    kmax=KMAX,
    lua=False,
    lua_escape=LUA_ESCAPE,
    defense_S=None,
    defense_V=None,
    kills=False,
    chunk_size=CHUNK_SIZE,
    threads=THREADS,
    backend=None,
):
    """Striker S's cost-minimising first strike on victim V (models.md §2, steps 1–6).

    S can use W_S = Σ_fixed n·m + avail·Σ_surv n·m warheads; V retaliates with what survives
    of W_V = Σ n·m. S spends x* in [0, min(W_S, Σ segment costs)] on counterforce, chosen to
    minimise its cost C_S (eq. 2; ties: the largest C_V, then the smallest x) with interior
    minima inside segments found exactly (see the module notes) [1]_ [2]_.

    Parameters
    ----------
    striker : Forces, arrays of shape (B, E_S)
        S's force elements (:class:`~detente.kernels.exchange.Forces`; any sequence
        n, m, fixed, alert). S's alert fractions are unused: ``avail`` applies.
    victim : Forces, arrays of shape (B, E_V)
        V's force elements; off-alert survivable launchers are targetable.
    w80_S, w80_V : float or array_like, shape (B,)
        Arriving warheads that destroy 80 % of S's and of V's value [warheads], > 0.
    de : float or array_like, shape (B,), (B, E_V) or (B, E_S, E_V)
        S's damage expectancy [-] per warhead against each of V's element classes; with
        shape (B, E_S, E_V), by weapon type (each of S's elements is one type, spent
        greedily: see the module notes).
    alpha : float or array_like, shape (B,)
        Cost exponent α [-] in (0, 1] (default 0.75, [1]_ App. C).
    surcharge : float or array_like, shape (B,)
        Surcharge k [-] >= 0 (default 0.3, [1]_ App. C).
    avail : float or array_like, shape (B,)
        Share [-] of S's survivable-force weapons usable in a first strike (default 0.9,
        models.md §2 [rec]).
    kmax : int
        Salvo levels per target class (default 2).
    lua : bool or array_like of bool, shape (B,)
        S expects V to launch its fixed force under attack: fixed-force segment efficiencies
        are multiplied by (1 − ``lua_escape``).
    lua_escape : float or array_like, shape (B,)
        Share [-] of V's fixed-force weapons that escape under launch under attack (0.9).
    defense_S, defense_V : Defense, optional
        S's and V's missile defence (:class:`~detente.kernels.defense.Defense`, fields of
        shape (B,) or scalars; default None: no defence).
    kills : bool
        Also return V's warheads destroyed and S's warheads spent per element of V
        (``killed``, ``spent``; computed on the numpy path).
    chunk_size : int
        Batch rows per internal block (default 262144); bounds the working memory per thread,
        not the result.
    threads : int
        Threads working on blocks at once (default: 2, or 1 on a single CPU). The result
        does not depend on it.
    backend : {"auto", "compiled", "numpy"}, optional
        Which kernel solves it (default: ``DETENTE_KERNEL``, else "auto"); see
        :mod:`detente.kernels.compiled`. The results agree to rounding.

    Returns
    -------
    FirstStrike
        Arrays of shape (B,): x*, C_S (C1 of S), C_V (C2 of V), L, R, D_S, D_V, K, W_S, W_V,
        L_arriving, R_arriving; with ``kills``, killed and spent of shape (B, E_V).

    Raises
    ------
    ValueError
        On shapes that do not match or values out of range.

    Examples
    --------
    Check case T1 (models.md §2): 100×10 fixed + 50×10 survivable a side, alert 0.5,
    w0 = 500, DE 0.8. Worked: x* = 250, L = 1200, R = 300, D_A = 1 − e^−0.6,
    D_B = 1 − e^−2.4. The 250 warheads go 100 on the silos' first salvo, 25 on the boats'
    and 100 + 25 on the second salvos:

    >>> force = Forces([[100, 50]], [[10, 10]], [[True, False]], [[0.5, 0.5]])
    >>> fs = first_strike(force, force, 500 * LN5, 500 * LN5, 0.8, kills=True)
    >>> fs.x_star, fs.L, fs.R, fs.K
    (array([250.]), array([1200.]), array([300.]), array([1200.]))
    >>> fs.C_S.round(4), fs.C_V.round(4)
    (array([0.5712]), array([1.066]))
    >>> fs.killed, fs.spent
    (array([[960., 240.]]), array([[200.,  50.]]))

    With a defence of 200 interceptors (P = 0.9) S's retaliation shrinks from 300 to 120
    arriving warheads, which makes striking first cheaper still:

    >>> fs = first_strike(force, force, 500 * LN5, 500 * LN5, 0.8,
    ...                   defense_S=Defense(200, p_kill=0.9))
    >>> fs.x_star, fs.R, fs.R_arriving, fs.C_S.round(4)
    (array([250.]), array([300.]), array([120.]), array([0.3346]))
    """
    kmax, chunk_size, threads = _counts(kmax, chunk_size, threads)
    striker, victim = _forces(striker), _forces(victim)
    if not kills and compiled.use(_rows(striker), backend):
        args = (*striker, *victim, w80_S, w80_V, de)
        values = (False, lua, alpha, surcharge, avail, lua_escape, *_defense_values(defense_S),
                  *_defense_values(defense_V))  # fmt: skip
        out = compiled.first_strike(args, values, kmax, threads)
        if out is not None:
            return _first_strike(out)
    params = dict(alpha=alpha, surcharge=surcharge, avail=avail, lua_escape=lua_escape)
    dr = _one_direction(striker, victim, w80_S, w80_V, de, lua, params, defense_S, defense_V)
    return _solve(dr, kmax, chunk_size, threads, kills)


# The wrapper of the compiled path below costs a few microseconds of the ~15 of a one-row
# call, so the usual cases (plain ints, Forces, no defence) are taken without conversions.


def _counts(kmax, chunk_size, threads):
    """``kmax``, ``chunk_size`` and ``threads`` checked (each a positive integer)."""
    plain = type(kmax) is int and type(chunk_size) is int and type(threads) is int
    if plain and kmax >= 1 and chunk_size >= 1 and threads >= 1:
        return kmax, chunk_size, threads
    return check_kmax(kmax), count("chunk_size", chunk_size), count("threads", threads)


def _forces(side):
    """``side`` as :class:`~detente.kernels.exchange.Forces`."""
    return side if type(side) is Forces else Forces(*side)


def _rows(forces):
    """Batch rows of ``forces`` as the compiled path reads them (0 where n is not 2-d)."""
    n = forces.n
    if type(n) is np.ndarray:
        return n.shape[0] if n.ndim == 2 else 0
    return np.shape(n)[0] if np.ndim(n) == 2 else 0


_NO_DEFENSE = tuple(Defense(0.0, None, 1, 1.0))  # no defence: no interceptors


def _defense_values(defense):
    """The compiled path's values of one side's defence, in the order of Defense's fields."""
    return _NO_DEFENSE if defense is None else tuple(defense)


def _first_strike(out):
    """:class:`FirstStrike` of the compiled path's twelve arrays (no kills)."""
    return tuple.__new__(FirstStrike, (*out, None, None))


def _one_direction(striker, victim, w80_S, w80_V, de, lua, params, defense_S, defense_V):
    """:class:`_Direction` from the arguments of :func:`first_strike`."""
    names = dict(de="de", lua="lua", w80_S="w80_S", w80_V="w80_V")
    striker = check_forces(*striker, side="S")
    victim = check_forces(*victim, side="V")
    batch = striker.n.shape[0]
    checked = (_check_defense("S", defense_S, batch), _check_defense("V", defense_V, batch))
    return _direction(striker, victim, w80_S, w80_V, de, lua, params, names, checked)


class DrawdownCurve(NamedTuple):
    """The draw-down curve K(x) and both costs along it, for plots.

    Attributes
    ----------
    x_break, K_break : ndarray, shape (B, S + 1)
        Breakpoints of K(x) [warheads], all segments chained in order of efficiency.
    x_max : ndarray, shape (B,)
        The stop rule's range ends here: min(W_S, Σ segment costs) [warheads].
    x : ndarray, shape (B, num)
        Even grid on [0, x_max] [warheads].
    K : ndarray, shape (B, num)
        Victim warheads destroyed, K(x) [warheads].
    C_S, C_V : ndarray, shape (B, num)
        Costs [-] of striker and victim (eq. 2) if S spends x on counterforce.
    """

    x_break: np.ndarray
    K_break: np.ndarray
    x_max: np.ndarray
    x: np.ndarray
    K: np.ndarray
    C_S: np.ndarray
    C_V: np.ndarray


def drawdown_curve(
    striker,
    victim,
    w80_S,
    w80_V,
    de,
    *,
    alpha=ALPHA,
    surcharge=SURCHARGE,
    avail=AVAIL,
    kmax=KMAX,
    lua=False,
    lua_escape=LUA_ESCAPE,
    defense_S=None,
    defense_V=None,
    num=101,
):
    """K(x) breakpoints and C_S(x), C_V(x) on a grid: what :func:`first_strike` minimises.

    Parameters are those of :func:`first_strike` (defences and DE by weapon type included);
    ``num`` (>= 2) is the number of grid points. Memory grows as B·num·S: meant for plots,
    not sweeps.

    Returns
    -------
    DrawdownCurve

    Examples
    --------
    Check case T1: C_S falls along the whole range and is least at its end, x* = 250.

    >>> force = Forces([[100, 50]], [[10, 10]], [[True, False]], [[0.5, 0.5]])
    >>> dc = drawdown_curve(force, force, 500 * LN5, 500 * LN5, 0.8, num=3)
    >>> dc.x_break, dc.K_break
    (array([[  0., 100., 125., 225., 250.]]), array([[   0.,  800., 1000., 1160., 1200.]]))
    >>> dc.x, dc.K
    (array([[  0., 125., 250.]]), array([[   0., 1000., 1200.]]))
    >>> dc.C_S.round(4)
    array([[0.9749, 0.725 , 0.5712]])
    """
    params = dict(alpha=alpha, surcharge=surcharge, avail=avail, lua_escape=lua_escape)
    dr = _one_direction(striker, victim, w80_S, w80_V, de, lua, params, defense_S, defense_V)
    num = count("num", num)
    if num < 2:
        raise ValueError(f"num must be at least 2; got {num}")
    W_S, W_V, cost, eff = _exchange_setup(dr, slice(None), check_kmax(kmax))
    x_break, K_break = chain(cost, eff, np.inf)
    x_max = np.minimum(W_S, x_break[-1])
    x = x_max[:, None] * np.linspace(0.0, 1.0, num)
    spent = np.clip(x[None] - x_break[:-1, :, None], 0.0, cost[:, :, None])
    K = np.einsum("sbn,sb->bn", spent, eff)
    W_V_eff, inv_s = W_V[:, None], dr.inv_w0_s[:, None]
    if dr.p_s is not None:
        W_V_eff, inv_s = _regime(K, W_V_eff, inv_s, dr.p_s[:, None], dr.cap_s[:, None])
    rows = (W_S, dr.inv_w0_v, dr.alpha)
    W_S_, inv_v, alpha = (a[:, None] for a in rows)
    t = _terms(x, K, W_S_, W_V_eff, inv_s, inv_v, alpha, dr.linear)
    k = dr.k[:, None]
    cost_s, cost_v = _cost(t.pow_s, t.pow_v, k), _cost(t.pow_v, t.pow_s, k)
    return DrawdownCurve(x_break.T.copy(), K_break.T.copy(), x_max, x, K, cost_s, cost_v)


@dataclass(frozen=True)
class StabilityIndex:
    """First-strike stability of sides A and B; arrays of shape (B,) (eq. 3).

    Attributes
    ----------
    C1_A, C1_B : ndarray
        Cost [-] to A (B) of striking first.
    C2_A, C2_B : ndarray
        Cost [-] to A (B) of being struck first.
    r_A, r_B : ndarray
        Capped ratios r = min(1, C1/C2) [-]: 1 = the side gains nothing by striking first.
    r_uncapped_A, r_uncapped_B : ndarray
        C1/C2 [-]: the break-even probability of being attacked above which the side
        prefers to strike. C2 = 0 gives inf (and 1 when C1 = 0 too) [ours].
    fsi : ndarray
        First-strike stability index, r_A·r_B [-] in [0, 1]; 1 = stable.
    x_star_A, x_star_B : ndarray
        Counterforce warheads A (B) spends striking first [warheads].
    a_first, b_first : FirstStrike
        Full outcomes of A striking B and of B striking A (surviving and arriving warheads).
    """

    C1_A: np.ndarray
    C1_B: np.ndarray
    C2_A: np.ndarray
    C2_B: np.ndarray
    r_A: np.ndarray  # noqa: N815
    r_B: np.ndarray  # noqa: N815
    r_uncapped_A: np.ndarray  # noqa: N815
    r_uncapped_B: np.ndarray  # noqa: N815
    fsi: np.ndarray
    x_star_A: np.ndarray  # noqa: N815
    x_star_B: np.ndarray  # noqa: N815
    a_first: FirstStrike
    b_first: FirstStrike


def stability_index(
    a,
    b,
    w80_A,
    w80_B,
    de_AB,
    de_BA,
    *,
    lua_A=False,
    lua_B=False,
    alpha=ALPHA,
    surcharge=SURCHARGE,
    avail=AVAIL,
    kmax=KMAX,
    lua_escape=LUA_ESCAPE,
    defense_A=None,
    defense_B=None,
    kills=False,
    chunk_size=CHUNK_SIZE,
    threads=THREADS,
    backend=None,
):
    """First-strike stability index of A and B, both directions of :func:`first_strike`.

    r_X = min(1, C1_X / C2_X) and FSI = r_A·r_B (eq. 3) [1]_ [2]_.

    Parameters
    ----------
    a, b : Forces, arrays of shape (B, E_A) and (B, E_B)
        A's and B's force elements (:class:`~detente.kernels.exchange.Forces`).
    w80_A, w80_B : float or array_like, shape (B,)
        Arriving warheads destroying 80 % of A's, B's value [warheads].
    de_AB : float or array_like, shape (B,), (B, E_B) or (B, E_A, E_B)
        A's damage expectancy [-] per warhead against B's element classes; (B, E_A, E_B):
        by A's weapon type (element), spent greedily (see the module notes).
    de_BA : float or array_like, shape (B,), (B, E_A) or (B, E_B, E_A)
        B's damage expectancy [-] against A's element classes.
    lua_A, lua_B : bool or array_like of bool, shape (B,)
        A (B) launches its fixed force under attack; applies when the other side strikes.
    alpha, surcharge, avail, kmax, lua_escape, kills, chunk_size, threads, backend
        As in :func:`first_strike`, shared by both directions.
    defense_A, defense_B : Defense, optional
        A's and B's missile defence (:class:`~detente.kernels.defense.Defense`; default
        None: none). A's defence thins B's first strike on A, and meets B's retaliation
        when A strikes first.

    Returns
    -------
    StabilityIndex

    Examples
    --------
    Check cases T1, T2 and T3 of models.md §2 as a batch of three (the element axis padded
    with n = 0):

    >>> n = [[100, 50], [1000, 50], [150, 0]]
    >>> m = [[10, 10], [1, 10], [10, 0]]
    >>> fixed = [[True, False], [True, False], [False, False]]
    >>> side = Forces(n, m, fixed, 0.5)
    >>> si = stability_index(side, side, 500 * LN5, 500 * LN5, 0.8, 0.8)
    >>> si.C1_A.round(4), si.C2_A.round(4)
    (array([0.5712, 0.7912, 0.8585]), array([1.066 , 0.7343, 0.9798]))
    >>> si.fsi.round(4), si.r_uncapped_A.round(4)
    (array([0.2871, 1.    , 0.7677]), array([0.5358, 1.0774, 0.8762]))
    >>> si.r_A.round(4)  # min(1, r_uncapped_A)
    array([0.5358, 1.    , 0.8762])
    """
    kmax, chunk_size, threads = _counts(kmax, chunk_size, threads)
    a, b = _forces(a), _forces(b)
    if not kills and compiled.use(_rows(a), backend):
        values = (lua_A, lua_B, alpha, surcharge, avail, lua_escape, *_defense_values(defense_A),
                  *_defense_values(defense_B))  # fmt: skip
        out = compiled.stability((*a, *b, w80_A, w80_B, de_AB, de_BA), values, kmax, threads)
        if out is not None:
            return _index(_first_strike(out[:12]), _first_strike(out[12:24]), *out[24:])
    params = dict(alpha=alpha, surcharge=surcharge, avail=avail, lua_escape=lua_escape)
    side_a = check_forces(*a, side="A")
    side_b = check_forces(*b, side="B")
    batch = side_a.n.shape[0]
    def_a = _check_defense("A", defense_A, batch)
    def_b = _check_defense("B", defense_B, batch)
    names = dict(de="de_AB", lua="lua_B", w80_S="w80_A", w80_V="w80_B")
    ab = _direction(side_a, side_b, w80_A, w80_B, de_AB, lua_B, params, names, (def_a, def_b))
    names = dict(de="de_BA", lua="lua_A", w80_S="w80_B", w80_V="w80_A")
    ba = _direction(side_b, side_a, w80_B, w80_A, de_BA, lua_A, params, names, (def_b, def_a))
    a_first = _solve(ab, kmax, chunk_size, threads, kills)
    b_first = _solve(ba, kmax, chunk_size, threads, kills)
    r_a = ratio(a_first.C_S, b_first.C_V)
    r_b = ratio(b_first.C_S, a_first.C_V)
    cap_a = np.minimum(r_a, 1.0)
    cap_b = np.minimum(r_b, 1.0)
    return _index(a_first, b_first, r_a, r_b, cap_a, cap_b, cap_a * cap_b)


def _index(a_first, b_first, r_a, r_b, cap_a, cap_b, fsi):
    """:class:`StabilityIndex` from both directions, the uncapped and capped ratios and the
    index (eq. 3).

    Built as the dataclass's ``__init__`` would, without its 13 frozen ``__setattr__``
    calls (half the cost of the answer's assembly on a one-row call).
    """
    index = object.__new__(StabilityIndex)
    index.__dict__.update(
        C1_A=a_first.C_S,
        C1_B=b_first.C_S,
        C2_A=b_first.C_V,
        C2_B=a_first.C_V,
        r_A=cap_a,
        r_B=cap_b,
        r_uncapped_A=r_a,
        r_uncapped_B=r_b,
        fsi=fsi,
        x_star_A=a_first.x_star,
        x_star_B=b_first.x_star,
        a_first=a_first,
        b_first=b_first,
    )
    return index
