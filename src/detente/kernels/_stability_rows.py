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

from detente.kernels.stability import _FLOOR, _MAX_DEPTH, _MAX_ITER, LN5, TIE

_JIT = dict(cache=True, nogil=True, error_model="numpy", fastmath=False)
_INLINE = dict(_JIT, inline="always")  # small helpers: typed inside their callers
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


@njit(**_JIT)
def _terms(x, K, W_S, W_V, inv_s, inv_v, alpha, floor, out, slopes=True):
    """Eqs. 1 and 4 at one point, as ``_terms`` of the numpy kernel.

    ``out`` receives D_S^α, D_V^α, ψ_S, ψ_V and, with ``slopes``, g_S, g_V.
    """
    for side in range(2):
        if side == 0:
            z = (K - W_V) * inv_s
        else:
            z = (x - W_S) * inv_v
        z = _nmin(z, -floor)
        damage = 0.0 - math.expm1(z)
        psi = math.log(damage) if damage > 0.0 else (-_INF if damage == 0.0 else np.nan)
        power = math.exp(alpha * psi)
        psi = psi * (alpha - 1.0)
        if psi != psi and z == z:  # α = 1 at D = 0: the limit ψ = 0 (``linear`` in numpy)
            psi = 0.0
        out[side] = power
        out[2 + side] = psi + z
        if slopes:
            g = (1.0 - alpha) / damage
            if g != g and z == z:  # and −ψ' = 1
                g = 0.0
            out[4 + side] = g + alpha


@njit(**_INLINE)
def _cost(pow_own, pow_other, k):
    """Eq. 2 in the numpy kernel's order."""
    return pow_other * -k + k + pow_own


@njit(**_JIT)
def _pick(n, c_s, c_v, x, K):
    """The stop rule's choice among ``n`` candidates: (x*, K*) as ``_pick``."""
    best = c_s[0]
    for i in range(1, n):
        best = _nmin(best, c_s[i])
    x_lo = _INF
    K_lo = _INF
    x_hi = -_INF
    for i in range(n):
        if c_s[i] <= best + TIE:
            x_lo = _nmin(x_lo, x[i])
            K_lo = _nmin(K_lo, K[i])
            x_hi = _nmax(x_hi, x[i])
    if x_hi > x_lo:
        top = -_INF
        for i in range(n):
            if c_s[i] <= best + TIE:
                top = _nmax(top, c_v[i])
        x_lo = _INF
        K_lo = _INF
        for i in range(n):
            if c_s[i] <= best + TIE and c_v[i] >= top - TIE:
                x_lo = _nmin(x_lo, x[i])
                K_lo = _nmin(K_lo, K[i])
    return x_lo, K_lo


@njit(**_JIT)
def _at(xq, x0, K0, e, W_S, W_V, inv_s, inv_v, alpha, c, t):
    """Terms (into ``t``), d (eq. 4) and dd/dx where S spends ``xq`` on one piece.

    ``c`` is ln(k/w0_V) − ln(e/w0_S) of the piece (:func:`_c`).
    """
    K = K0 + e * (xq - x0)
    _terms(xq, K, W_S, W_V, inv_s, inv_v, alpha, 0.0, t)
    e_s = e * inv_s
    d = c + t[3] - t[2]
    slope = inv_v * t[5] - e_s * t[4]
    return d, slope


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
def _newton(lo, hi, x0, K0, e, W_S, W_V, inv_s, inv_v, alpha, k, t):
    """Root of d in [lo, hi] where d(lo) <= 0 < d(hi), as ``_newton_bisect``."""
    c = _c(e, inv_s, inv_v, k)
    x = 0.5 * (lo + hi)
    step = hi - lo
    probed = False
    for _ in range(_MAX_ITER):
        xi = x
        d, slope = _at(xi, x0, K0, e, W_S, W_V, inv_s, inv_v, alpha, c, t)
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
        flat = abs(d) <= 64.0 * _EPS * (1.0 + abs(t[3]) + abs(t[2]))
        x = xi if flat else xn
        step = new_step
        probed = probe
        room = _nmin(W_S - xi, (W_V - K0 - e * (xi - x0)) / e)
        small = abs(newton) <= _nmin(1e-14 * abs(xn), 1e-12 * room)
        if flat or (hi - lo <= _EPS4 * abs(xn)) or (fast and small):
            break
    return x


@njit(**_JIT)
def _root_candidate(root, x0, K0, e, W_S, W_V, inv_s, inv_v, alpha, k, t, cand, n):
    """Append the costs at an interior minimum to the candidates; the new count."""
    _at(root, x0, K0, e, W_S, W_V, inv_s, inv_v, alpha, 0.0, t)
    if n >= cand.shape[1]:
        return n  # more minima than a segment can hold (never seen): keep the first ones
    cand[0, n] = _cost(t[0], t[1], k)
    cand[1, n] = _cost(t[1], t[0], k)
    cand[2, n] = root
    cand[3, n] = K0 + e * (root - x0)
    return n + 1


@njit(**_JIT)
def _search(x0, K0, e, x1, d_lo, d_hi, W_S, W_V, inv_s, inv_v, alpha, k, t, stack, cand, n):
    """Halve an unsure segment until each part is certified or brackets a minimum, as
    ``_Span.classify`` then ``_subdivide``; Newton on each bracket. The new candidate count.
    """
    c = _c(e, inv_s, inv_v, k)
    _at(x0, x0, K0, e, W_S, W_V, inv_s, inv_v, alpha, c, t)
    pv_lo, ps_lo, gv_lo, gs_lo = t[3], t[2], t[5], t[4]
    _at(x1, x0, K0, e, W_S, W_V, inv_s, inv_v, alpha, c, t)
    pv_hi, ps_hi, gv_hi, gs_hi = t[3], t[2], t[5], t[4]
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
        dm, _ = _at(xm, x0, K0, e, W_S, W_V, inv_s, inv_v, alpha, c, t)
        pv_m, ps_m, gv_m, gs_m = t[3], t[2], t[5], t[4]
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
                root = _newton(a, b, x0, K0, e, W_S, W_V, inv_s, inv_v, alpha, k, t)
                n = _root_candidate(root, x0, K0, e, W_S, W_V, inv_s, inv_v, alpha, k, t, cand, n)
            elif open_ and top < stack.shape[0] - 1:
                row = stack[top]
                row[0], row[1], row[2], row[3] = a, b, da, db
                row[4], row[5], row[6], row[7] = pva, pvb, psa, psb
                row[8], row[9], row[10], row[11] = gva, gvb, gsa, gsb
                row[12] = s[12] + 1.0
                top += 1
    return n


@njit(**_JIT)
def _segments(i, vn, vm, vfixed, valert, de, rho, lua, lua_escape, kmax, cost, eff, keys,
              tmp_c, tmp_e):  # fmt: skip
    """Sorted segments of row ``i`` (single DE per victim class): their count.

    ``keys`` (int64) and ``tmp_c``, ``tmp_e`` are scratch space.
    """
    n_class = vn.shape[1]
    size = n_class * kmax
    for j in range(n_class):
        n = _at2(vn, i, j)
        fixed = _at2(vfixed, i, j)
        targets = n if fixed else n * (1.0 - _at2(valert, i, j))
        de_j = _at3(de, i, 0, j) * rho
        e = _at2(vm, i, j) * de_j
        if lua and fixed:
            e *= 1.0 - lua_escape
        ratio = 1.0 - de_j
        for level in range(kmax):
            s = j * kmax + level
            if level > 0:
                e = e * ratio
            eff[s] = e
            cost[s] = targets
    if size < 2:
        return size
    bits = 0
    while (1 << bits) < size:  # (size − 1).bit_length()
        bits += 1
    mask = np.int64((1 << bits) - 1)
    view = eff.view(np.int64)
    for s in range(size):
        keys[s] = (view[s] & ~mask) | (mask - s)
    # insertion sort by decreasing key (keys are distinct), carrying the segment index
    order = keys[size : 2 * size]
    for s in range(size):
        order[s] = s
    for s in range(1, size):
        kk, oo = keys[s], order[s]
        r = s - 1
        while r >= 0 and keys[r] < kk:
            keys[r + 1] = keys[r]
            order[r + 1] = order[r]
            r -= 1
        keys[r + 1] = kk
        order[r + 1] = oo
    for s in range(size):
        tmp_c[s] = cost[order[s]]
        tmp_e[s] = eff[order[s]]
    for s in range(size):
        cost[s] = tmp_c[s]
        eff[s] = tmp_e[s]
    return size


@njit(**_JIT)
def _weapon_segments(i, sn, sm, sfixed, vn, vm, vfixed, valert, de, rho, lua, lua_escape,
                     avail, kmax, cost, eff, work, iwork):  # fmt: skip
    """The greedy spend by weapon type of row ``i``, pieces joined as ``_exchange_setup``."""
    n_type = sn.shape[1]
    n_class = vn.shape[1]
    steps = n_type + n_class * kmax
    for s in range(steps):
        cost[s] = 0.0
        eff[s] = 0.0
    if n_type == 0 or n_class == 0:
        return steps
    left = work[:n_type]
    room = work[n_type : n_type + n_class]
    surv = work[n_type + n_class : n_type + 2 * n_class]
    mass = work[n_type + 2 * n_class : n_type + 3 * n_class]
    targets = work[n_type + 3 * n_class : n_type + 4 * n_class]
    level = iwork[:n_class]
    cls = iwork[n_class : n_class + steps]
    lev = iwork[n_class + steps : n_class + 2 * steps]
    for w in range(n_type):
        nm = _at2(sn, i, w) * _at2(sm, i, w)
        left[w] = nm * (1.0 if _at2(sfixed, i, w) else avail)
    for j in range(n_class):
        n = _at2(vn, i, j)
        targets[j] = n if _at2(vfixed, i, j) else n * (1.0 - _at2(valert, i, j))
        room[j] = targets[j]
        surv[j] = 1.0
        mass[j] = 0.0
        level[j] = 0
    for step in range(steps):
        best = -1.0
        bw = 0
        bj = 0
        for w in range(n_type):
            for j in range(n_class):
                if left[w] > 0.0 and level[j] < kmax and targets[j] > 0.0:
                    e = _at2(vm, i, j) * (_at3(de, i, w, j) * rho)
                    if lua and _at2(vfixed, i, j):
                        e *= 1.0 - lua_escape
                    c = e * surv[j]
                else:
                    c = -1.0
                if c > best or (w == 0 and j == 0):
                    best = c
                    bw = w
                    bj = j
        if not best >= 0.0:
            cls[step] = -1
            lev[step] = -1
            continue
        room_j = room[bj]
        amount = min(left[bw], room_j)
        left[bw] -= amount
        room[bj] = room_j - amount
        mass[bj] += amount * surv[bj] * (1.0 - _at3(de, i, bw, bj) * rho)
        cost[step] = amount
        eff[step] = best
        cls[step] = bj
        lev[step] = level[bj] + 1
        if amount >= room_j:
            level[bj] += 1
            surv[bj] = mass[bj] / targets[bj]
            mass[bj] = 0.0
            room[bj] = targets[bj]
    for s in range(steps - 1, 0, -1):
        if cls[s] == cls[s - 1] and lev[s] == lev[s - 1] and eff[s] == eff[s - 1]:
            cost[s - 1] += cost[s]
            cost[s] = 0.0
    return steps


@njit(**_JIT)
def _solve_row(i, sn, sm, sfixed, vn, vm, vfixed, valert, de, hetero, rho, lua, lua_escape,
               avail, inv_s, inv_v, alpha, k, p, cap, kmax, ws):  # fmt: skip
    """x*, K*, W_S, W_V of row ``i`` of one direction (the numpy kernel's ``_solve``)."""
    fw, iw, pts, t, stack, cand = ws
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
    cost = fw[0]
    eff = fw[1]
    if hetero:
        size = _weapon_segments(i, sn, sm, sfixed, vn, vm, vfixed, valert, de, rho, lua,
                                lua_escape, avail, kmax, cost, eff, fw[2], iw)  # fmt: skip
    else:
        size = _segments(i, vn, vm, vfixed, valert, de, rho, lua, lua_escape, kmax, cost, eff, iw,
                         pts[8], pts[9])  # fmt: skip
    # chain (x clipped at W_S after the cumulative sum), then the kink of S's defence
    x, K, wv, isv = pts[0], pts[1], pts[2], pts[3]
    x[0] = 0.0
    for s in range(size):
        x[s + 1] = x[s] + cost[s]
    for s in range(size + 1):
        x[s] = _nmin(x[s], W_S)
    K[0] = 0.0
    for s in range(size):
        K[s + 1] = K[s] + (x[s + 1] - x[s]) * eff[s]
    seg_e = fw[3]
    for s in range(size):
        seg_e[s] = eff[s]
    n_pts = size + 1
    kink = W_V - cap if cap > 0.0 else _INF
    pos = 0
    for s in range(size + 1):
        if K[s] < kink:
            pos += 1
    if pos > 0 and pos <= size:
        j = pos - 1
        x_kink = _nmin(x[j] + (kink - K[j]) / eff[j], x[j + 1])
        for s in range(size + 1, pos, -1):
            x[s] = x[s - 1]
            K[s] = K[s - 1]
        x[pos] = x_kink
        K[pos] = kink
        for s in range(size, pos - 1, -1):  # both halves of the split segment keep its e
            seg_e[s] = seg_e[s - 1]
        n_pts = size + 2
    for s in range(n_pts):  # _regime
        if K[s] >= W_V - cap:
            wv[s] = W_V
            isv[s] = (1.0 - p) * inv_s
        else:
            wv[s] = W_V - p * cap
            isv[s] = inv_s
    # dense pass: floored terms at the breakpoints, the best breakpoint
    floor = math.exp(_FLOOR / alpha)
    pow_s, pow_v, psi_s, psi_v, c_s, c_v = pts[4], pts[5], pts[6], pts[7], pts[8], pts[9]
    for s in range(n_pts):
        if s > 0 and x[s] == x[s - 1] and K[s] == K[s - 1] and wv[s] == wv[s - 1]:
            if isv[s] == isv[s - 1]:  # an empty segment (padding, or beyond W_S): same point
                pow_s[s], pow_v[s], psi_s[s], psi_v[s] = (
                    pow_s[s - 1], pow_v[s - 1], psi_s[s - 1], psi_v[s - 1],
                )  # fmt: skip
                c_s[s], c_v[s] = c_s[s - 1], c_v[s - 1]
                continue
        _terms(x[s], K[s], W_S, wv[s], isv[s], inv_v, alpha, floor, t, False)
        pow_s[s], pow_v[s], psi_s[s], psi_v[s] = t[0], t[1], t[2], t[3]
        c_s[s] = _cost(t[0], t[1], k)
        c_v[s] = _cost(t[1], t[0], k)
    best = c_s[0]
    for s in range(1, n_pts):
        best = _nmin(best, c_s[s])
    n_cand = 0
    for s in range(n_pts - 1):
        e = seg_e[s]
        inv_s_e = isv[s]
        w_v = wv[s]
        bound = _cost(pow_s[s + 1], pow_v[s], k)
        if not (bound < best + 2.0 * TIE and x[s + 1] > x[s] and e > 0.0 and k > 0.0):
            continue
        if not inv_s_e > 0.0:
            continue
        x_lo, x_hi, K_lo, K_hi = x[s], x[s + 1], K[s], K[s + 1]
        pv_lo, pv_hi, ps_lo, ps_hi = psi_v[s], psi_v[s + 1], psi_s[s], psi_s[s + 1]
        c0 = _log(k * inv_v / inv_s_e) - _log(e)
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
        if falls:
            sure = d_lo + (pv_hi - pv_lo) <= 0.0
        else:
            sure = d_lo - (ps_hi - ps_lo) >= 0.0
        if falls and rises:
            if n_cand == 0:  # the breakpoints are candidates too
                for q in range(n_pts):
                    cand[0, q], cand[1, q], cand[2, q], cand[3, q] = c_s[q], c_v[q], x[q], K[q]
                n_cand = n_pts
            root = _newton(x_lo, x_hi, x_lo, K_lo, e, W_S, w_v, inv_s_e, inv_v, alpha, k, t)
            n_cand = _root_candidate(
                root, x_lo, K_lo, e, W_S, w_v, inv_s_e, inv_v, alpha, k, t, cand, n_cand
            )
        elif (falls != rises) and not (sure and not ends):
            if n_cand == 0:
                for q in range(n_pts):
                    cand[0, q], cand[1, q], cand[2, q], cand[3, q] = c_s[q], c_v[q], x[q], K[q]
                n_cand = n_pts
            n_cand = _search(x_lo, K_lo, e, x_hi, d_lo, d_hi, W_S, w_v, inv_s_e, inv_v, alpha,
                             k, t, stack, cand, n_cand)  # fmt: skip
    if n_cand > n_pts:
        x_star, K_star = _pick(n_cand, cand[0], cand[1], cand[2], cand[3])
    else:
        x_star, K_star = _pick(n_pts, c_s, c_v, x, K)
    return x_star, K_star, W_S, W_V


@njit(**_JIT)
def _outcome(x_star, K_star, W_S, W_V, inv_s, inv_v, alpha, k, p, cap, rho, t, out, o, i):
    """The FirstStrike fields at x* into ``out[o:o + 12, i]``, as ``_outcome``."""
    L = W_S - x_star
    R = _nmax(W_V - K_star, 0.0)
    if K_star >= W_V - cap:
        w_v, i_s = W_V, (1.0 - p) * inv_s
    else:
        w_v, i_s = W_V - p * cap, inv_s
    R_arr = R - p * _nmin(R, cap)
    L_arr = rho * L
    _terms(x_star, K_star, W_S, w_v, i_s, inv_v, alpha, 0.0, t, False)
    out[o + 0, i] = x_star
    out[o + 1, i] = _cost(t[0], t[1], k)
    out[o + 2, i] = _cost(t[1], t[0], k)
    out[o + 3, i] = L
    out[o + 4, i] = R
    out[o + 5, i] = 0.0 - math.expm1(-R_arr * inv_s)
    out[o + 6, i] = 0.0 - math.expm1(-L * inv_v)
    out[o + 7, i] = K_star
    out[o + 8, i] = W_S
    out[o + 9, i] = W_V
    out[o + 10, i] = L_arr
    out[o + 11, i] = R_arr


@njit(**_JIT)
def _workspace(e_s, e_v, kmax):
    """Scratch arrays for one thread: segments, points, terms, stack and candidates."""
    size = e_s + e_v * kmax + 2
    fw = np.empty((4, max(size, e_s + 4 * e_v + 1)))
    iw = np.empty(4 * size + 2 * e_v + 4, dtype=np.int64)
    pts = np.empty((10, size + 2))
    t = np.empty(6)
    stack = np.empty((2 * _MAX_DEPTH + 8, 13))
    cand = np.empty((4, 4 * size + 64))
    return fw, iw, pts, t, stack, cand


@njit(**_INLINE)
def _span(a, start, stop):
    """Rows of a compact array that rows ``start:stop`` read."""
    return (start, stop) if a.shape[0] > 1 else (0, 1)


@njit(**_INLINE)
def _ok(v, lo, hi, lo_open):
    """``v`` finite and in [lo, hi] (or (lo, hi] where ``lo_open``), as ``_floats``."""
    return v >= lo and v <= hi and v < _INF and (v > lo or not lo_open)


@njit(**_JIT)
def _ok1(a, start, stop, lo, hi, lo_open):
    r0, r1 = _span(a, start, stop)
    for i in range(r0, r1):
        if not _ok(a[i], lo, hi, lo_open):
            return False
    return True


@njit(**_JIT)
def _ok2(a, start, stop, lo, hi):
    r0, r1 = _span(a, start, stop)
    for i in range(r0, r1):
        for j in range(a.shape[1]):
            if not _ok(a[i, j], lo, hi, False):
                return False
    return True


@njit(**_JIT)
def _ok3(a, start, stop, lo, hi):
    r0, r1 = _span(a, start, stop)
    for i in range(r0, r1):
        for j in range(a.shape[1]):
            for q in range(a.shape[2]):
                if not _ok(a[i, j, q], lo, hi, False):
                    return False
    return True


@njit(**_JIT)
def _checked(start, stop, nA, mA, aA, nB, mB, aB, w80A, w80B, deAB, deBA, alpha, k, avail,
             lua_escape, iA, pA, sA, kA, iB, pB, sB, kB):  # fmt: skip
    """True if rows ``start:stop`` hold values in range (``_floats``, ``_check_defense``)."""
    ok = _ok2(nA, start, stop, 0.0, _INF) and _ok2(mA, start, stop, 0.0, _INF)
    ok = ok and _ok2(nB, start, stop, 0.0, _INF) and _ok2(mB, start, stop, 0.0, _INF)
    ok = ok and _ok2(aA, start, stop, 0.0, 1.0) and _ok2(aB, start, stop, 0.0, 1.0)
    ok = ok and _ok3(deAB, start, stop, 0.0, 1.0) and _ok3(deBA, start, stop, 0.0, 1.0)
    ok = ok and _ok1(w80A, start, stop, 0.0, _INF, True)
    ok = ok and _ok1(w80B, start, stop, 0.0, _INF, True)
    ok = ok and _ok1(alpha, start, stop, 0.0, 1.0, True) and _ok1(k, start, stop, 0.0, _INF, False)
    for a in (avail, lua_escape, pA, kA, pB, kB):
        ok = ok and _ok1(a, start, stop, 0.0, 1.0, False)
    ok = ok and _ok1(iA, start, stop, 0.0, _INF, False) and _ok1(iB, start, stop, 0.0, _INF, False)
    for a in (sA, sB):
        ok = ok and _ok1(a, start, stop, 1.0, _INF, False)
        r0, r1 = _span(a, start, stop)
        for i in range(r0, r1):
            ok = ok and a[i] == math.floor(a[i])
    return ok


@njit(**_JIT)
def _defence(i, interceptors, p_kill, shots, availability):
    """(P, ⌊I/s⌋) of one side's defence in row ``i`` (eqs. D1, D2), (0, 0) where it cannot
    work."""
    s = _at1(shots, i)
    pk = _at1(p_kill, i)
    p = _at1(availability, i) * (1.0 - (1.0 - pk) ** s)
    cap = math.floor(_at1(interceptors, i) / s)
    if p > 0.0 and cap > 0.0:
        return p, cap
    return 0.0, 0.0


@njit(**_JIT)
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


@njit(**_JIT)
def stability_rows(start, stop, nA, mA, fA, aA, nB, mB, fB, aB, w80A, w80B, deAB, deBA,
                   hetAB, hetBA, luaA, luaB, alpha, k, avail, lua_escape, iA, pA, sA, kA,
                   iB, pB, sB, kB, kmax, both, out):  # fmt: skip
    """Rows ``start:stop`` of :func:`~detente.kernels.stability.stability_index` from
    compact inputs into ``out`` (2·12 + 5, B): A striking first, B striking first, then
    r_A, r_B, min(1, r_A), min(1, r_B) and the FSI. Without ``both``, only A striking first
    (:func:`~detente.kernels.stability.first_strike`, A the striker), into ``out[:12]``.

    Returns :data:`BAD_VALUE` (and computes nothing) if an input of these rows is out of
    range, else 0.
    """
    if not _checked(start, stop, nA, mA, aA, nB, mB, aB, w80A, w80B, deAB, deBA, alpha, k,
                    avail, lua_escape, iA, pA, sA, kA, iB, pB, sB, kB):  # fmt: skip
        return BAD_VALUE
    ws = _workspace(max(nA.shape[1], nB.shape[1]), max(nA.shape[1], nB.shape[1]), kmax)
    t = ws[3]
    for i in range(start, stop):
        a, kk, av, le = _at1(alpha, i), _at1(k, i), _at1(avail, i), _at1(lua_escape, i)
        p_a, cap_a = _defence(i, iA, pA, sA, kA)
        p_b, cap_b = _defence(i, iB, pB, sB, kB)
        for d in range(2 if both else 1):
            if d == 0:  # A strikes B: B's defence thins A's strike, A's meets B's retaliation
                sn, sm, sf, vn, vm, vf, va = nA, mA, fA, nB, mB, fB, aB
                de, het, lua = deAB, hetAB, _at1(luaB, i)
                w80_s, w80_v = _at1(w80A, i), _at1(w80B, i)
                p_s, cap_s, p_v, cap_v = p_a, cap_a, p_b, cap_b
            else:
                sn, sm, sf, vn, vm, vf, va = nB, mB, fB, nA, mA, fA, aA
                de, het, lua = deBA, hetBA, _at1(luaA, i)
                w80_s, w80_v = _at1(w80B, i), _at1(w80A, i)
                p_s, cap_s, p_v, cap_v = p_b, cap_b, p_a, cap_a
            rho = 1.0
            inv_v = LN5 / w80_v
            if cap_v > 0.0:
                w_s = _weapons(i, sn, sm, sf, av, het)
                rho = 1.0 - p_v * min(1.0, cap_v / w_s) if w_s > 0.0 else 1.0
                inv_v = inv_v * rho
            inv_s = LN5 / w80_s
            x_star, K_star, W_S, W_V = _solve_row(
                i, sn, sm, sf, vn, vm, vf, va, de, het, rho, lua, le, av, inv_s, inv_v, a,
                kk, p_s, cap_s, kmax, ws,
            )  # fmt: skip
            _outcome(x_star, K_star, W_S, W_V, inv_s, inv_v, a, kk, p_s, cap_s, rho, t, out,
                     d * FIELDS, i)  # fmt: skip
        if not both:
            continue
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
