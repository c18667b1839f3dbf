"""Upload and breakout: deployed warheads month by month after a treaty lapses (models.md §4).

Each *system* s (one holding of a delivery system) starts with W_s(0) deployed warheads and can
hold at most its *capacity* C_s warheads (maximum loading on its deployed launchers plus the
launchers that can be reloaded). Stored warheads come from *pools* p (a party's reserve for
one leg): system s draws on pool ``pool[s]``. From its start delay d_s onwards a system asks
for up to ``rate_s`` warheads a month [ours]:

    q_s(t) = min(rate_s · a_s(t), C_s − W_s(t−1)),    a_s(t) = clip(t − d_s, 0, 1)     (eq. 1)

where a_s(t) is the share of month t (the interval [t − 1, t]) after the start delay. When
the requests on a pool exceed what is left in it, R_p(t−1), each request is granted in the
same proportion [ours]:

    g_s(t) = q_s(t) · min(1, R_p(t−1) / Σ_{s' in p} q_s'(t))                          (eq. 2)
    W_s(t) = W_s(t−1) + g_s(t),    R_p(t) = R_p(t−1) − Σ_{s in p} g_s(t)               (eq. 3)

so W_s never exceeds C_s (or its start, if that is higher), no pool goes below zero and a zero
rate changes nothing. Published anchors for the capacities: M. Korda & H. M. Kristensen [1]_.

References
----------
.. [1] M. Korda & H. M. Kristensen, "If Arms Control Collapses, US and Russian Strategic
   Nuclear Arsenals Could Double In Size", Federation of American Scientists, February 2023.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np


class Upload(NamedTuple):
    """Result of :func:`upload`.

    Attributes
    ----------
    deployed : ndarray, shape (B, T + 1, S)
        Deployed warheads per system at the end of month t = 0..T (t = 0: at the lapse)
        [warheads].
    reserve : ndarray, shape (B, T + 1, P)
        Stored warheads left in each pool [warheads].
    """

    deployed: np.ndarray
    reserve: np.ndarray


def _array(name, x, shape, lo=0.0):
    a = np.asarray(x, dtype=float)
    try:
        a = np.broadcast_to(a, shape)
    except ValueError:
        raise ValueError(f"{name} has shape {a.shape}; expected {shape} or a scalar") from None
    bad = ~(np.isfinite(a) & (a >= lo))
    if bad.any():
        raise ValueError(f"{name} must be finite and >= {lo:g}; got {float(a[bad].flat[0])}")
    return a


def upload(warheads, capacity, reserve, pool, rate, start_delay, *, months=36):
    """Deployed warheads month by month as systems upload stored warheads (eqs. 1–3).

    Parameters
    ----------
    warheads : array_like, shape (B, S)
        Deployed warheads per system at the lapse [warheads], >= 0.
    capacity : array_like, shape (B, S) or (S,)
        Most warheads each system can carry after upload [warheads], >= 0. A capacity
        below ``warheads`` means no room: nothing is removed.
    reserve : array_like, shape (B, P) or (P,)
        Stored warheads available to each pool [warheads], >= 0.
    pool : array_like of int, shape (S,)
        Pool each system draws on, in 0..P−1.
    rate : array_like, shape (B, S) or (S,)
        Warheads each system can add per month once started [warheads/month], >= 0.
    start_delay : array_like, shape (B, S) or (S,)
        Months from the lapse until the system starts uploading [month], >= 0; fractions
        of a month start part-way through it.
    months : int
        Months T to simulate, >= 0.

    Returns
    -------
    Upload
        ``deployed`` (B, T + 1, S) and ``reserve`` (B, T + 1, P).

    Examples
    --------
    Minuteman III towards FAS's upload maximum of 950 [1]_, 60 warheads a month after a
    three-month delay, and a Trident-like system drawing on the same pool of 870:

    >>> out = upload([[400, 960]], [950, 1920], [870], [0, 0], [60, 240], [3, 0], months=5)
    >>> out.deployed[0].T.tolist()
    [[400.0, 400.0, 400.0, 400.0, 430.0, 430.0], [960.0, 1200.0, 1440.0, 1680.0, 1800.0, 1800.0]]
    >>> out.reserve[0, :, 0].tolist()
    [870.0, 630.0, 390.0, 150.0, 0.0, 0.0]

    In month 4 the pool held 150 warheads for requests of 60 + 240: each got half. A zero
    rate changes nothing:

    >>> upload([[400.0]], [950], [550], [0], [0.0], [0.0], months=2).deployed.tolist()
    [[[400.0], [400.0], [400.0]]]
    """
    w0 = np.asarray(warheads, dtype=float)
    if w0.ndim != 2:
        raise ValueError(f"warheads must have shape (B, S); got {w0.shape}")
    b, s = w0.shape
    w0 = _array("warheads", w0, (b, s))
    cap = _array("capacity", capacity, (b, s))
    rate = _array("rate", rate, (b, s))
    delay = _array("start_delay", start_delay, (b, s))
    pool = np.asarray(pool)
    if pool.shape != (s,) or not np.issubdtype(pool.dtype, np.integer):
        raise ValueError(f"pool must be integers of shape ({s},); got {pool.dtype} {pool.shape}")
    r0 = np.asarray(reserve, dtype=float)
    p = r0.shape[-1] if r0.ndim else 0
    if r0.ndim not in (1, 2) or (s and (pool.min() < 0 or pool.max() >= p)):
        raise ValueError(f"pool indices must be in 0..{p - 1} of reserve's last axis")
    r0 = _array("reserve", r0, (b, p))
    if not isinstance(months, int | np.integer) or months < 0:
        raise ValueError(f"months must be a whole number >= 0; got {months!r}")

    member = np.zeros((s, p))  # one-hot system -> pool
    member[np.arange(s), pool] = 1.0
    deployed = np.empty((b, months + 1, s))
    left = np.empty((b, months + 1, p))
    w, r = w0.copy(), r0.copy()
    deployed[:, 0], left[:, 0] = w, r
    for t in range(1, months + 1):
        active = np.clip(t - delay, 0.0, 1.0)
        request = np.minimum(rate * active, np.maximum(cap - w, 0.0))  # eq. 1
        asked = request @ member
        share = np.divide(r, asked, out=np.ones_like(r), where=asked > r)  # eq. 2
        grant = request * (share @ member.T)
        w = w + grant  # eq. 3
        r = np.maximum(r - grant @ member, 0.0)
        deployed[:, t], left[:, t] = w, r
    return Upload(deployed, left)


def launchers_in_use(warheads, deployed, existing_capacity, max_loading):
    """Launchers carrying ``warheads`` when existing launchers are filled before reloading.

    Warheads up to ``existing_capacity`` go onto the deployed launchers; each further
    ``max_loading`` warheads fill one reloaded launcher [ours]:
    n = deployed + max(0, W − C0) / m_max.

    Parameters
    ----------
    warheads : array_like
        Deployed warheads of a system [warheads], >= 0.
    deployed : array_like
        Deployed launchers at the lapse [launchers], >= 0.
    existing_capacity : array_like
        Most warheads the deployed launchers can carry [warheads], >= 0.
    max_loading : array_like
        Warheads per reloaded launcher [warheads/launcher], > 0 where reloading happens.

    Returns
    -------
    ndarray
        Launchers in use [launchers] (fractional: a launcher part-way through reloading).

    Examples
    --------
    >>> launchers_in_use([400, 800, 950], 400, 800, 3).tolist()
    [400.0, 400.0, 450.0]
    """
    w = np.asarray(warheads, dtype=float)
    extra = np.maximum(w - np.asarray(existing_capacity, dtype=float), 0.0)
    m = np.asarray(max_loading, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        reloaded = np.where(extra > 0, extra / np.where(m > 0, m, np.inf), 0.0)
    return np.asarray(deployed, dtype=float) + reloaded
