"""Samplers: a sweep spec -> the inputs of every point, in point-id order.

``lhs`` and ``sobol`` draw points in the unit hypercube, then map each column through its
parameter: ``bounds`` linearly, ``dist`` through its inverse distribution function
(:meth:`Distribution.ppf <detente.model.distribution.Uniform.ppf>`, the one every layer uses),
``values`` by cutting [0, 1) into equal parts, one per level. ``grid`` is the Cartesian
product of the levels, the first parameter varying slowest.

* ``lhs``: our own vectorised Latin hypercube [1]_ (:func:`latin_hypercube`): each column an
  independent random permutation of the n strata, each point jittered uniformly inside its
  stratum, drawn with numpy's ``default_rng(seed)`` in O(n d) array operations (ten million
  points of four parameters: 1.5 to 5 s of CPU and a process peak of 0.44 GB, where SALib's
  ``latin.sample``, a Python loop per point, took 37 to 49 s and 2.3 GB). It replaced SALib's
  in December 2026: a seed gives other points than before; a stored sweep keeps its points.
* ``sobol``: Saltelli's scheme [2]_ on a scrambled Sobol' sequence (:func:`saltelli`): SALib's
  ``sobol.sample`` [3]_ bit for bit, its Python loop over the points replaced by array
  copies.

References
----------
.. [1] M. D. McKay, R. J. Beckman, W. J. Conover, "A comparison of three methods for selecting
   values of input variables in the analysis of output from a computer code",
   *Technometrics* 21(2), 1979, pp. 239-245, doi:10.2307/1268522.
.. [2] A. Saltelli, "Making best use of model evaluations to compute sensitivity indices",
   *Computer Physics Communications* 145(2), 2002, pp. 280-297,
   doi:10.1016/S0010-4655(02)00280-1.
.. [3] J. Herman, W. Usher, "SALib: An open-source Python library for sensitivity analysis",
   *Journal of Open Source Software* 2(9), 2017, doi:10.21105/joss.00097.
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
    """Points in the unit hypercube, shape ``(n_points, n_parameters)``, for lhs or sobol."""
    d = len(spec.parameters)
    if spec.sampler == "lhs":
        return latin_hypercube(spec.points, d, seed=spec.seed)
    if spec.sampler == "sobol":
        return saltelli(spec.points, d, second_order=spec.second_order, seed=spec.seed)
    raise ValueError(f"no unit sample for the {spec.sampler!r} sampler")


def saltelli(n: int, d: int, *, second_order: bool, seed: int) -> np.ndarray:
    """Saltelli's scheme [2]_ on a scrambled Sobol' sequence: SALib's ``sobol.sample`` [3]_
    on the unit hypercube, bit for bit, its blocks assembled by array copies.

    SALib draws the base sequence, ``scipy.stats.qmc.Sobol(d=2*d, scramble=True,
    seed=seed).random(n)`` (its first ``d`` columns the matrix A, the rest B), then copies it
    into the blocks one value at a time in Python (all but 1 s of the 12 to 15 s of CPU that
    10.5 million points took); here the same copies are whole arrays. Row ``i`` of A gives
    the block ``A_i``, then ``AB_k`` (``A_i`` with column ``k`` from ``B_i``) for each ``k``,
    then with ``second_order`` ``BA_k`` (``B_i`` with column ``k`` from ``A_i``), then
    ``B_i``.

    Parameters
    ----------
    n : int
        Base sample size N (a power of 2).
    d : int
        Number of dimensions (parameters) D.
    second_order : bool
        Add the ``BA_k`` rows needed for second-order indices.
    seed : int
        Seed of the scrambling.

    Returns
    -------
    numpy.ndarray
        Shape ``(n (d + 2), d)``, or ``(n (2 d + 2), d)`` with ``second_order``; values in
        [0, 1) [-].

    Examples
    --------
    >>> u = saltelli(2, 2, second_order=False, seed=0).reshape(2, 4, 2)  # A, AB_0, AB_1, B
    >>> bool((u[:, 1, 0] == u[:, 3, 0]).all() and (u[:, 1, 1] == u[:, 0, 1]).all())
    True
    """
    from scipy.stats import qmc  # loads scipy.stats (about a second): sobol sweeps only

    base = qmc.Sobol(d=2 * d, scramble=True, seed=seed).random(n)
    a, b = base[:, :d], base[:, d:]
    k = np.arange(d)
    blocks = [(a, b)] + ([(b, a)] if second_order else [])  # (AB_k), then (BA_k)
    out = np.empty((n, 2 + d * len(blocks), d))
    out[:, 0], out[:, -1] = a, b
    for i, (rest, swapped) in enumerate(blocks):
        cross = out[:, 1 + i * d : 1 + (i + 1) * d]  # d rows per base row
        cross[:] = rest[:, None, :]
        cross[:, k, k] = swapped
    return out.reshape(-1, d)


#: The Latin hypercube's jitter grid has at most ``2**JITTER_GRID_BITS`` cells in [0, 1)
#: (``n * 2**bits`` for ``n`` strata of ``2**bits`` cells; see :func:`latin_hypercube`).
JITTER_GRID_BITS = 51


def latin_hypercube(n: int, d: int, *, seed: int) -> np.ndarray:
    """A Latin hypercube of ``n`` points in ``d`` dimensions of the unit hypercube [1]_.

    The columns are drawn from ``rng = numpy.random.default_rng(seed)`` one after another,
    each with a random permutation ``k = rng.permutation(n)`` of the strata
    ``[k/n, (k+1)/n)``, then the jitter ``m = rng.integers(0, 2**bits, n)``, and

        u = (k + (m + 1/2) / 2**bits) / n,

    with ``bits = 51 - ceil(log2 n)``: each point sits at the middle of one of ``2**bits``
    equal cells of its stratum, a uniform jitter on a grid of spacing ``1 / (n 2**bits)``,
    between ``2**-51`` and ``2**-50`` (4.4e-16 to 8.9e-16, four to eight times the spacing
    of floating-point numbers just below 1). Every value is then at least ``2**-52`` from its
    stratum's edges and the one rounding of the division moves it by at most ``2**-54``, so it
    stays strictly inside its stratum, and ``floor(u * n)`` (likewise ``floor(u * L)`` for the
    ``L`` levels of a ``values`` parameter, ``L`` dividing ``n``) is its stratum exactly: each
    column has exactly one point in each stratum, and no value is ``0`` or ``1`` (a normal's
    inverse distribution function stays finite). A plain ``(k + rng.random()) / n`` rounds
    ``k + jitter`` up to ``k + 1`` now and then (a point on its neighbour's stratum, or at
    exactly 1): with odds of ``ulp(k) / 2`` per point, about one column in 250 at ten million
    points.

    Parameters
    ----------
    n : int
        Number of points, ``1 <= n <= 2**51``.
    d : int
        Number of dimensions (parameters).
    seed : int
        Seed of numpy's ``default_rng``: the same seed gives the same points.

    Returns
    -------
    numpy.ndarray
        Shape ``(n, d)``, values in (0, 1) [-]; column-major (each column contiguous). Memory:
        the result and at most two temporary columns, at most ``8 n (d + 2)`` bytes
        (measured: 0.39 GB above the interpreter's for ``n = 10**7, d = 4``).

    Examples
    --------
    >>> u = latin_hypercube(4, 2, seed=0)
    >>> u.shape, bool(((u > 0) & (u < 1)).all())
    ((4, 2), True)
    >>> sorted(np.floor(u[:, 0] * 4).astype(int).tolist())  # one point in each quarter
    [0, 1, 2, 3]
    """
    if not 1 <= n <= 2**JITTER_GRID_BITS:
        raise ValueError(f"a Latin hypercube needs 1 to 2**51 points, not {n}")
    bits = JITTER_GRID_BITS - (n - 1).bit_length()
    cells = float(n << bits)  # cells of the whole interval; exact (at most 2**51)
    rng = np.random.default_rng(seed)
    unit = np.empty((d, n))
    for column in unit:
        stratum = rng.permutation(n)
        stratum <<= bits  # the first cell of the stratum
        stratum += rng.integers(0, 1 << bits, size=n)  # the cell within it
        np.add(stratum, 0.5, out=column)  # its middle; exact (below 2**52)
        column /= cells  # the one rounding
    return unit.T


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
