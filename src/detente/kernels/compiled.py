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
    The compiled kernel for a batch of at least :data:`AUTO_ROWS` rows (which pays for
    importing numba, about a second, once per process); numpy for smaller ones. So a
    one-off answer of the command line starts in a blink, and large sweep chunks and Monte
    Carlo batches run compiled. The choice depends on the batch alone (and on whether this
    machine has compiled the kernel yet), never on what else the process did, so a sweep
    gives the same numbers in-process and on Dask workers.

The default comes from the environment variable ``DETENTE_KERNEL`` (one of the three);
functions of the kernels take ``backend=`` to override it. The first use on a machine
compiles the kernel (a few seconds, said on the terminal) and caches it on disk (numba's
``cache=True``: next to the package, or in the user's cache directory where that is not
writable); later processes load it from there. Under "auto" nothing waits for the
compiler: the first large batch on a machine without a cached kernel starts compiling it
in a background process and runs on numpy meanwhile.
"""

from __future__ import annotations

import contextlib
import importlib.util
import itertools
import os
import subprocess
import sys
import threading
import time

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
    """Whether a call of ``batch`` rows runs compiled under ``backend`` (None: the default).

    Under "auto" a batch of :data:`AUTO_ROWS` or more loads the compiled kernel if this
    machine has it cached; if not, it starts compiling it in the background (once) and this
    call runs on numpy, so no call waits for the compiler. Smaller batches run on numpy
    (``backend="compiled"`` runs them compiled: a few microseconds an evaluation once
    loaded).
    """
    backend = default_backend() if backend is None else backend
    if backend not in BACKENDS:
        raise ValueError(f"backend must be one of {', '.join(BACKENDS)}; got {backend!r}")
    if backend == "numpy" or not available():
        return False
    if backend == "compiled":
        return True
    return batch >= AUTO_ROWS and load(wait=False) is not None


def loaded():
    """True once the compiled kernel is loaded in this process."""
    return _rows is not None


def load(note=sys.stderr, wait=True):
    """The compiled kernel's module, loaded from numba's cache or compiled first.

    Compiling takes a few tens of seconds of one CPU, once per machine (and numba version):
    a one-line note on ``note`` (default: standard error; None for silence) says so. With
    ``wait`` False an uncached kernel is compiled by a background process instead and None
    is returned. Processes compiling at once take turns (a lock file beside the cache), so
    only the first compiles.
    """
    global _rows
    if _rows is not None:
        return _rows
    with _lock:
        if _rows is not None:
            return _rows
        from detente.kernels import _stability_rows as rows

        kernel = rows.stability_rows
        if not _cached(kernel):
            if not wait:
                _compile_in_background(note)
                return None
            with _file_lock(kernel):
                if not _cached(kernel):
                    _compile(rows, note)
        _warm(rows)
        _rows = rows
    return _rows


def _compile(rows, note):
    """Compile the kernel (into numba's cache), with the one-line note."""
    start = time.perf_counter()
    if note is not None:
        print(
            "detente: compiling the fast stability kernel for this machine "
            "(once; cached for later runs) ...",
            end="",
            file=note,
            flush=True,
        )
    _warm(rows)
    if note is not None:
        print(f" done in {time.perf_counter() - start:.0f} s", file=note, flush=True)


_background = []  # the compiling process started by this one, if any


def _compile_in_background(note):
    """Start one process that compiles the kernel into the cache; say so once."""
    if _background:
        return
    code = "from detente.kernels import compiled; compiled.load(note=None)"
    _background.append(
        subprocess.Popen(
            [sys.executable, "-c", code],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
    )
    if note is not None:
        print(
            "detente: compiling the fast stability kernel in the background (once for this "
            "machine); until then the numpy kernel answers",
            file=note,
            flush=True,
        )


def _cached(dispatcher):
    """True if numba's on-disk cache holds compiled code of ``dispatcher`` (best effort)."""
    try:
        return bool(dispatcher._cache._cache_file._load_index())
    except Exception:  # numba internals differ: assume it is not cached
        return False


@contextlib.contextmanager
def _file_lock(dispatcher):
    """An exclusive lock on a file beside numba's cache of ``dispatcher`` (where it can be
    made; else no lock)."""
    try:
        import fcntl

        folder = dispatcher._cache._cache_path
        os.makedirs(folder, exist_ok=True)
        handle = open(os.path.join(folder, "detente-compile.lock"), "a")  # noqa: SIM115
    except Exception:  # no fcntl (Windows), numba internals differ, or not writable
        yield
        return
    with handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _warm(rows):
    """Compile (or load from the cache) the kernel on a one-row problem."""
    one = np.ones((1, 1))
    fixed = np.ones((1, 1), dtype=bool)
    vec = np.ones(1)
    no = np.zeros(1, dtype=bool)
    zero = np.zeros(1)
    de = np.full((1, 1, 1), 0.5)
    out = np.empty((2 * rows.FIELDS + rows.EXTRA, 1))
    rows.stability_rows(0, 1, one, one, fixed, one, one, one, fixed, one, vec, vec, de, de,
                        False, False, no, no, vec, vec, vec, vec, zero, zero, vec, vec,
                        zero, zero, vec, vec, 2, True, out)  # fmt: skip


def _run(kernel, batch, threads, *args):
    """``kernel(start, stop, *args)`` over the batch, in blocks on up to ``threads`` threads
    (the compiled code releases the GIL); the largest error code of the blocks."""
    if threads <= 1 or batch < _PARALLEL_ROWS:
        return kernel(0, batch, *args)
    blocks = min(batch // (_PARALLEL_ROWS // 2), 8 * threads)
    edges = np.linspace(0, batch, blocks + 1).astype(np.int64)
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(threads) as pool:
        done = [pool.submit(kernel, int(a), int(b), *args) for a, b in itertools.pairwise(edges)]
        return max(future.result() for future in done)


# ------------------------------------------------------------------ compact arrays

_SCALARS = {}  # one-element arrays of the scalars seen (defaults, mostly), by value


def _fit(a, shape):
    """``a`` with its axes of length 1 kept and the others equal to ``shape``'s, as a
    writeable C array with as many axes as ``shape``; None where it cannot broadcast so."""
    if a.shape != shape:
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
    """``x`` as a compact float array for ``shape`` (see :func:`_fit`), or None."""
    if len(shape) == 1 and type(x) in (float, int):
        a = _SCALARS.get(x)
        if a is None:
            if len(_SCALARS) > 256:
                _SCALARS.clear()
            a = _SCALARS[x] = np.array([float(x)])
        return a
    return _fit(np.asarray(x, dtype=float), shape)


def _bools(x, shape):
    """``x`` as a compact bool array, or None (also where it is not boolean)."""
    a = np.asarray(x)
    return _fit(a, shape) if a.dtype == bool else None


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


# ------------------------------------------------------------------ entry points


def _solve(args, options, threads, both):
    """The kernel's output (2·12 + 5, B) for the arguments of ``stability_index`` (``both``)
    or the A-strikes-B half of it (first_strike's, renamed); None where the inputs are not
    of the shapes this path reads or a value is out of range (the numpy path then names the
    argument in its error, or computes the odd shapes)."""
    n_a = np.asarray(args[0], dtype=float)
    n_b = np.asarray(args[4], dtype=float)
    if n_a.ndim != 2 or n_b.ndim != 2 or n_a.shape[0] != n_b.shape[0] or n_a.shape[0] == 0:
        return None
    batch, e_a = n_a.shape
    e_b = n_b.shape[1]
    side_a, side_b = (batch, e_a), (batch, e_b)
    row = (batch,)
    de_ab, het_ab = _de(args[10], batch, e_a, e_b)
    de_ba, het_ba = _de(args[11], batch, e_b, e_a)
    inputs = [
        _fit(n_a, side_a), _floats(args[1], side_a), _bools(args[2], side_a),
        _floats(args[3], side_a), _fit(n_b, side_b), _floats(args[5], side_b),
        _bools(args[6], side_b), _floats(args[7], side_b), _floats(args[8], row),
        _floats(args[9], row), de_ab, de_ba, het_ab, het_ba,
        _bools(options["lua_A"], row), _bools(options["lua_B"], row),
    ]  # fmt: skip
    inputs += [_floats(options[k], row) for k in ("alpha", "surcharge", "avail", "lua_escape")]
    for side in "AB":
        p_kill = options[f"p_kill_{side}"]
        interceptors = options[f"interceptors_{side}"]
        if p_kill is None:
            if not (type(interceptors) in (float, int) and interceptors == 0):
                return None  # the numpy path checks that no row has interceptors
            p_kill = 0.0
        inputs += [
            _floats(interceptors, row),
            _floats(p_kill, row),
            _floats(options[f"shots_per_rv_{side}"], row),
            _floats(options[f"availability_{side}"], row),
        ]
    if any(a is None for a in inputs):
        return None
    rows = load()
    out = np.empty((2 * rows.FIELDS + rows.EXTRA if both else rows.FIELDS, batch))
    if _run(rows.stability_rows, batch, threads, *inputs, options["kmax"], both, out):
        return None
    return out


def stability(args, options, threads):
    """Compiled :func:`~detente.kernels.stability.stability_index`: its output arrays
    (2·12 + 5, B), or None where the numpy path must answer (see :func:`_solve`).

    ``args`` are the twelve positional arguments of ``stability_index``; ``options`` a dict
    of its keywords (lua_A, lua_B, alpha, surcharge, avail, kmax, lua_escape and the eight
    defence keywords), with ``kmax`` checked.
    """
    return _solve(args, options, threads, True)


def first_strike(args, options, threads):
    """Compiled :func:`~detente.kernels.stability.first_strike`: its twelve output arrays
    (12, B), or None where the numpy path must answer.

    ``args`` are the eleven positional arguments of ``first_strike``, ``options`` its
    keywords (``lua``, ``interceptors_S``, ...), with ``kmax`` checked.
    """
    renamed = {k: options[k] for k in ("alpha", "surcharge", "avail", "kmax", "lua_escape")}
    renamed.update(lua_A=False, lua_B=options["lua"])
    for mine, theirs in (("A", "S"), ("B", "V")):
        for name in ("interceptors", "p_kill", "shots_per_rv", "availability"):
            renamed[f"{name}_{mine}"] = options[f"{name}_{theirs}"]
    return _solve((*args, 0.0), renamed, threads, False)
