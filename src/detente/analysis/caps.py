"""Force structure under treaty caps: the force each side fields under a proposal.

A proposal caps deployed warheads (counted by a bomber rule), deployed launchers, MIRVed
missiles and interceptors. :func:`restructure` turns one side's force elements (launchers
``n`` and warheads per launcher ``m`` per element, as in the exchange model, models.md §2)
into the elements it fields under a batch of such caps, one proposal per row. It is a pure
function of arrays; :func:`cap_inputs` builds its inputs from a force and the upload file.

The rules are our own modelling choices [ours]; no source says how a party would restructure.
They are applied in this order:

1. **MIRV rule** (``mirv``): ``allowed``; ``icbm_ban`` (START II's ban on MIRVed ICBMs):
   every ICBM element carries at most 1 warhead per missile; ``full_ban``: ICBMs and SLBMs.
   Mean loadings already at or below 1 stay.
2. **Launcher cap** (deployed ICBMs, SLBMs and heavy bombers, New START's
   ``deployed_launchers``): launchers above the cap are retired. ``proportional`` (default):
   every element keeps the same share of its launchers, so the force mix is unchanged;
   ``silos_first``: silo ICBMs are retired first (the same share of each silo element), then
   the rest proportionally. Loadings stay. Counts are continuous (not rounded to whole
   launchers).
3. **Warhead cap** (deployed warheads, each heavy bomber counted by ``bomber_rule``:
   ``one_per_bomber`` as New START, or ``loading``: the weapons it carries). Over the cap:
   (a) every missile element gives up the same share of its warheads above 1 per missile
   (the loading floor: a missile keeps at least one warhead); (b) under ``loading``, then the
   bombers the same way; (c) if every launcher is at its floor and the count is still over,
   launchers are retired by the launcher rule of step 2 until it meets the cap. Under the cap,
   a side that ``fill``\\ s uploads to the cap within its upload capacity: every element that
   counts (missiles; bombers under ``loading``) fills the same share of its headroom
   n (u − m), u being its upload capacity per launcher (``data/upload.yaml``, through
   :func:`detente.analysis.upload.upload_inputs`), and each leg's uploads are limited to its
   reserve plus the warheads steps 1 and 2 took off that leg; a leg whose reserve runs out
   stops and the others go on. Under ``one_per_bomber`` bomber weapons do not count, so a
   filling side leaves its bombers as they are.
4. **Interceptor cap**: interceptors = min(planned, cap) (:func:`capped_interceptors`).

A cap of ``inf`` does not bind, and a cap that does not bind returns the element exactly as
given. Consequences (tested): every cap holds afterwards; no loading exceeds the larger of
its own and its upload capacity (nor 1 where the MIRV rule bans); no element gains
launchers; a looser cap (a higher warhead or launcher cap, a less strict MIRV rule) never
leaves fewer deployed warheads, provided each bomber carries at least one weapon (a
bomber carrying less than the one warhead New START counts for it would make a looser
launcher cap cost missile warheads).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from detente.analysis.elements import elements_from_force
from detente.model.force import Force
from detente.model.upload import UploadDefaults

#: Legs of the triad and their codes in the ``leg`` array.
LEGS: tuple[str, ...] = ("ICBM", "SLBM", "bomber")
ICBM, SLBM, BOMBER = 0, 1, 2
#: MIRV rules, from the loosest; ``mirv`` arrays hold their index.
MIRV_RULES: tuple[str, ...] = ("allowed", "icbm_ban", "full_ban")
#: How launchers above a cap are retired (step 2).
LAUNCHER_RULES: tuple[str, ...] = ("proportional", "silos_first")
#: How a deployed heavy bomber counts toward the warhead cap (:data:`detente.model.treaty.
#: BOMBER_RULES`; START I's attribution rule is not modelled here).
CAP_BOMBER_RULES: tuple[str, ...] = ("one_per_bomber", "loading")

LauncherRule = Literal["proportional", "silos_first"]
BomberRule = Literal["one_per_bomber", "loading"]


@dataclass(frozen=True)
class CapInputs:
    """One side's force as :func:`restructure` needs it, arrays of shape (E,).

    Attributes
    ----------
    party : str
    names : tuple of str
        Element labels (holding names), in the order of
        :func:`detente.analysis.elements.elements_from_force`.
    leg : ndarray of int
        Leg code per element (:data:`LEGS`).
    silo : ndarray of bool
        Silo-based (always targetable) ICBM element.
    n : ndarray
        Deployed launchers [launchers].
    m : ndarray
        Warheads per deployed launcher [warheads/launcher].
    capacity : ndarray
        Most warheads per deployed launcher after an upload [warheads/launcher]: the upload
        file's capacity of the deployed launchers over their number (the launcher's own
        loading for a system the file does not list).
    reserve : ndarray, shape (3,)
        Stored warheads that can be uploaded, by leg [warheads].
    """

    party: str
    names: tuple[str, ...]
    leg: np.ndarray
    silo: np.ndarray
    n: np.ndarray
    m: np.ndarray
    capacity: np.ndarray
    reserve: np.ndarray


def cap_inputs(force: Force, *, defaults: UploadDefaults | None = None) -> CapInputs:
    """The inputs of :func:`restructure` for a real force (upload file: ``defaults``, by
    default the bundled ``data/upload.yaml``).

    Examples
    --------
    >>> from detente.model.catalog import load_force
    >>> c = cap_inputs(load_force("us-2025"))
    >>> c.names, c.leg.tolist(), c.silo.tolist()
    (('minuteman-iii', 'trident-ii-d5', 'b-52h', 'b-2a'), [0, 1, 2, 2], [True, False, False, False])
    >>> c.capacity.tolist(), c.reserve.tolist()
    ([2.0, 8.0, 20.0, 16.0], [550.0, 950.0, 430.0])
    """
    from detente.analysis.upload import upload_inputs

    e = elements_from_force(force)
    u = upload_inputs(force, defaults=defaults)  # systems in the order of the elements
    reserve = np.zeros(len(LEGS))
    for pool, stored in zip(u.pools, u.reserve, strict=True):
        reserve[LEGS.index(pool)] = stored
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        capacity = np.where(e.n > 0, u.existing_capacity / e.n, e.m)
    return CapInputs(
        party=force.party,
        names=e.names,
        leg=np.asarray([LEGS.index(x) for x in e.legs], dtype=np.int64),
        silo=e.fixed.copy(),
        n=e.n,
        m=e.m,
        capacity=capacity,
        reserve=reserve,
    )


def mirv_codes(rules) -> np.ndarray:
    """Index in :data:`MIRV_RULES` of each MIRV rule name.

    Examples
    --------
    >>> mirv_codes(["allowed", "full_ban", "icbm_ban"]).tolist()
    [0, 2, 1]
    """
    words, inverse = np.unique(np.asarray(rules, dtype=object).astype(str), return_inverse=True)
    if unknown := [w for w in words if w not in MIRV_RULES]:
        raise ValueError(f"unknown MIRV rule(s) {unknown}; known: {', '.join(MIRV_RULES)}")
    return np.asarray([MIRV_RULES.index(w) for w in words], dtype=np.int64)[inverse.ravel()]


def counted_warheads(n, m, leg, *, bomber_rule: BomberRule = "one_per_bomber") -> np.ndarray:
    """Deployed warheads as a warhead cap counts them [warheads], summed over the last axis.

    Missiles count their warheads n·m; a heavy bomber counts 1 (``one_per_bomber``, New
    START) or its weapons (``loading``).

    Examples
    --------
    >>> counted_warheads([400, 240, 48], [1, 4, 6.25], [ICBM, SLBM, BOMBER]).tolist()
    1408.0
    >>> float(counted_warheads([400, 240, 48], [1, 4, 6.25], [0, 1, 2], bomber_rule="loading"))
    1660.0
    """
    _check_rule(bomber_rule, CAP_BOMBER_RULES, "bomber_rule")
    n, m = np.asarray(n, dtype=float), np.asarray(m, dtype=float)
    per_launcher = np.where(_as_bomber(leg, bomber_rule), 1.0, m)
    return (n * per_launcher).sum(axis=-1)


def capped_interceptors(planned, cap) -> np.ndarray:
    """Interceptors deployed under an interceptor cap: min(planned, cap) [interceptors] (rule 4).

    Examples
    --------
    >>> capped_interceptors(1000, [0, 100, np.inf]).tolist()
    [0.0, 100.0, 1000.0]
    """
    planned, cap = np.asarray(planned, dtype=float), np.asarray(cap, dtype=float)
    if np.any(~(planned >= 0)) or np.any(~(cap >= 0)):
        raise ValueError("planned interceptors and the interceptor cap must be >= 0 (not NaN)")
    return np.minimum(planned, cap)


def restructure(
    n,
    m,
    leg,
    silo,
    capacity,
    reserve,
    *,
    warhead_cap=np.inf,
    launcher_cap=np.inf,
    mirv=0,
    fill=False,
    launcher_rule: LauncherRule = "proportional",
    bomber_rule: BomberRule = "one_per_bomber",
) -> tuple[np.ndarray, np.ndarray]:
    """One side's force elements under a batch of treaty caps (rules 1-3 of the module).

    Parameters
    ----------
    n, m : array_like, shape (E,) or (B, E)
        Deployed launchers [launchers] and warheads per launcher [warheads/launcher] before
        the caps.
    leg : array_like of int, shape (E,)
        Leg code per element (:data:`LEGS`: 0 ICBM, 1 SLBM, 2 bomber).
    silo : array_like of bool, shape (E,)
        Silo-based element (retired first under ``silos_first``).
    capacity : array_like, shape (E,) or (B, E)
        Upload capacity per deployed launcher [warheads/launcher].
    reserve : array_like, shape (3,) or (B, 3)
        Stored warheads by leg available for uploads [warheads].
    warhead_cap : float or array_like, shape (B,)
        Deployed-warhead cap [warheads], counted by ``bomber_rule``; ``inf``: none.
    launcher_cap : float or array_like, shape (B,)
        Deployed-launcher cap [launchers]; ``inf``: none.
    mirv : int or array_like of int, shape (B,)
        MIRV rule, an index into :data:`MIRV_RULES` (:func:`mirv_codes`).
    fill : bool or array_like of bool, shape (B,)
        The side uploads to the warhead cap within its capacity.
    launcher_rule : {'proportional', 'silos_first'}
    bomber_rule : {'one_per_bomber', 'loading'}

    Returns
    -------
    n, m : ndarray, shape (B, E)
        Deployed launchers and warheads per launcher under the caps.

    Examples
    --------
    A side of 400 single-warhead silo ICBMs, 240 SLBMs with 4 warheads and 48 bombers with 6
    weapons (1,408 warheads counted as New START does). A cap of 1,000 takes 408 warheads off
    the SLBMs, each of which keeps 1 + 3 (720 − 408)/720 = 2.3; a cap of 600 launchers keeps
    600/688 of every element, or retires 88 silos first:

    >>> side = ([400, 240, 48], [1, 4, 6], [ICBM, SLBM, BOMBER], [True, False, False])
    >>> room = ([2, 8, 20], [550, 950, 430])
    >>> n, m = restructure(*side, *room, warhead_cap=[1000, 2000], launcher_cap=[np.inf, 600])
    >>> m.round(4).tolist(), n.round(2).tolist()
    ([[1.0, 2.3, 6.0], [1.0, 4.0, 6.0]], [[400.0, 240.0, 48.0], [348.84, 209.3, 41.86]])
    >>> n, m = restructure(*side, *room, launcher_cap=600, launcher_rule="silos_first")
    >>> n.tolist()
    [[312.0, 240.0, 48.0]]

    Filling to a cap of 2,000 shares the 592 warheads of headroom over the ICBMs (room for
    400 more) and the SLBMs (960 more) in proportion, 592/1360 of each; with MIRVed ICBMs
    banned the SLBMs take all 592 (4 + 592/240 each). Bombers count 1 whatever they carry,
    so they are not uploaded:

    >>> n, m = restructure(*side, *room, warhead_cap=2000, fill=True, mirv=[0, 1])
    >>> m.round(4).tolist()
    [[1.4353, 5.7412, 6.0], [1.0, 6.4667, 6.0]]
    """
    _check_rule(launcher_rule, LAUNCHER_RULES, "launcher_rule")
    _check_rule(bomber_rule, CAP_BOMBER_RULES, "bomber_rule")
    leg = np.asarray(leg)
    silo = np.asarray(silo, dtype=bool)
    n, m, capacity = (np.asarray(x, dtype=float) for x in (n, m, capacity))
    reserve = np.asarray(reserve, dtype=float)
    warhead_cap, launcher_cap = (np.asarray(x, dtype=float) for x in (warhead_cap, launcher_cap))
    mirv, fill = np.asarray(mirv), np.asarray(fill, dtype=bool)
    e = leg.shape[-1] if leg.ndim else -1
    _check_inputs(n, m, leg, silo, capacity, reserve, warhead_cap, launcher_cap, mirv, e)
    shapes = [np.shape(x)[:-1] for x in (n, m, capacity, reserve)]
    shapes += [np.shape(x) for x in (warhead_cap, launcher_cap, mirv, fill)]
    try:
        (b,) = np.broadcast_shapes((1,), *shapes)
    except ValueError:
        raise ValueError(f"batch shapes do not match: {shapes}") from None
    n0, m0, capacity = (np.broadcast_to(x, (b, e)) for x in (n, m, capacity))
    reserve = np.broadcast_to(reserve, (b, len(LEGS)))
    w_cap, l_cap = (np.broadcast_to(x, (b,)) for x in (warhead_cap, launcher_cap))
    mirv, fill = np.broadcast_to(mirv, (b,)), np.broadcast_to(fill, (b,))
    first = silo if launcher_rule == "silos_first" else np.zeros(e, dtype=bool)
    one = _as_bomber(leg, bomber_rule)  # counts 1 per launcher

    # 1. MIRV rule
    banned = ((leg == ICBM) & (mirv[:, None] >= 1)) | ((leg == SLBM) & (mirv[:, None] >= 2))
    m1 = np.where(banned, np.minimum(m0, 1.0), m0)

    # 2. launcher cap (each step works on the rows where its cap binds)
    n1 = np.array(n0)
    rows = np.flatnonzero(n0.sum(axis=1) > l_cap)
    n1[rows] = n0[rows] * _kept(n0[rows], first, l_cap[rows])

    # 3. warhead cap: download over the cap, or fill up to it
    counted = (n1 * np.where(one, 1.0, m1)).sum(axis=1)
    n2, m2 = n1.copy(), m1.copy()
    rows = np.flatnonzero(counted > w_cap)
    n2[rows], m2[rows] = _download(n1[rows], m1[rows], leg, one, first, w_cap[rows])
    rows = np.flatnonzero(fill & (counted < w_cap))
    u = np.where(banned[rows], np.minimum(capacity[rows], 1.0), capacity[rows])
    freed = n0[rows] * m0[rows] - n1[rows] * m1[rows]
    m2[rows] = _upload(
        n1[rows], m1[rows], np.maximum(u, m1[rows]), leg, one, reserve[rows], freed,
        w_cap[rows] - counted[rows],
    )  # fmt: skip
    return n2, m2


def _download(n, m, leg, one, first, cap) -> tuple[np.ndarray, np.ndarray]:
    """Rows over the warhead cap: missiles, then (unless ``one``) bombers, give up the same
    share of their warheads above one each; at one each, launchers retire (step 3)."""
    floor = np.minimum(m, 1.0)
    per_launcher = np.where(one, 1.0, floor)  # counted per launcher at the floor
    counted = (n * np.where(one, 1.0, m)).sum(axis=1)
    missile = leg != BOMBER
    for group in (missile, ~missile & ~one):
        excess = np.where(group, n * (m - floor), 0.0)
        total = excess.sum(axis=1)
        share = _share(total, cap - (counted - total))
        m = np.where(group, floor + share[:, None] * (m - floor), m)
        counted = (n * np.where(one, 1.0, m)).sum(axis=1)
    retire = (n * per_launcher).sum(axis=1) > cap
    n = np.where(retire[:, None], n * _kept(n * per_launcher, first, cap), n)
    return n, m


def _upload(n, m, u, leg, one, reserve, freed, room) -> np.ndarray:
    """Rows under the warhead cap that fill: every counted element fills the same share of its
    headroom n (u - m), each leg within its reserve plus ``freed`` warheads, up to ``room``."""
    onehot = (leg[:, None] == np.arange(len(LEGS))).astype(float)  # (E, 3)
    head = np.where(one, 0.0, n * (u - m))
    stored = reserve + freed @ onehot
    by_leg = head @ onehot
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        top = np.where(by_leg > 0, np.minimum(1.0, stored / by_leg), 1.0)[:, leg]
    phi = np.where(one, 0.0, np.minimum(_level(head, top, room), top))
    return m + phi * (u - m)


def _as_bomber(leg, bomber_rule: str) -> np.ndarray:
    """Elements that count 1 per launcher (bombers under ``one_per_bomber``)."""
    return (np.asarray(leg) == BOMBER) & (bomber_rule == "one_per_bomber")


def _check_rule(value: str, known: tuple[str, ...], name: str) -> None:
    if value not in known:
        raise ValueError(f"{name} must be one of {', '.join(known)}; got {value!r}")


def _check_inputs(n, m, leg, silo, capacity, reserve, warhead_cap, launcher_cap, mirv, e) -> None:
    if leg.ndim != 1 or silo.shape != leg.shape:
        raise ValueError(f"leg and silo must have shape (E,); got {leg.shape} and {silo.shape}")
    if not np.isin(leg, range(len(LEGS))).all():
        raise ValueError(f"leg codes are 0 (ICBM), 1 (SLBM) or 2 (bomber); got {leg.tolist()}")
    for name, x in (("n", n), ("m", m), ("capacity", capacity)):
        if x.ndim not in (1, 2) or x.shape[-1] != e:
            raise ValueError(f"{name} must have shape (E,) or (B, E) with E = {e}; got {x.shape}")
        if not (np.isfinite(x) & (x >= 0)).all():
            raise ValueError(f"{name} must be finite and >= 0")
    if reserve.ndim not in (1, 2) or reserve.shape[-1] != len(LEGS):
        raise ValueError(f"reserve must have shape (3,) or (B, 3); got {reserve.shape}")
    if not (np.isfinite(reserve) & (reserve >= 0)).all():
        raise ValueError("reserve must be finite and >= 0")
    for name, x in (("warhead_cap", warhead_cap), ("launcher_cap", launcher_cap)):
        if x.ndim > 1 or not (x >= 0).all():
            raise ValueError(f"{name} must be >= 0 (inf: no cap), a number or shape (B,)")
    if mirv.ndim > 1 or not np.isin(mirv, range(len(MIRV_RULES))).all():
        raise ValueError(f"mirv codes index {MIRV_RULES} (see mirv_codes); got {mirv!r}")


def _share(total, target) -> np.ndarray:
    """target / total clipped to [0, 1]; 1 where ``total`` is 0."""
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        return np.where(total > 0, np.clip(target / total, 0.0, 1.0), 1.0)


def _kept(load, first, target) -> np.ndarray:
    """Share of each element kept when ``load`` (B, E) is retired down to ``target`` (B,):
    the ``first`` elements give up the same share of theirs first, then the rest."""
    lead = np.where(first, load, 0.0).sum(axis=1)
    rest = load.sum(axis=1) - lead
    cut = np.maximum(load.sum(axis=1) - target, 0.0)
    keep_lead = _share(lead, lead - cut)
    keep_rest = _share(rest, rest - np.maximum(cut - lead, 0.0))
    return np.where(first, keep_lead[:, None], keep_rest[:, None])


def _level(w, top, target) -> np.ndarray:
    """The largest s in [0, max top] with Σ_i w_i min(s, top_i) <= target, per row.

    ``w`` >= 0 and ``top`` >= 0 of shape (B, E), ``target`` of shape (B,). The sum is
    nondecreasing and piecewise linear in s with breakpoints at the ``top_i``: it is evaluated
    at every breakpoint and inverted on the segment that holds the target.
    """
    b, e = w.shape
    if e == 0:
        return np.zeros((b, 1))
    x = np.sort(np.concatenate([np.zeros((b, 1)), top], axis=1), axis=1)  # (B, E + 1)
    g = (w[:, None, :] * np.minimum(x[:, :, None], top[:, None, :])).sum(axis=2)
    t = np.maximum(target, 0.0)[:, None]
    k = np.clip((g <= t).sum(axis=1, keepdims=True) - 1, 0, e - 1)
    x0, x1 = np.take_along_axis(x, k, 1), np.take_along_axis(x, k + 1, 1)
    g0, g1 = np.take_along_axis(g, k, 1), np.take_along_axis(g, k + 1, 1)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        s = np.where(g1 > g0, x0 + (t - g0) * (x1 - x0) / (g1 - g0), x1)
    return np.clip(s, 0.0, x[:, -1:])
