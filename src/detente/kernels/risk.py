"""Inadvertent-war risk: false alarms that pass evaluation and meet a launch decision
(models.md §6).

The structure is that of Barrett, Baum and Hostetler [1]_: false-alarm indicators arrive at
each side as Poisson processes, one per alarm type (ICBM-like; SLBM-like, with shorter
warning). An indicator leads to war if it passes every evaluation stage without being
dismissed and then meets a decision to launch; the stage and launch probabilities differ
between a crisis and low tension. Thinning a Poisson process keeps it Poisson, so the alarms
that end in a launch form a Poisson process whose annual rate is the sum over streams ``i``
(side x alarm type) and conditions ``c`` (crisis, low tension) of

.. math:: \\Lambda = \\sum_{i,c} \\lambda_i\\, f_c\\, p^{\\mathrm{pass}}_{i,c}\\,
          p^{\\mathrm{launch}}_{i,c},
          \\qquad P_\\mathrm{year} = 1 - e^{-\\Lambda}                                (6.1)

with ``f_c`` the share of the year spent in condition ``c``. Arrays carry the samples on the
leading axis and the streams (``i, c`` pairs, flattened) on the last axis.

References
----------
.. [1] A. M. Barrett, S. D. Baum and K. R. Hostetler, "Analyzing and Reducing the Risks of
   Inadvertent Nuclear War Between the United States and Russia", *Science & Global
   Security* 21(2), 106-133 (2013), doi:10.1080/08929882.2013.798984.
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "annual_probability",
    "cumulative_probability",
    "launch_rate",
    "pass_probability",
    "time_factor",
]


def _finite(name: str, value: object) -> np.ndarray:
    arr = np.asarray(value, dtype=float)
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be finite")
    return arr


def _probability(name: str, value: object) -> np.ndarray:
    arr = _finite(name, value)
    if np.any((arr < 0) | (arr > 1)):
        raise ValueError(f"{name} must lie in [0, 1]")
    return arr


def pass_probability(stage_probabilities: object) -> np.ndarray:
    """Probability that an alarm passes every evaluation stage: the product over the last axis.

    Parameters
    ----------
    stage_probabilities : array_like, shape (..., stages)
        Probability [-] that an alarm is passed on by each stage rather than dismissed.

    Returns
    -------
    numpy.ndarray, shape (...)
        Pass probability [-].

    Examples
    --------
    >>> float(pass_probability([0.1, 0.5, 0.2]))
    0.010000000000000002
    """
    return np.prod(_probability("stage probabilities", stage_probabilities), axis=-1)


def launch_rate(
    rate_per_year: object,
    condition_fraction: object,
    pass_probability: object,
    launch_probability: object,
) -> np.ndarray:
    """Annual rate of false alarms that end in a launch, ``Λ`` of eq. (6.1).

    All arguments broadcast to ``(..., streams)``; the sum runs over the last axis.

    Parameters
    ----------
    rate_per_year : array_like
        False-alarm indicator rate ``λ`` [1/yr] of each stream.
    condition_fraction : array_like
        Share ``f_c`` [-] of the year in the stream's condition (crisis or low tension).
    pass_probability : array_like
        Probability [-] that an indicator passes every evaluation stage in that condition.
    launch_probability : array_like
        Probability [-] that leaders launch on an indicator that passed, in that condition.

    Returns
    -------
    numpy.ndarray, shape (...)
        ``Λ`` [1/yr].

    Examples
    --------
    >>> round(float(launch_rate([2.0, 2.0], [0.1, 0.9], [0.5, 0.1], [0.1, 0.01])), 6)
    0.0118
    """
    lam = _finite("rate_per_year", rate_per_year)
    if np.any(lam < 0):
        raise ValueError("rate_per_year must not be negative")
    f = _probability("condition_fraction", condition_fraction)
    p = _probability("pass_probability", pass_probability)
    q = _probability("launch_probability", launch_probability)
    return (lam * f * p * q).sum(axis=-1)


def annual_probability(
    rate_per_year: object,
    condition_fraction: object,
    pass_probability: object,
    launch_probability: object,
) -> np.ndarray:
    """Probability of at least one inadvertent launch in a year, eq. (6.1).

    ``P_year = 1 - exp(-Λ)`` with ``Λ`` from :func:`launch_rate` (same arguments).

    Returns
    -------
    numpy.ndarray, shape (...)
        ``P_year`` [-].

    Examples
    --------
    One stream, one alarm a year, stage and launch probabilities whose product is 0.01:

    >>> p = annual_probability([1.0], [1.0], [0.1], [0.1])
    >>> bool(np.isclose(p, 1 - np.exp(-0.01)))
    True
    """
    rate = launch_rate(rate_per_year, condition_fraction, pass_probability, launch_probability)
    return -np.expm1(-rate)


def cumulative_probability(annual: object, years: object) -> np.ndarray:
    """Probability of at least one inadvertent launch within ``years``: ``1 - (1 - P)^T``.

    Parameters
    ----------
    annual : array_like
        Annual probability ``P_year`` [-].
    years : array_like
        Horizon ``T`` [yr], ``>= 0`` (need not be whole).

    Returns
    -------
    numpy.ndarray
        Cumulative probability [-].

    Examples
    --------
    >>> cumulative_probability(0.01, [1, 10, 100]).round(4)
    array([0.01  , 0.0956, 0.634 ])
    """
    p = _probability("annual probability", annual)
    T = _finite("years", years)
    if np.any(T < 0):
        raise ValueError("years must not be negative")
    with np.errstate(divide="ignore", invalid="ignore"):  # p = 1: log(0) = -inf; T = 0: 0
        log_survive = np.where(T == 0, 0.0, T * np.log1p(-p))
    return -np.expm1(log_survive)


def time_factor(added_time_min: object, scale_min: object) -> np.ndarray:
    """Factor on a pass or launch probability when decision time grows by ``Δt``.

    The chance that a false alarm is recognised as false grows with the time available to
    examine it. Modelling recognition as a Poisson process with mean time ``τ`` gives the
    share of alarms still unrecognised after ``Δt`` more minutes:

    .. math:: g(\\Delta t) = e^{-\\Delta t / \\tau}.                                   (6.2)

    This exponential form is an assumption of detente, not a result transcribed from [1]_.

    Parameters
    ----------
    added_time_min : array_like
        Added decision time ``Δt`` [min], ``>= 0``.
    scale_min : array_like
        Mean time ``τ`` [min] to recognise a false alarm, ``> 0``.

    Returns
    -------
    numpy.ndarray
        Factor [-] in (0, 1].

    Examples
    --------
    >>> time_factor([0.0, 10.0], 10.0).round(4)
    array([1.    , 0.3679])
    """
    dt = _finite("added_time_min", added_time_min)
    tau = _finite("scale_min", scale_min)
    if np.any(dt < 0):
        raise ValueError("added_time_min must not be negative")
    if np.any(tau <= 0):
        raise ValueError("scale_min must be positive")
    return np.exp(-dt / tau)
