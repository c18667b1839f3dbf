"""Slow, obvious plain-Python reference of the Kent–Thaler first-strike calculus (models.md §2).

One scenario at a time, with lists and the ``math`` module; no numpy. It shares no code with
``detente.kernels.stability`` and finds interior minima differently: it scans each segment
of the draw-down curve on a fixed grid (uniform, plus points crowding both ends
geometrically) for the sign of dC_S/dx and bisects every change from <= 0 to > 0.

A force element is a tuple ``(n, m, fixed, alert)``. ``de`` is a float or one value per
victim element.
"""

from __future__ import annotations

import math

LN5 = math.log(5.0)
TIE = 1e-12  # costs closer than this tie, as in the kernel
_GRID = sorted(
    {i / 32 for i in range(1, 32)}
    | {2.0**-j for j in range(6, 45)}
    | {1.0 - 2.0**-j for j in range(6, 45)}
)


def value_damage(w, w80):
    """Share of value destroyed by ``w`` arriving warheads: 1 − exp(−w·ln 5 / w80)."""
    return -math.expm1(-w * LN5 / w80)


def cost(d_own, d_other, alpha, surcharge):
    """Kent–Thaler cost: d_own^α + k·(1 − d_other^α)."""
    return d_own**alpha + surcharge * (1.0 - d_other**alpha)


def _log_marginal(coefficient, z, alpha):
    """log of coefficient·e^−z·D^(α−1) with D = 1 − e^−z, for z >= 0 (+inf at z = 0, α < 1)."""
    if coefficient <= 0.0:
        return -math.inf
    if z <= 0.0:
        return math.inf if alpha < 1.0 else math.log(coefficient)
    return math.log(coefficient) - z + (alpha - 1.0) * math.log(-math.expm1(-z))


def first_strike(striker, victim, w80_s, w80_v, de, *, alpha=0.75, surcharge=0.3, avail=0.9,
                 kmax=2, lua=False, lua_escape=0.9):  # fmt: skip
    """Striker's cost-minimising first strike; a dict of the outcome (names as the kernel)."""
    if not isinstance(de, (list, tuple)):
        de = [de] * len(victim)
    w_s = sum(n * m if fixed else avail * n * m for n, m, fixed, _ in striker)
    w_v = sum(n * m for n, m, _, _ in victim)

    segments = []  # (efficiency, cost), in element order then salvo level
    for (n, m, fixed, alert), p in zip(victim, de, strict=True):
        targets = n if fixed else n * (1.0 - alert)
        for k in range(1, kmax + 1):
            efficiency = m * p * (1.0 - p) ** (k - 1)
            if fixed and lua:
                efficiency *= 1.0 - lua_escape
            segments.append((efficiency, targets))
    segments.sort(key=lambda s: -s[0])  # stable: ties keep element order
    x_max = min(w_s, sum(c for _, c in segments))

    def outcome(x, killed):
        left = w_s - x
        surviving = max(w_v - killed, 0.0)
        d_s = value_damage(surviving, w80_s)
        d_v = value_damage(left, w80_v)
        return {
            "x_star": x,
            "C_S": cost(d_s, d_v, alpha, surcharge),
            "C_V": cost(d_v, d_s, alpha, surcharge),
            "L": left,
            "R": surviving,
            "D_S": d_s,
            "D_V": d_v,
            "K": killed,
            "W_S": w_s,
            "W_V": w_v,
        }

    candidates = [outcome(0.0, 0.0)]
    x0 = k0 = 0.0
    for efficiency, c in segments:
        x1 = min(x0 + c, x_max)
        if x1 <= x0:
            continue
        candidates.append(outcome(x1, k0 + efficiency * (x1 - x0)))
        if efficiency > 0 and surcharge > 0:
            candidates += _interior_minima(
                x0, x1, k0, efficiency, w_s, w_v, w80_s, w80_v, alpha, surcharge, outcome
            )
        k0 += efficiency * (x1 - x0)
        x0 = x1

    best = min(c["C_S"] for c in candidates)
    tied = [c for c in candidates if c["C_S"] <= best + TIE]
    top = max(c["C_V"] for c in tied)
    tied = [c for c in tied if c["C_V"] >= top - TIE]
    return min(tied, key=lambda c: c["x_star"])


def _interior_minima(x0, x1, k0, efficiency, w_s, w_v, w80_s, w80_v, alpha, surcharge, outcome):
    """Outcomes at the local minima of C_S strictly inside one segment [x0, x1]."""

    w0_s, w0_v = w80_s / LN5, w80_v / LN5

    def rising(x):  # dC_S/dx > 0: the loss of damage inflicted beats the retaliation avoided
        left = w_s - x
        surviving = w_v - (k0 + efficiency * (x - x0))
        if left <= 0.0 and surviving <= 0.0:  # both terms infinite: compare how they grow
            return math.log(surcharge) - alpha * math.log(w0_v) > alpha * math.log(
                efficiency / w0_s
            )
        loss = _log_marginal(surcharge / w0_v, max(left, 0.0) / w0_v, alpha)
        gain = _log_marginal(efficiency / w0_s, max(surviving, 0.0) / w0_s, alpha)
        return loss > gain

    found = []
    xs = sorted({x0, x1} | {x0 + t * (x1 - x0) for t in _GRID})
    xs = [x for x in xs if x0 <= x <= x1]
    signs = [rising(x) for x in xs]
    for i in range(len(xs) - 1):
        if not signs[i] and signs[i + 1]:
            lo, hi = xs[i], xs[i + 1]
            for _ in range(2000):
                mid = 0.5 * (lo + hi)
                if not lo < mid < hi:
                    break
                if rising(mid):
                    hi = mid
                else:
                    lo = mid
            found.append(outcome(lo, k0 + efficiency * (lo - x0)))
    return found


def stability_index(side_a, side_b, w80_a, w80_b, de_ab, de_ba, *, lua_a=False, lua_b=False,
                    **params):  # fmt: skip
    """Both directions, r = C1/C2 (inf if C2 = 0 < C1, 1 if both 0) and the FSI."""
    a_first = first_strike(side_a, side_b, w80_a, w80_b, de_ab, lua=lua_b, **params)
    b_first = first_strike(side_b, side_a, w80_b, w80_a, de_ba, lua=lua_a, **params)

    def ratio(c1, c2):
        if c2 == 0.0:
            return 1.0 if c1 == 0.0 else math.inf
        return c1 / c2

    r_a = ratio(a_first["C_S"], b_first["C_V"])
    r_b = ratio(b_first["C_S"], a_first["C_V"])
    return {
        "C1_A": a_first["C_S"],
        "C1_B": b_first["C_S"],
        "C2_A": b_first["C_V"],
        "C2_B": a_first["C_V"],
        "r_A": r_a,
        "r_B": r_b,
        "fsi": min(1.0, r_a) * min(1.0, r_b),
        "x_star_A": a_first["x_star"],
        "x_star_B": b_first["x_star"],
        "a_first": a_first,
        "b_first": b_first,
    }
