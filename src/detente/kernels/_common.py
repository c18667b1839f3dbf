"""Helpers shared by the kernels: argument checks, ratios and the counterforce segments.

Internal to :mod:`detente.kernels` (the leading underscore of the module says so): the
public kernels (:mod:`~detente.kernels.exchange`, :mod:`~detente.kernels.stability`,
:mod:`~detente.kernels.multiparty`, :mod:`~detente.kernels.context` and the compiled rows)
import these instead of each other's private names. Segment arrays are *segment-major*,
shape (S, b) with S = E·kmax (see :mod:`detente.kernels.exchange` for the calculus they
implement).
"""

from __future__ import annotations

from functools import cache

import numpy as np

FLOOR = -40.0  # least ρ and λ in the dense pass are exp(FLOOR/α): D^α there ~ 4e-18
MAX_DEPTH = 64  # bisections of one segment before a stationary point is given up as flat
MAX_ITER = 200  # Newton–bisection steps per interior minimum (typically 5 to 10)
LN5 = float(np.log(5.0))  # w0 = w80 / ln 5: f(w80) = 0.8
TIE = 1e-12  # [-] costs closer than this tie in the stop rule (numerical, not a model constant)
SMALL_BATCH = 16  # [rows] up to here one np.sort beats the sorting network's Python loop


def floats(name, x, shape, lo=0.0, hi=np.inf, *, lo_open=False):
    """``x`` broadcast to ``shape`` as a float array, or a ValueError naming ``name``."""
    a = np.asarray(x, dtype=float)
    if a.size:
        low, high = np.minimum.reduce(a, axis=None), np.maximum.reduce(a, axis=None)
        if not ((low > lo if lo_open else low >= lo) and high <= hi and high < np.inf):
            ok = np.isfinite(a) & (a > lo if lo_open else a >= lo) & (a <= hi)
            rule = f"{'(' if lo_open else '['}{lo:g}, {hi:g}]"
            raise ValueError(f"{name} must be finite and in {rule}; got {float(a[~ok].flat[0])}")
    return broadcast(name, a, shape)


def bools(name, x, shape, *, want=None):
    """``x`` broadcast to ``shape`` as a bool array, or a ValueError naming ``name``.

    ``want`` says in a shape error what was expected (default: ``shape`` or a scalar).
    """
    a = np.asarray(x)
    if a.dtype != bool:
        raise ValueError(f"{name} must be boolean; got dtype {a.dtype}")
    return broadcast(name, a, shape, want)


def broadcast(name, a, shape, want=None):
    """Array ``a`` broadcast to ``shape``, or a ValueError naming ``name`` and ``want``."""
    if a.shape == shape:
        return a
    try:
        return np.broadcast_to(a, shape)
    except ValueError:
        want = want or f"{shape} or a scalar"
        raise ValueError(f"{name} has shape {a.shape}; expected {want}") from None


def count(name, value):
    """A positive integer keyword, or a ValueError."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{name} must be a positive integer; got {value!r}")
    return int(value)


def check_de(name, de, shape):
    """DE [-] in [0, 1] given as a scalar, (B,) or (B, E), broadcast to ``shape`` (B, E)."""
    de = np.asarray(de, dtype=float)
    if de.ndim == 1 and de.shape[0] == shape[0]:
        de = de[:, None]
    return floats(name, de, shape, hi=1.0)


def check_de_matrix(name, de, batch, n_type, n_class):
    """DE [-] in [0, 1] of shape (B, T, E), broadcast; ``n_type`` None takes T from ``de``."""
    de = np.asarray(de, dtype=float)
    if de.ndim != 3:
        raise ValueError(f"{name} must have shape (B, T, E); got shape {de.shape}")
    shape = (batch, de.shape[1] if n_type is None else n_type, n_class)
    return floats(name, de, shape, hi=1.0)


def ratio(c1, c2):
    """r = C1/C2 with C2 = 0 giving inf, or 1 when C1 = 0 as well (indifference) [ours]."""
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        r = c1 / c2
    r[(c1 == 0.0) & (c2 == 0.0)] = 1.0
    return r


def classes(n, m, fixed, alert, de, lua, lua_escape):
    """Per victim class: targets, first-salvo efficiency and salvo ratio 1 − DE, (b, E) each.

    ``lua`` (bool) and ``lua_escape`` have shape (b,); the other inputs (b, E).
    """
    targets = np.where(fixed, n, n * (1.0 - alert))
    eff = m * de
    if lua.any():
        eff *= np.where(fixed & lua[:, None], 1.0 - lua_escape[:, None], 1.0)
    return targets, eff, 1.0 - de


def segments(targets, eff, ratio, kmax):
    """Unsorted segments, segment-major: cost and efficiency, shape (E·kmax, b).

    Class inputs have shape (b, E). Segment s = i·kmax + (k − 1) is class i, salvo level k.
    """
    b, n_class = targets.shape
    out = np.empty((n_class, kmax, b))
    out[:, 0] = eff.T
    ratio = ratio.T
    for k in range(1, kmax):
        np.multiply(out[:, k - 1], ratio, out=out[:, k])
    cost = np.empty((n_class, kmax, b))
    cost[:] = targets.T[:, None, :]
    return cost.reshape(n_class * kmax, b), out.reshape(n_class * kmax, b)


@cache
def sorting_network(size, run):
    """Comparators (i, j), i < j, of Batcher's odd–even merge sort of ``size`` keys.

    Keys already sorted in runs of length ``run`` (a power of two; each class's salvo levels)
    skip the merge levels that build such runs.
    """
    n = 1 << max(size - 1, 0).bit_length()
    pairs = []
    p = run if run & (run - 1) == 0 else 1
    while p < n:
        k = p
        while k >= 1:
            for j in range(k % p, n - k, 2 * k):
                for i in range(min(k, n - j - k)):
                    if (i + j) // (2 * p) == (i + j + k) // (2 * p):
                        pairs.append((i + j, i + j + k))
            k //= 2
        p *= 2
    # Keys beyond ``size`` would be -inf pads that never move: drop their comparators.
    return tuple((i, j) for i, j in pairs if j < size)


def sort_segments(cost, eff, run=1, *, index=False):
    """Segments in order of decreasing efficiency, ties by segment index; shape (S, b).

    With ``index``, also the segment index (S, b) of each sorted segment: the input row
    it came from (class ``index // kmax`` for the segments of :func:`segments`).

    A sorting network of row-wise maxima and minima (no Python loop over the batch) sorts
    keys that hold the efficiency with its lowest mantissa bits replaced by the segment index;
    the exact cost and efficiency are then gathered by that index. Efficiencies closer than
    2^bits ulp are ordered by index, which changes K(x) by rounding only. ``run``: see
    :func:`sorting_network`.
    """
    size, b = eff.shape
    if size < 2:
        return (cost, eff, np.zeros(eff.shape, dtype=np.int64)) if index else (cost, eff)
    bits = (size - 1).bit_length()
    mask = np.int64((1 << bits) - 1)
    key = eff.view(np.int64) & ~mask
    key |= (mask - np.arange(size, dtype=np.int64))[:, None]
    if b <= SMALL_BATCH:  # the keys are distinct: any sort orders them alike
        key = np.ascontiguousarray(np.sort(key.view(np.float64), axis=0)[::-1]).view(np.int64)
    else:
        rows = list(key.view(np.float64))
        spare = np.empty(b)
        for i, j in sorting_network(size, run):
            np.maximum(rows[i], rows[j], out=spare)
            np.minimum(rows[i], rows[j], out=rows[j])
            rows[i], spare = spare, rows[i]
        key = np.stack(rows).view(np.int64)
    np.bitwise_and(key, mask, out=key)
    np.subtract(mask, key, out=key)
    seg = key.copy() if index else None
    key *= b
    key += np.arange(b)
    out = cost.ravel().take(key), eff.ravel().take(key)
    return (*out, seg) if index else out


def chain(cost, eff, x_max):
    """Breakpoints of K(x) truncated at ``x_max``: x and K, shape (S + 1, b)."""
    size, b = cost.shape
    x = np.empty((size + 1, b))
    x[0] = 0.0
    for s in range(size):
        np.add(x[s], cost[s], out=x[s + 1])
    np.minimum(x, x_max, out=x)
    step = x[1:] - x[:-1]
    step *= eff
    k = np.empty((size + 1, b))
    k[0] = 0.0
    for s in range(size):
        np.add(k[s], step[s], out=k[s + 1])
    return x, k


def weapon_classes(n, m, fixed, alert, de, lua, lua_escape):
    """Per weapon type and victim class: targets (b, E), first-salvo efficiency and salvo ratio
    1 − DE, (b, T, E) each. ``de`` has shape (b, T, E); the rest as in :func:`classes`."""
    targets = np.where(fixed, n, n * (1.0 - alert))
    eff = m[:, None, :] * de
    if lua.any():
        eff *= np.where(fixed & lua[:, None], 1.0 - lua_escape[:, None], 1.0)[:, None, :]
    return targets, eff, 1.0 - de


def greedy_spend(targets, eff, ratio, stock, kmax):
    """The greedy spend of each weapon type (eqs. H1, H2 of :mod:`detente.kernels.exchange`).

    ``targets`` (b, E), first-level efficiency ``eff`` (m_j·DE_wj, with launch under attack)
    and ``ratio`` (1 − DE_wj), both (b, T, E), and ``stock`` (b, T). Returns segment-major
    arrays of shape (S, b), S = T + E·kmax, in spending order: warheads spent, efficiency,
    weapon type, class and level (1 to kmax). Steps with nothing left to spend have cost 0,
    efficiency 0 and type, class and level −1.
    """
    b, n_type, n_class = eff.shape
    steps = n_type + n_class * kmax
    out = np.zeros((5, steps, b))
    if n_type == 0 or n_class == 0:  # nothing to spend or nothing to strike
        out[2:] = -1.0
        return out[0], out[1], *out[2:].astype(np.int64)
    cols = np.arange(b)
    left = np.array(stock, dtype=float)  # (b, T) warheads of each type left
    room = targets.copy()  # (b, E) targets left at each class's current level
    level = np.zeros((b, n_class), dtype=np.int64)  # levels complete
    surv = np.ones((b, n_class))  # s̄_j at the current level (eq. H2)
    mass = np.zeros((b, n_class))  # Σ a·s̄_j·(1 − DE_wj) of the current level's fills
    for step in range(steps):
        usable = (left > 0.0)[:, :, None] & ((level < kmax) & (targets > 0.0))[:, None, :]
        cand = np.where(usable, eff * surv[:, None, :], -1.0).reshape(b, -1)
        pick = cand.argmax(axis=1)
        e = cand[cols, pick]
        w, j = np.divmod(pick, n_class)
        ok = e >= 0.0
        room_j = room[cols, j]
        amount = np.where(ok, np.minimum(left[cols, w], room_j), 0.0)
        left[cols, w] -= amount
        room[cols, j] = room_j - amount
        mass[cols, j] += amount * surv[cols, j] * ratio[cols, w, j]
        out[:, step] = amount, np.where(ok, e, 0.0), w, j, level[cols, j] + 1
        out[2:, step, ~ok] = -1.0
        full = np.flatnonzero(ok & (amount >= room_j))
        if full.size:
            jf = j[full]
            level[full, jf] += 1
            surv[full, jf] = mass[full, jf] / targets[full, jf]
            mass[full, jf] = 0.0
            room[full, jf] = targets[full, jf]
    return out[0], out[1], *out[2:].astype(np.int64)
