"""Verification statistics: what random on-site inspections catch (models.md §5).

A party declares ``N`` deployed missiles and their loading; ``k`` of them secretly carry more
warheads than declared (over-loaded). Each year the inspecting party picks ``n`` missiles at
random, without replacement, and counts the reentry vehicles on each (New START Type One
inspections, START I reentry-vehicle inspections). Every function takes arrays that broadcast
against each other (a leading batch axis is the usual layout) and returns arrays of the
broadcast shape.

Assumptions shared by every function here, stated once:

* inspected missiles are a uniform random sample of the ``N`` declared missiles (in practice
  inspectors choose a base and then a missile, which is only approximately uniform);
* samples in different years are independent and the violator keeps ``k`` missiles over-loaded
  throughout (which ones does not matter);
* an inspected over-loaded missile is recognised as such with probability ``recognition``,
  independently of the others (``recognition = 1``: counting never fails).

References
----------
.. [1] R. Avenhaus and M. J. Canty, *Compliance Quantified: An Introduction to Data
   Verification*, Cambridge University Press, 1996.
.. [2] detente model specification, ``docs/models.md`` §5 (hypergeometric sampling).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from scipy.stats import hypergeom

__all__ = [
    "OpenSkiesSample",
    "detection_probability",
    "deterrence_threshold",
    "inspections_needed",
    "largest_undetected_violation",
    "notional_sites",
    "open_skies_coverage",
]

# Upper bound on batch-size x support-size elements evaluated at once in the recognition sum.
_BLOCK_ELEMENTS = 4_000_000


#: Probabilities within this relative margin of a threshold count as reaching it: products of
#: many ratios land a few ulp off exact ties such as P = 0.5 (numerical, not a model constant).
TIE = 1e-12


def _counts(name: str, value: object) -> np.ndarray:
    """Whole, non-negative, finite numbers as an int64 array, or a ValueError naming ``name``."""
    arr = np.asarray(value, dtype=float)
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be finite")
    if np.any(arr < 0):
        raise ValueError(f"{name} must not be negative (got {arr.min():g})")
    if np.any(arr != np.floor(arr)):
        raise ValueError(f"{name} must be a whole number")
    return arr.astype(np.int64)


def _probabilities(name: str, value: object) -> np.ndarray:
    """Finite values in [0, 1] as a float array, or a ValueError naming ``name``."""
    arr = np.asarray(value, dtype=float)
    if not np.all(np.isfinite(arr)) or np.any((arr < 0) | (arr > 1)):
        raise ValueError(f"{name} must lie in [0, 1]")
    return arr


def _check_sample(missiles: object, overloaded: object, inspections: object) -> tuple:
    N = _counts("missiles (N)", missiles)
    k = _counts("overloaded (k)", overloaded)
    n = _counts("inspections (n)", inspections)
    if np.any(N < 1):
        raise ValueError("missiles (N) must be at least 1")
    if np.any(k > N):
        raise ValueError("overloaded (k) must not exceed missiles (N)")
    if np.any(n > N):
        raise ValueError("inspections (n) must not exceed missiles (N)")
    return N, k, n


def _annual_miss(N: np.ndarray, k: np.ndarray, n: np.ndarray, d: np.ndarray) -> np.ndarray:
    """Probability that one year's ``n`` inspections find nothing: sum_j Hyp(j) (1 - d)^j."""
    N, k, n, q = np.broadcast_arrays(N, k, n, 1.0 - d)
    j_max = int(np.minimum(k, n).max(initial=0))
    total = np.zeros(N.shape)
    block = max(1, _BLOCK_ELEMENTS // max(N.size, 1))
    for start in range(0, j_max + 1, block):
        j = np.arange(start, min(start + block, j_max + 1))
        # logpmf is 10x faster than pmf and within 1e-10 relative of the exact ratio
        logpmf = hypergeom.logpmf(j, N[..., None], k[..., None], n[..., None])
        total += (np.exp(logpmf) * q[..., None] ** j).sum(axis=-1)
    # nothing to find, nothing inspected or nothing recognised: exactly 1, not 1 - rounding
    return np.where((k == 0) | (n == 0) | (q == 1), 1.0, np.clip(total, 0.0, 1.0))


def detection_probability(
    missiles: object,
    overloaded: object,
    inspections: object,
    *,
    years: object = 1,
    recognition: object = 1.0,
) -> np.ndarray:
    """Probability that random inspections find at least one over-loaded missile.

    With ``J`` the number of over-loaded missiles among ``n`` drawn from ``N`` (hypergeometric),

    .. math:: P_1 = 1 - \\sum_j \\mathrm{Hyp}(j; N, k, n)\\,(1 - d)^j,
              \\qquad P_T = 1 - (1 - P_1)^T                                       (5.1)

    which for ``d = 1`` is ``1 - [C(N-k, n) / C(N, n)]^T`` (models.md §5).

    Parameters
    ----------
    missiles : array_like of int
        Declared deployed missiles ``N`` [-], at least 1.
    overloaded : array_like of int
        Over-loaded missiles ``k`` [-], ``0 <= k <= N``.
    inspections : array_like of int
        Missiles inspected a year ``n`` [-], ``0 <= n <= N``.
    years : array_like of int, default 1
        Years of inspections ``T`` [yr], independent samples each year.
    recognition : array_like of float, default 1.0
        Probability ``d`` [-] that inspecting an over-loaded missile reveals it.

    Returns
    -------
    numpy.ndarray
        Detection probability [-], the broadcast shape of the inputs.

    Raises
    ------
    ValueError
        Negative or fractional counts, ``k > N``, ``n > N``, or ``d`` outside [0, 1].

    Examples
    --------
    Ten inspections a year of 400 missiles, 40 of them over-loaded:

    >>> float(detection_probability(400, 40, 10).round(4))
    0.6557
    >>> detection_probability(400, 40, 10, years=[1, 3], recognition=0.5).round(4)
    array([0.403 , 0.7872])
    """
    N, k, n = _check_sample(missiles, overloaded, inspections)
    T = _counts("years (T)", years)
    d = _probabilities("recognition (d)", recognition)
    return 1.0 - _annual_miss(N, k, n, d) ** T


def largest_undetected_violation(
    missiles: object,
    clean_inspections: object,
    *,
    confidence: object = 0.95,
    years: object = 1,
    recognition: object = 1.0,
) -> np.ndarray:
    """Largest number of over-loaded missiles that clean inspections cannot rule out.

    ``k_max = max{k : P_T(N, k, n, d) < c}`` with ``P_T`` from (5.1) (a tie within ``TIE``
    reaches ``c``): every violation larger
    than ``k_max`` would have been caught with probability at least ``c``, so clean results
    exclude it at confidence ``c`` (the exact one-sided upper bound for a hypergeometric
    count with zero observed, [1]_). Found by bisection, since ``P_T`` rises with ``k``.

    Parameters
    ----------
    missiles : array_like of int
        Declared deployed missiles ``N`` [-], at least 1.
    clean_inspections : array_like of int
        Missiles inspected a year ``n`` [-] that all matched their declaration.
    confidence : array_like of float, default 0.95
        Confidence ``c`` [-], strictly between 0 and 1.
    years : array_like of int, default 1
        Years ``T`` [yr] of clean inspections.
    recognition : array_like of float, default 1.0
        Probability ``d`` [-] that inspecting an over-loaded missile reveals it.

    Returns
    -------
    numpy.ndarray of int64
        ``k_max`` [-]; ``N`` when the inspections cannot exclude anything (``n = 0`` or
        ``d = 0``).

    Examples
    --------
    >>> int(largest_undetected_violation(400, 10))
    102
    >>> largest_undetected_violation(400, 10, years=[1, 5], confidence=0.9).tolist()
    [81, 17]
    """
    N, _, n = _check_sample(missiles, 0, clean_inspections)
    c = _probabilities("confidence (c)", confidence)
    if np.any((c <= 0) | (c >= 1)):
        raise ValueError("confidence (c) must lie strictly between 0 and 1")
    T = _counts("years (T)", years)
    d = _probabilities("recognition (d)", recognition)
    N, n, c, T, d = np.broadcast_arrays(N, n, c, T, d)
    lo = np.zeros(N.shape, dtype=np.int64)  # P_T(k = 0) = 0 < c always
    hi = N + 1  # sentinel: k = N + 1 is never consistent
    while np.any(hi - lo > 1):
        mid = (lo + hi) // 2
        consistent = (1.0 - _annual_miss(N, np.minimum(mid, N), n, d) ** T) < c * (1.0 - TIE)
        consistent &= mid <= N
        lo = np.where(consistent, mid, lo)
        hi = np.where(consistent, hi, mid)
    return lo


def inspections_needed(
    missiles: object,
    overloaded: object,
    target: object,
    *,
    years: object = 1,
    recognition: object = 1.0,
) -> np.ndarray:
    """Fewest inspections a year that reach a target detection probability.

    ``n_min = min{n : P_T(N, k, n, d) >= p}`` with ``P_T`` from (5.1), found by bisection
    since ``P_T`` rises with ``n``.

    Parameters
    ----------
    missiles : array_like of int
        Declared deployed missiles ``N`` [-], at least 1.
    overloaded : array_like of int
        Over-loaded missiles ``k`` [-] the inspections must catch.
    target : array_like of float
        Target detection probability ``p`` [-] in [0, 1].
    years : array_like of int, default 1
        Years ``T`` [yr] over which detection may happen.
    recognition : array_like of float, default 1.0
        Probability ``d`` [-] that inspecting an over-loaded missile reveals it.

    Returns
    -------
    numpy.ndarray of int64
        ``n_min`` [missiles a year]; ``-1`` where even inspecting all ``N`` missiles every
        year falls short of ``p``.

    Examples
    --------
    >>> inspections_needed(400, 40, [0.5, 0.9, 0.99]).tolist()
    [7, 22, 42]
    >>> int(inspections_needed(400, 0, 0.5))
    -1
    """
    N, k, _ = _check_sample(missiles, overloaded, 0)
    p = _probabilities("target (p)", target)
    T = _counts("years (T)", years)
    d = _probabilities("recognition (d)", recognition)
    N, k, p, T, d = np.broadcast_arrays(N, k, p, T, d)
    reachable = (1.0 - _annual_miss(N, k, N, d) ** T) >= p * (1.0 - TIE)
    lo = np.full(N.shape, -1, dtype=np.int64)  # sentinel: n = -1 never suffices
    hi = N.copy()
    while np.any(hi - lo > 1):
        mid = (lo + hi) // 2
        enough = (1.0 - _annual_miss(N, k, np.maximum(mid, 0), d) ** T) >= p * (1.0 - TIE)
        hi = np.where(enough, mid, hi)
        lo = np.where(enough, lo, mid)
    return np.where(reachable, hi, -1)


def deterrence_threshold(gain: object, loss: object) -> np.ndarray:
    """Detection probability above which violating does not pay: ``G / (G + L)``.

    In the simplest inspection game ([1]_, without false alarms) the inspected party gains
    ``G`` from an undetected violation and loses ``L`` when caught, against 0 for complying.
    Violating has expected payoff ``(1 - P) G - P L``, which is not positive exactly when

    .. math:: P_\\mathrm{detect} \\ge \\frac{G}{G + L}.                           (5.2)

    Parameters
    ----------
    gain : array_like of float
        Gain ``G`` [utility] from an undetected violation, ``>= 0``.
    loss : array_like of float
        Loss ``L`` [utility, same unit] when the violation is detected, ``>= 0``;
        ``G + L > 0``.

    Returns
    -------
    numpy.ndarray
        Threshold detection probability [-].

    Examples
    --------
    >>> deterrence_threshold([1, 1, 0], [1, 9, 5]).tolist()
    [0.5, 0.1, 0.0]
    """
    G = np.asarray(gain, dtype=float)
    L = np.asarray(loss, dtype=float)
    if not (np.all(np.isfinite(G)) and np.all(np.isfinite(L))):
        raise ValueError("gain (G) and loss (L) must be finite")
    if np.any(G < 0) or np.any(L < 0):
        raise ValueError("gain (G) and loss (L) must not be negative")
    if np.any(G + L <= 0):
        raise ValueError("gain (G) + loss (L) must be positive")
    return G / (G + L)


class OpenSkiesSample(NamedTuple):
    """Simulated Open Skies coverage, one row per replicate.

    Attributes
    ----------
    observed_share : numpy.ndarray, shape (batch, years)
        Share [-] of declared sites overflown at least once in each treaty year.
    years_since_observation : numpy.ndarray, shape (batch, sites)
        Time [yr] from each site's last observation to the end of the last year; ``inf``
        for a site never observed.
    """

    observed_share: np.ndarray
    years_since_observation: np.ndarray


def notional_sites(
    rng: np.random.Generator, batch: int, sites: int, width_km: float, height_km: float
) -> np.ndarray:
    """Notional declared sites scattered uniformly over a rectangular territory.

    Not real coordinates: a stand-in layout for coverage statistics.

    Parameters
    ----------
    rng : numpy.random.Generator
        Source of randomness.
    batch, sites : int
        Replicates and sites per replicate [-].
    width_km, height_km : float
        Size of the notional territory [km].

    Returns
    -------
    numpy.ndarray, shape (batch, sites, 2)
        Site positions [km], ``x`` in ``[0, width_km]``, ``y`` in ``[0, height_km]``.

    Examples
    --------
    >>> xy = notional_sites(np.random.default_rng(0), 2, 3, 100.0, 50.0)
    >>> xy.shape
    (2, 3, 2)
    >>> bool((xy[..., 0] <= 100).all() and (xy[..., 1] <= 50).all())
    True
    """
    if batch < 1 or sites < 1:
        raise ValueError("batch and sites must be at least 1")
    if not (width_km > 0 and height_km > 0):
        raise ValueError("width_km and height_km must be positive")
    return rng.random((batch, sites, 2)) * np.array([width_km, height_km])


def _segment_distance(points: np.ndarray, start: np.ndarray, end: np.ndarray) -> np.ndarray:
    """Distance [km] from points (B, S, 2) to the segments start (B, 2) -> end (B, 2)."""
    seg = (end - start)[:, None, :]
    rel = points - start[:, None, :]
    length2 = (seg**2).sum(axis=-1)
    t = np.where(length2 > 0, (rel * seg).sum(axis=-1) / np.where(length2 > 0, length2, 1), 0)
    t = np.clip(t, 0.0, 1.0)
    return np.hypot(*np.moveaxis(rel - t[..., None] * seg, -1, 0))


def _fly(
    sites: np.ndarray,
    home: np.ndarray,
    staleness: np.ndarray,
    distance_km: float,
    half_swath_km: float,
) -> np.ndarray:
    """One flight per replicate; returns the (B, S) mask of sites under the track."""
    B = sites.shape[0]
    rows = np.arange(B)
    pos = home.copy()
    remaining = np.full(B, float(distance_km))
    active = np.ones(B, dtype=bool)
    seen = np.zeros(sites.shape[:2], dtype=bool)
    to_home = np.hypot(*np.moveaxis(sites - home[:, None, :], -1, 0))
    while active.any():
        here = np.hypot(*np.moveaxis(sites - pos[:, None, :], -1, 0))
        feasible = (here + to_home <= remaining[:, None]) & ~seen & active[:, None]
        # stalest reachable site first; among equally stale ones the nearest
        score = np.where(feasible, staleness - 1e-9 * here, -np.inf)
        target = score.argmax(axis=1)
        going = feasible.any(axis=1)
        end = np.where(going[:, None], sites[rows, target], home)
        seen |= (_segment_distance(sites, pos, end) <= half_swath_km) & active[:, None]
        remaining -= np.where(going, here[rows, target], 0.0)
        pos = np.where(active[:, None], end, pos)
        active &= going
    return seen


def open_skies_coverage(
    sites_km: np.ndarray,
    airfields_km: np.ndarray,
    *,
    flights_per_year: int,
    flight_distance_km: float,
    swath_km: float,
    years: int,
    rng: np.random.Generator,
) -> OpenSkiesSample:
    """Simulate Open Skies observation flights over declared sites.

    Each treaty year ``flights_per_year`` flights (the quota) take place on uniformly random
    dates. Each flight starts from an airfield drawn at random, flies straight legs of total
    length at most ``flight_distance_km`` and returns to that airfield. Routes are planned
    greedily: the next leg heads for the site unobserved for longest (never-observed sites
    first, the nearest among equals) that still leaves enough distance to fly home. A site is
    observed when it lies within half the sensor swath of the track.

    Parameters
    ----------
    sites_km : numpy.ndarray, shape (batch, sites, 2)
        Declared site positions [km] (notional layouts only).
    airfields_km : numpy.ndarray, shape (airfields, 2)
        Open Skies airfields [km] from which flights start and to which they return.
    flights_per_year : int
        Observation flights a year [-] (the territory's passive quota).
    flight_distance_km : float
        Maximum flight distance [km].
    swath_km : float
        Width [km] of ground imaged along the track.
    years : int
        Treaty years simulated [yr].
    rng : numpy.random.Generator
        Source of randomness (flight dates and airfields).

    Returns
    -------
    OpenSkiesSample
        Share of sites observed each year and time since each site's last observation.

    Examples
    --------
    Two sites 100 km and 1,000 km east of the only airfield; one 500-km flight a year sees
    only the near one, and a 2,500-km flight sees both:

    >>> sites = np.array([[[100.0, 0.0], [1000.0, 0.0]]])
    >>> rng = np.random.default_rng(1)
    >>> short = open_skies_coverage(sites, np.zeros((1, 2)), flights_per_year=1,
    ...     flight_distance_km=500, swath_km=10, years=1, rng=rng)
    >>> short.observed_share.tolist(), bool(np.isinf(short.years_since_observation[0, 1]))
    ([[0.5]], True)
    >>> long = open_skies_coverage(sites, np.zeros((1, 2)), flights_per_year=1,
    ...     flight_distance_km=2500, swath_km=10, years=1, rng=rng)
    >>> long.observed_share.tolist()
    [[1.0]]
    """
    sites = np.asarray(sites_km, dtype=float)
    airfields = np.asarray(airfields_km, dtype=float)
    if sites.ndim != 3 or sites.shape[-1] != 2 or sites.shape[1] < 1:
        raise ValueError("sites_km must have shape (batch, sites, 2) with at least one site")
    if airfields.ndim != 2 or airfields.shape[-1] != 2 or len(airfields) < 1:
        raise ValueError("airfields_km must have shape (airfields, 2) with at least one row")
    if not (np.all(np.isfinite(sites)) and np.all(np.isfinite(airfields))):
        raise ValueError("site and airfield positions must be finite")
    if int(flights_per_year) != flights_per_year or flights_per_year < 0:
        raise ValueError("flights_per_year must be a whole number >= 0")
    if int(years) != years or years < 1:
        raise ValueError("years must be a whole number >= 1")
    if not (np.isfinite(flight_distance_km) and flight_distance_km >= 0):
        raise ValueError("flight_distance_km must be finite and >= 0")
    if not (np.isfinite(swath_km) and swath_km >= 0):
        raise ValueError("swath_km must be finite and >= 0")

    B, S = sites.shape[:2]
    last_seen = np.full((B, S), -np.inf)
    share = np.zeros((B, int(years)))
    never = 1e6  # staleness [yr] given to never-observed sites: above any real staleness
    for year in range(int(years)):
        dates = year + np.sort(rng.random((B, int(flights_per_year))), axis=1)
        choice = rng.integers(len(airfields), size=(B, int(flights_per_year)))
        seen_year = np.zeros((B, S), dtype=bool)
        for f in range(int(flights_per_year)):
            now = dates[:, f]
            staleness = np.where(np.isfinite(last_seen), now[:, None] - last_seen, never)
            seen = _fly(sites, airfields[choice[:, f]], staleness, flight_distance_km, swath_km / 2)
            last_seen = np.where(seen, now[:, None], last_seen)
            seen_year |= seen
        share[:, year] = seen_year.mean(axis=1)
    return OpenSkiesSample(share, float(years) - last_seen)
