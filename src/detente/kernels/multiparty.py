"""First-strike stability of three or more parties: pairwise indices with reserves, system index.

An extension of the Kent–Thaler calculus (models.md §2, "Beyond the report") [ours]; Bracken
& Best [3]_ treat multipolar first-strike stability with a different model. With parties
1..P, for every ordered pair (S, V) striker S attacks victim V exactly as in
:func:`detente.kernels.stability.first_strike`, except that S first sets aside a *reserve*
against every third party T (T ≠ S, V):

    a_ST = ρ_ST·W_S          (``reserve_mode="share"``: a share of S's usable weapons)
    a_ST = ρ_ST              (``"warheads"``: warheads per third party)
    a_ST = ρ_ST·w80_ST       (``"w80"``, the default: multiples of T's w80 as S's warheads
                              arrive on T; ρ = 1 keeps enough to destroy 80 % of T's value)

    A_SV = min(W_S, Σ_{T ≠ S, V} a_ST)                                       (eq. M1)

with a_ST = 0 when T has no warheads (an unarmed party needs no reserve). The reserve is drawn
from S's elements in proportion: each launcher count n_i of S is multiplied by
1 − A_SV / W_S, so S's usable weapons fall from W_S to W_S − A_SV. The victim V retaliates
against S only, with everything that survives (V's own reserves are not held back from its
retaliation). With C1_S|V the cost to S of striking V first (its reserve withheld) and C2_S|V
the cost to S of being struck first by V (V's reserve withheld):

    r_S|V = C1_S|V / C2_S|V,   FSI_SV = min(1, r_S|V)·min(1, r_V|S)                (eq. M2)
    FSI_min = min over pairs FSI_SV,   FSI_prod = Π over pairs FSI_SV            (eq. M3)

All P·(P − 1) ordered pairs of every batch row go through one call of the batched kernel.

What the calculus implies for the reserve (tested in ``tests/kernels/test_multiparty.py``):

* A larger reserve of S never lowers C1_S|V: the strikes open to S shrink (x <= W_S − A_SV)
  and at every x S keeps fewer warheads for V's value (L = W_S − A_SV − x) while V's
  retaliation R = W_V − K(x) is unchanged, so C_S(x) = D_S^α + k·(1 − D_V^α) only rises. S's
  reserve does not enter C2_S|V (S is then the victim and retaliates with all it has).
  Hence r_S|V never falls as S's reserve grows: a reserve makes S less eager to strike first.
* It does *not* follow that the pair or the system becomes more stable. C2_V|S, the victim's
  cost at S's chosen strike, can rise: a striker too weak for a worthwhile counterforce strike
  switches from a disarming strike to a punitive one (x* falls, L rises). Check case T2 of
  models.md §2 with S keeping 60 % of its weapons: x* falls from 1050 to 184.7, C2_V rises
  from 0.7343 to 0.8255 and r_V|S falls below 1 (0.9585): the victim's incentive to strike
  first grows.
* A party without warheads changes nothing: it draws no reserve, and every pair that it is
  part of has FSI 1 (each r >= 1: its striker has nothing to strike with, and striking it
  costs its opponent no less than being struck by it), so neither index moves.
* With two parties there is no third party and no reserve: the result equals
  :func:`detente.kernels.stability.stability_index` exactly.

References
----------
.. [1] G. A. Kent & D. E. Thaler, *First-Strike Stability: A Methodology for Evaluating
   Strategic Forces*, RAND R-3765-AF, 1989.
.. [2] G. A. Kent, R. J. DeValk & D. E. Thaler, *A Calculus of First-Strike Stability*,
   RAND N-2526-AF, 1988.
.. [3] J. Bracken & M. Best, "Multipolar first-strike stability", *Management Science*
   41(2):298–321, 1995 (abstract: incentives of every country in every coalition).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from detente.kernels._common import bools, floats, ratio
from detente.kernels.exchange import (
    AVAIL,
    KMAX,
    LUA_ESCAPE,
    Forces,
    check_forces,
    striker_weapons,
    total_weapons,
)
from detente.kernels.stability import (
    ALPHA,
    CHUNK_SIZE,
    SURCHARGE,
    THREADS,
    FirstStrike,
    first_strike,
)

#: Ways of sizing the reserve against a third party (eq. M1).
RESERVE_MODES = ("w80", "share", "warheads")
RESERVE_MODE = "w80"  # default [ours]: a multiple of the third party's w80
RESERVE = 1.0  # default [ours]: one w80 of every armed third party (an assumption, see docs)


@dataclass(frozen=True)
class SystemIndex:
    """First-strike stability of P parties; arrays of shape (B, P, P) unless noted.

    Entry ``[b, s, v]`` is about party s facing party v; the diagonal is NaN.

    Attributes
    ----------
    C1 : ndarray
        Cost [-] to s of striking v first, with its reserve against the others withheld.
    C2 : ndarray
        Cost [-] to s of being struck first by v.
    r : ndarray
        Capped ratio min(1, C1/C2) [-].
    r_uncapped : ndarray
        Ratio C1/C2 [-] (C2 = 0 gives inf, and 1 when C1 = 0 too).
    fsi : ndarray
        Pairwise index r[s, v]·r[v, s] [-] in [0, 1], symmetric.
    fsi_min, fsi_product : ndarray, shape (B,)
        System index: the least and the product of the pairwise indices [-] (eq. M3).
    reserve : ndarray
        Warheads s withholds from its usable weapons when striking v (eq. M1) [warheads].
    strike : FirstStrike
        The outcome of s striking v first, each field an array of shape (B, P, P).
    """

    C1: np.ndarray
    C2: np.ndarray
    r: np.ndarray
    r_uncapped: np.ndarray
    fsi: np.ndarray
    fsi_min: np.ndarray
    fsi_product: np.ndarray
    reserve: np.ndarray
    strike: FirstStrike


def _parties(n, m, fixed, alert):
    """Validated (B, P, E) force arrays of all parties."""
    n = np.asarray(n, dtype=float)
    if n.ndim != 3:
        raise ValueError(f"n must have shape (B, P, E); got shape {n.shape}")
    batch, parties, width = n.shape
    if parties < 2:
        raise ValueError(f"a system needs at least two parties; got {parties}")
    try:
        rest = [np.broadcast_to(np.asarray(a), n.shape) for a in (m, fixed, alert)]
        flat = [a.reshape(batch * parties, width) for a in (n, *rest)]
    except ValueError:
        raise ValueError("m, fixed and alert must have the shape of n, (B, P, E)") from None
    return tuple(a.reshape(n.shape) for a in check_forces(*flat, side="party"))


def _per_row(name, value, batch, **rule):
    """A per-batch-row float (scalar or shape (B,)) checked against ``rule``."""
    return floats(name, value, (batch,), **rule)


def _matrix(name, value, batch, parties, **rule):
    """A float given per row (B,), per party (B, P) or per pair (B, P, P), as (B, P, P).

    A (B, P) array gives entry [b, s, v] = value[b, v]. The diagonal is not checked.
    """
    a = np.asarray(value, dtype=float)
    shape = (batch, parties, parties)
    want = f"a scalar, ({batch},), ({batch}, {parties}) or {shape}"
    bad = ValueError(f"{name} has shape {a.shape}; expected {want}")
    if a.ndim == 2 and a.shape == shape[:2]:
        a = a[:, None, :]
    elif a.ndim == 1 and a.shape == shape[:1]:
        a = a[:, None, None]
    elif a.ndim not in (0, 3):
        raise bad
    try:
        a = np.broadcast_to(a, shape)
    except ValueError:
        raise bad from None
    off = a[:, ~np.eye(parties, dtype=bool)]
    floats(name, off, off.shape, **rule)
    return a


def reserve_withheld(n, m, fixed, w80, reserve=RESERVE, *, reserve_mode=RESERVE_MODE, avail=AVAIL):
    """Warheads each striker withholds against the third parties of each pair (eq. M1).

    Parameters
    ----------
    n, m, fixed : array_like, shape (B, P, E)
        Launchers [-], warheads per launcher [-] and fixed (bool) of every party's elements.
    w80 : float or array_like, shape (B, P) or (B, P, P)
        Arriving warheads that destroy 80 % of a party's value [warheads], > 0; per victim
        (B, P), or per attacker and victim (B, P, P): ``w80[b, a, v]`` counts a's warheads.
    reserve : float or array_like, shape (B,), (B, P) or (B, P, P)
        ρ_ST [-, or warheads], >= 0, per third party T (B, P) or per holder S and third
        party T (``[b, s, t]``): a share
        of S's usable weapons in [0, 1] (``"share"``), warheads (``"warheads"``) or a
        multiple of T's w80 (``"w80"``, default 1).
    reserve_mode : {'w80', 'share', 'warheads'}
    avail : float or array_like, shape (B,)
        Share [-] of survivable-force weapons a striker can use (default 0.9).

    Returns
    -------
    ndarray, shape (B, P, P)
        A_SV [warheads] at ``[b, s, v]``: what S holds back when it strikes V, at most W_S;
        0 on the diagonal.

    Examples
    --------
    Three parties, each 100 silos × 10 warheads: S holds one w80 (500) against the third.

    >>> force = np.full((1, 3, 1), 100.0), np.full((1, 3, 1), 10.0), np.ones((1, 3, 1), bool)
    >>> reserve_withheld(*force, 500.0)
    array([[[  0., 500., 500.],
            [500.,   0., 500.],
            [500., 500.,   0.]]])
    >>> reserve_withheld(*force, 500.0, reserve=0.25, reserve_mode="share")[0, 0]
    array([  0., 250., 250.])
    """
    n, m, fixed, _ = _parties(n, m, fixed, 0.0)
    return _reserve(n, m, fixed, w80, reserve, reserve_mode, avail)[0]


def _reserve(n, m, fixed, w80, reserve, reserve_mode, avail):
    """(A_SV, W_S, w80 matrix, avail) of validated party arrays: see :func:`reserve_withheld`."""
    batch, parties, width = n.shape
    if reserve_mode not in RESERVE_MODES:
        raise ValueError(f"reserve_mode must be one of {RESERVE_MODES}; got {reserve_mode!r}")
    avail = _per_row("avail", avail, batch, hi=1.0)
    flat = (a.reshape(batch * parties, width) for a in (n, m, fixed))
    usable = striker_weapons(*flat, avail=np.repeat(avail, parties)).reshape(batch, parties)
    armed = total_weapons(n.reshape(-1, width), m.reshape(-1, width)).reshape(batch, parties) > 0
    w80 = _matrix("w80", w80, batch, parties, lo_open=True)
    hi = 1.0 if reserve_mode == "share" else np.inf
    rho = _matrix("reserve", reserve, batch, parties, hi=hi)
    if reserve_mode == "share":
        per_third = rho * usable[:, :, None]
    elif reserve_mode == "w80":
        per_third = rho * w80
    else:
        per_third = rho.copy()
    per_third = np.where(armed[:, None, :] & ~np.eye(parties, dtype=bool), per_third, 0.0)
    # Σ over T ≠ S, V: a 0/1 mask, so the sums are exact and in the order of T.
    others = 1.0 - np.eye(parties)
    total = np.einsum("bst,vt->bsv", per_third, others)
    total = np.minimum(total, usable[:, :, None])
    total[:, np.arange(parties), np.arange(parties)] = 0.0
    return total, usable, w80, avail


def _de(de, batch, parties, width):
    """DE as (B, P, P, E): scalar, (B,), (B, P, P) or (B, P, P, E), striker then victim."""
    a = np.asarray(de, dtype=float)
    shape = (batch, parties, parties, width)
    if a.ndim == 1 and a.shape == shape[:1]:
        a = a[:, None, None, None]
    elif a.ndim == 3 and a.shape == shape[:3]:
        a = a[..., None]
    elif a.ndim not in (0, 4):
        want = f"a scalar, ({batch},), {shape[:3]} or {shape}"
        raise ValueError(f"de has shape {np.shape(de)}; expected {want}")
    return floats("de", a, shape, hi=1.0)


def system_index(
    n,
    m,
    fixed,
    alert,
    w80,
    de,
    *,
    lua=False,
    reserve=RESERVE,
    reserve_mode=RESERVE_MODE,
    alpha=ALPHA,
    surcharge=SURCHARGE,
    avail=AVAIL,
    kmax=KMAX,
    lua_escape=LUA_ESCAPE,
    chunk_size=CHUNK_SIZE,
    threads=THREADS,
):
    """Pairwise and system first-strike stability of P >= 2 parties (eqs. M1–M3).

    Every ordered pair (S, V): S withholds A_SV against the third parties (eq. M1) from its
    elements in proportion and strikes V as in :func:`~detente.kernels.stability.first_strike`;
    V retaliates against S with all its survivors. One kernel call evaluates all B·P·(P − 1)
    directions.

    Parameters
    ----------
    n, m, fixed, alert : array_like, shape (B, P, E)
        Every party's force elements (padded with n = 0): launchers [-], warheads per
        launcher [-], fixed (bool) and alert fraction [-] (see
        :func:`~detente.kernels.exchange.check_forces`).
    w80 : float or array_like, shape (B, P) or (B, P, P)
        Arriving warheads that destroy 80 % of each party's value [warheads], > 0: per
        victim, or per attacker and victim (``w80[b, a, v]`` counts a's warheads on v).
    de : float or array_like, shape (B,), (B, P, P) or (B, P, P, E)
        Damage expectancy [-] of one striker warhead against each victim element
        (``de[b, s, v, j]``: s's warheads on v's element j).
    lua : bool or array_like of bool, shape (B,) or (B, P)
        The party launches its fixed force under attack when it is the victim.
    reserve, reserve_mode
        The reserve against third parties, as in :func:`reserve_withheld` (default: one
        w80 of every armed third party) [ours].
    alpha, surcharge, avail, kmax, lua_escape, chunk_size, threads
        As in :func:`~detente.kernels.stability.first_strike`; per row (B,) or scalars.

    Returns
    -------
    SystemIndex

    Raises
    ------
    ValueError
        Fewer than two parties, shapes that do not match, values out of range.

    Examples
    --------
    Three copies of check case T1 (models.md §2; w0 = 500, DE 0.8). With no reserve each
    pair is T1 (FSI 0.2871); a reserve of one w80 (804.7 warheads) against the third party
    makes every striker weaker and every pair more stable here:

    >>> from detente.kernels.stability import LN5
    >>> t1 = [[[100, 50]] * 3], [[[10, 10]] * 3], [[[True, False]] * 3], 0.5
    >>> none = system_index(*t1, 500 * LN5, 0.8, reserve=0.0)
    >>> none.fsi.round(4)[0]
    array([[   nan, 0.2871, 0.2871],
           [0.2871,    nan, 0.2871],
           [0.2871, 0.2871,    nan]])
    >>> si = system_index(*t1, 500 * LN5, 0.8)
    >>> si.reserve[0, 0, 1].round(1), si.fsi_min.round(4), si.fsi_product.round(4)
    (np.float64(804.7), array([0.7336]), array([0.3949]))
    """
    n, m, fixed, alert = _parties(n, m, fixed, alert)
    batch, parties, width = n.shape
    held, usable, w80, avail = _reserve(n, m, fixed, w80, reserve, reserve_mode, avail)
    lua = np.asarray(lua)
    if lua.ndim == 1 and lua.shape == (batch,):
        lua = lua[:, None]
    lua = bools("lua", lua, (batch, parties), want="(B,) or (B, P)")
    de = _de(de, batch, parties, width)
    rows = {
        "alpha": _per_row("alpha", alpha, batch, hi=1.0, lo_open=True),
        "surcharge": _per_row("surcharge", surcharge, batch),
        "lua_escape": _per_row("lua_escape", lua_escape, batch, hi=1.0),
        "avail": avail,
    }
    s, v = np.nonzero(~np.eye(parties, dtype=bool))  # ordered pairs, striker-major
    pairs = s.size
    with np.errstate(divide="ignore", invalid="ignore"):
        keep = np.where(usable[:, s] > 0, 1.0 - held[:, s, v] / usable[:, s], 1.0)

    def flat(a):  # (B, pairs, ...) -> (B·pairs, ...), row b·pairs + p
        return a.reshape(batch * pairs, *a.shape[2:])

    fs = first_strike(
        Forces(
            flat(n[:, s] * keep[:, :, None]), flat(m[:, s]), flat(fixed[:, s]), flat(alert[:, s])
        ),
        Forces(flat(n[:, v]), flat(m[:, v]), flat(fixed[:, v]), flat(alert[:, v])),
        flat(w80[:, v, s]),
        flat(w80[:, s, v]),
        flat(de[:, s, v]),
        lua=flat(lua[:, v]),
        kmax=kmax,
        chunk_size=chunk_size,
        threads=threads,
        **{k: np.repeat(a, pairs) for k, a in rows.items()},
    )

    def square(a):  # (B·pairs,) -> (B, P, P), NaN on the diagonal
        out = np.full((batch, parties, parties), np.nan)
        out[:, s, v] = a.reshape(batch, pairs)
        return out

    strike = FirstStrike(*(None if a is None else square(a) for a in fs))
    c1 = strike.C_S
    c2 = strike.C_V.swapaxes(1, 2).copy()
    r = ratio(c1, c2)
    capped = np.minimum(r, 1.0)
    fsi = capped * capped.swapaxes(1, 2)
    iu, ju = np.triu_indices(parties, 1)
    upper = fsi[:, iu, ju]
    return SystemIndex(
        C1=c1,
        C2=c2,
        r=capped,
        r_uncapped=r,
        fsi=fsi,
        fsi_min=upper.min(axis=1),
        fsi_product=np.prod(upper, axis=1),
        reserve=held,
        strike=strike,
    )
