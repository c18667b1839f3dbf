"""Samplers: a sweep spec -> the inputs of every point, in point-id order.

``lhs`` and ``sobol`` draw points in the unit hypercube with SALib (``latin.sample``;
``sobol.sample``, Saltelli's scheme for Sobol' indices), then map each column through its
parameter: ``bounds`` linearly, ``dist`` through its inverse distribution function
(:meth:`Distribution.ppf <detente.model.distribution.Uniform.ppf>`, the one every layer uses),
``values`` by cutting [0, 1) into equal parts, one per level. ``grid`` is the Cartesian
product of the levels, the first parameter varying slowest.

References
----------
.. [1] M. D. McKay, R. J. Beckman, W. J. Conover, "A comparison of three methods for selecting
   values of input variables in the analysis of output from a computer code",
   *Technometrics* 21(2), 1979, pp. 239-245.
.. [2] A. Saltelli, "Making best use of model evaluations to compute sensitivity indices",
   *Computer Physics Communications* 145(2), 2002, pp. 280-297.
"""

from __future__ import annotations

import numpy as np

from detente.sweep.spec import Parameter, SweepSpec


def sample(spec: SweepSpec) -> dict[str, np.ndarray]:
    """The inputs of every point of ``spec``: parameter name -> array of shape ``(n_points,)``.

    Examples
    --------
    >>> from detente.sweep.spec import parse_spec
    >>> spec = parse_spec('''
    ... model: ishigami
    ... sampler: grid
    ... parameters:
    ...   - {name: x1, bounds: [0, 1], levels: 3}
    ...   - {name: x2, values: [-1, 1]}
    ... ''')
    >>> {k: v.tolist() for k, v in sample(spec).items()}
    {'x1': [0.0, 0.0, 0.5, 0.5, 1.0, 1.0], 'x2': [-1, 1, -1, 1, -1, 1]}
    """
    if spec.sampler == "grid":
        return _grid(spec.parameters)
    unit = unit_sample(spec)
    return {p.name: from_unit(p, unit[:, j]) for j, p in enumerate(spec.parameters)}


def unit_sample(spec: SweepSpec) -> np.ndarray:
    """Points in the unit hypercube, shape ``(n_points, n_parameters)``, for lhs or sobol.

    SALib is imported here, not with the module: it loads ``scipy.stats`` (about a second),
    which a grid sweep never needs.
    """
    from SALib.sample import latin
    from SALib.sample import sobol as saltelli

    d = len(spec.parameters)
    problem = {"num_vars": d, "names": list(spec.names), "bounds": [[0.0, 1.0]] * d}
    if spec.sampler == "lhs":
        return latin.sample(problem, spec.points, seed=spec.seed)
    if spec.sampler == "sobol":
        return saltelli.sample(
            problem, spec.points, calc_second_order=spec.second_order, scramble=True, seed=spec.seed
        )
    raise ValueError(f"no unit sample for the {spec.sampler!r} sampler")


def from_unit(parameter: Parameter, u: np.ndarray) -> np.ndarray:
    """Map ``u`` in [0, 1) to values of ``parameter``.

    Examples
    --------
    >>> p = Parameter(name="mirv", values=("allowed", "banned"))
    >>> from_unit(p, np.array([0.1, 0.5, 0.99])).tolist()
    ['allowed', 'banned', 'banned']
    >>> from_unit(Parameter(name="x", bounds=(10, 20)), np.array([0.0, 0.25])).tolist()
    [10.0, 12.5]
    """
    u = np.asarray(u, dtype=float)
    if parameter.values is not None:
        levels = _levels(parameter)
        index = np.minimum((u * len(levels)).astype(np.int64), len(levels) - 1)
        return levels[index]
    if parameter.bounds is not None:
        lo, hi = parameter.bounds
        return lo + u * (hi - lo)
    return parameter.dist.ppf(u)


def _levels(parameter: Parameter) -> np.ndarray:
    if parameter.values is not None:
        values = parameter.values
        if all(isinstance(v, str) for v in values):
            return np.array(values, dtype=object)
        return np.array(values)
    lo, hi = parameter.bounds
    return np.linspace(lo, hi, parameter.levels)


def _grid(parameters: tuple[Parameter, ...]) -> dict[str, np.ndarray]:
    levels = [_levels(p) for p in parameters]
    index = np.meshgrid(*(np.arange(len(v)) for v in levels), indexing="ij")
    return {p.name: v[i.ravel()] for p, v, i in zip(parameters, levels, index, strict=True)}
