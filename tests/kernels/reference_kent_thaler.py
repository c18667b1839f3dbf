"""Slow, obvious plain-Python reference of the Kent–Thaler first-strike calculus (models.md §2).

One scenario at a time, with lists and the ``math`` module; no numpy. It shares no code with
``detente.kernels.stability`` and finds interior minima differently: it scans each segment
of the draw-down curve on a fixed grid (uniform, plus points crowding both ends
geometrically) for the sign of dC_S/dx and bisects every change from <= 0 to > 0.

A force element is a tuple ``(n, m, fixed, alert)``. ``de`` is a float, one value per victim
element, or one list per striker element (weapon type) with one value per victim element:
then each type's warheads are spent greedily by efficiency, level by level of each class
(kernels/exchange.py, "Heterogeneous weapons").

A defence is a tuple ``(interceptors, p_kill, shots_per_rv, availability)``. The victim's
defence lets through the share ρ = 1 − P·min(1, ⌊I/s⌋/W_S) of the whole first strike; the
striker's defence meets the retaliation R and lets through R − P·min(R, ⌊I/s⌋), whose slope
changes at R = ⌊I/s⌋: that point splits a segment, and each piece is scanned on its own.
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


def _log(x):
    return math.log(x) if x > 0.0 else -math.inf


def intercept(defense):
    """(P, ⌊I/s⌋) of a defence ``(interceptors, p_kill, shots_per_rv, availability)``."""
    if defense is None:
        return 0.0, 0.0
    interceptors, p_kill, shots, availability = defense
    return availability * (1.0 - (1.0 - p_kill) ** shots), float(math.floor(interceptors / shots))


def _segments(striker, victim, de, w_s, rho, kmax, lua, lua_escape, avail):
    """Counterforce pieces (efficiency, cost) in spending order, and the most x they allow."""
    if de and isinstance(de[0], (list, tuple)):  # by weapon type: greedy spend
        return _weapon_pieces(striker, victim, de, w_s, rho, kmax, lua, lua_escape, avail)
    segments = []  # (efficiency, cost), in element order then salvo level
    for (n, m, fixed, alert), p in zip(victim, de, strict=True):
        targets = n if fixed else n * (1.0 - alert)
        p = p * rho
        for k in range(1, kmax + 1):
            efficiency = m * p * (1.0 - p) ** (k - 1)
            if fixed and lua:
                efficiency *= 1.0 - lua_escape
            segments.append((efficiency, targets))
    segments.sort(key=lambda s: -s[0])  # stable: ties keep element order
    return segments, min(w_s, sum(c for _, c in segments))


def _weapon_pieces(striker, victim, de, w_s, rho, kmax, lua, lua_escape, avail):
    """Greedy spend by weapon type: at each step the (type, class) pair that destroys the most
    victim warheads per warhead at the class's current level (mean survival of its targets)
    gets what it can; a level is complete when every target of the class has a warhead.

    Arithmetic follows the kernel's order of operations, so that exact ties between pairs
    stay exact ties (they are broken by the lowest type, then the lowest class). Consecutive
    pieces of one level with the same efficiency are one segment.
    """
    stock = [n * m if fixed else avail * n * m for n, m, fixed, _ in striker]
    targets = [n if fixed else n * (1.0 - alert) for n, _, fixed, alert in victim]
    first = []  # m_j·DE_wj (launch under attack included) and 1 − DE_wj
    for row in de:
        first.append([])
        for (_, m, fixed, _), p in zip(victim, row, strict=True):
            p = p * rho
            efficiency = m * p
            if fixed and lua:
                efficiency *= 1.0 - lua_escape
            first[-1].append((efficiency, 1.0 - p))
    room = list(targets)
    level = [0] * len(victim)
    survival = [1.0] * len(victim)
    mass = [0.0] * len(victim)
    pieces, slots = [], []  # slots: (class, level) of each piece
    for _ in range(len(striker) + len(victim) * kmax):
        best = None
        for w in range(len(striker)):
            for j in range(len(victim)):
                if stock[w] > 0.0 and level[j] < kmax and targets[j] > 0.0:
                    efficiency = first[w][j][0] * survival[j]
                    if best is None or efficiency > best[0]:
                        best = (efficiency, w, j)
        if best is None:
            break
        efficiency, w, j = best
        amount = min(stock[w], room[j])
        full = amount >= room[j]
        stock[w] -= amount
        room[j] -= amount
        mass[j] += amount * survival[j] * first[w][j][1]
        if full:
            level[j] += 1
            survival[j] = mass[j] / targets[j]
            mass[j] = 0.0
            room[j] = targets[j]
        if slots and slots[-1] == (j, level[j] - full) and pieces[-1][0] == efficiency:
            pieces[-1] = (efficiency, pieces[-1][1] + amount)  # one segment of K(x)
        else:
            pieces.append((efficiency, amount))
            slots.append((j, level[j] - full))
    return pieces, min(w_s, sum(c for _, c in pieces))


def first_strike(striker, victim, w80_s, w80_v, de, *, alpha=0.75, surcharge=0.3, avail=0.9,
                 kmax=2, lua=False, lua_escape=0.9, defense_s=None, defense_v=None):  # fmt: skip
    """Striker's cost-minimising first strike; a dict of the outcome (names as the kernel)."""
    if not isinstance(de, (list, tuple)):
        de = [de] * len(victim)
    w_s = sum(n * m if fixed else avail * n * m for n, m, fixed, _ in striker)
    w_v = sum(n * m for n, m, _, _ in victim)
    p_v, cap_v = intercept(defense_v)
    rho = 1.0 - p_v * min(1.0, cap_v / w_s) if w_s > 0.0 else 1.0
    p_s, cap_s = intercept(defense_s)
    kink = w_v - cap_s if p_s > 0.0 and cap_s > 0.0 else math.inf  # K where R = cap_s

    def arriving(surviving):
        return surviving - p_s * min(surviving, cap_s)

    segments, x_max = _segments(striker, victim, de, w_s, rho, kmax, lua, lua_escape, avail)

    def outcome(x, killed):
        left = w_s - x
        surviving = max(w_v - killed, 0.0)
        d_s = value_damage(arriving(surviving), w80_s)
        d_v = value_damage(rho * left, w80_v)
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
            "L_arriving": rho * left,
            "R_arriving": arriving(surviving),
        }

    candidates = [outcome(0.0, 0.0)]
    x0 = k0 = 0.0
    for efficiency, c in segments:
        x1 = min(x0 + c, x_max)
        if x1 <= x0:
            continue
        k1 = k0 + efficiency * (x1 - x0)
        pieces = [(x0, k0, x1)]
        if k0 < kink < k1:  # the striker's defence saturates on one side of this point
            xk = x0 + (kink - k0) / efficiency
            pieces = [(x0, k0, xk), (xk, kink, x1)]
            candidates.append(outcome(xk, kink))
        candidates.append(outcome(x1, k1))
        if efficiency > 0 and surcharge > 0:
            for a, ka, b in pieces:
                slope = 1.0 - p_s if ka >= kink else 1.0  # dR_arriving/dR on the piece
                rising = _rising(a, ka, efficiency, slope, rho, w_s, w_v, w80_s, w80_v, alpha,
                                 surcharge, arriving)  # fmt: skip
                candidates += [outcome(x, ka + efficiency * (x - a)) for x in _minima(a, b, rising)]
        k0 = k1
        x0 = x1

    best = min(c["C_S"] for c in candidates)
    tied = [c for c in candidates if c["C_S"] <= best + TIE]
    top = max(c["C_V"] for c in tied)
    tied = [c for c in tied if c["C_V"] >= top - TIE]
    return min(tied, key=lambda c: c["x_star"])


def _rising(x0, k0, efficiency, slope, rho, w_s, w_v, w80_s, w80_v, alpha, surcharge, arriving):
    """dC_S/dx > 0 at x on a piece of the draw-down curve starting at (x0, k0): the loss of
    damage inflicted beats the retaliation avoided."""
    w0_s, w0_v = w80_s / LN5, w80_v / LN5

    def rising(x):
        left = rho * (w_s - x)
        surviving = arriving(w_v - (k0 + efficiency * (x - x0)))
        if left <= 0.0 and surviving <= 0.0:  # both terms infinite: compare how they grow
            grow_loss = _log(surcharge) + alpha * _log(rho / w0_v)
            return grow_loss > alpha * _log(efficiency * slope / w0_s)
        loss = _log_marginal(surcharge * rho / w0_v, max(left, 0.0) / w0_v, alpha)
        gain = _log_marginal(efficiency * slope / w0_s, max(surviving, 0.0) / w0_s, alpha)
        return loss > gain

    return rising


def _minima(x0, x1, rising):
    """Local minima of C_S strictly inside [x0, x1]: sign changes of dC_S/dx from <= 0 to > 0
    on a fixed grid, each bisected to the last float."""
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
            found.append(lo)
    return found


def stability_index(side_a, side_b, w80_a, w80_b, de_ab, de_ba, *, lua_a=False, lua_b=False,
                    defense_a=None, defense_b=None, **params):  # fmt: skip
    """Both directions, r = C1/C2 (inf if C2 = 0 < C1, 1 if both 0) and the FSI."""
    a_first = first_strike(side_a, side_b, w80_a, w80_b, de_ab, lua=lua_b, defense_s=defense_a,
                           defense_v=defense_b, **params)  # fmt: skip
    b_first = first_strike(side_b, side_a, w80_b, w80_a, de_ba, lua=lua_a, defense_s=defense_b,
                           defense_v=defense_a, **params)  # fmt: skip

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
