"""Hard-target kill: miss distance, lethal radius, SSKP, damage expectancy, EMT/CMP (models.md §1).

Units at the boundary: yield [kt], distances [m], hardness [psi], probabilities [-]. Every
function broadcasts its array arguments against each other (any leading batch shape).

References
----------
.. [1] H. L. Brode, *Airblast from Nuclear Bursts: Analytic Approximations*, PSR Report 1419-3,
   Pacific-Sierra Research Corp., 1987, eq. 33.
.. [2] J. T. Richelson, "Evaluating the Strategic Balance", *American Journal of Political
   Science* 24(4), 1980, pp. 779-803 (EMT, lethality K, counter-military potential).
.. [3] J. I. Marcum, *A Statistical Theory of Target Detection by Pulsed Radar*, RAND RM-339
   (the Marcum Q-function: probability mass of an offset circular normal outside a circle).
"""

from __future__ import annotations

import numpy as np

M_PER_KFT = 304.8  # [m/kft], exact (international foot)
M_PER_NMI = 1852.0  # [m/nmi], exact
C262_NMI = 2.62  # [nmi] coefficient of the "c262" lethal-radius rule (models.md §1)
LR_MODELS = ("brode", "c262")
_LN_HALF = np.log(0.5)
_RULES = {
    "> 0": lambda a: a > 0,
    ">= 0": lambda a: a >= 0,
    "in [0, 1]": lambda a: (a >= 0) & (a <= 1),
}


def _array(name, x, rule="> 0"):
    """``x`` as a float array, or a ValueError naming ``name`` and the ``rule`` it breaks."""
    a = np.asarray(x, dtype=float)
    bad = ~(np.isfinite(a) & _RULES[rule](a))
    if bad.any():
        raise ValueError(f"{name} must be finite and {rule}; got {float(a[bad].flat[0])}")
    return a


def cep_to_sigma(cep_m):
    """Per-axis standard deviation σ [m] of a circular-normal miss, σ = CEP / √(2 ln 2).

    Parameters
    ----------
    cep_m : array_like
        Circular error probable [m], > 0.

    Examples
    --------
    >>> round(float(cep_to_sigma(200.0)), 4)
    169.8644
    """
    return _array("cep_m", cep_m) / np.sqrt(-2.0 * _LN_HALF)


def miss_probability(r_m, cep_m):
    """Probability [-] that a circular-normal miss is at most ``r_m``: 1 − 0.5^((r/CEP)²).

    Parameters
    ----------
    r_m : array_like
        Miss distance [m], >= 0.
    cep_m : array_like
        Circular error probable [m], > 0.

    Examples
    --------
    >>> float(miss_probability(400.0, 200.0))
    0.9375
    """
    ratio = _array("r_m", r_m, ">= 0") / _array("cep_m", cep_m)
    return -np.expm1(_LN_HALF * ratio**2)


def _brode(r):
    """Brode eq. 33 at scaled range ``r``: ΔP [psi] and r·dΔP/dr [psi]."""
    x4 = (10.0 * r) ** 4
    den = 1.0 + 12920.0 * x4**2
    bump = 105.0 * x4 / den
    r15, r3 = r * np.sqrt(r), r**3
    dp = 2.0 / r + 3.0 / r15 + 1.6 / r3 * (1.0 + bump)
    r_slope = -2.0 / r - 4.5 / r15 - 4.8 / r3 * (1.0 + bump)
    r_slope += 1.6 / r3 * 420.0 * x4 * (1.0 - 12920.0 * x4**2) / den**2
    return dp, r_slope


def brode_overpressure_psi(r_scaled):
    """Free-air peak overpressure [psi] from Brode's fit, eq. 33 of [1]_.

    ΔP(r) = 2/r + 3/r^1.5 + (1.6/r³)·[1 + 105(10r)⁴ / (1 + 12920(10r)⁸)], decreasing in r.

    Parameters
    ----------
    r_scaled : array_like
        Scaled range r = R / W^(1/3) [kft/kt^(1/3)], > 0.

    Examples
    --------
    >>> round(float(brode_overpressure_psi(1.0)), 4)
    6.6
    """
    return _brode(_array("r_scaled", r_scaled))[0]


def _brode_scaled_range(h, *, rtol=1e-12, max_iter=100):
    """Solve ΔP(r) = h for r [kft/kt^(1/3)]: Newton on ln ΔP(ln r) inside a shrinking bracket."""
    # ΔP(r) > 2/r bounds the root from below. 105x⁴/(1 + 12920x⁸) <= 105/(2√12920) < 1, so the
    # last term is < 3.2/r³, and at the upper bound each of the three terms is <= h/3. The seed,
    # the largest root of a single term, lies in the bracket. Newton converges quadratically, so
    # a last step below rtol leaves an error far below rtol.
    lo = 2.0 / h
    hi = np.maximum.reduce([6.0 / h, (9.0 / h) ** (2.0 / 3.0), (9.6 / h) ** (1.0 / 3.0)])
    r = np.maximum.reduce([lo, (3.0 / h) ** (2.0 / 3.0), (1.6 / h) ** (1.0 / 3.0)])
    for _ in range(max_iter):
        dp, r_slope = _brode(r)
        above = dp > h  # the root lies at larger r
        lo, hi = np.where(above, r, lo), np.where(above, hi, r)
        r_new = r * np.exp(-np.log(dp / h) * dp / r_slope)
        r_new = np.where((r_new >= lo) & (r_new <= hi), r_new, np.sqrt(lo * hi))
        done = np.abs(r_new - r) <= rtol * r
        r = r_new
        if done.all():
            break
    return r


def lethal_radius_m(yield_kt, hardness_psi, *, model="brode", surface_factor=2.0, lr_factor=1.0):
    """Lethal radius [m] of a surface burst against a target of given blast hardness.

    * ``"brode"``: solve ΔP(r) = H exactly with Brode's eq. 33 ([1]_,
      :func:`brode_overpressure_psi`), then R = r·(f·W)^(1/3) kft; the surface factor f doubles
      the yield for ideal ground reflection (1.8 selectable, models.md §1).
    * ``"c262"``: LR = 2.62 nmi · (Y_Mt / H)^(1/3), a rule widely used in arms-control papers
      (models.md §1; primary source not yet cited). ``surface_factor`` is not used.

    Parameters
    ----------
    yield_kt : array_like
        Yield W [kt], > 0.
    hardness_psi : array_like
        Peak overpressure H that kills the target [psi], > 0.
    model : {"brode", "c262"}
        Lethal-radius model.
    surface_factor : array_like
        Surface-burst yield multiplier f [-], > 0: 2.0 ideal reflection, 1.8 selectable.
    lr_factor : array_like
        Radius multiplier [-], > 0, for Monte Carlo over blast uncertainty (test data scatter
        about ×1.7 in radius, models.md §1).

    Examples
    --------
    >>> round(float(lethal_radius_m(300.0, 2000.0)), 1)
    244.6
    >>> round(float(lethal_radius_m(300.0, 2000.0, model="c262")), 1)
    257.8
    >>> np.round(lethal_radius_m(300.0, 2000.0, surface_factor=[2.0, 1.8]), 1)
    array([244.6, 236.1])
    """
    if model not in LR_MODELS:
        raise ValueError(f"unknown lethal-radius model {model!r}; use one of {LR_MODELS}")
    w = _array("yield_kt", yield_kt)
    h = _array("hardness_psi", hardness_psi)
    k = _array("lr_factor", lr_factor)
    if model == "c262":
        return k * C262_NMI * M_PER_NMI * np.cbrt(w / 1000.0 / h)
    f = _array("surface_factor", surface_factor)
    return k * _brode_scaled_range(h) * np.cbrt(f * w) * M_PER_KFT


#: Noncentrality (b/σ)² [-] at or below which :func:`sskp` treats the aim bias as zero.
NC_NEGLIGIBLE = 1e-15


def sskp(lethal_radius_m, cep_m, *, aim_bias_m=0.0):
    """Single-shot kill probability [-] of a cookie-cutter target, circular-normal miss.

    Unbiased: SSKP = 1 − 0.5^((LR/CEP)²). With aim bias b > 0 (offset of the mean point of
    impact) SSKP = 1 − Q₁(b/σ, LR/σ) [3]_, the noncentral χ² distribution function (2 degrees of
    freedom, noncentrality (b/σ)²) at (LR/σ)², with σ from :func:`cep_to_sigma`.

    Parameters
    ----------
    lethal_radius_m : array_like
        Lethal radius LR [m], >= 0.
    cep_m : array_like
        Circular error probable [m], > 0.
    aim_bias_m : array_like
        Aim bias b [m], >= 0.

    Examples
    --------
    >>> round(float(sskp(lethal_radius_m(300.0, 2000.0), 200.0)), 4)
    0.6453
    >>> lr = lethal_radius_m(300.0, 2000.0, model="c262")
    >>> np.round(sskp(lr, 200.0, aim_bias_m=[0.0, 100.0]), 4)
    array([0.6839, 0.6231])
    """
    ratio = _array("lethal_radius_m", lethal_radius_m, ">= 0") / _array("cep_m", cep_m)
    bias = _array("aim_bias_m", aim_bias_m, ">= 0") / cep_to_sigma(cep_m)
    ratio, bias = np.broadcast_arrays(ratio, bias)
    cookie = -np.expm1(_LN_HALF * ratio**2)
    if not bias.any():
        return cookie
    from scipy.stats import ncx2  # lazy: scipy.stats is slow to import

    nc = bias**2
    # Below NC_NEGLIGIBLE the bias moves SSKP by less than 1e-16 (the slope d SSKP/d nc is
    # under 0.1), and scipy's ncx2 is wrong for subnormal noncentralities (1e-320 → +6e-5).
    return np.where(nc > NC_NEGLIGIBLE, ncx2.cdf(-2.0 * _LN_HALF * ratio**2, 2, nc), cookie)


def damage_expectancy(
    yield_kt,
    cep_m,
    hardness_psi,
    *,
    reliability=1.0,
    penetration=1.0,
    model="brode",
    surface_factor=2.0,
    aim_bias_m=0.0,
    lr_factor=1.0,
):
    """Damage expectancy [-] of one warhead on one hard target, DE = reliability·penetration·SSKP.

    Parameters
    ----------
    yield_kt, cep_m, hardness_psi : array_like
        Yield [kt], CEP [m] and target hardness [psi], each > 0.
    reliability, penetration : array_like
        Probabilities [-] in [0, 1] that the warhead works and that it gets through defences.
    model, surface_factor, lr_factor
        As in :func:`lethal_radius_m`.
    aim_bias_m : array_like
        As in :func:`sskp` [m].

    Examples
    --------
    >>> round(float(damage_expectancy(300.0, 200.0, 2000.0, reliability=0.8)), 4)
    0.5162
    """
    rel = _array("reliability", reliability, "in [0, 1]")
    pen = _array("penetration", penetration, "in [0, 1]")
    lr = lethal_radius_m(
        yield_kt, hardness_psi, model=model, surface_factor=surface_factor, lr_factor=lr_factor
    )
    return rel * pen * sskp(lr, cep_m, aim_bias_m=aim_bias_m)


def salvo_kill_probability(de, n):
    """Kill probability [-] of ``n`` independent warheads on one target, 1 − (1 − DE)^n.

    Parameters
    ----------
    de : array_like
        Damage expectancy per warhead [-] in [0, 1].
    n : array_like
        Warheads on the target [-], whole numbers >= 0.

    Examples
    --------
    >>> np.round(salvo_kill_probability(0.6, [0, 1, 2]), 4)
    array([0.  , 0.6 , 0.84])
    """
    de = _array("de", de, "in [0, 1]")
    n = _array("n", n, ">= 0")
    if np.any(n != np.floor(n)):
        raise ValueError("n must be a whole number of warheads")
    return 1.0 - (1.0 - de) ** n


def _by_type(terms):
    """Sum over weapon types (the last axis); a scalar is one type."""
    return terms.sum(axis=-1) if terms.ndim else terms


def equivalent_megatons(yield_kt, count=1, *, exponent=2.0 / 3.0, exponent_above_1mt=2.0 / 3.0):
    """Equivalent megatons [Mt], EMT = Σ N·Y_Mt^e over weapon types (the last axis) [2]_.

    Parameters
    ----------
    yield_kt : array_like
        Yield per weapon [kt], > 0; weapon types along the last axis.
    count : array_like
        Weapons N of each type [-], >= 0.
    exponent, exponent_above_1mt : float
        e up to 1 Mt and above 1 Mt [-]; Richelson's option uses 1/2 above 1 Mt.

    Examples
    --------
    >>> round(float(equivalent_megatons(300.0)), 5)
    0.44814
    >>> round(float(equivalent_megatons([300.0, 9000.0], [10, 1], exponent_above_1mt=0.5)), 4)
    7.4814
    """
    y = _array("yield_kt", yield_kt) / 1000.0
    n = _array("count", count, ">= 0")
    return _by_type(n * y ** np.where(y > 1.0, exponent_above_1mt, exponent))


def lethality_k(yield_kt, cep_m, *, exponent=2.0 / 3.0):
    """Lethality K = Y_Mt^(2/3) / CEP_nmi² [Mt^(2/3)/nmi²] of one weapon [2]_.

    Parameters
    ----------
    yield_kt, cep_m : array_like
        Yield [kt] and CEP [m], > 0.
    exponent : float
        Yield exponent [-].

    Examples
    --------
    >>> round(float(lethality_k(300.0, 200.0)), 2)
    38.43
    """
    y = _array("yield_kt", yield_kt) / 1000.0
    return y**exponent / (_array("cep_m", cep_m) / M_PER_NMI) ** 2


def counter_military_potential(yield_kt, cep_m, count=1, *, exponent=2.0 / 3.0):
    """Counter-military potential CMP = Σ N·K [Mt^(2/3)/nmi²] over weapon types (last axis) [2]_.

    A context index only, never a stability measure.

    Parameters
    ----------
    yield_kt, cep_m : array_like
        Yield [kt] and CEP [m] of each type, > 0; weapon types along the last axis.
    count : array_like
        Weapons N of each type [-], >= 0.
    exponent : float
        Yield exponent [-] of :func:`lethality_k`.

    Examples
    --------
    >>> round(float(counter_military_potential([300.0, 100.0], [200.0, 100.0], [2, 1])), 2)
    150.75
    """
    n = _array("count", count, ">= 0")
    return _by_type(n * lethality_k(yield_kt, cep_m, exponent=exponent))


def counterforce_exchange_ratio(warheads_per_victim_silo, kill_probability_k, attackers_per_silo):
    """Victim warheads destroyed per attacking warhead [-], E = m·P_k / k (models.md §1).

    MIRVed silos (m ≫ 1) give E ≫ 1, which is why they are destabilising.

    Parameters
    ----------
    warheads_per_victim_silo : array_like
        Warheads m on the victim silo [-], >= 0.
    kill_probability_k : array_like
        Probability P_k [-] in [0, 1] that the k attackers destroy the silo
        (:func:`salvo_kill_probability`).
    attackers_per_silo : array_like
        Attacking warheads k per silo [-], > 0.

    Examples
    --------
    >>> float(counterforce_exchange_ratio(10, 0.84, 2))
    4.2
    """
    m = _array("warheads_per_victim_silo", warheads_per_victim_silo, ">= 0")
    p = _array("kill_probability_k", kill_probability_k, "in [0, 1]")
    return m * p / _array("attackers_per_silo", attackers_per_silo)
