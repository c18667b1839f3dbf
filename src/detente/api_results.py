"""Results of the front door (:mod:`detente.api`) that the analysis layer does not have.

:class:`StabilityCases` is the stability of two sides over a ``case`` dimension (constants
broadcast against each other), evaluated in one call of the batched kernel and held as an
:class:`xarray.Dataset` with named dimensions ``case`` and ``side``. Names are flattened to
columns only in :meth:`StabilityCases.to_frame` and :meth:`StabilityCases.to_dict`.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from detente.errors import InputError

if TYPE_CHECKING:
    import pandas as pd
    import plotly.graph_objects as go
    import xarray as xr

    from detente.analysis.stability import Side, StabilityParams

#: Most cases one call of :func:`detente.stability` evaluates.
MAX_CASES = 1_000_000


def _broadcast(arrays: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The arrays broadcast to one 1-d ``case`` axis (clear error where they do not)."""
    try:
        shaped = np.broadcast_arrays(*(np.asarray(v, dtype=float) for v in arrays.values()))
    except ValueError:
        shapes = {k: np.shape(v) for k, v in arrays.items()}
        raise InputError(f"the array constants do not broadcast together: {shapes}") from None
    if shaped[0].ndim != 1:
        raise InputError(f"array constants must be one-dimensional, got shape {shaped[0].shape}")
    if not 1 <= shaped[0].size <= MAX_CASES:
        raise InputError(f"between 1 and {MAX_CASES:,} cases, got {shaped[0].size:,}")
    for name, v in zip(arrays, shaped, strict=True):
        if not np.isfinite(v).all():
            raise InputError("every value must be finite", field=name)
    return dict(zip(arrays, shaped, strict=True))


def stability_cases(
    sides: list[Side], params: StabilityParams, arrays: dict[str, np.ndarray]
) -> StabilityCases:
    """Stability of ``sides`` for every case of the broadcast ``arrays``, in one kernel call.

    ``arrays`` holds any of ``de``, ``alpha``, ``surcharge``, ``avail`` and ``w80_<label>``;
    ``params`` gives the constants that are not arrays.
    """
    from detente.analysis.stability import kernel_defense
    from detente.kernels.exchange import Forces
    from detente.kernels.stability import stability_index

    cases = _broadcast(arrays)
    n = next(iter(cases.values())).size
    a, b = sides
    forces = [Forces(*(np.broadcast_to(x, (n, x.shape[1])) for x in s.forces)) for s in sides]
    try:
        si = stability_index(
            *forces,
            cases.get(f"w80_{a.label}", a.w80),
            cases.get(f"w80_{b.label}", b.w80),
            cases.get("de", params.de),
            cases.get("de", params.de),
            lua_A=a.lua,
            lua_B=b.lua,
            alpha=cases.get("alpha", params.alpha),
            surcharge=cases.get("surcharge", params.surcharge),
            avail=cases.get("avail", params.avail),
            kmax=params.kmax,
            lua_escape=params.lua_escape,
            defense_A=kernel_defense(a.defense),
            defense_B=kernel_defense(b.defense),
        )
    except ValueError as exc:
        raise InputError(str(exc)) from None
    return StabilityCases.from_index(si, (a.label, b.label), cases, tuple(sides))


@dataclass(frozen=True, repr=False)
class StabilityCases:
    """First-strike stability of two sides over a ``case`` dimension.

    Attributes
    ----------
    dataset : xarray.Dataset
        ``fsi`` over ``case``; ``C1``, ``C2``, ``r``, ``r_uncapped``, ``x_star``,
        ``surviving``, ``arriving`` over ``case`` and ``side``; the varied constants as
        ``case`` coordinates.
    """

    dataset: xr.Dataset = field()
    sides: tuple[Side, ...] = field(default=(), compare=False)

    @classmethod
    def from_index(
        cls,
        si: Any,
        labels: tuple[str, str],
        cases: dict[str, np.ndarray],
        sides: tuple[Side, ...] = (),
    ) -> StabilityCases:
        """From a kernel :class:`~detente.kernels.stability.StabilityIndex` over the cases:
        the analysis layer's :func:`~detente.analysis.stability.index_dataset`, its sides
        named by ``labels`` and the varied constants as ``case`` coordinates; ``sides`` name
        the forces in figures."""
        from detente.analysis.stability import dimension, index_dataset, side_values, variable

        dataset = index_dataset(side_values(si), [labels] * si.fsi.size).drop_vars("label")
        dataset = dataset.assign_coords(dimension("side", labels))
        cases = {k: variable(("case",), v) for k, v in cases.items()}
        return cls(dataset.assign_coords(cases), sides)

    @property
    def fsi(self) -> np.ndarray:
        """The index of every case [-]."""
        return self.dataset["fsi"].values

    @property
    def varied(self) -> list[str]:
        """Names of the constants that vary over ``case``."""
        return [k for k in self.dataset.coords if k not in ("side", "case")]

    def to_frame(self) -> pd.DataFrame:
        """One row per case: the varied constants, ``fsi`` and ``<variable>_<side>`` columns
        (:func:`~detente.analysis.stability.flatten`)."""
        import pandas as pd

        from detente.analysis.stability import flatten

        columns = {name: self.dataset[name].values for name in self.varied}
        columns.update(flatten(self.dataset, self.dataset["side"].values, sep="_"))
        return pd.DataFrame(columns).rename_axis("case")

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict: the varied constants and each variable as lists (NaN as None)."""
        frame = self.to_frame()
        return {c: [None if not np.isfinite(x) else float(x) for x in frame[c]] for c in frame}

    def summary(self) -> str:
        """One line: how many cases, what varies, the index's range."""
        lo, hi = float(np.nanmin(self.fsi)), float(np.nanmax(self.fsi))
        varied = ", ".join(self.varied)
        return (
            f"{self.fsi.size} cases over {varied}: first-strike stability index from "
            f"{lo:.2f} to {hi:.2f} (1 = neither side gains by striking first)"
        )

    def __repr__(self) -> str:
        return f"<StabilityCases: {self.summary()}>"

    def _repr_html_(self) -> str:
        table = self.to_frame().head(20).to_html(float_format=lambda x: f"{x:.4g}")
        return f"<p>{html.escape(self.summary())}</p>{table}"

    def plot(self) -> go.Figure:
        """The index (and each side's r) against the first varied constant: the figure of the
        web page's "index against one input" (:func:`~detente.report.stability_figures.
        index_against_figure`)."""
        from detente.analysis.stability import select
        from detente.report.stability_figures import describe, index_against_figure
        from detente.report.words import input_label

        name = self.varied[0]
        ds = self.dataset
        labels = [str(s) for s in ds["side"].values]
        label = name.split("_", 1)
        path = f"parties.{label[1]}.w80" if label[0] == "w80" else f"parameters.{name}"
        r = {k: select(ds["r"], side=k).values for k in labels}
        scenario, sources = describe(self.sides)
        return index_against_figure(
            ds[name].values, input_label(path), ds["fsi"].values, r, scenario, sources
        )
