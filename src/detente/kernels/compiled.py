"""The compiled path of the stability calculus: when it runs, loading it, calling it.

:mod:`detente.kernels._stability_rows` solves the stop rule of
:mod:`detente.kernels.stability` one batch row at a time, compiled by numba (same steps,
same arithmetic, equal to the numpy kernel to rounding). The numpy kernel stays the
reference and the path where numba is missing. Which path runs is the *backend*:

``"numpy"``
    Always the numpy kernel.
``"compiled"``
    The compiled kernel wherever numba is installed (else numpy).
``"auto"`` (the default)
    The compiled kernel once it is loaded in this process, or for a batch of at least
    :data:`AUTO_ROWS` rows (which pays for importing numba, about a second); else numpy. So
    a one-off answer of the command line starts in a blink, and sweeps, Monte Carlo runs
    and a warm server run compiled.

The default comes from the environment variable ``DETENTE_KERNEL`` (one of the three);
functions of the kernels take ``backend=`` to override it. The first use on a machine
compiles the kernel (a few seconds, said on the terminal) and caches it on disk (numba's
``cache=True``: next to the package, or in the user's cache directory where that is not
writable); later processes load it from there.
"""

from __future__ import annotations

import importlib.util
import os
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np

BACKENDS = ("auto", "compiled", "numpy")
AUTO_ROWS = 20_000  # [rows] from here "auto" loads numba for a batch
_PARALLEL_ROWS = 4_096  # [rows] below this a call stays on one thread
_ENV = "DETENTE_KERNEL"
_lock = threading.Lock()
_rows = None  # the loaded module of compiled functions
_available = None


def available():
    """True where numba is installed (the compiled path can run)."""
    global _available
    if _available is None:
        _available = importlib.util.find_spec("numba") is not None
    return _available


def default_backend():
    """The backend from ``DETENTE_KERNEL`` (default ``"auto"``), or a ValueError."""
    value = os.environ.get(_ENV, "auto").strip().lower() or "auto"
    if value not in BACKENDS:
        raise ValueError(f"{_ENV} must be one of {', '.join(BACKENDS)}; got {value!r}")
    return value


def use(batch, backend=None):
    """Whether a call of ``batch`` rows runs compiled under ``backend`` (None: the default)."""
    backend = default_backend() if backend is None else backend
    if backend not in BACKENDS:
        raise ValueError(f"backend must be one of {', '.join(BACKENDS)}; got {backend!r}")
    if backend == "numpy" or not available():
        return False
    return backend == "compiled" or _rows is not None or batch >= AUTO_ROWS


def loaded():
    """True once the compiled kernel is loaded in this process."""
    return _rows is not None


def load(note=sys.stderr):
    """Import the compiled kernel, compiling it first if this machine has no cached copy.

    Compiling takes a few seconds once per machine (and numba version); a one-line note on
    ``note`` (default: standard error; None for silence) says so. Returns the module.
    """
    global _rows
    if _rows is not None:
        return _rows
    with _lock:
        if _rows is not None:
            return _rows
        from detente.kernels import _stability_rows as rows

        fresh = not all(_cached(f) for f in (rows.stability_rows, rows.direction_rows))
        start = time.perf_counter()
        if fresh and note is not None:
            print(
                "detente: compiling the fast stability kernel for this machine "
                "(once; cached for later runs) ...",
                end="",
                file=note,
                flush=True,
            )
        _warm(rows)
        if fresh and note is not None:
            print(f" done in {time.perf_counter() - start:.1f} s", file=note, flush=True)
        _rows = rows
    return _rows


def _cached(dispatcher):
    """True if numba's on-disk cache holds compiled code of ``dispatcher`` (best effort)."""
    try:
        return bool(dispatcher._cache._cache_file._load_index())
    except Exception:  # numba internals differ: assume it is not cached
        return False


def _warm(rows):
    """Compile (or load from the cache) both entry points on a one-row problem."""
    one = np.ones((1, 1))
    fixed = np.ones((1, 1), dtype=bool)
    vec = np.ones(1)
    no = np.zeros(1, dtype=bool)
    zero = np.zeros(1)
    de = np.full((1, 1, 1), 0.5)
    out = np.empty((2 * rows.FIELDS + rows.EXTRA, 1))
    rows.check_rows(one, one, zero[:, None], one, one, zero[:, None], vec, vec, de, de,
                    vec, vec, vec, vec, zero, zero, vec, vec, zero, zero, vec, vec)  # fmt: skip
    rows.stability_rows(0, 1, one, one, fixed, one, one, one, fixed, one, vec, vec, de, de,
                        False, False, no, no, vec, vec, vec, vec, zero, zero, vec, vec,
                        zero, zero, vec, vec, 2, out)  # fmt: skip
    rows.direction_rows(0, 1, one, one, fixed, one, one, fixed, one, de, False, no, vec, vec,
                        vec, vec, vec, vec, zero, zero, vec, 2, out)  # fmt: skip


def _run(kernel, batch, threads, *args):
    """``kernel(start, stop, *args)`` over the batch, in blocks on up to ``threads`` threads
    (the compiled code releases the GIL)."""
    if threads <= 1 or batch < _PARALLEL_ROWS:
        kernel(0, batch, *args)
        return
    blocks = min(batch // (_PARALLEL_ROWS // 2), 8 * threads)
    edges = np.linspace(0, batch, blocks + 1).astype(np.int64)
    with ThreadPoolExecutor(threads) as pool:
        done = [pool.submit(kernel, int(a), int(b), *args) for a, b in zip(edges[:-1], edges[1:])]
        for future in done:
            future.result()


# ------------------------------------------------------------------ compact arrays


def _fit(a, shape):
    """``a`` with its axes of length 1 kept and the others equal to ``shape``'s, as a
    writeable C array with as many axes as ``shape``; None where it cannot broadcast so."""
    if a.ndim > len(shape):
        return None
    if a.ndim < len(shape):
        a = a.reshape((1,) * (len(shape) - a.ndim) + a.shape)
    for have, want in zip(a.shape, shape, strict=True):
        if have != want and have != 1:
            return None
    flags = a.flags
    if not (flags.c_contiguous and flags.writeable):
        a = a.copy()
    return a


def _floats(x, shape):
    return _fit(np.asarray(x, dtype=float), shape)


def _compact(a):
    """A validated (broadcast) array with its stride-0 axes cut to length 1, as a writeable
    C array: the form the compiled functions read."""
    if a.strides and 0 in a.strides:
        a = a[tuple(slice(0, 1) if s == 0 else slice(None) for s in a.strides)]
    flags = a.flags
    if not (flags.c_contiguous and flags.writeable):
        a = np.array(a, order="C")
    return a


# ------------------------------------------------------------------ entry points


def solve_direction(dr, kmax, threads):
    """The FirstStrike arrays of a validated ``_Direction`` of the numpy kernel, compiled."""
    rows = load()
    batch = dr.inv_w0_s.shape[0]
    s, v = dr.striker, dr.victim
    de = dr.de if dr.hetero else dr.de[:, None, :]
    none = np.zeros(1)
    args = (
        *(_compact(a) for a in (s.n, s.m, s.fixed, v.n, v.m, v.fixed, v.alert, de)),
        bool(dr.hetero),
        *(_compact(a) for a in (dr.lua, dr.lua_escape, dr.avail, dr.inv_w0_s, dr.inv_w0_v)),
        *(_compact(a) for a in (dr.alpha, dr.k)),
        none if dr.p_s is None else _compact(dr.p_s),
        none if dr.cap_s is None else _compact(dr.cap_s),
        np.ones(1) if dr.rho_v is None else _compact(dr.rho_v),
        int(kmax),
    )
    out = np.empty((rows.FIELDS, batch))
    _run(rows.direction_rows, batch, threads, *args, out)
    return out


def stability(args, options, threads):
    """Compiled :func:`~detente.kernels.stability.stability_index`: its output arrays
    (2·12 + 5, B), or None where the inputs are not of the shapes this path reads or a
    value is out of range (then the numpy path names the argument in its error).

    ``args`` are the twelve positional arguments of ``stability_index``; ``options`` a dict
    of its keywords (lua_A, lua_B, alpha, surcharge, avail, kmax, lua_escape and the eight
    defence keywords), with ``kmax`` checked.
    """
    n_a = np.asarray(args[0], dtype=float)
    n_b = np.asarray(args[4], dtype=float)
    if n_a.ndim != 2 or n_b.ndim != 2 or n_a.shape[0] != n_b.shape[0] or n_a.shape[0] == 0:
        return None
    batch, e_a = n_a.shape
    e_b = n_b.shape[1]
    side_a, side_b = (batch, e_a), (batch, e_b)
    fa, fb = np.asarray(args[2]), np.asarray(args[6])
    if fa.dtype != bool or fb.dtype != bool:
        return None
    forces = (
        _fit(n_a, side_a), _floats(args[1], side_a), _fit(fa, side_a), _floats(args[3], side_a),
        _fit(n_b, side_b), _floats(args[5], side_b), _fit(fb, side_b), _floats(args[7], side_b),
    )  # fmt: skip
    row = (batch,)
    w80 = (_floats(args[8], row), _floats(args[9], row))
    de_ab, het_ab = _de(args[10], batch, e_a, e_b)
    de_ba, het_ba = _de(args[11], batch, e_b, e_a)
    lua = tuple(np.asarray(options[k]) for k in ("lua_A", "lua_B"))
    if lua[0].dtype != bool or lua[1].dtype != bool:
        return None
    lua = tuple(_fit(a, row) for a in lua)
    per_row = tuple(_floats(options[k], row) for k in ("alpha", "surcharge", "avail", "lua_escape"))
    defence = []
    for side in "AB":
        p_kill = options[f"p_kill_{side}"]
        interceptors = options[f"interceptors_{side}"]
        if p_kill is None:
            if not (np.ndim(interceptors) == 0 and interceptors == 0):
                return None  # the numpy path checks that no row has interceptors
            p_kill = 0.0
        defence += [
            _floats(interceptors, row),
            _floats(p_kill, row),
            _floats(options[f"shots_per_rv_{side}"], row),
            _floats(options[f"availability_{side}"], row),
        ]
    checked = (*forces, *w80, de_ab, de_ba, *lua, *per_row, *defence)
    if any(a is None for a in checked):
        return None
    rows = load()
    fl = forces
    if rows.check_rows(fl[0], fl[1], fl[3], fl[4], fl[5], fl[7], *w80, de_ab, de_ba,
                       *per_row, *defence):  # fmt: skip
        return None
    out = np.empty((2 * rows.FIELDS + rows.EXTRA, batch))
    _run(rows.stability_rows, batch, threads, *forces, *w80, de_ab, de_ba, het_ab, het_ba,
         *lua, *per_row, *defence, options["kmax"], out)  # fmt: skip
    return out


def _de(de, batch, e_s, e_v):
    """DE as a compact (b, T, E) array and whether it is by weapon type, as ``_check_de``
    and ``_check_de_matrix`` read it; (None, False) for other shapes."""
    de = np.asarray(de, dtype=float)
    if de.ndim == 3:
        return _fit(de, (batch, e_s, e_v)), True
    if de.ndim == 1 and de.shape[0] == batch:
        de = de[:, None]
    if de.ndim > 2:
        return None, False
    de = _fit(de, (batch, e_v))
    return (None if de is None else de[:, None, :]), False
