"""Sobol' sensitivity indices of a completed ``sampler: sobol`` sweep (SALib ``sobol.analyze``).

References
----------
.. [1] I. M. Sobol', "Global sensitivity indices for nonlinear mathematical models and their
   Monte Carlo estimates", *Mathematics and Computers in Simulation* 55, 2001, pp. 271-280.
.. [2] A. Saltelli et al., "Variance based sensitivity analysis of model output. Design and
   estimator for the total sensitivity index", *Computer Physics Communications* 181(2),
   2010, pp. 259-270.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from SALib.analyze import sobol

from detente.sweep.spec import SweepSpec
from detente.sweep.store import SweepStore


@dataclass(frozen=True)
class SobolIndices:
    """First-order and total Sobol' indices, with bootstrap confidence half-widths.

    Attributes
    ----------
    first_total : pandas.DataFrame
        Columns ``output``, ``parameter``, ``S1``, ``S1_conf``, ``ST``, ``ST_conf`` [-].
    second : pandas.DataFrame or None
        Columns ``output``, ``parameter_i``, ``parameter_j``, ``S2``, ``S2_conf`` [-] when the
        sweep was sampled with ``second_order: true``.
    conf_level : float
        Confidence level of the ``*_conf`` columns [-].
    """

    first_total: pd.DataFrame
    second: pd.DataFrame | None
    conf_level: float

    def to_frame(self) -> pd.DataFrame:
        """The first-order and total indices."""
        return self.first_total


def sobol_indices(
    store: SweepStore,
    outputs: tuple[str, ...] | None = None,
    *,
    num_resamples: int = 100,
    conf_level: float = 0.95,
    seed: int = 0,
) -> SobolIndices:
    """Sobol' indices of each output of a complete sobol sweep.

    Parameters
    ----------
    store : SweepStore
    outputs : tuple of str, optional
        Outputs to analyse; every numeric output when omitted.
    num_resamples, conf_level, seed
        Bootstrap of the confidence intervals (SALib ``sobol.analyze``).

    Raises
    ------
    ValueError
        When the sweep was not sampled with ``sampler: sobol``, is not complete, or an output
        is not finite. A constant output gets NaN indices (there is no variance to apportion).
    """
    return analyze(
        store.spec(),
        store.results(),
        outputs,
        num_resamples=num_resamples,
        conf_level=conf_level,
        seed=seed,
    )


def analyze(
    spec: SweepSpec,
    results: pd.DataFrame,
    outputs: tuple[str, ...] | None = None,
    *,
    num_resamples: int = 100,
    conf_level: float = 0.95,
    seed: int = 0,
) -> SobolIndices:
    """:func:`sobol_indices` for a spec and its results frame (rows in point-id order)."""
    if spec.sampler != "sobol":
        raise ValueError(
            f"Sobol' indices need a sweep sampled with sampler: sobol, not {spec.sampler}"
        )
    if len(results) != spec.n_points or not np.array_equal(
        results["point_id"].to_numpy(), np.arange(spec.n_points)
    ):
        raise ValueError(
            f"{len(results)} of {spec.n_points} points have results; finish the sweep first "
            f"(run the same command again to resume)"
        )
    names = list(spec.names)
    columns = [c for c in results.columns if c != "point_id" and c not in names]
    if outputs is None:
        outputs = tuple(c for c in columns if pd.api.types.is_numeric_dtype(results[c]))
    problem = {"num_vars": len(names), "names": names, "bounds": [[0.0, 1.0]] * len(names)}
    first, second = [], []
    for name in outputs:
        if name not in columns:
            raise ValueError(f"no output {name!r}; outputs are {', '.join(columns)}")
        y = results[name].to_numpy(dtype=float)
        if not np.isfinite(y).all():
            raise ValueError(
                f"output {name!r} has non-finite values; Sobol' indices need finite ones"
            )
        if np.ptp(y) == 0:  # no variance to apportion: indices undefined
            si = _undefined(len(names))
        else:
            si = sobol.analyze(
                problem,
                y,
                calc_second_order=spec.second_order,
                num_resamples=num_resamples,
                conf_level=conf_level,
                seed=seed,
            )
        for j, p in enumerate(names):
            first.append(
                {
                    "output": name,
                    "parameter": p,
                    "S1": si["S1"][j],
                    "S1_conf": si["S1_conf"][j],
                    "ST": si["ST"][j],
                    "ST_conf": si["ST_conf"][j],
                }
            )
        if spec.second_order:
            for i in range(len(names)):
                for j in range(i + 1, len(names)):
                    second.append(
                        {
                            "output": name,
                            "parameter_i": names[i],
                            "parameter_j": names[j],
                            "S2": si["S2"][i, j],
                            "S2_conf": si["S2_conf"][i, j],
                        }
                    )
    return SobolIndices(
        pd.DataFrame(first, columns=["output", "parameter", "S1", "S1_conf", "ST", "ST_conf"]),
        pd.DataFrame(second) if spec.second_order else None,
        conf_level,
    )


def _undefined(d: int) -> dict[str, np.ndarray]:
    nan1, nan2 = np.full(d, np.nan), np.full((d, d), np.nan)
    return {"S1": nan1, "S1_conf": nan1, "ST": nan1, "ST_conf": nan1, "S2": nan2, "S2_conf": nan2}
