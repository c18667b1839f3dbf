"""Counterforce draw-down of the Kent–Thaler exchange (models.md §2, steps 1–3).

A side's forces are *elements*: padded arrays with a leading batch axis ``B`` and an element
axis ``E`` (padding: ``n = 0``). Each element has ``n`` launchers carrying ``m`` warheads each,
a kind (``fixed``: silo ICBMs, always targetable; otherwise *survivable*: SSBNs, bombers,
road-mobile ICBMs) and an ``alert`` fraction (the share of a survivable element's launchers
that cannot be targeted; ignored for fixed elements).

The striker S spends counterforce warheads on the victim V's targetable classes in
*segments*: for class j and salvo level k = 1..kmax, a segment costs n_j striker warheads and
destroys e = m_j·DE·(1 − DE)^(k−1) victim warheads per striker warhead. Chained in order of
decreasing efficiency, the segments form the concave, piecewise-linear draw-down curve K(x):
victim warheads destroyed when S spends x warheads.

Segment arrays here are *segment-major* internally, shape (S, b) with S = E·kmax, so that
per-row work is elementwise over contiguous rows; public functions take and return
batch-major (B, ...) arrays.

Heterogeneous weapons [ours; models.md §2, "Beyond the report"]
-----------------------------------------------------------------
Real forces mix warheads: the striker's weapon type w (one per striker element, with its
stock of usable warheads) has its own DE_wj against each victim class j. Salvo level k of
class j is a *slot* of n_j targets (one warhead each). A type-w warhead put into the current
level of class j destroys

    e_wj = m_j·DE_wj·s̄_j                                                        (eq. H1)

victim warheads, where s̄_j is the mean survival probability of class j's targets at that
level: 1 at level 1; after level k is full, s̄_j ← Σ_fills a·s̄_j·(1 − DE_wj) / n_j over the
warheads a of each type that filled it (eq. H2). A class attacked by one type alone has
s̄_j = (1 − DE_wj)^(k−1), so e_wj is the segment efficiency m_j·DE_wj·(1 − DE_wj)^(k−1) of
(w, j, k); a class attacked by several types is credited with the survival they actually
leave (targets being assigned to the types of a level at random), so K never exceeds the
class's warheads.

The striker spends greedily: at each step, among the types with warheads left and the
classes with a level left, the pair (w, j) of highest e_wj (ties: lowest w, then lowest j)
gets min(type w's warheads left, targets left at class j's level); a level is complete when
all n_j targets have a warhead. Every step exhausts a type or completes a level, so T + E·kmax
steps spend everything. No pair's efficiency rises as the spend goes on (s̄_j only falls),
so the pieces come out in order of decreasing efficiency: K(x) stays concave and piecewise
linear, no type spends more than its stock and no level takes more than n_j warheads. Under
launch under attack e_wj of a fixed class is multiplied by 1 − ``lua_escape``.

What the greedy ignores: (i) it does not keep a type back from counterforce because another
class needs it more (spending in order of efficiency is optimal for one pooled stock, not for
several); (ii) within a level it does not steer types to the targets that survived the other
types' warheads; (iii) all warheads count alike against value, so which types are kept for
value is not modelled. With one DE for every type, the pieces are the segments of the
single-DE calculus (some cut in two where a type runs out), so K(x) is the same function.

References
----------
.. [1] G. A. Kent & D. E. Thaler, *First-Strike Stability: A Methodology for Evaluating
   Strategic Forces*, RAND R-3765-AF, 1989.
.. [2] G. A. Kent, R. J. DeValk & D. E. Thaler, *A Calculus of First-Strike Stability*,
   RAND N-2526-AF, 1988.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from detente.kernels._common import (
    bools,
    chain,
    check_de,
    check_de_matrix,
    classes,
    floats,
    greedy_spend,
    segments,
    sort_segments,
    weapon_classes,
)

AVAIL = 0.9  # [-] share of survivable-force weapons the striker can use (models.md §2 [rec])
KMAX = 2  # [-] salvo levels per target class (models.md §2 [rec])
LUA_ESCAPE = 0.9  # [-] share of fixed-force weapons escaping under launch under attack [rec]


class Forces(NamedTuple):
    """One side's force elements, arrays of shape (B, E) (padding: ``n = 0``).

    Attributes
    ----------
    n : array_like
        Launchers per element [-], >= 0.
    m : array_like
        Warheads per launcher [-], >= 0.
    fixed : array_like of bool
        True for fixed (silo) elements, always targetable.
    alert : array_like
        Alert fraction [-] in [0, 1] of survivable elements (the share of launchers that
        cannot be targeted); ignored where ``fixed``. A scalar broadcasts.
    """

    n: np.ndarray
    m: np.ndarray
    fixed: np.ndarray
    alert: np.ndarray


def check_forces(n, m, fixed, alert, *, side="S"):
    """Validate one side's force elements.

    Parameters
    ----------
    n : array_like, shape (B, E)
        Launchers per element [-], >= 0 (padding: 0).
    m : array_like, shape (B, E)
        Warheads per launcher [-], >= 0.
    fixed : array_like of bool, shape (B, E)
        True for fixed (silo) elements, always targetable.
    alert : array_like, shape (B, E)
        Alert fraction [-] in [0, 1] of survivable elements; ignored where ``fixed``.
    side : str
        Suffix used in error messages, e.g. ``"S"`` names ``n_S``.

    Returns
    -------
    Forces
        Arrays of shape (B, E): float (``fixed`` bool).

    Raises
    ------
    ValueError
        If ``n`` is not two-dimensional, shapes differ, or a value is out of range.

    Examples
    --------
    >>> n, m, fixed, alert = check_forces([[100, 50]], [[10, 10]], [[True, False]], 0.5)
    >>> alert
    array([[0.5, 0.5]])
    """
    n_arr = np.asarray(n, dtype=float)
    if n_arr.ndim != 2:
        raise ValueError(f"n_{side} must have shape (B, E); got shape {n_arr.shape}")
    shape = n_arr.shape
    return Forces(
        floats(f"n_{side}", n_arr, shape),
        floats(f"m_{side}", m, shape),
        bools(f"fixed_{side}", fixed, shape),
        floats(f"alert_{side}", alert, shape, hi=1.0),
    )


def striker_weapons(n, m, fixed, *, avail=AVAIL):
    """Warheads the striker can use, W_S = Σ_fixed n·m + avail·Σ_surv n·m (models.md §2 step 1).

    Parameters
    ----------
    n, m : array_like, shape (B, E)
        Launchers [-] and warheads per launcher [-].
    fixed : array_like of bool, shape (B, E)
        Fixed (silo) elements.
    avail : float or array_like, shape (B,)
        Share [-] of survivable-force weapons available to a first strike (default 0.9, [1]_).

    Returns
    -------
    ndarray, shape (B,)
        W_S [warheads].

    Examples
    --------
    >>> float(striker_weapons(np.array([[100.0, 50.0]]), np.array([[10.0, 10.0]]),
    ...                       np.array([[True, False]]))[0])
    1450.0
    """
    n, m, fixed, _ = check_forces(n, m, fixed, 0.0)
    avail = floats("avail", avail, n.shape[:1], hi=1.0)
    return np.einsum("be,be,be->b", n, m, np.where(fixed, 1.0, avail[:, None]))


def total_weapons(n, m):
    """All warheads of a side, W = Σ n·m [warheads], shape (B,) (the victim's W_V, step 1).

    ``n`` and ``m`` (shape (B, E)) are as in :func:`check_forces`.
    """
    n, m, _, _ = check_forces(n, m, False, 0.0)
    return np.einsum("be,be->b", n, m)


def check_kmax(kmax):
    """``kmax`` as an int >= 1, or a ValueError."""
    if isinstance(kmax, bool) or not isinstance(kmax, (int, np.integer)) or kmax < 1:
        raise ValueError(f"kmax must be an integer >= 1; got {kmax!r}")
    return int(kmax)


def weapon_stock(n, m, fixed, *, avail=AVAIL):
    """Warheads of each striker element usable in a first strike [warheads], shape (B, E).

    n·m for fixed elements and avail·n·m for survivable ones (models.md §2 step 1); each
    element is one weapon type of the heterogeneous calculus. Summed over elements, this is
    :func:`striker_weapons`.

    Examples
    --------
    >>> weapon_stock([[100.0, 50.0]], [[10.0, 10.0]], [[True, False]]).tolist()
    [[1000.0, 450.0]]
    """
    n, m, fixed, _ = check_forces(n, m, fixed, 0.0)
    avail = floats("avail", avail, n.shape[:1], hi=1.0)
    return n * m * np.where(fixed, 1.0, avail[:, None])


class WeaponSegments(NamedTuple):
    """Greedy spend of a striker's weapon types on a victim's classes; arrays of shape (B, S).

    Attributes
    ----------
    cost : ndarray
        Warheads spent on each piece [warheads].
    efficiency : ndarray
        Victim warheads destroyed per striker warhead [-], non-increasing along axis 1.
    weapon : ndarray of int
        Weapon type (striker element) w of each piece.
    target_class : ndarray of int
        Victim class (element) j of each piece.
    level : ndarray of int
        Salvo level k (1 to kmax) of each piece.
    """

    cost: np.ndarray
    efficiency: np.ndarray
    weapon: np.ndarray
    target_class: np.ndarray
    level: np.ndarray


def weapon_segments(n, m, fixed, alert, de, stock, *, kmax=KMAX, lua=False, lua_escape=LUA_ESCAPE):
    """Counterforce pieces of a striker with several weapon types (eqs. H1, H2, module notes).

    Parameters
    ----------
    n, m, fixed, alert : array_like, shape (B, E)
        The victim's force elements (see :func:`check_forces`).
    de : array_like, shape (B, T, E)
        Damage expectancy [-] of one warhead of type w against victim class j.
    stock : array_like, shape (B, T)
        Warheads of each type the striker can use [warheads] (:func:`weapon_stock`).
    kmax, lua, lua_escape
        As in :func:`counterforce_segments`.

    Returns
    -------
    WeaponSegments
        Arrays of shape (B, T + E·kmax), in spending order (efficiency non-increasing);
        steps with nothing left to spend have cost 0 and type, class and level −1.

    Examples
    --------
    Check case T1's victim (100×10 silos, 25 off-alert boats) struck by two types: 110
    warheads of DE 0.9 and 850 of DE 0.5. Type 0 fills the silos' first level (efficiency 9)
    and runs out 15 boats short; type 1 fills the rest of that level (5), then the silos'
    second level (10·0.5·0.1 = 0.5 of survival left by type 0) after the boats' second level,
    whose mean survival is (10·0.1 + 15·0.5)/25 = 0.34 (efficiency 1.7):

    >>> ws = weapon_segments([[100, 50]], [[10, 10]], [[True, False]], 0.5,
    ...                      [[[0.9, 0.9], [0.5, 0.5]]], [[110.0, 850.0]])
    >>> ws.cost.tolist(), ws.efficiency.round(4).tolist()
    ([[100.0, 10.0, 15.0, 25.0, 100.0, 0.0]], [[9.0, 9.0, 5.0, 1.7, 0.5, 0.0]])
    >>> ws.weapon.tolist(), ws.target_class.tolist(), ws.level.tolist()
    ([[0, 0, 1, 1, 1, -1]], [[0, 1, 1, 1, 0, -1]], [[1, 1, 1, 2, 2, -1]])
    """
    n, m, fixed, alert = check_forces(n, m, fixed, alert, side="V")
    kmax = check_kmax(kmax)
    batch, n_class = n.shape
    de = check_de_matrix("de", de, batch, None, n_class)
    stock = np.asarray(stock, dtype=float)
    stock = floats("stock", stock, (batch, de.shape[1]))
    lua = bools("lua", lua, (batch,))
    lua_escape = floats("lua_escape", lua_escape, (batch,), hi=1.0)
    per_class = weapon_classes(n, m, fixed, alert, de, lua, lua_escape)
    return WeaponSegments(*(a.T.copy() for a in greedy_spend(*per_class, stock, kmax)))


def _check_victim(n, m, fixed, alert, de, *, kmax, lua, lua_escape):
    """Validated victim side: (n, m, fixed, alert), de (B, E) and lua, lua_escape (B,)."""
    n, m, fixed, alert = check_forces(n, m, fixed, alert, side="V")
    check_kmax(kmax)
    batch = n.shape[0]
    de = check_de("de", de, n.shape)
    lua = bools("lua", lua, (batch,))
    lua_escape = floats("lua_escape", lua_escape, (batch,), hi=1.0)
    return (n, m, fixed, alert), de, lua, lua_escape


def _sorted_segments(victim, de, lua, lua_escape, kmax):
    """Sorted segments (S, B) of validated victim arrays (see :func:`_check_victim`)."""
    n, m, fixed, alert = victim
    per_class = classes(n, m, fixed, alert, de, lua, lua_escape)
    return sort_segments(*segments(*per_class, kmax), kmax)


def _check_segments(cost, efficiency):
    """Validated (S, B) copies of batch-major segment arrays."""
    cost = np.asarray(cost, dtype=float)
    eff = np.asarray(efficiency, dtype=float)
    if cost.ndim != 2 or cost.shape != eff.shape:
        raise ValueError(f"cost and efficiency must share a shape (B, S); got {cost.shape}")
    cost = floats("cost", cost, cost.shape)
    eff = floats("efficiency", eff, eff.shape)
    return np.ascontiguousarray(cost.T), np.ascontiguousarray(eff.T)


def counterforce_segments(n, m, fixed, alert, de, *, kmax=KMAX, lua=False, lua_escape=LUA_ESCAPE):
    """Counterforce segments against a victim, sorted by decreasing efficiency (step 2).

    Class j is a fixed element (n_j targets) or the off-alert part of a survivable element
    (n_j·(1 − a_j) targets). For salvo level k = 1..kmax its segment costs the striker one
    warhead per target and destroys e = m_j·DE_j·(1 − DE_j)^(k−1) victim warheads per
    striker warhead; under launch under attack fixed-force efficiencies are multiplied by
    (1 − lua_escape) [1]_ [2]_.

    Parameters
    ----------
    n, m, fixed, alert : array_like, shape (B, E)
        The victim's force elements (see :func:`check_forces`).
    de : array_like, shape (B,) or (B, E), or float
        Damage expectancy [-] of one striker warhead against each victim element class.
    kmax : int
        Salvo levels per class (default 2).
    lua : bool or array_like of bool, shape (B,)
        The striker expects the victim to launch its fixed force under attack.
    lua_escape : float or array_like, shape (B,)
        Share [-] of fixed-force weapons that escape under launch under attack (default 0.9).

    Returns
    -------
    cost : ndarray, shape (B, E·kmax)
        Striker warheads per segment [warheads].
    efficiency : ndarray, shape (B, E·kmax)
        Victim warheads destroyed per striker warhead [-], non-increasing along axis 1.

    Examples
    --------
    Check case T1 of docs/models.md §2, victim 100×10 fixed + 50×10 survivable (alert 0.5), DE 0.8:

    >>> cost, eff = counterforce_segments([[100, 50]], [[10, 10]], [[True, False]], 0.5, 0.8)
    >>> cost.tolist(), eff.round(6).tolist()
    ([[100.0, 25.0, 100.0, 25.0]], [[8.0, 8.0, 1.6, 1.6]])
    """
    victim, de, lua, lua_escape = _check_victim(
        n, m, fixed, alert, de, kmax=kmax, lua=lua, lua_escape=lua_escape
    )
    cost, eff = _sorted_segments(victim, de, lua, lua_escape, kmax)
    return cost.T.copy(), eff.T.copy()


def drawdown_breakpoints(cost, efficiency):
    """Breakpoints of the draw-down curve K(x), the chained sorted segments (step 3).

    Parameters
    ----------
    cost, efficiency : array_like, shape (B, S)
        Segments as returned by :func:`counterforce_segments` (any order).

    Returns
    -------
    x : ndarray, shape (B, S + 1)
        Striker warheads spent at the breakpoints [warheads], from 0 to Σ cost.
    K : ndarray, shape (B, S + 1)
        Victim warheads destroyed there [warheads]; K is concave and piecewise linear.

    Examples
    --------
    >>> x, K = drawdown_breakpoints([[100.0, 25.0, 100.0, 25.0]], [[8.0, 8.0, 1.6, 1.6]])
    >>> x.tolist(), K.tolist()
    ([[0.0, 100.0, 125.0, 225.0, 250.0]], [[0.0, 800.0, 1000.0, 1160.0, 1200.0]])
    """
    c, e = sort_segments(*_check_segments(cost, efficiency))
    x, k = chain(c, e, np.inf)
    return x.T.copy(), k.T.copy()


def drawdown(x, cost, efficiency):
    """Victim warheads destroyed, K(x) = Σ_s e_s·clip(x − X_s, 0, c_s) (step 3).

    X_s is where segment s starts in the efficiency order; beyond Σ cost, K stays flat.

    Parameters
    ----------
    x : array_like, shape (B, M)
        Striker warheads spent on counterforce [warheads], >= 0.
    cost, efficiency : array_like, shape (B, S)
        Segments as returned by :func:`counterforce_segments`.

    Returns
    -------
    ndarray, shape (B, M)
        K(x) [warheads].

    Examples
    --------
    >>> drawdown([[50.0, 250.0, 400.0]], [[100.0, 25.0, 100.0, 25.0]],
    ...          [[8.0, 8.0, 1.6, 1.6]]).tolist()
    [[400.0, 1200.0, 1200.0]]
    """
    c, e = sort_segments(*_check_segments(cost, efficiency))
    x = np.asarray(x, dtype=float)
    if x.ndim != 2 or x.shape[0] != c.shape[1]:
        raise ValueError(f"x must have shape (B, M) with B = {c.shape[1]}; got {x.shape}")
    x = floats("x", x, x.shape)
    start = chain(c, e, np.inf)[0][:-1]
    spent = np.clip(x[:, :, None] - start.T[:, None, :], 0.0, c.T[:, None, :])
    return np.einsum("bms,bs->bm", spent, e.T)
