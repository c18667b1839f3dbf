"""The one uncertainty pipeline: draw, evaluate in one batched call, summarise.

Used by scenario assessments (the stability calculus), the inadvertent-war risk Monte Carlo
(:mod:`detente.analysis.risk`) and sweeps (through :meth:`Distribution.ppf
<detente.model.distribution.Uniform.ppf>` on the sampler's unit points). Sample, then
evaluate, then analyse, with an explicit seed:

1. :func:`draw` turns one ``np.random.default_rng(seed)`` matrix of uniforms, shape (K, N),
   into N values of each of the K distributions by their inverse CDFs, so a fixed seed
   reproduces every sample bit for bit.
2. The model is evaluated once on all N rows (for a scenario, :func:`evaluate_batch` builds
   the kernel's element arrays with a batch axis: no Python loop over samples).
3. :class:`Quantiles` summarises each output (p05, p50, p95, mean); :func:`tornado` moves each
   input alone from its 5th to its 95th percentile, the others at their medians, evaluating
   all 2K + 1 cases in one call.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, replace
from typing import TYPE_CHECKING, Any

import numpy as np

from detente.model.scenario import MAX_SAMPLES

if TYPE_CHECKING:
    import pandas as pd
    import xarray as xr

    from detente.analysis.scenario import ResolvedScenario
    from detente.analysis.stability import Side
    from detente.model.distribution import Distribution

#: Rows per kernel call: bounds the element arrays' memory; the progress bar ticks per chunk.
CHUNK_ROWS = 1 << 17
#: Quantiles reported for every output [-].
QUANTILES = {"p05": 0.05, "p50": 0.5, "p95": 0.95}
#: Percentiles a tornado moves each input to [-].
TORNADO_LEVELS = (0.05, 0.95)
Progress = Callable[[int, int], None]
#: ``evaluate(values, size)``: one output of shape (size,) for arrays of shape (size,).
Evaluate = Callable[[dict[str, np.ndarray], int], np.ndarray]


def check_samples(samples: int) -> int:
    """``samples`` if it is a count in [1, MAX_SAMPLES], else a clear ValueError."""
    if isinstance(samples, bool) or not isinstance(samples, int | np.integer):
        raise ValueError(f"samples must be an integer; got {samples!r}")
    if not 1 <= samples <= MAX_SAMPLES:
        raise ValueError(f"samples must be between 1 and {MAX_SAMPLES:,}; got {samples:,}")
    return int(samples)


def draw(distributions: Mapping[str, Distribution], n: int, seed: int) -> dict[str, np.ndarray]:
    """``n`` values of every distribution, from one generator seeded with ``seed``.

    Row k of ``np.random.default_rng(seed).random((K, n))`` goes through the inverse CDF of
    the k-th distribution (in the mapping's order): equal seeds and mappings give equal draws
    bit for bit.

    Parameters
    ----------
    distributions : mapping of str to Distribution
    n : int
        Samples [-], 1 to ``MAX_SAMPLES``.
    seed : int
        Seed [-] (>= 0).

    Returns
    -------
    dict
        Array of shape (n,) per name.

    Examples
    --------
    >>> from detente.model.distribution import DISTRIBUTION
    >>> d = DISTRIBUTION.validate_python({"dist": "fixed", "value": 0.7})
    >>> draw({"de": d}, 3, seed=1)["de"]
    array([0.7, 0.7, 0.7])
    """
    n = check_samples(n)
    u = np.random.default_rng(seed).random((len(distributions), n))
    return {name: d.ppf(u[k]) for k, (name, d) in enumerate(distributions.items())}


@dataclass(frozen=True)
class Quantiles:
    """p05, p50, p95 and mean of a Monte Carlo sample (same unit as the sample).

    Examples
    --------
    >>> Quantiles.of(np.arange(101.0))
    Quantiles(p05=5.0, p50=50.0, p95=95.0, mean=50.0)
    """

    p05: float
    p50: float
    p95: float
    mean: float

    @classmethod
    def of(cls, x: Any) -> Quantiles:
        """The quantiles (``numpy.quantile``, linear) and mean of sample ``x``."""
        q = np.quantile(x, list(QUANTILES.values()))
        return cls(float(q[0]), float(q[1]), float(q[2]), float(np.mean(x)))

    def to_dict(self) -> dict[str, float]:
        """``{'p05': ..., 'p50': ..., 'p95': ..., 'mean': ...}``."""
        return asdict(self)


def summarise(outputs: Mapping[str, np.ndarray]) -> dict[str, Quantiles]:
    """:class:`Quantiles` of every output.

    Examples
    --------
    >>> summarise({"fsi": np.arange(101.0)})["fsi"].p95
    95.0
    """
    return {name: Quantiles.of(x) for name, x in outputs.items()}


@dataclass(frozen=True)
class TornadoBar:
    """An output with one input at its 5th and at its 95th percentile, the others at their
    medians.

    Attributes
    ----------
    input : str
        The input's name (a scenario path or a risk parameter).
    low, high : float
        The input's 5th and 95th percentiles (its unit).
    at_low, at_high : float
        The output with the input at ``low`` and at ``high``.
    base : float
        The output with every input at its median.
    """

    input: str
    low: float
    high: float
    at_low: float
    at_high: float
    base: float

    @property
    def swing(self) -> float:
        """|output(high) − output(low)|."""
        return abs(self.at_high - self.at_low)


@dataclass(frozen=True)
class Tornado:
    """One-at-a-time sensitivity of one output, bars sorted by swing (largest first)."""

    base: float
    bars: tuple[TornadoBar, ...]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict: the base and each bar with its swing."""
        return {"base": self.base, "bars": [{**asdict(b), "swing": b.swing} for b in self.bars]}

    def to_frame(self) -> pd.DataFrame:
        """One row per input: its p05 and p95, the output at each, the base and the swing."""
        import pandas as pd

        return pd.DataFrame(self.to_dict()["bars"]).set_index("input")


def tornado(
    distributions: Mapping[str, Distribution],
    evaluate: Evaluate,
    *,
    levels: tuple[float, float] = TORNADO_LEVELS,
) -> Tornado:
    """One-at-a-time sensitivity of ``evaluate``'s output to each distribution, in one call.

    Row 0 has every input at its median; rows 2k + 1 and 2k + 2 move input k to its
    ``levels`` percentiles (5th and 95th). ``evaluate`` is called once on all 2K + 1 rows.

    Examples
    --------
    >>> from detente.model.distribution import DISTRIBUTION
    >>> d = {k: DISTRIBUTION.validate_python({"dist": "uniform", "low": 0, "high": w})
    ...      for k, w in (("a", 1.0), ("b", 10.0))}
    >>> t = tornado(d, lambda v, n: v["a"] + v["b"])
    >>> t.base, [(b.input, round(b.swing, 6)) for b in t.bars]
    (5.5, [('b', 9.0), ('a', 0.9)])
    """
    names = list(distributions)
    k = len(names)
    med = np.array([distributions[x].ppf(0.5)[0] for x in names])
    values = np.tile(med, (2 * k + 1, 1))
    for i, x in enumerate(names):
        values[2 * i + 1, i], values[2 * i + 2, i] = distributions[x].ppf(list(levels))
    out = np.asarray(evaluate({x: values[:, i] for i, x in enumerate(names)}, 2 * k + 1))
    bars = [
        TornadoBar(
            x,
            float(values[2 * i + 1, i]),
            float(values[2 * i + 2, i]),
            float(out[2 * i + 1]),
            float(out[2 * i + 2]),
            float(out[0]),
        )
        for i, x in enumerate(names)
    ]
    bars.sort(key=lambda b: -b.swing)
    return Tornado(float(out[0]), tuple(bars))


#: Per pair and side, the variables of a batch result its flat outputs carry (:func:`flat_outputs`).
OUTPUT_KINDS = ("r", "surviving", "arriving")
#: Variables of a batch result over ``case`` alone, and what each means.
SYSTEM_VARIABLES = {
    "fsi_system": "the scenario's first-strike stability index [-]: the pair's with two "
    "parties, the smallest pairwise index (reserves against third parties) with three or more",
    "fsi_product": "product of the pairwise indices [-] (three or more parties)",
}


def output_names(resolved: ResolvedScenario) -> list[str]:
    """Flat names of a batch result (:func:`flat_outputs`), in order: the JSON keys and DuckDB
    columns of :func:`evaluate_batch`.

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
        for kind in OUTPUT_KINDS:
            names += [f"{kind}.{tag}{side}" for side in pair]
    return names


def flat_outputs(ds: xr.Dataset) -> dict[str, np.ndarray]:
    """A batch result (:func:`evaluate_batch`) by the flat names of :func:`output_names`, for
    the JSON and DuckDB edges: ``fsi`` (the scenario's index), with three or more parties
    ``fsi_product`` and ``fsi.A-B``, then ``r``, ``surviving``, ``arriving`` per side
    (:func:`~detente.analysis.stability.flatten`, tagged by the pair with three or more).

    Examples
    --------
    >>> from detente.analysis.scenario import resolve
    >>> from detente.model.scenario import parse_scenario
    >>> r = resolve(parse_scenario("name: x\\nparties: [{force: us-2025}, {force: ru-2025}]"))
    >>> list(flat_outputs(evaluate_batch(r, {}, 1))) == output_names(r)
    True
    """
    from detente.analysis.stability import SIDE_VARIABLES, flatten

    multi = "fsi_product" in ds
    out = {"fsi": ds["fsi_system"].values}
    if multi:
        out["fsi_product"] = ds["fsi_product"].values
    for k, pair in enumerate(ds["pair"].values.tolist()):
        labels = tuple(ds["label"].values[k])
        tag = pair if multi else ""
        # numpy slices, not ds.isel: xarray's indexing imports dask.array where dask is
        # installed (see detente.analysis.stability.select)
        flat = flatten({v: ds[v].values[:, k] for v in ("fsi", *SIDE_VARIABLES)}, labels, tag)
        if multi:
            out[f"fsi.{tag}"] = flat[f"fsi.{tag}"]
        mid = f"{tag}." if tag else ""
        for kind in OUTPUT_KINDS:
            out |= {f"{kind}.{mid}{x}": flat[f"{kind}.{mid}{x}"] for x in labels}
    return out


def side_of(ds: xr.Dataset, name: str, pair: tuple[str, str], label: str) -> xr.DataArray:
    """Variable ``name`` of party ``label`` in ``pair`` of a batch result, over ``case``.

    Examples
    --------
    >>> from detente.analysis.scenario import resolve
    >>> from detente.model.scenario import parse_scenario
    >>> r = resolve(parse_scenario("name: x\\nparties: [{force: us-2025}, {force: ru-2025}]"))
    >>> ds = evaluate_batch(r, {}, 1)
    >>> bool(side_of(ds, "r", ("US", "RU"), "RU")[0] == flat_outputs(ds)["r.RU"][0])
    True
    """
    from detente.analysis.stability import select

    return select(ds[name], pair="-".join(pair), side="AB"[pair.index(label)])


@dataclass(frozen=True)
class _Batch:
    """What every chunk of :func:`evaluate_batch` shares: the inputs given, the sides of each
    pair, each row's posture and launch under attack, the chunk's parameters and the kernels'
    backend."""

    active: ResolvedScenario
    values: dict[str, np.ndarray]
    sides: dict[tuple[str, str], list[Side]]
    posture: dict[str, np.ndarray]
    lua: dict[str, np.ndarray]
    alerts: dict[str, dict[str, np.ndarray]]
    params: dict[str, Any]
    kernel: str | None = None


def _columns(side: Side, batch: _Batch, rows: slice, size: int):
    """Element arrays (n, m, fixed, alert) of shape (size, E) and w80 of ``side`` in ``rows``,
    each row in its own posture."""
    from detente.analysis.elements import strategic_holdings

    resolved, values = batch.active, batch.values
    posture = batch.posture[side.label][rows]
    e = side.elements
    n = np.tile(e.n, (size, 1))
    m = np.tile(e.m, (size, 1))
    alert = np.empty((size, len(e)))
    for name, fractions in batch.alerts[side.label].items():
        alert[posture == name] = fractions
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
            elif t.name.startswith("alert."):  # in the rows of that posture
                hit = posture == t.name.removeprefix("alert.")
                alert[hit, j] = v[hit]
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
    from detente.analysis.stability import kernel_defense

    d = kernel_defense(resolved.party(label).defense)
    if d is None:
        return None
    sampled = {
        x.target.name: values[x.path][rows]
        for x in resolved.inputs
        if x.target.kind == "defense" and x.target.party == label
    }
    return d._replace(**sampled)


def _pair_outputs(out, rows, batch, b):
    """Two parties: one call of :func:`stability_index` (with their missile defences)."""
    from detente.analysis.stability import side_values
    from detente.kernels.exchange import Forces
    from detente.kernels.stability import stability_index

    (pair,) = batch.sides
    (a, c), active, values, params = batch.sides[pair], batch.active, batch.values, batch.params
    arr_a, w80_a = _columns(a, batch, rows, b)
    arr_c, w80_c = _columns(c, batch, rows, b)
    si = stability_index(
        Forces(*arr_a), Forces(*arr_c), w80_a, w80_c, params["de"], params["de"],
        lua_A=batch.lua[a.label][rows], lua_B=batch.lua[c.label][rows],
        defense_A=_defense(active, a.label, values, rows),
        defense_B=_defense(active, c.label, values, rows),
        **{k: params[k] for k in KERNEL_PARAMETERS}, backend=batch.kernel,
    )  # fmt: skip
    for name, column in side_values(si).items():
        out[name][rows, 0] = column
    out["fsi_system"][rows] = si.fsi


def _system_outputs(out, rows, batch, b):
    """Three or more parties: one call of :func:`detente.kernels.multiparty.system_index`."""
    from detente.kernels.multiparty import system_index

    labels, params = batch.active.labels, batch.params
    index = {k: i for i, k in enumerate(labels)}
    arrays: dict[str, tuple] = {}
    w80 = np.ones((b, len(labels), len(labels)))  # [b, attacker, victim]; diagonal unused
    for pair_sides in batch.sides.values():
        for side, other in (pair_sides, pair_sides[::-1]):
            arr, w = _columns(side, batch, rows, b)
            arrays.setdefault(side.label, arr)
            w80[:, index[other.label], index[side.label]] = w
    lua = np.stack([batch.lua[k][rows] for k in labels], axis=1)
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
        **{k: params[k] for k in KERNEL_PARAMETERS}, backend=batch.kernel,
    )  # fmt: skip
    out["fsi_system"][rows] = si.fsi_min
    out["fsi_product"][rows] = si.fsi_product
    st = si.strike
    for q, pair in enumerate(batch.sides):
        i, j = index[pair[0]], index[pair[1]]
        out["fsi"][rows, q] = si.fsi[:, i, j]
        for k, (me, them) in enumerate(((i, j), (j, i))):
            at = (rows, q, k)
            out["C1"][at], out["C2"][at] = si.C1[:, me, them], si.C2[:, me, them]
            out["r"][at], out["r_uncapped"][at] = si.r[:, me, them], si.r_uncapped[:, me, them]
            out["x_star"][at] = st.x_star[:, me, them]
            out["surviving"][at] = st.R[:, them, me]
            out["arriving"][at] = st.R_arriving[:, them, me]


def _row_settings(resolved: ResolvedScenario, given, name: str, size: int, allowed) -> dict:
    """Per party, its posture or launch under attack for every row, shape (size,): ``given``
    (a value or ``size`` values per party) or the scenario's."""
    out = {}
    for p in resolved.parties:
        default = p.spec.posture if name == "posture" else p.spec.lua
        v = np.asarray((given or {}).get(p.label, default))
        if v.ndim not in (0, 1) or (v.ndim == 1 and v.shape != (size,)):
            raise ValueError(f"{name} of {p.label}: one value or {size}; got shape {v.shape}")
        if not set(np.unique(v).tolist() if v.ndim else [v.item()]) <= set(allowed):
            raise ValueError(f"{name} of {p.label} must be one of {allowed}; got {v!r}")
        out[p.label] = np.broadcast_to(v, (size,))
    return out


def evaluate_batch(
    resolved: ResolvedScenario,
    values: Mapping[str, np.ndarray],
    size: int,
    *,
    posture: Mapping[str, Any] | None = None,
    lua: Mapping[str, Any] | None = None,
    progress: Progress | None = None,
    chunk_rows: int = CHUNK_ROWS,
    kernel: str | None = None,
) -> xr.Dataset:
    """The stability calculus for ``size`` rows (cases) of input values, over named dimensions.

    Two parties go through :func:`detente.kernels.stability.stability_index` (with their
    missile defences); three or more through :func:`detente.kernels.multiparty.system_index`
    (every striker withholds a reserve against each armed third party; no defences), one
    batched call per chunk of rows. Posture and launch under attack are row inputs too, so a
    posture grid is one call. ``surviving`` counts a side's warheads that survive the other's
    first strike, ``arriving`` those of them that get through the striker's defence.

    Parameters
    ----------
    resolved : ResolvedScenario
    values : mapping
        Array of shape (size,) for each uncertain input's path (inputs not given keep the
        scenario's value).
    size : int
        Rows [-].
    posture, lua : mapping, optional
        Posture (``"day_to_day"``, ``"generated"``) and launch under attack by party, one
        value or an array of shape (size,) (one per row), overriding the scenario's.
    progress : callable, optional
        Called as ``progress(rows_done, size)`` after each chunk.
    chunk_rows : int
        Rows per kernel call.
    kernel : {"auto", "compiled", "numpy"}, optional
        The kernels' backend (:mod:`detente.kernels.compiled`); default ``DETENTE_KERNEL``,
        else ``"auto"``, which picks by the rows of each call. A sweep fixes it for all its
        points (:func:`~detente.kernels.compiled.sweep_kernel`).

    Returns
    -------
    xarray.Dataset
        An :func:`~detente.analysis.stability.index_dataset` over ``case`` (the rows),
        ``pair`` (``"US-RU"``, every pair of parties in file order) and ``side`` (``"A"``,
        ``"B"``, the pair's parties, coordinate ``label``): ``fsi`` per pair, ``C1``, ``C2``,
        ``r`` (capped), ``r_uncapped``, ``x_star``, ``surviving`` and ``arriving`` per side,
        and over ``case`` alone :data:`SYSTEM_VARIABLES` (``fsi_system``; ``fsi_product``
        with three or more parties). :func:`flat_outputs` gives the flat names of
        :func:`output_names` (JSON and DuckDB); :func:`side_of` one side's variable.
    """
    from detente.analysis.elements import elements_from_force
    from detente.analysis.stability import SIDE_VARIABLES, index_dataset, variable
    from detente.model.force import POSTURES

    inputs = tuple(x for x in resolved.inputs if x.path in values)
    values = {x.path: np.broadcast_to(np.asarray(values[x.path], float), (size,)) for x in inputs}
    pairs = resolved.pairs()
    batch = _Batch(
        active=replace(resolved, inputs=inputs),
        values=values,
        sides={pair: resolved.sides(pair) for pair in pairs},
        posture=_row_settings(resolved, posture, "posture", size, POSTURES),
        lua=_row_settings(resolved, lua, "lua", size, (False, True)),
        alerts={
            p.label: {k: elements_from_force(p.force, k).alert for k in POSTURES}
            for p in resolved.parties
        },
        params={},
        kernel=kernel,
    )
    multi = len(resolved.parties) > 2
    out = {"fsi": np.empty((size, len(pairs)))}
    out |= {k: np.empty((size, len(pairs), 2)) for k in SIDE_VARIABLES}
    system = {k: np.empty(size) for k in SYSTEM_VARIABLES if multi or k == "fsi_system"}
    for start in range(0, size, chunk_rows):
        rows = slice(start, min(start + chunk_rows, size))
        chunk = replace(batch, params=_parameters(batch.active, values, rows))
        evaluate_chunk = _system_outputs if multi else _pair_outputs
        evaluate_chunk(out | system, rows, chunk, rows.stop - rows.start)
        if progress is not None:
            progress(rows.stop, size)
    ds = index_dataset(out, pairs, ["-".join(p) for p in pairs])
    for k, v in system.items():
        ds[k] = variable(("case",), v, {"description": SYSTEM_VARIABLES[k]})
    return ds


@dataclass(frozen=True)
class UncertaintyResult:
    """A Monte Carlo over a scenario's uncertain inputs.

    Attributes
    ----------
    samples : int
    seed : int
    inputs : dict
        Sampled values of each uncertain input, shape (samples,).
    outputs : xarray.Dataset
        The batch result over the samples (``case``), pairs and sides (:func:`evaluate_batch`).
    quantiles : dict of str to Quantiles
        p05, p50, p95, mean of every output (by the flat names of :func:`output_names`, as
        the JSON and CSV write them) and input.
    """

    samples: int
    seed: int
    inputs: dict[str, np.ndarray]
    outputs: xr.Dataset
    quantiles: dict[str, Quantiles]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary (quantiles, not samples)."""
        quantiles = {k: q.to_dict() for k, q in self.quantiles.items()}
        return {"samples": self.samples, "seed": self.seed, **quantiles}

    def to_frame(self) -> pd.DataFrame:
        """One row per output and input: p05, p50, p95, mean."""
        import pandas as pd

        rows = [{"quantity": k, **q.to_dict()} for k, q in self.quantiles.items()]
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
    >>> q = mc.quantiles["fsi"]
    >>> q.p05 < q.p50 < q.p95, dict(mc.outputs.sizes)
    (True, {'case': 1000, 'pair': 1, 'side': 2})
    """
    values = draw(scenario_distributions(resolved), samples, seed)
    outputs = evaluate_batch(resolved, values, samples, progress=progress)
    flat = flat_outputs(outputs)
    return UncertaintyResult(samples, seed, values, outputs, summarise({**flat, **values}))


def scenario_distributions(resolved: ResolvedScenario) -> dict[str, Distribution]:
    """The scenario's uncertain inputs, by path."""
    return {x.path: x.dist for x in resolved.inputs}


def scenario_tornado(resolved: ResolvedScenario) -> Tornado:
    """One-at-a-time sensitivity of the FSI to each uncertain input of a scenario: one
    batched :func:`evaluate_batch` call (see :func:`tornado`)."""
    return tornado(
        scenario_distributions(resolved),
        lambda v, n: evaluate_batch(resolved, v, n)["fsi_system"].values,
    )
