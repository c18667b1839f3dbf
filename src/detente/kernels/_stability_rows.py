"""The stop rule of :mod:`detente.kernels.stability`, one batch row at a time, compiled by numba.

Imported only through :mod:`detente.kernels.compiled` (it imports numba, which is slow to
import). Every step follows the numpy kernel's arithmetic, in the same order where rounding
could tell: the segments and their sort key (efficiency with its lowest mantissa bits
replaced by the segment index), the greedy spend by weapon type and the joining of its
pieces, the chain of breakpoints, the kink of the striker's defence, the floored damage
terms of the dense pass and its bound, the sign certificate, the halving of unsure
intervals, the safeguarded Newton–bisection and the choice among breakpoints and interior
minima (ties: the largest C_V, then the smallest x). What differs is only the order of work:
per row instead of per (segment, row) array, so that one evaluation costs microseconds and
rows run on threads without the GIL.

Arrays are *compact*: an axis of length 1 stands for every index of that axis (numpy
broadcasting), so scalars and per-row values need no copies.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from detente.kernels._common import FLOOR as _FLOOR
from detente.kernels._common import LN5, TIE
from detente.kernels._common import MAX_DEPTH as _MAX_DEPTH
from detente.kernels._common import MAX_ITER as _MAX_ITER

_JIT = dict(cache=True, nogil=True, error_model="numpy", fastmath=False)
_INLINE = dict(_JIT, inline="always")  # small helpers: typed inside their callers
# The kernel allocates nothing (the caller hands each thread a scratch array), so its
# functions are compiled without reference counting (numba's ``_nrt`` flag): counting the
# arrays they are given would cost a call per array and use (about 5 % of the kernel's
# time; atomic, so worse on two threads), and unboxing an argument an allocation.
_NO_NRT = dict(_JIT, _nrt=False)
_EPS = np.finfo(np.float64).eps
_EPS4 = 4.0 * _EPS
_INF = np.inf
# Columns of each direction in the output of :func:`stability_rows`: the fields of
# FirstStrike, in order.
FIELDS = 12
# Extra columns of :func:`stability_rows`: r_A, r_B, min(1, r_A), min(1, r_B), FSI.
EXTRA = 5
# Error code of :func:`stability_rows` (0: none): the caller then uses the numpy path,
# whose validators name the argument.
BAD_VALUE = 1
# Error code of :func:`stability_rows`: arrays whose shapes do not broadcast to the batch
# (the caller then fits them, or uses the numpy path).
BAD_SHAPE = 2
# Rows of the scratch arrays of one thread (:func:`_workspace`): segments, breakpoints and
# their terms, and the greedy spend by weapon type (float); sort keys and the spend's
# levels (int64).
_COST = 0
_EFF = 1
_SEG_E = 2
_X = 3
_KK = 4
_WV = 5
_ISV = 6
_POW_S = 7
_POW_V = 8
_DMG_S = 9
_DMG_V = 10
_C_S = 11
_C_V = 12
_Z_S = 13
_Z_V = 14
_LEFT = 15
_ROOM = 16
_SURV = 17
_MASS = 18
_TARGETS = 19
_FLOAT_ROWS = 20
_KEYS = 0
_LEVEL = 1
_CLS = 2
_LEV = 3
_INT_ROWS = 4


@njit(**_INLINE)
def _at1(a, i):
    return a[i] if a.shape[0] > 1 else a[0]


@njit(**_INLINE)
def _at2(a, i, j):
    return a[i if a.shape[0] > 1 else 0, j if a.shape[1] > 1 else 0]


@njit(**_INLINE)
def _at3(a, i, j, k):
    return a[i if a.shape[0] > 1 else 0, j if a.shape[1] > 1 else 0, k if a.shape[2] > 1 else 0]


@njit(**_INLINE)
def _nmin(a, b):
    """np.minimum: NaN wins."""
    if a != a:
        return a
    if b != b:
        return b
    return a if a <= b else b


@njit(**_INLINE)
def _nmax(a, b):
    """np.maximum: NaN wins."""
    if a != a:
        return a
    if b != b:
        return b
    return a if a >= b else b


@njit(**_INLINE)
def _power(damage, alpha):
    """D^α: by square roots for the report's α = 0.75, else exp(α·ln D) as numpy does."""
    if alpha == 0.75:
        root = math.sqrt(damage)
        return root * math.sqrt(root)
    if alpha == 1.0:
        return damage
    return math.exp(alpha * _log(damage))


@njit(**_INLINE)
def _psi(damage, z, alpha):
    """ψ = (α − 1)·ln D − z of eq. 4 (z = −ρ), with the limit 0 for α = 1 at D = 0."""
    psi = _log(damage) * (alpha - 1.0)
    if psi != psi and z == z:  # ``linear`` in numpy
        psi = 0.0
    return psi + z


@njit(**_INLINE)
def _zs(x, K, W_S, W_V, inv_s, inv_v, floor):
    """z_S = −ρ and z_V = −λ (eq. 4), at most −``floor``, as ``_terms`` of numpy."""
    return _nmin((K - W_V) * inv_s, -floor), _nmin((x - W_S) * inv_v, -floor)


@njit(**_JIT)
def _powers(x, K, W_S, W_V, inv_s, inv_v, alpha, floor):
    """D_S^α, D_V^α, D_S, D_V, z_S, z_V at one point (eqs. 1, 4; ``_terms`` of numpy).

    Scalars in and out (no arrays: no reference counting in the innermost loop); the
    exponentials and logarithms are most of the kernel's time, so only what a caller needs
    is computed (ψ from D and z by :func:`_psi`).
    """
    z_s, z_v = _zs(x, K, W_S, W_V, inv_s, inv_v, floor)
    d_s = 0.0 - math.expm1(z_s)
    d_v = 0.0 - math.expm1(z_v)
    return _power(d_s, alpha), _power(d_v, alpha), d_s, d_v, z_s, z_v


@njit(**_INLINE)
def _g(damage, z, alpha):
    """g = −ψ' = α + (1 − α)/D, with the limit 1 for α = 1 at D = 0."""
    g = (1.0 - alpha) / damage
    if g != g and z == z:
        g = 0.0
    return g + alpha


@njit(**_JIT)
def _slopes(x, K, W_S, W_V, inv_s, inv_v, alpha):
    """ψ_S, ψ_V, g_S, g_V at one point (no floor), as ``_terms`` of numpy with slopes."""
    z_s, z_v = _zs(x, K, W_S, W_V, inv_s, inv_v, 0.0)
    d_s = 0.0 - math.expm1(z_s)
    d_v = 0.0 - math.expm1(z_v)
    return _psi(d_s, z_s, alpha), _psi(d_v, z_v, alpha), _g(d_s, z_s, alpha), _g(d_v, z_v, alpha)


@njit(**_INLINE)
def _cost(pow_own, pow_other, k):
    """Eq. 2 in the numpy kernel's order."""
    return pow_other * -k + k + pow_own


@njit(**_INLINE)
def _pick(n, A, r_cs, r_cv, r_x, r_K):
    """The stop rule's choice among ``n`` candidates: (x*, K*) as ``_pick``.

    Rows ``r_cs``, ``r_cv``, ``r_x``, ``r_K`` of ``A`` hold C_S, C_V, x and K.
    """
    best = A[r_cs, 0]
    for i in range(1, n):
        best = _nmin(best, A[r_cs, i])
    x_lo = _INF
    K_lo = _INF
    x_hi = -_INF
    for i in range(n):
        if A[r_cs, i] <= best + TIE:
            x_lo = _nmin(x_lo, A[r_x, i])
            K_lo = _nmin(K_lo, A[r_K, i])
            x_hi = _nmax(x_hi, A[r_x, i])
    if x_hi > x_lo:
        top = -_INF
        for i in range(n):
            if A[r_cs, i] <= best + TIE:
                top = _nmax(top, A[r_cv, i])
        x_lo = _INF
        K_lo = _INF
        for i in range(n):
            if A[r_cs, i] <= best + TIE and A[r_cv, i] >= top - TIE:
                x_lo = _nmin(x_lo, A[r_x, i])
                K_lo = _nmin(K_lo, A[r_K, i])
    return x_lo, K_lo


@njit(**_JIT)
def _at(xq, x0, K0, e, W_S, W_V, inv_s, inv_v, alpha, c):
    """d (eq. 4), dd/dx, ψ_S, ψ_V, g_S and g_V where S spends ``xq`` on one piece.

    ``c`` is ln(k/w0_V) − ln(e/w0_S) of the piece (:func:`_c`).
    """
    K = K0 + e * (xq - x0)
    ps, pv, gs, gv = _slopes(xq, K, W_S, W_V, inv_s, inv_v, alpha)
    e_s = e * inv_s
    d = c + pv - ps
    slope = inv_v * gv - e_s * gs
    return d, slope, ps, pv, gs, gv


@njit(**_INLINE)
def _c(e, inv_s, inv_v, k):
    """The constant of d on a piece, ln(k/w0_V) − ln(e/w0_S), as the numpy kernel's ``at``."""
    return _log(k * inv_v) - _log(e * inv_s)


@njit(**_INLINE)
def _log(v):
    if v > 0.0:
        return math.log(v)
    if v == 0.0:
        return -_INF
    return np.nan


@njit(**_JIT)
def _classify(d_lo, d_hi, h, pv_lo, pv_hi, ps_lo, ps_hi, gv_lo, gv_hi, gs_lo, gs_hi, e_s, inv_v):
    """(bracket, unsure) of one interval, as ``_classify``."""
    neg = d_lo <= 0.0
    bracket = neg and d_hi > 0.0
    same = neg == (d_hi <= 0.0)
    chord_v = (pv_hi - pv_lo) / h
    chord_s = (ps_hi - ps_lo) / h
    if neg:
        s1 = e_s * gs_lo - chord_v
        s2 = e_s * gs_hi - chord_v
    else:
        s1 = inv_v * gv_lo - chord_s
        s2 = inv_v * gv_hi - chord_s
    t_lo = abs(d_lo)
    t_hi = abs(d_hi)
    sure = (s1 >= 0.0) or (s2 <= 0.0) or (t_lo + s1 * h >= 0.0) or (t_hi - s2 * h >= 0.0)
    y = (t_lo - t_hi + s2 * h) / (s2 - s1)
    # np.clip(y, 0, h): NaN stays NaN
    if y == y:
        y = min(max(y, 0.0), h)
    if _nmax(t_lo + s1 * y, t_hi + s2 * (y - h)) >= 0.0:
        sure = True
    nan = (d_lo != d_lo) or (d_hi != d_hi)
    return bracket, same and not sure and not nan


@njit(**_JIT)
def _newton(lo, hi, x0, K0, e, W_S, W_V, inv_s, inv_v, alpha, k):
    """Root of d in [lo, hi] where d(lo) <= 0 < d(hi), as ``_newton_bisect``."""
    c = _c(e, inv_s, inv_v, k)
    x = 0.5 * (lo + hi)
    step = hi - lo
    probed = False
    for _ in range(_MAX_ITER):
        xi = x
        d, slope, ps, pv, _, _ = _at(xi, x0, K0, e, W_S, W_V, inv_s, inv_v, alpha, c)
        if d > 0.0:
            hi = xi
        else:
            lo = xi
        newton = d / slope
        aim = xi - newton
        fast = (aim > lo) and (aim < hi) and (abs(2.0 * d) <= abs(step * slope))
        probe = (not fast) and (abs(newton) <= 1e-6 * abs(xi)) and ((aim >= hi) or (aim <= lo))
        probe = probe and not probed
        new_step = newton if fast else 0.5 * (hi - lo)
        xn = aim if fast else lo + new_step
        nudge = _EPS4 * abs(hi)
        if probe:
            xn = hi - nudge if aim >= hi else lo + nudge
        flat = abs(d) <= 64.0 * _EPS * (1.0 + abs(pv) + abs(ps))
        x = xi if flat else xn
        step = new_step
        probed = probe
        room = _nmin(W_S - xi, (W_V - K0 - e * (xi - x0)) / e)
        small = abs(newton) <= _nmin(1e-14 * abs(xn), 1e-12 * room)
        if flat or (hi - lo <= _EPS4 * abs(xn)) or (fast and small):
            break
    return x


@njit(**_NO_NRT)
def _root_candidate(root, x0, K0, e, W_S, W_V, inv_s, inv_v, alpha, k, cand, n):
    """Append the costs at an interior minimum to the candidates; the new count."""
    if n >= cand.shape[1]:
        return n  # more minima than a segment can hold (never seen): keep the first ones
    K = K0 + e * (root - x0)
    pow_s, pow_v, _, _, _, _ = _powers(root, K, W_S, W_V, inv_s, inv_v, alpha, 0.0)
    cand[0, n] = _cost(pow_s, pow_v, k)
    cand[1, n] = _cost(pow_v, pow_s, k)
    cand[2, n] = root
    cand[3, n] = K
    return n + 1


@njit(**_NO_NRT)
def _search(x0, K0, e, x1, d_lo, d_hi, W_S, W_V, inv_s, inv_v, alpha, k, stack, cand, n):
    """Halve an unsure segment until each part is certified or brackets a minimum, as
    ``_Span.classify`` then ``_subdivide``; Newton on each bracket. The new candidate count.
    """
    c = _c(e, inv_s, inv_v, k)
    _, _, ps_lo, pv_lo, gs_lo, gv_lo = _at(x0, x0, K0, e, W_S, W_V, inv_s, inv_v, alpha, c)
    _, _, ps_hi, pv_hi, gs_hi, gv_hi = _at(x1, x0, K0, e, W_S, W_V, inv_s, inv_v, alpha, c)
    e_s = e * inv_s
    _, unsure = _classify(
        d_lo, d_hi, x1 - x0, pv_lo, pv_hi, ps_lo, ps_hi, gv_lo, gv_hi, gs_lo, gs_hi, e_s, inv_v
    )
    if not unsure:
        return n
    top = 0
    row = stack[0]
    row[0], row[1], row[2], row[3] = x0, x1, d_lo, d_hi
    row[4], row[5], row[6], row[7] = pv_lo, pv_hi, ps_lo, ps_hi
    row[8], row[9], row[10], row[11], row[12] = gv_lo, gv_hi, gs_lo, gs_hi, 0.0
    top = 1
    s = stack[stack.shape[0] - 1]  # the popped interval (a spare row)
    while top > 0:
        top -= 1
        for f in range(13):
            s[f] = stack[top, f]
        if s[12] >= _MAX_DEPTH:
            continue
        lo, hi = s[0], s[1]
        xm = 0.5 * (lo + hi)
        if not (xm > lo and xm < hi):
            continue
        dm, _, ps_m, pv_m, gs_m, gv_m = _at(xm, x0, K0, e, W_S, W_V, inv_s, inv_v, alpha, c)
        for half in range(2):
            if half == 0:
                a, b, da, db = lo, xm, s[2], dm
                pva, pvb, psa, psb = s[4], pv_m, s[6], ps_m
                gva, gvb, gsa, gsb = s[8], gv_m, s[10], gs_m
            else:
                a, b, da, db = xm, hi, dm, s[3]
                pva, pvb, psa, psb = pv_m, s[5], ps_m, s[7]
                gva, gvb, gsa, gsb = gv_m, s[9], gs_m, s[11]
            bracket, open_ = _classify(
                da, db, b - a, pva, pvb, psa, psb, gva, gvb, gsa, gsb, e_s, inv_v
            )
            if bracket:
                root = _newton(a, b, x0, K0, e, W_S, W_V, inv_s, inv_v, alpha, k)
                n = _root_candidate(root, x0, K0, e, W_S, W_V, inv_s, inv_v, alpha, k, cand, n)
            elif open_ and top < stack.shape[0] - 1:
                row = stack[top]
                row[0], row[1], row[2], row[3] = a, b, da, db
                row[4], row[5], row[6], row[7] = pva, pvb, psa, psb
                row[8], row[9], row[10], row[11] = gva, gvb, gsa, gsb
                row[12] = s[12] + 1.0
                top += 1
    return n


@njit(**_INLINE)
def _segments(i, vn, vm, vfixed, valert, de, rho, lua, lua_escape, kmax, fw, iw, bits_of):
    """Sorted segments of row ``i`` (single DE per victim class) into ``F``: their count.

    ``bits_of`` is ``fw[_EFF]`` viewed as int64. A class without targets (padding, or all
    on alert) is left out: its segments cost nothing, so in the numpy kernel they only
    repeat a breakpoint, which changes no choice. The others keep the sort keys they have
    there (their index among all ``E·kmax`` segments in the low bits), hence their order.
    """
    n_class = vn.shape[1]
    bits = 0
    while (1 << bits) < n_class * kmax:  # (E·kmax − 1).bit_length()
        bits += 1
    mask = np.int64((1 << bits) - 1)
    size = 0
    for j in range(n_class):
        n = _at2(vn, i, j)
        fixed = _at2(vfixed, i, j)
        targets = n if fixed else n * (1.0 - _at2(valert, i, j))
        if targets == 0.0:
            continue
        de_j = _at3(de, i, 0, j) * rho
        e = _at2(vm, i, j) * de_j
        if lua and fixed:
            e *= 1.0 - lua_escape
        ratio = 1.0 - de_j
        for level in range(kmax):
            if level > 0:
                e = e * ratio
            # insertion by decreasing key (keys are distinct), carrying cost and efficiency
            fw[_EFF, size] = e
            key = (bits_of[size] & ~mask) | (mask - (j * kmax + level))
            r = size - 1
            while r >= 0 and iw[_KEYS, r] < key:
                iw[_KEYS, r + 1] = iw[_KEYS, r]
                fw[_COST, r + 1] = fw[_COST, r]
                fw[_EFF, r + 1] = fw[_EFF, r]
                r -= 1
            iw[_KEYS, r + 1] = key
            fw[_COST, r + 1] = targets
            fw[_EFF, r + 1] = e
            size += 1
    return size


@njit(**_INLINE)
def _weapon_segments(i, sn, sm, sfixed, vn, vm, vfixed, valert, de, rho, lua, lua_escape,
                     avail, kmax, fw, iw):  # fmt: skip
    """The greedy spend by weapon type of row ``i``, pieces joined as ``_exchange_setup``."""
    n_type = sn.shape[1]
    n_class = vn.shape[1]
    steps = n_type + n_class * kmax
    for s in range(steps):
        fw[_COST, s] = 0.0
        fw[_EFF, s] = 0.0
    if n_type == 0 or n_class == 0:
        return steps
    for w in range(n_type):
        nm = _at2(sn, i, w) * _at2(sm, i, w)
        fw[_LEFT, w] = nm * (1.0 if _at2(sfixed, i, w) else avail)
    for j in range(n_class):
        n = _at2(vn, i, j)
        fw[_TARGETS, j] = n if _at2(vfixed, i, j) else n * (1.0 - _at2(valert, i, j))
        fw[_ROOM, j] = fw[_TARGETS, j]
        fw[_SURV, j] = 1.0
        fw[_MASS, j] = 0.0
        iw[_LEVEL, j] = 0
    for step in range(steps):
        best = -1.0
        bw = 0
        bj = 0
        for w in range(n_type):
            for j in range(n_class):
                if fw[_LEFT, w] > 0.0 and iw[_LEVEL, j] < kmax and fw[_TARGETS, j] > 0.0:
                    e = _at2(vm, i, j) * (_at3(de, i, w, j) * rho)
                    if lua and _at2(vfixed, i, j):
                        e *= 1.0 - lua_escape
                    c = e * fw[_SURV, j]
                else:
                    c = -1.0
                if c > best or (w == 0 and j == 0):
                    best = c
                    bw = w
                    bj = j
        if not best >= 0.0:
            iw[_CLS, step] = -1
            iw[_LEV, step] = -1
            continue
        room_j = fw[_ROOM, bj]
        amount = min(fw[_LEFT, bw], room_j)
        fw[_LEFT, bw] -= amount
        fw[_ROOM, bj] = room_j - amount
        fw[_MASS, bj] += amount * fw[_SURV, bj] * (1.0 - _at3(de, i, bw, bj) * rho)
        fw[_COST, step] = amount
        fw[_EFF, step] = best
        iw[_CLS, step] = bj
        iw[_LEV, step] = iw[_LEVEL, bj] + 1
        if amount >= room_j:
            iw[_LEVEL, bj] += 1
            fw[_SURV, bj] = fw[_MASS, bj] / fw[_TARGETS, bj]
            fw[_MASS, bj] = 0.0
            fw[_ROOM, bj] = fw[_TARGETS, bj]
    for s in range(steps - 1, 0, -1):
        if (
            iw[_CLS, s] == iw[_CLS, s - 1]
            and iw[_LEV, s] == iw[_LEV, s - 1]
            and fw[_EFF, s] == fw[_EFF, s - 1]
        ):
            fw[_COST, s - 1] += fw[_COST, s]
            fw[_COST, s] = 0.0
    return steps


@njit(**_NO_NRT)
def _solve_row(i, sn, sm, sfixed, vn, vm, vfixed, valert, de, hetero, rho, lua, lua_escape,
               avail, inv_s, inv_v, alpha, k, p, cap, kmax, fw, iw, bits_of, stack,
               cand):  # fmt: skip
    """x*, K*, W_S, W_V of row ``i`` of one direction (the numpy kernel's ``_solve``), and
    D_S^α, D_V^α, D_S and D_V at x* where the dense pass has them (else NaN).

    ``fw``, ``iw`` and ``bits_of`` are the scratch arrays of :func:`_workspace`, indexed by
    row constants.
    """
    # W_S as _striker_weapons, W_V as einsum
    W_S = 0.0
    if hetero:
        for w in range(sn.shape[1]):
            nm = _at2(sn, i, w) * _at2(sm, i, w)
            W_S += nm * (1.0 if _at2(sfixed, i, w) else avail)
    else:
        total = 0.0
        surv_nm = 0.0
        for w in range(sn.shape[1]):
            nm = _at2(sn, i, w) * _at2(sm, i, w)
            total += nm
            if not _at2(sfixed, i, w):
                surv_nm += nm
        W_S = total - (1.0 - avail) * surv_nm
    W_V = 0.0
    for j in range(vn.shape[1]):
        W_V += _at2(vn, i, j) * _at2(vm, i, j)
    if hetero:
        size = _weapon_segments(i, sn, sm, sfixed, vn, vm, vfixed, valert, de, rho, lua,
                                lua_escape, avail, kmax, fw, iw)  # fmt: skip
    else:
        size = _segments(i, vn, vm, vfixed, valert, de, rho, lua, lua_escape, kmax, fw, iw,
                         bits_of)  # fmt: skip
    # chain (x clipped at W_S after the cumulative sum), then the kink of S's defence
    fw[_X, 0] = 0.0
    for s in range(size):
        fw[_X, s + 1] = fw[_X, s] + fw[_COST, s]
    for s in range(size + 1):
        fw[_X, s] = _nmin(fw[_X, s], W_S)
    fw[_KK, 0] = 0.0
    for s in range(size):
        fw[_KK, s + 1] = fw[_KK, s] + (fw[_X, s + 1] - fw[_X, s]) * fw[_EFF, s]
    for s in range(size):
        fw[_SEG_E, s] = fw[_EFF, s]
    n_pts = size + 1
    kink = W_V - cap if cap > 0.0 else _INF
    pos = 0
    for s in range(size + 1):
        if fw[_KK, s] < kink:
            pos += 1
    if pos > 0 and pos <= size:
        j = pos - 1
        x_kink = _nmin(fw[_X, j] + (kink - fw[_KK, j]) / fw[_EFF, j], fw[_X, j + 1])
        for s in range(size + 1, pos, -1):
            fw[_X, s] = fw[_X, s - 1]
            fw[_KK, s] = fw[_KK, s - 1]
        fw[_X, pos] = x_kink
        fw[_KK, pos] = kink
        for s in range(size, pos - 1, -1):  # both halves of the split segment keep its e
            fw[_SEG_E, s] = fw[_SEG_E, s - 1]
        n_pts = size + 2
    for s in range(n_pts):  # _regime
        if fw[_KK, s] >= W_V - cap:
            fw[_WV, s] = W_V
            fw[_ISV, s] = (1.0 - p) * inv_s
        else:
            fw[_WV, s] = W_V - p * cap
            fw[_ISV, s] = inv_s
    # dense pass: floored terms at the breakpoints, the best breakpoint; the damages first
    # (calls to expm1), then D^α and the costs in a loop of plain arithmetic, whose square
    # roots overlap
    floor = math.exp(_FLOOR / alpha)
    for s in range(n_pts):
        # an empty segment (padding, or beyond W_S): the same point again
        same = s > 0 and fw[_X, s] == fw[_X, s - 1] and fw[_KK, s] == fw[_KK, s - 1]
        if same and fw[_WV, s] == fw[_WV, s - 1] and fw[_ISV, s] == fw[_ISV, s - 1]:
            fw[_DMG_S, s], fw[_DMG_V, s] = fw[_DMG_S, s - 1], fw[_DMG_V, s - 1]
            fw[_Z_S, s], fw[_Z_V, s] = fw[_Z_S, s - 1], fw[_Z_V, s - 1]
            continue
        z_s, z_v = _zs(fw[_X, s], fw[_KK, s], W_S, fw[_WV, s], fw[_ISV, s], inv_v, floor)
        fw[_DMG_S, s] = 0.0 - math.expm1(z_s)
        fw[_DMG_V, s] = 0.0 - math.expm1(z_v)
        fw[_Z_S, s], fw[_Z_V, s] = z_s, z_v
    for s in range(n_pts):
        ps = _power(fw[_DMG_S, s], alpha)
        pv = _power(fw[_DMG_V, s], alpha)
        fw[_POW_S, s], fw[_POW_V, s] = ps, pv
        fw[_C_S, s] = _cost(ps, pv, k)
        fw[_C_V, s] = _cost(pv, ps, k)
    best = fw[_C_S, 0]
    for s in range(1, n_pts):
        best = _nmin(best, fw[_C_S, s])
    n_cand = 0
    isv_seen = np.nan
    ln_k = 0.0
    hi_seen = -1
    pv_hi = ps_hi = 0.0
    for s in range(n_pts - 1):
        e = fw[_SEG_E, s]
        inv_s_e = fw[_ISV, s]
        w_v = fw[_WV, s]
        bound = _cost(fw[_POW_S, s + 1], fw[_POW_V, s], k)
        if not (bound < best + 2.0 * TIE and fw[_X, s + 1] > fw[_X, s] and e > 0.0 and k > 0.0):
            continue
        if not inv_s_e > 0.0:
            continue
        x_lo, x_hi, K_lo, K_hi = fw[_X, s], fw[_X, s + 1], fw[_KK, s], fw[_KK, s + 1]
        if s == hi_seen:  # the previous segment's upper end: its ψ are known
            pv_lo, ps_lo = pv_hi, ps_hi
        else:
            pv_lo = _psi(fw[_DMG_V, s], fw[_Z_V, s], alpha)
            ps_lo = _psi(fw[_DMG_S, s], fw[_Z_S, s], alpha)
        pv_hi = _psi(fw[_DMG_V, s + 1], fw[_Z_V, s + 1], alpha)
        ps_hi = _psi(fw[_DMG_S, s + 1], fw[_Z_S, s + 1], alpha)
        hi_seen = s + 1
        if inv_s_e != isv_seen:  # ln(k·w0_S/w0_V) takes one value per regime
            isv_seen = inv_s_e
            ln_k = _log(k * inv_v / inv_s_e)
        c0 = ln_k - _log(e)
        d_lo = c0 + pv_lo - ps_lo
        d_hi = c0 + pv_hi - ps_hi
        singular = alpha < 1.0
        at_l0 = x_hi >= W_S and singular
        at_r0 = K_hi >= w_v and singular
        if at_l0:
            d_hi = _INF
        if at_r0:
            d_hi = -_INF
        ends = at_l0 and at_r0
        if ends:
            lim = _log(inv_v / inv_s_e) - _log(e)
            d_hi = _log(k) + alpha * lim
        falls = d_lo <= 0.0
        rises = d_hi > 0.0
        sure = d_lo + (pv_hi - pv_lo) <= 0.0 if falls else d_lo - (ps_hi - ps_lo) >= 0.0
        if falls and rises:
            if n_cand == 0:  # the breakpoints are candidates too
                for q in range(n_pts):
                    cand[0, q], cand[1, q], cand[2, q], cand[3, q] = (
                        fw[_C_S, q],
                        fw[_C_V, q],
                        fw[_X, q],
                        fw[_KK, q],
                    )
                n_cand = n_pts
            root = _newton(x_lo, x_hi, x_lo, K_lo, e, W_S, w_v, inv_s_e, inv_v, alpha, k)
            n_cand = _root_candidate(
                root, x_lo, K_lo, e, W_S, w_v, inv_s_e, inv_v, alpha, k, cand, n_cand
            )
        elif (falls != rises) and not (sure and not ends):
            if n_cand == 0:
                for q in range(n_pts):
                    cand[0, q], cand[1, q], cand[2, q], cand[3, q] = (
                        fw[_C_S, q],
                        fw[_C_V, q],
                        fw[_X, q],
                        fw[_KK, q],
                    )
                n_cand = n_pts
            n_cand = _search(x_lo, K_lo, e, x_hi, d_lo, d_hi, W_S, w_v, inv_s_e, inv_v, alpha,
                             k, stack, cand, n_cand)  # fmt: skip
    if n_cand > n_pts:
        x_star, K_star = _pick(n_cand, cand, 0, 1, 2, 3)
    else:
        x_star, K_star = _pick(n_pts, fw, _C_S, _C_V, _X, _KK)
    # D and D^α at x* as the dense pass found them, where x* is a breakpoint and the floor
    # did not bind there (then _outcome's unfloored terms are the same numbers); else NaN
    pow_s = pow_v = dmg_s = dmg_v = np.nan
    for s in range(n_pts):
        if fw[_X, s] == x_star and fw[_KK, s] == K_star:
            if fw[_Z_S, s] < -floor and fw[_Z_V, s] < -floor:
                pow_s, pow_v = fw[_POW_S, s], fw[_POW_V, s]
                dmg_s, dmg_v = fw[_DMG_S, s], fw[_DMG_V, s]
            break
    return x_star, K_star, W_S, W_V, pow_s, pow_v, dmg_s, dmg_v


@njit(**_INLINE)
def _outcome(x_star, K_star, W_S, W_V, pow_s, pow_v, dmg_s, dmg_v, inv_s, inv_v, alpha, k, p,
             cap, rho, out, o, i):  # fmt: skip
    """The FirstStrike fields at x* into ``out[o:o + 12, i]``, as ``_outcome``; D^α and D
    of both sides are computed where ``pow_s`` and ``dmg_s`` are NaN (else taken from the
    dense pass)."""
    L = W_S - x_star
    R = _nmax(W_V - K_star, 0.0)
    if K_star >= W_V - cap:
        w_v, i_s = W_V, (1.0 - p) * inv_s
    else:
        w_v, i_s = W_V - p * cap, inv_s
    R_arr = R - p * _nmin(R, cap)
    L_arr = rho * L
    if pow_s != pow_s:
        pow_s, pow_v, _, _, _, _ = _powers(x_star, K_star, W_S, w_v, i_s, inv_v, alpha, 0.0)
    out[o + 0, i] = x_star
    out[o + 1, i] = _cost(pow_s, pow_v, k)
    out[o + 2, i] = _cost(pow_v, pow_s, k)
    out[o + 3, i] = L
    out[o + 4, i] = R
    # D_S, D_V from the dense pass where it has them: 1 − e^(−R/w0_S) is its D_S where S
    # has no defence (R_arriving = R = W_V − K; −(a − b) and b − a are the same float), and
    # 1 − e^(−L·ρ/w0_V) is always its D_V
    have = dmg_s == dmg_s
    out[o + 5, i] = dmg_s if have and p == 0.0 else 0.0 - math.expm1(-R_arr * inv_s)
    out[o + 6, i] = dmg_v if have else 0.0 - math.expm1(-L * inv_v)
    out[o + 7, i] = K_star
    out[o + 8, i] = W_S
    out[o + 9, i] = W_V
    out[o + 10, i] = L_arr
    out[o + 11, i] = R_arr


_STACK = 2 * _MAX_DEPTH + 8  # rows of the stack of :func:`_search` (13 values each)


def work_size(e_max, kmax):
    """Floats of the scratch array that :func:`stability_rows` needs for sides of at most
    ``e_max`` elements and ``kmax`` salvo levels (see :func:`_workspace`)."""
    size = e_max + e_max * kmax + 4
    return (_FLOAT_ROWS + _INT_ROWS + 4 * 4) * size + 13 * _STACK + 4 * 64


_work_size = njit(**_INLINE)(work_size)


@njit(**_INLINE)
def _workspace(work, e_max, kmax):
    """Views of one thread's scratch array ``work`` (:func:`work_size` floats): float rows
    ``fw`` and int rows ``iw`` (row constants ``_COST`` ... ``_LEV``), ``fw[_EFF]`` viewed
    as int64, the stack of :func:`_search` and the candidates."""
    size = e_max + e_max * kmax + 4
    a = 0
    fw = work[a : a + _FLOAT_ROWS * size].reshape((_FLOAT_ROWS, size))
    a += _FLOAT_ROWS * size
    iw = work[a : a + _INT_ROWS * size].view(np.int64).reshape((_INT_ROWS, size))
    a += _INT_ROWS * size
    bits_of = fw[_EFF].view(np.int64)
    stack = work[a : a + 13 * _STACK].reshape((_STACK, 13))
    a += 13 * _STACK
    cand = work[a : a + 4 * (4 * size + 64)].reshape((4, 4 * size + 64))
    return fw, iw, bits_of, stack, cand


@njit(**_INLINE)
def _span(a, start, stop):
    """Rows of a compact array that rows ``start:stop`` read."""
    return (start, stop) if a.shape[0] > 1 else (0, 1)


@njit(**_INLINE)
def _ok(v, lo, hi, lo_open):
    """``v`` finite and in [lo, hi] (or (lo, hi] where ``lo_open``), as ``_floats``."""
    return v >= lo and v <= hi and v < _INF and (v > lo or not lo_open)


@njit(**_NO_NRT)
def _all_ok(a, start, stop, lo, hi, lo_open):
    """Every value that rows ``start:stop`` read of the compact C array ``a`` (any number
    of axes) is in range (see :func:`_ok`)."""
    r0, r1 = _span(a, start, stop)
    inner = a.size // a.shape[0]
    flat = a.reshape(a.size)
    above = lo if lo_open else -_INF  # v > above too: lo itself is out where lo is open
    ok = True
    for q in range(r0 * inner, r1 * inner):  # no early exit: the loop runs vectorised
        v = flat[q]
        ok &= (v >= lo) & (v <= hi) & (v < _INF) & (v > above)
    return ok


# Rows of the options array of :func:`stability_rows` (one value a row, or one for all)
LUA_A = 0
LUA_B = 1
ALPHA = 2
SURCHARGE = 3
AVAIL = 4
LUA_ESCAPE = 5
DEFENCE_A = 6  # interceptors, p_kill, shots per RV, availability of A's defence
DEFENCE_B = 10  # the same of B's
OPTIONS = 14
# (lo, hi, lo open, whole number) of each option row, as ``_floats`` and ``_check_defense``
_LIMITS = (
    (0.0, 1.0, False, False), (0.0, 1.0, False, False), (0.0, 1.0, True, False),
    (0.0, _INF, False, False), (0.0, 1.0, False, False), (0.0, 1.0, False, False),
    (0.0, _INF, False, False), (0.0, 1.0, False, False), (1.0, _INF, False, True),
    (0.0, 1.0, False, False), (0.0, _INF, False, False), (0.0, 1.0, False, False),
    (1.0, _INF, False, True), (0.0, 1.0, False, False),
)  # fmt: skip


@njit(**_INLINE)
def _opt(opts, step, j, i):
    """Option ``j`` (a row constant above) of batch row ``i``."""
    return opts[j, i * step[j]]


@njit(**_NO_NRT)
def _checked(start, stop, nA, mA, aA, nB, mB, aB, w80A, w80B, deAB, deBA, opts, step):
    """True if rows ``start:stop`` hold values in range (``_floats``, ``_check_defense``)."""
    ok = True
    for a in (nA, mA, nB, mB):
        ok = ok and _all_ok(a, start, stop, 0.0, _INF, False)
    for a in (aA, aB):
        ok = ok and _all_ok(a, start, stop, 0.0, 1.0, False)
    for a in (deAB, deBA):
        ok = ok and _all_ok(a, start, stop, 0.0, 1.0, False)
    for a in (w80A, w80B):
        ok = ok and _all_ok(a, start, stop, 0.0, _INF, True)
    for j in range(OPTIONS):
        lo, hi, lo_open, whole = _LIMITS[j]
        r0, r1 = (start, stop) if step[j] else (0, 1)
        for i in range(r0, r1):
            v = opts[j, i]
            ok = ok and _ok(v, lo, hi, lo_open) and (v == math.floor(v) or not whole)
    return ok


@njit(**_INLINE)
def _fits(a, b, e):
    """A compact (b, e) array: each axis of ``a`` is 1 or the full length."""
    return (a.shape[0] == 1 or a.shape[0] == b) and (a.shape[1] == 1 or a.shape[1] == e)


@njit(**_INLINE)
def _fits_de(de, b, t, e, het):
    """A compact DE of shape (b, t, e) by weapon type (``het``), else (b, 1, e)."""
    rows = de.shape[0] == 1 or de.shape[0] == b
    types = de.shape[1] == 1 or (het and de.shape[1] == t)
    return rows and types and (de.shape[2] == 1 or de.shape[2] == e)


@njit(**_NO_NRT)
def _shapes_ok(nA, mA, fA, aA, nB, mB, fB, aB, w80A, w80B, deAB, deBA, hetAB, hetBA, opts,
               stop, out):  # fmt: skip
    """The arrays are compact arrays of one batch, as :mod:`~detente.kernels.compiled`
    fits them: n of each side (b, E) with b > 0 rows, the rest of a side (b, E) with axes
    of length 1 allowed, w80 (b,) or (1,), DE (b, E_S, E_V) or (b, 1, E_V) likewise, and
    the options and ``out`` long enough for rows up to ``stop``."""
    b, e_a, e_b = nA.shape[0], nA.shape[1], nB.shape[1]
    ok = b > 0 and nB.shape[0] == b and stop <= b and out.shape[1] >= stop
    ok = ok and _fits(mA, b, e_a) and _fits(fA, b, e_a) and _fits(aA, b, e_a)
    ok = ok and _fits(mB, b, e_b) and _fits(fB, b, e_b) and _fits(aB, b, e_b)
    ok = ok and (w80A.shape[0] == 1 or w80A.shape[0] == b)
    ok = ok and (w80B.shape[0] == 1 or w80B.shape[0] == b)
    ok = ok and _fits_de(deAB, b, e_a, e_b, hetAB) and _fits_de(deBA, b, e_b, e_a, hetBA)
    return ok and (opts.shape[1] == 1 or opts.shape[1] == b)


@njit(**_INLINE)
def _defence(opts, step, i, side):
    """(P, ⌊I/s⌋) of one side's defence (options from row ``side``) in row ``i`` (eqs. D1,
    D2), (0, 0) where it cannot work."""
    s = _opt(opts, step, side + 2, i)
    pk = _opt(opts, step, side + 1, i)
    p = _opt(opts, step, side + 3, i) * (1.0 - (1.0 - pk) ** s)
    cap = math.floor(_opt(opts, step, side, i) / s)
    if p > 0.0 and cap > 0.0:
        return p, cap
    return 0.0, 0.0


@njit(**_NO_NRT)
def _weapons(i, n, m, fixed, avail, hetero):
    """W_S of row ``i`` as the numpy kernel sums it."""
    if hetero:
        W = 0.0
        for w in range(n.shape[1]):
            nm = _at2(n, i, w) * _at2(m, i, w)
            W += nm * (1.0 if _at2(fixed, i, w) else avail)
        return W
    total = 0.0
    surv_nm = 0.0
    for w in range(n.shape[1]):
        nm = _at2(n, i, w) * _at2(m, i, w)
        total += nm
        if not _at2(fixed, i, w):
            surv_nm += nm
    return total - (1.0 - avail) * surv_nm


@njit(**_INLINE)
def _direction(i, sn, sm, sf, vn, vm, vf, va, de, het, lua, w80_s, w80_v, p_s, cap_s, p_v,
               cap_v, a, kk, av, le, kmax, fw, iw, bits_of, stack, cand, out, o):  # fmt: skip
    """One strike direction of row ``i`` (S = ``s*``, V = ``v*``) into ``out[o:o + 12]``:
    V's defence thins S's strike (eq. D4) and S's meets V's retaliation (eq. D3)."""
    rho = 1.0
    inv_v = LN5 / w80_v
    if cap_v > 0.0:
        w_s = _weapons(i, sn, sm, sf, av, het)
        rho = 1.0 - p_v * min(1.0, cap_v / w_s) if w_s > 0.0 else 1.0
        inv_v = inv_v * rho
    inv_s = LN5 / w80_s
    x_star, K_star, W_S, W_V, pow_s, pow_v, dmg_s, dmg_v = _solve_row(
        i, sn, sm, sf, vn, vm, vf, va, de, het, rho, lua, le, av, inv_s, inv_v, a, kk, p_s,
        cap_s, kmax, fw, iw, bits_of, stack, cand,
    )  # fmt: skip
    _outcome(x_star, K_star, W_S, W_V, pow_s, pow_v, dmg_s, dmg_v, inv_s, inv_v, a, kk, p_s, cap_s,
             rho, out, o, i)  # fmt: skip


@njit(**_NO_NRT)
def stability_rows(start, stop, nA, mA, fA, aA, nB, mB, fB, aB, w80A, w80B, deAB, deBA,
                   hetAB, hetBA, opts, step, kmax, both, work, out):  # fmt: skip
    """Rows ``start:stop`` of :func:`~detente.kernels.stability.stability_index` from
    compact inputs into ``out`` (2·12 + 5, B): A striking first, B striking first, then
    r_A, r_B, min(1, r_A), min(1, r_B) and the FSI. Without ``both``, only A striking first
    (:func:`~detente.kernels.stability.first_strike`, A the striker), into ``out[:12]``.
    ``work`` is the calling thread's scratch array (:func:`work_size` floats at least).

    Returns :data:`BAD_SHAPE` if the arrays' shapes do not fit the batch (see
    :func:`_shapes_ok`), :data:`BAD_VALUE` if an input of these rows is out of range (and
    computes nothing in either case), else 0. Compiled without reference counting: it
    allocates nothing, and its arrays are the caller's, alive for the call (so a call
    unboxes them without owners).
    """
    if not _shapes_ok(nA, mA, fA, aA, nB, mB, fB, aB, w80A, w80B, deAB, deBA, hetAB, hetBA,
                      opts, stop, out):  # fmt: skip
        return BAD_SHAPE
    if not _checked(start, stop, nA, mA, aA, nB, mB, aB, w80A, w80B, deAB, deBA, opts, step):
        return BAD_VALUE
    e_max = max(nA.shape[1], nB.shape[1])
    if work.shape[0] < _work_size(e_max, kmax):
        return BAD_VALUE
    fw, iw, bits_of, stack, cand = _workspace(work, e_max, kmax)
    for i in range(start, stop):
        a, kk = _opt(opts, step, ALPHA, i), _opt(opts, step, SURCHARGE, i)
        av, le = _opt(opts, step, AVAIL, i), _opt(opts, step, LUA_ESCAPE, i)
        p_a, cap_a = _defence(opts, step, i, DEFENCE_A)
        p_b, cap_b = _defence(opts, step, i, DEFENCE_B)
        # A strikes B: B's defence thins A's strike, A's meets B's retaliation
        lua_b, lua_a = _opt(opts, step, LUA_B, i) > 0.0, _opt(opts, step, LUA_A, i) > 0.0
        _direction(i, nA, mA, fA, nB, mB, fB, aB, deAB, hetAB, lua_b, _at1(w80A, i),
                   _at1(w80B, i), p_a, cap_a, p_b, cap_b, a, kk, av, le, kmax, fw, iw, bits_of,
                   stack, cand, out, 0)  # fmt: skip
        if not both:
            continue
        _direction(i, nB, mB, fB, nA, mA, fA, aA, deBA, hetBA, lua_a, _at1(w80B, i),
                   _at1(w80A, i), p_b, cap_b, p_a, cap_a, a, kk, av, le, kmax, fw, iw, bits_of,
                   stack, cand, out, FIELDS)  # fmt: skip
        c1_a, c2_b = out[1, i], out[2, i]
        c1_b, c2_a = out[FIELDS + 1, i], out[FIELDS + 2, i]
        r = 2 * FIELDS
        out[r, i] = _ratio(c1_a, c2_a)
        out[r + 1, i] = _ratio(c1_b, c2_b)
        out[r + 2, i] = _nmin(out[r, i], 1.0)
        out[r + 3, i] = _nmin(out[r + 1, i], 1.0)
        out[r + 4, i] = out[r + 2, i] * out[r + 3, i]
    return 0


@njit(**_JIT)
def _ratio(c1, c2):
    if c1 == 0.0 and c2 == 0.0:
        return 1.0
    return c1 / c2
