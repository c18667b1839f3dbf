"""Monte Carlo over a scenario's uncertain inputs, and one-at-a-time sensitivity (tornado).

Sample, then evaluate, then analyse, with an explicit seed:

1. :func:`draw` turns one ``np.random.default_rng(seed)`` matrix of uniforms, shape (K, N),
   into N values of each of the K uncertain inputs by their inverse CDFs (:func:`quantile`),
   so a fixed seed reproduces every sample bit for bit and a zero-width distribution gives
   its value exactly.
2. :func:`evaluate_batch` builds the kernel's element arrays with a batch axis N (the base
   force broadcast, the sampled columns overwritten: no Python loop over samples) and calls
   :func:`detente.kernels.stability.stability_index` once per pair of parties and chunk of
   rows (chunks bound memory).
3. :func:`monte_carlo` summarises the outputs (FSI, r per side, surviving and arriving
   warheads) by quantiles; :func:`tornado` moves each input alone from its 5th to its 95th
   percentile, the others at their medians.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

import numpy as np

from detente.analysis.elements import strategic_holdings
from detente.analysis.scenario import ResolvedScenario, UncertainInput
from detente.analysis.stability import Side, flatten, kernel_defense, side_values
from detente.kernels.exchange import Forces
from detente.kernels.stability import stability_index
from detente.model.force import Posture
from detente.model.scenario import MAX_SAMPLES, LogNormal, Normal, Triangular, Uniform

if TYPE_CHECKING:
    import pandas as pd

#: Rows per kernel call: bounds the element arrays' memory; the progress bar ticks per chunk.
CHUNK_ROWS = 1 << 17
#: Quantiles reported for every output.
QUANTILES = {"p05": 0.05, "p50": 0.5, "p95": 0.95}
Progress = Callable[[int, int], None]


def quantile(dist, u) -> np.ndarray:
    """Inverse CDF of a scenario distribution at probabilities ``u``.

    Truncated normal and log-normal distributions are inverted exactly on their truncation
    interval (``scipy.stats.truncnorm``); results are clipped to the support against rounding.

    Parameters
    ----------
    dist : Uniform, Triangular, Normal or LogNormal
    u : array_like
        Probabilities [-] in [0, 1].

    Returns
    -------
    ndarray
        Values, same shape as ``u``.

    Examples
    --------
    >>> from detente.model.scenario import Triangular, Normal
    >>> quantile(Triangular(dist="triangular", low=0, mode=0.5, high=1), [0.125, 0.5])
    array([0.25, 0.5 ])
    >>> float(quantile(Normal(dist="normal", mean=1, sd=0.1, low=0.9, high=1.1), 0.5)[0])
    1.0
    """
    u = np.atleast_1d(np.asarray(u, dtype=float))
    if isinstance(dist, Uniform):
        return dist.low + u * (dist.high - dist.low)
    if isinstance(dist, Triangular):
        lo, c, hi = dist.low, dist.mode, dist.high
        if hi == lo:
            return np.full_like(u, lo)
        f = (c - lo) / (hi - lo)
        left = lo + np.sqrt(u * (hi - lo) * (c - lo))
        right = hi - np.sqrt((1.0 - u) * (hi - lo) * (hi - c))
        return np.where(u < f, left, right)
    if isinstance(dist, Normal):
        return _truncated(u, dist.mean, dist.sd, dist.low, dist.high, log=False)
    if isinstance(dist, LogNormal):
        return _truncated(u, dist.median, dist.sigma, dist.low, dist.high, log=True)
    raise ValueError(f"not a scenario distribution: {dist!r}")


def _truncated(u, centre, width, low, high, *, log):
    """Inverse CDF of a (log-)normal truncated to [low, high] (``None``: no bound)."""
    if width == 0:
        return np.full_like(u, centre)
    from scipy.stats import truncnorm

    tr = np.log if log else (lambda x: x)
    a = -np.inf if low is None else (tr(low) - tr(centre)) / width
    b = np.inf if high is None else (tr(high) - tr(centre)) / width
    tiny = np.finfo(float).eps
    z = truncnorm.ppf(np.clip(u, tiny, 1.0 - tiny), a, b)
    x = centre * np.exp(width * z) if log else centre + width * z
    return np.clip(x, -np.inf if low is None else low, np.inf if high is None else high)


def check_samples(samples: int) -> int:
    """``samples`` if it is a count in [1, MAX_SAMPLES], else a clear ValueError."""
    if isinstance(samples, bool) or not isinstance(samples, int | np.integer):
        raise ValueError(f"samples must be an integer; got {samples!r}")
    if not 1 <= samples <= MAX_SAMPLES:
        raise ValueError(f"samples must be between 1 and {MAX_SAMPLES:,}; got {samples:,}")
    return int(samples)


def draw(inputs: tuple[UncertainInput, ...], samples: int, seed: int) -> dict[str, np.ndarray]:
    """``samples`` values of every uncertain input, from one generator seeded with ``seed``.

    Examples
    --------
    >>> from detente.model.scenario import Uniform
    >>> from detente.analysis.scenario import Target, UncertainInput
    >>> x = UncertainInput("parameters.de", Uniform(dist="uniform", low=0.7, high=0.7),
    ...                    Target("parameter", "de", high=1.0))
    >>> draw((x,), 3, seed=1)["parameters.de"]
    array([0.7, 0.7, 0.7])
    """
    samples = check_samples(samples)
    u = np.random.default_rng(seed).random((len(inputs), samples))
    return {x.path: quantile(x.dist, u[k]) for k, x in enumerate(inputs)}


def output_names(resolved: ResolvedScenario) -> list[str]:
    """Names of the outputs of :func:`evaluate_batch`, in order.

    Two parties A, B: ``fsi``, ``r.A``, ``r.B``, ``surviving.A``, ... Three or more: ``fsi``
    is the system index (the smallest pairwise FSI, with reserves against third parties),
    ``fsi_product`` the product, and each pair's outputs carry the pair, ``fsi.A-B``,
    ``r.A-B.A``, ...
    """
    multi = len(resolved.parties) > 2
    names = ["fsi", "fsi_product"] if multi else ["fsi"]
    for pair in resolved.pairs():
        tag = "-".join(pair) + "." if multi else ""
        if tag:
            names.append(f"fsi.{tag[:-1]}")
        for kind in ("r", "surviving", "arriving"):
            names += [f"{kind}.{tag}{side}" for side in pair]
    return names


def output_name(resolved: ResolvedScenario, kind: str, pair: tuple[str, str], side=None) -> str:
    """Name of one output of :func:`evaluate_batch` (see :func:`output_names`).

    Examples
    --------
    >>> from detente.analysis.scenario import resolve
    >>> from detente.model.scenario import parse_scenario
    >>> r = resolve(parse_scenario("name: x\\nparties: [{force: us-2025}, {force: ru-2025}]"))
    >>> output_name(r, "fsi", ("US", "RU")), output_name(r, "r", ("US", "RU"), "RU")
    ('fsi', 'r.RU')
    """
    tag = "-".join(pair) if len(resolved.parties) > 2 else ""
    parts = [kind, tag, side] if kind != "fsi" else [kind, tag]
    return ".".join(p for p in parts if p)


def _columns(side: Side, posture: str, resolved: ResolvedScenario, values, rows, size):
    """Element arrays (n, m, fixed, alert) of shape (size, E) and w80 of ``side``."""
    e = side.elements
    n = np.tile(e.n, (size, 1))
    m = np.tile(e.m, (size, 1))
    alert = np.tile(e.alert, (size, 1))
    fixed = np.broadcast_to(e.fixed, (size, len(e)))
    w80: Any = side.w80
    party = resolved.party(side.label)
    column = {i: col for col, (i, _) in enumerate(strategic_holdings(party.force))}
    own_w80 = party.spec.w80 is not None or any(
        x.target.kind == "w80" and x.target.party == side.label for x in resolved.inputs
    )
    for x in resolved.inputs:
        t = x.target
        v = values[x.path][rows]
        if t.name == "assured_destruction_emt" and not own_w80:  # default w80 ∝ the yardstick
            w80 = side.w80 * v / resolved.emt()
        if t.party != side.label:
            continue
        if t.kind == "w80":
            w80 = v
        elif t.kind == "holding":
            j = column[t.holding]
            if t.name == "loading":
                m[:, j] = v
            elif t.name == "warheads":
                m[:, j] = v / e.n[j]
            elif t.name == "launchers.deployed":
                n[:, j] = v
            elif t.name == f"alert.{posture}":
                alert[:, j] = v
    return (n, m, fixed, alert), w80


def _parameters(resolved: ResolvedScenario, values, rows) -> dict[str, Any]:
    p = {**resolved.params.__dict__, "reserve": resolved.reserve}
    for x in resolved.inputs:
        if x.target.kind == "parameter" and x.target.name in p:
            p[x.target.name] = values[x.path][rows]
    return p


KERNEL_PARAMETERS = ("alpha", "surcharge", "avail", "kmax", "lua_escape")


def _defense(resolved: ResolvedScenario, label: str, values, rows) -> Any:
    """One side's missile defence for the kernel with its sampled figures (None without one)."""
    d = kernel_defense(resolved.party(label).defense)
    if d is None:
        return None
    sampled = {
        x.target.name: values[x.path][rows]
        for x in resolved.inputs
        if x.target.kind == "defense" and x.target.party == label
    }
    return d._replace(**sampled)


def _pair_outputs(out, rows, sides, postures, active, values, params, b):
    """Two parties: one call of :func:`stability_index` (with their missile defences)."""
    a, c = next(iter(sides.values()))
    arr_a, w80_a = _columns(a, postures[a.label], active, values, rows, b)
    arr_c, w80_c = _columns(c, postures[c.label], active, values, rows, b)
    si = stability_index(
        Forces(*arr_a), Forces(*arr_c), w80_a, w80_c, params["de"], params["de"],
        lua_A=a.lua, lua_B=c.lua, defense_A=_defense(active, a.label, values, rows),
        defense_B=_defense(active, c.label, values, rows),
        **{k: params[k] for k in KERNEL_PARAMETERS},
    )  # fmt: skip
    flat = flatten(side_values(si), (a.label, c.label))
    for name, column in flat.items():
        if name in out:  # the outputs of output_names: fsi, r, surviving, arriving
            out[name][rows] = column


def _system_outputs(out, rows, sides, postures, active, values, params, b, labels):
    """Three or more parties: one call of :func:`detente.kernels.multiparty.system_index`."""
    from detente.kernels.multiparty import system_index

    index = {k: i for i, k in enumerate(labels)}
    arrays: dict[str, tuple] = {}
    w80 = np.ones((b, len(labels), len(labels)))  # [b, attacker, victim]; diagonal unused
    lua = np.zeros(len(labels), dtype=bool)
    for pair_sides in sides.values():
        for side, other in (pair_sides, pair_sides[::-1]):
            arr, w = _columns(side, postures[side.label], active, values, rows, b)
            arrays.setdefault(side.label, arr)
            w80[:, index[other.label], index[side.label]] = w
            lua[index[side.label]] = side.lua
    width = max(arrays[k][0].shape[1] for k in labels)
    padded = []
    for j, fill in enumerate((0.0, 0.0, False, 0.0)):
        stack = np.full((b, len(labels), width), fill, dtype=bool if j == 2 else float)
        for k in labels:
            a = arrays[k][j]
            stack[:, index[k], : a.shape[1]] = a
        padded.append(stack)
    si = system_index(
        *padded, w80, params["de"], lua=lua, reserve=params["reserve"],
        **{k: params[k] for k in KERNEL_PARAMETERS},
    )  # fmt: skip
    out["fsi"][rows] = si.fsi_min
    out["fsi_product"][rows] = si.fsi_product
    st = si.strike
    for pair in sides:
        i, j = index[pair[0]], index[pair[1]]
        tag = "-".join(pair)
        out[f"fsi.{tag}"][rows] = si.fsi[:, i, j]
        for me, them in ((i, j), (j, i)):
            label = labels[me]
            out[f"r.{tag}.{label}"][rows] = si.r[:, me, them]
            out[f"surviving.{tag}.{label}"][rows] = st.R[:, them, me]
            out[f"arriving.{tag}.{label}"][rows] = st.R_arriving[:, them, me]


def evaluate_batch(
    resolved: ResolvedScenario,
    values: Mapping[str, np.ndarray],
    size: int,
    *,
    posture: Mapping[str, Posture] | None = None,
    lua: Mapping[str, bool] | None = None,
    progress: Progress | None = None,
    chunk_rows: int = CHUNK_ROWS,
) -> dict[str, np.ndarray]:
    """Outputs of the stability calculus for ``size`` rows of input values.

    Two parties go through :func:`detente.kernels.stability.stability_index` (with their
    missile defences); three or more through :func:`detente.kernels.multiparty.system_index`
    (every striker withholds a reserve against each armed third party; no defences), one
    batched call per chunk of rows. ``surviving`` counts a side's warheads that survive the
    other's first strike, ``arriving`` those of them that get through the striker's defence.

    Parameters
    ----------
    resolved : ResolvedScenario
    values : mapping
        Array of shape (size,) for each uncertain input's path (inputs not given keep the
        scenario's value).
    size : int
        Rows [-].
    posture, lua : mapping, optional
        Posture and launch under attack by party, overriding the scenario's.
    progress : callable, optional
        Called as ``progress(rows_done, size)`` after each chunk.
    chunk_rows : int
        Rows per kernel call.

    Returns
    -------
    dict
        Arrays of shape (size,) named as in :func:`output_names`.
    """
    inputs = tuple(x for x in resolved.inputs if x.path in values)
    values = {x.path: np.broadcast_to(np.asarray(values[x.path], float), (size,)) for x in inputs}
    active = replace(resolved, inputs=inputs)
    postures = {p.label: (posture or {}).get(p.label, p.spec.posture) for p in resolved.parties}
    sides = {pair: resolved.sides(pair, postures, lua) for pair in resolved.pairs()}
    out = {k: np.empty(size) for k in output_names(resolved)}
    for start in range(0, size, chunk_rows):
        rows = slice(start, min(start + chunk_rows, size))
        b = rows.stop - rows.start
        params = _parameters(active, values, rows)
        if len(resolved.parties) == 2:
            _pair_outputs(out, rows, sides, postures, active, values, params, b)
        else:
            _system_outputs(out, rows, sides, postures, active, values, params, b, resolved.labels)
        if progress is not None:
            progress(rows.stop, size)
    return out


def summarise(outputs: Mapping[str, np.ndarray]) -> dict[str, dict[str, float]]:
    """p05, p50, p95 and mean of every output.

    Examples
    --------
    >>> summarise({"fsi": np.arange(101.0)})["fsi"]
    {'p05': 5.0, 'p50': 50.0, 'p95': 95.0, 'mean': 50.0}
    """
    out = {}
    for name, x in outputs.items():
        q = np.quantile(x, list(QUANTILES.values()))
        row = {k: float(v) for k, v in zip(QUANTILES, q, strict=True)}
        row["mean"] = float(np.mean(x))
        out[name] = row
    return out


@dataclass(frozen=True)
class UncertaintyResult:
    """A Monte Carlo over a scenario's uncertain inputs.

    Attributes
    ----------
    samples : int
    seed : int
    inputs : dict
        Sampled values of each uncertain input, shape (samples,).
    outputs : dict
        Outputs (see :func:`output_names`), shape (samples,).
    quantiles : dict
        p05, p50, p95, mean of every output and input.
    """

    samples: int
    seed: int
    inputs: dict[str, np.ndarray]
    outputs: dict[str, np.ndarray]
    quantiles: dict[str, dict[str, float]]

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe summary (quantiles, not samples)."""
        return {"samples": self.samples, "seed": self.seed, **self.quantiles}

    def to_frame(self) -> pd.DataFrame:
        """One row per output and input: p05, p50, p95, mean."""
        import pandas as pd

        rows = [{"quantity": k, **v} for k, v in self.quantiles.items()]
        return pd.DataFrame(rows).set_index("quantity")


def monte_carlo(
    resolved: ResolvedScenario,
    samples: int,
    seed: int,
    *,
    progress: Progress | None = None,
) -> UncertaintyResult:
    """Monte Carlo of a resolved scenario: ``samples`` draws of its uncertain inputs.

    Examples
    --------
    >>> from detente.analysis.scenario import resolve
    >>> from detente.model.scenario import parse_scenario
    >>> s = parse_scenario('''
    ... name: demo
    ... parties: [{force: us-2025}, {force: ru-2025}]
    ... uncertain:
    ...   parameters.de: {dist: uniform, low: 0.7, high: 0.9}
    ... ''')
    >>> mc = monte_carlo(resolve(s), 1000, seed=1)
    >>> sorted(mc.quantiles["fsi"]), mc.outputs["fsi"].shape
    (['mean', 'p05', 'p50', 'p95'], (1000,))
    """
    values = draw(resolved.inputs, samples, seed)
    outputs = evaluate_batch(resolved, values, samples, progress=progress)
    return UncertaintyResult(samples, seed, values, outputs, summarise({**outputs, **values}))


@dataclass(frozen=True)
class TornadoBar:
    """FSI with one input at its 5th and its 95th percentile, the others at their medians."""

    path: str
    low: float
    high: float
    fsi_low: float
    fsi_high: float
    fsi_base: float

    @property
    def swing(self) -> float:
        """|FSI(high) − FSI(low)| [-]."""
        return abs(self.fsi_high - self.fsi_low)


@dataclass(frozen=True)
class Tornado:
    """One-at-a-time sensitivity of the FSI, bars sorted by swing (largest first)."""

    fsi_base: float
    bars: tuple[TornadoBar, ...]

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe dict."""
        return {
            "fsi_base": self.fsi_base,
            "bars": [{**b.__dict__, "swing": b.swing} for b in self.bars],
        }

    def to_frame(self) -> pd.DataFrame:
        """One row per input: its p05 and p95, the FSI at each, the base FSI and the swing."""
        import pandas as pd

        return pd.DataFrame(self.to_dict()["bars"]).set_index("path")


def tornado(resolved: ResolvedScenario) -> Tornado:
    """One-at-a-time sensitivity of the FSI to each uncertain input (one batched call).

    Row 0 has every input at its median; rows 2k+1 and 2k+2 move input k to its 5th and
    95th percentiles.
    """
    k = len(resolved.inputs)
    med = np.array([quantile(x.dist, 0.5)[0] for x in resolved.inputs])
    values = np.tile(med, (2 * k + 1, 1))
    for i, x in enumerate(resolved.inputs):
        values[2 * i + 1, i], values[2 * i + 2, i] = quantile(x.dist, [0.05, 0.95])
    cols = {x.path: values[:, i] for i, x in enumerate(resolved.inputs)}
    fsi = evaluate_batch(resolved, cols, 2 * k + 1)["fsi"]
    bars = [
        TornadoBar(
            x.path,
            float(values[2 * i + 1, i]),
            float(values[2 * i + 2, i]),
            float(fsi[2 * i + 1]),
            float(fsi[2 * i + 2]),
            float(fsi[0]),
        )
        for i, x in enumerate(resolved.inputs)
    ]
    bars.sort(key=lambda b: -b.swing)
    return Tornado(float(fsi[0]), tuple(bars))
