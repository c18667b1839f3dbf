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
    machine has compiled the kernel yet), never on what else the process did.

A sweep chooses once for all its points (:func:`sweep_kernel`): every chunk, on every
backend and in every resumed run, runs on the kernel its file records, so its numbers do
not depend on how the points were split into chunks or where they ran (docs/sweeps.md).

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
    value = os.environ.get(_ENV)
    if value is None:
        return "auto"
    value = value.strip().lower() or "auto"
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
    if backend is None:
        backend = default_backend()
    if backend == "compiled":
        return _available if _available is not None else available()
    if backend == "auto":
        return batch >= AUTO_ROWS and available() and load(wait=False) is not None
    if backend != "numpy":
        raise ValueError(f"backend must be one of {', '.join(BACKENDS)}; got {backend!r}")
    return False


def sweep_kernel(points, backend=None, note=sys.stderr):
    """The kernel, ``"compiled"`` or ``"numpy"``, that every chunk of a sweep of ``points``
    points runs on (its file records the choice, so a resumed run keeps it).

    ``"numpy"`` and ``"compiled"`` (``backend`` or ``DETENTE_KERNEL``) are taken as given
    (compiled where numba is installed). Under ``"auto"`` a sweep of :data:`AUTO_ROWS` points
    or more runs compiled if this machine has the kernel cached; if not, compiling it starts
    in the background (the note says so, on ``note``) and this sweep runs on numpy, so no
    sweep waits tens of seconds for the compiler. Processes that evaluate a ``"compiled"``
    sweep load the kernel before its first chunk, compiling it where their machine has not
    (:func:`load`).

    Examples
    --------
    >>> sweep_kernel(4_698), sweep_kernel(10**6, backend="numpy")
    ('numpy', 'numpy')
    """
    if backend is None:
        backend = default_backend()
    if backend not in BACKENDS:
        raise ValueError(f"backend must be one of {', '.join(BACKENDS)}; got {backend!r}")
    if backend == "numpy" or not available():
        return "numpy"
    if backend == "compiled":
        return "compiled"
    if points < AUTO_ROWS:
        return "numpy"
    if loaded():
        return "compiled"
    from detente.kernels import _stability_rows as rows

    if _cached(rows.stability_rows):
        return "compiled"
    _compile_in_background(note)
    return "numpy"


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
        # one version (the array types _inputs makes): other types raise a TypeError
        # instead of compiling another for a minute (_solve then fits them)
        kernel.disable_compile()
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
    de = np.full((1, 1, 1), 0.5)
    opts = np.array([[0.0, 0.0, 0.75, 0.3, 0.9, 0.9, 0.0, 0.0, 1.0, 1.0, 0.0, 0.0, 1.0, 1.0]]).T
    step = np.zeros(rows.OPTIONS, dtype=np.int64)
    out = np.empty((2 * rows.FIELDS + rows.EXTRA, 1))
    rows.stability_rows(0, 1, one, one, fixed, one, one, one, fixed, one, vec, vec, de, de,
                        False, False, opts, step, 2, True, _scratch(rows, 1, 2), out)  # fmt: skip


_local = threading.local()  # each thread's scratch array for the kernel


def _scratch(rows, e_max, kmax):
    """The calling thread's scratch array for the kernel, of at least
    :func:`~detente.kernels._stability_rows.work_size` floats (kept for the next call)."""
    work = getattr(_local, "work", None)
    size = rows.work_size(e_max, kmax)
    if work is None or work.shape[0] < size:
        work = _local.work = np.empty(max(size, 4096))
    return work


def _run(rows, batch, threads, e_max, kmax, args, out):
    """The kernel over the batch, in blocks on ``threads`` threads (the compiled code
    releases the GIL), each with its thread's scratch array; the largest error code."""
    blocks = min(batch // (_PARALLEL_ROWS // 2), 8 * threads)
    edges = np.linspace(0, batch, blocks + 1).astype(np.int64)

    def block(start, stop):
        work = _scratch(rows, e_max, kmax)
        return rows.stability_rows(start, stop, *args, work, out)

    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(threads) as pool:
        done = [pool.submit(block, int(a), int(b)) for a, b in itertools.pairwise(edges)]
        return max(future.result() for future in done)


# ------------------------------------------------------------------ compact arrays

_F8 = np.dtype(float)
_B1 = np.dtype(bool)
_SCALARS = {}  # one-element arrays of the scalars seen (defaults, mostly), by type and value
_SCALAR_TYPES = (float, int, bool, type(None))
_ROW_OPTIONS = 4  # alpha, surcharge, avail, lua_escape


def _scalar(x, dtype):
    """A shared one-element array of the Python scalar ``x`` (read-only by convention)."""
    key = (type(x), x)
    a = _SCALARS.get(key)
    if a is None:
        if len(_SCALARS) > 256:
            _SCALARS.clear()
        a = _SCALARS[key] = np.array([x], dtype=dtype)
    return a


class _UnfitError(Exception):
    """An input this path does not read (a shape, type or value for the numpy path)."""


def _fit(a, shape):
    """``a`` with its axes of length 1 kept and the others equal to ``shape``'s, as a
    writeable C array with as many axes as ``shape``; :class:`_UnfitError` where it cannot
    broadcast so."""
    if a.shape != shape:
        if a.ndim > len(shape):
            raise _UnfitError
        if a.ndim < len(shape):
            a = a.reshape((1,) * (len(shape) - a.ndim) + a.shape)
        for have, want in zip(a.shape, shape, strict=True):
            if have != want and have != 1:
                raise _UnfitError
    if not a.flags.carray:  # C-contiguous, aligned and writeable, as the kernel is typed
        a = a.copy()
    return a


def _floats(x, shape):
    """``x`` as a compact float array for ``shape`` (see :func:`_fit`).

    The common cases first: an array that already fits (taken as it is: ``flags.carray``
    is C-contiguous, aligned and writeable at once) and a Python number for a per-row value
    (one shared array per value).
    """
    t = type(x)
    if t is np.ndarray:
        if x.dtype is _F8 and x.shape == shape and x.flags.carray:
            return x
    elif (t is float or t is int) and len(shape) == 1:
        return _scalar(float(x), float)
    return _fit(np.asarray(x, dtype=float), shape)


def _bools(x, shape):
    """``x`` as a compact bool array (:class:`_UnfitError` where it is not boolean)."""
    t = type(x)
    if t is np.ndarray:
        if x.dtype is _B1 and x.shape == shape and x.flags.carray:
            return x
    elif t is bool and len(shape) == 1:
        return _scalar(x, bool)
    a = np.asarray(x)
    if a.dtype != _B1:
        raise _UnfitError
    return _fit(a, shape)


def _de(de, batch, e_s, e_v):
    """DE as a compact (b, T, E) array and whether it is by weapon type, as ``_check_de``
    and ``_check_de_matrix`` read it (:class:`_UnfitError` for other shapes)."""
    if type(de) is not np.ndarray or de.dtype is not _F8:
        de = np.asarray(de, dtype=float)
    ndim = de.ndim
    if ndim == 3:
        return _fit(de, (batch, e_s, e_v)), True
    if ndim == 1 and de.shape[0] == batch:
        de = de[:, None]
    elif ndim > 2:
        raise _UnfitError
    return _fit(de, (batch, e_v))[:, None, :], False


_PREPARED = {}  # the compact option arrays of option values seen, by value


def _options(values, row):
    """The kernel's options array and the step of each option along the batch (0: one
    value for all rows) from ``values`` (see :func:`stability`); :class:`_UnfitError`
    where this path cannot take them.

    Options given as Python scalars (the usual case) are prepared once per distinct set of
    values, so a one-row call costs one dictionary lookup here. Only the launch-under-attack
    flags tell a bool from an equal number (the others take either), so a cached set is only
    looked up with both flags bool.
    """
    if type(values[0]) is bool and type(values[1]) is bool:  # (1 == True: lua must be bool)
        try:
            hit = _PREPARED.get(values)
        except TypeError:  # an array among them
            hit = None
        if hit is not None:
            return hit
    lua_a, lua_b, *rest = values
    compact = [_bools(lua_a, row), _bools(lua_b, row)]
    compact += [_floats(v, row) for v in rest[:_ROW_OPTIONS]]
    defences = rest[_ROW_OPTIONS:]
    for side in range(2):
        interceptors, p_kill, shots, availability = defences[4 * side : 4 * side + 4]
        if p_kill is None:
            if not (type(interceptors) in (float, int) and interceptors == 0):
                raise _UnfitError  # the numpy path checks that no row has interceptors
            p_kill = 0.0
        compact += [_floats(v, row) for v in (interceptors, p_kill, shots, availability)]
    step = np.array([a.shape[0] > 1 for a in compact], dtype=np.int64)
    opts = np.empty((len(compact), row[0] if step.any() else 1))
    for j, a in enumerate(compact):
        opts[j, : a.shape[0]] = a  # a one-value option fills its first column only
    prepared = (opts, step)
    if all(type(v) in _SCALAR_TYPES for v in values):
        if len(_PREPARED) > 64:
            _PREPARED.clear()
        _PREPARED[values] = prepared
    return prepared


# ------------------------------------------------------------------ entry points


def _solve(args, values, kmax, threads, both):
    """The kernel's output (2·12 + 5 arrays of shape (B,)) for the arguments of
    ``stability_index`` (``both``) or the A-strikes-B half of it (first_strike's, renamed);
    None where the inputs are not of the shapes this path reads or a value is out of range
    (the numpy path then names the argument in its error, or computes the odd shapes).

    Arrays of the kernel's dtypes go to it as they are: numba's dispatch checks their
    layout (a TypeError where it differs: compiling more versions is turned off) and the
    kernel their shapes (:data:`~detente.kernels._stability_rows.BAD_SHAPE`); where either
    refuses them, they are fitted first (:func:`_inputs`), as other inputs are.
    """
    rows = _rows if _rows is not None else load()
    ready = _ready(args)
    if ready is not None and (threads <= 1 or ready[0].shape[0] < _PARALLEL_ROWS):
        try:
            inputs = (*ready, *_options(values, ready[0].shape[:1]))
            out = _call(rows, inputs, kmax, threads, both)
        except (_UnfitError, TypeError, ValueError):  # (TypeError: numba's, other types)
            out = _REFIT
        if out is not _REFIT:
            return out
    try:
        inputs = _inputs(args, values)
    except (_UnfitError, TypeError, ValueError):  # (TypeError, ValueError: not numbers)
        return None
    out = _call(rows, inputs, kmax, threads, both)
    return None if out is _REFIT else out


_REFIT = object()  # what _call returns where the kernel found shapes it cannot read


def _call(rows, inputs, kmax, threads, both):
    """The kernel on ``inputs`` (see :func:`_inputs`): its output rows as a tuple, None
    where a value is out of range, :data:`_REFIT` where a shape does not fit."""
    batch = inputs[0].shape[0]
    e_max = max(inputs[0].shape[1], inputs[4].shape[1])
    out = np.empty((_BOTH if both else rows.FIELDS, batch))
    if threads <= 1 or batch < _PARALLEL_ROWS:
        work = _scratch(rows, e_max, kmax)
        bad = rows.stability_rows(0, batch, *inputs, kmax, both, work, out)
    else:
        bad = _run(rows, batch, threads, e_max, kmax, (*inputs, kmax, both), out)
    if bad == rows.BAD_SHAPE:
        return _REFIT
    return None if bad else tuple(out)


def _ready(args):
    """The kernel's arrays as they are given, with the flags for DE by weapon type, where
    all twelve are arrays of its dtypes and DE is 2-d or 3-d (else None)."""
    n_a, m_a, f_a, al_a, n_b, m_b, f_b, al_b, w80_a, w80_b, de_ab, de_ba = args
    nd, f8 = np.ndarray, _F8
    if not (
        type(n_a) is nd and type(m_a) is nd and type(f_a) is nd and type(al_a) is nd
        and type(n_b) is nd and type(m_b) is nd and type(f_b) is nd and type(al_b) is nd
        and type(w80_a) is nd and type(w80_b) is nd and type(de_ab) is nd
        and type(de_ba) is nd
    ):  # fmt: skip
        return None
    if not (
        n_a.dtype is f8 and m_a.dtype is f8 and f_a.dtype is _B1 and al_a.dtype is f8
        and n_b.dtype is f8 and m_b.dtype is f8 and f_b.dtype is _B1 and al_b.dtype is f8
        and w80_a.dtype is f8 and w80_b.dtype is f8 and de_ab.dtype is f8
        and de_ba.dtype is f8
    ):  # fmt: skip
        return None
    if n_a.ndim != 2 or n_b.ndim != 2:
        return None
    het_ab, het_ba = de_ab.ndim == 3, de_ba.ndim == 3
    if not het_ab:
        if de_ab.ndim != 2:
            return None
        de_ab = de_ab[:, None, :]
    if not het_ba:
        if de_ba.ndim != 2:
            return None
        de_ba = de_ba[:, None, :]
    return n_a, m_a, f_a, al_a, n_b, m_b, f_b, al_b, w80_a, w80_b, de_ab, de_ba, het_ab, het_ba


_BOTH = 29  # rows of the kernel's output for both directions: 2·FIELDS + EXTRA


def _inputs(args, values):
    """The kernel's inputs from the arguments, as compact arrays (:class:`_UnfitError`, or
    numpy's TypeError or ValueError for what is not numbers)."""
    n_a, m_a, f_a, al_a, n_b, m_b, f_b, al_b, w80_a, w80_b, de_ab, de_ba = args
    if type(n_a) is not np.ndarray or n_a.dtype is not _F8:
        n_a = np.asarray(n_a, dtype=float)
    if type(n_b) is not np.ndarray or n_b.dtype is not _F8:
        n_b = np.asarray(n_b, dtype=float)
    side_a, side_b = n_a.shape, n_b.shape
    if len(side_a) != 2 or len(side_b) != 2 or side_a[0] != side_b[0] or side_a[0] == 0:
        raise _UnfitError
    batch = side_a[0]
    row = (batch,)
    de_ab, het_ab = _de(de_ab, batch, side_a[1], side_b[1])
    de_ba, het_ba = _de(de_ba, batch, side_b[1], side_a[1])
    return (
        _floats(n_a, side_a), _floats(m_a, side_a), _bools(f_a, side_a),
        _floats(al_a, side_a), _floats(n_b, side_b), _floats(m_b, side_b),
        _bools(f_b, side_b), _floats(al_b, side_b), _floats(w80_a, row),
        _floats(w80_b, row), de_ab, de_ba, het_ab, het_ba, *_options(values, row),
    )  # fmt: skip


def stability(args, values, kmax, threads):
    """Compiled :func:`~detente.kernels.stability.stability_index`: a tuple of its output
    arrays (2·12 + 5 of shape (B,)), or None where the numpy path must answer (see
    :func:`_solve`).

    ``args`` are the twelve positional arguments of ``stability_index``; ``values`` its
    options in the kernel's order: lua_A, lua_B, alpha, surcharge, avail, lua_escape, then
    interceptors, p_kill, shots_per_rv and availability of A's defence and of B's (no
    defence: 0, None, 1, 1.0); ``kmax`` checked.
    """
    return _solve(args, values, kmax, threads, True)


def first_strike(args, values, kmax, threads):
    """Compiled :func:`~detente.kernels.stability.first_strike`: a tuple of its twelve
    output arrays of shape (B,), or None where the numpy path must answer.

    ``args`` are the eleven positional arguments of ``first_strike``; ``values`` as for
    :func:`stability` with lua_A False, lua_B ``lua``, A's defence S's and B's V's.
    """
    return _solve((*args, _NO_DE), values, kmax, threads, False)


_NO_DE = np.zeros((1, 1))  # B's DE where only A strikes (read by the range check only)
