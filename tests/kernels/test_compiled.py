"""The compiled kernel (numba) against the numpy kernel, its reference (models.md §2).

Both solve the same stop rule with the same arithmetic, one row at a time or over arrays,
so they agree to 1e-12 on the hypothesis forces of the other kernel tests: plain, with
missile defences on either side, with DE by weapon type, launch under attack, α = 1 and
k = 0 included. The fast entry of ``stability_index`` and the validated path that
``first_strike`` takes are both checked, and so are the multiparty and context kernels,
which run on ``first_strike``.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from kernels.test_context import as_arrays
from kernels.test_context import side as context_side
from kernels.test_defense import defended_scenarios
from kernels.test_heterogeneous import typed_rows
from kernels.test_multiparty import run_kernel, systems
from kernels.test_stability import (
    W80,
    batch,
    random_rows,
    scenario,
    scenarios,
    t1,
    t1_arguments,
)

from detente.kernels import compiled
from detente.kernels import context as kc
from detente.kernels import stability as ks
from detente.kernels.defense import Defense
from detente.kernels.exchange import Forces

pytestmark = pytest.mark.skipif(not compiled.available(), reason="numba is not installed")

SLOW = settings(max_examples=60, deadline=None)
TOL = 1e-12


@pytest.fixture(autouse=True)
def kernel(compiled_kernel):
    """Every test here runs the compiled kernel (compiled once per session)."""
    return compiled_kernel


WARHEADS = ("x_star", "L", "R", "K", "W_S", "W_V", "L_arriving", "R_arriving")


def assert_same(got, want, w80_a, w80_b, alpha, tol=TOL):
    """Costs, x*, the FirstStrike fields, r and the FSI of two StabilityIndex agree.

    Costs and damages to ``tol``; warhead counts to ``tol`` relative to the row's W_S + W_V
    (R = W_V − K and L = W_S − x* lose the digits that the large terms share). As against
    the plain reference (test_stability.py), D^α has an infinite slope at D = 0: where x*
    sits within floats of an end with L or R = 0, the last ulp of K move the costs by up to
    (8·eps·W/w80)^α, which is added to ``tol`` for the costs.
    """
    eps = 8 * np.finfo(float).eps
    ends = (eps * want.b_first.W_V / w80_a) ** alpha + (eps * want.a_first.W_V / w80_b) ** alpha
    for key in ("C1_A", "C1_B", "C2_A", "C2_B"):
        g, w = getattr(got, key), getattr(want, key)
        assert np.all(np.abs(g - w) <= tol + ends), key
    for first in ("a_first", "b_first"):
        fs = getattr(want, first)
        scale = tol * (1.0 + fs.W_S + fs.W_V)
        for name in ks.FirstStrike._fields:
            g, w = getattr(getattr(got, first), name), getattr(fs, name)
            if w is None:  # kills per element: not asked for
                continue
            atol = scale if name in WARHEADS else tol + ends
            assert np.all(np.abs(g - w) <= atol + tol * np.abs(w)), (first, name)
    # r = C1/C2 magnifies a C2 near 0: compare where C2 is not, else check the definition
    for r, c2 in (("r_uncapped_A", "C2_A"), ("r_uncapped_B", "C2_B")):
        big = (getattr(want, c2) > 1e-3) & (ends < 1e-9)
        np.testing.assert_allclose(getattr(got, r)[big], getattr(want, r)[big], rtol=1e-9, atol=tol)
    np.testing.assert_array_equal(got.r_A, np.minimum(got.r_uncapped_A, 1))
    np.testing.assert_array_equal(got.fsi, got.r_A * got.r_B)


def both(rows, kmax, **extra):
    args, kwargs = batch(rows)
    kwargs.update(extra)
    got = ks.stability_index(*args, kmax=kmax, backend="compiled", **kwargs)
    want = ks.stability_index(*args, kmax=kmax, backend="numpy", **kwargs)
    return got, want, args[2], args[3], kwargs["alpha"]


@SLOW
@given(scenarios())
def test_compiled_equals_numpy_on_hypothesis_forces(data):
    kmax, rows = data
    assert_same(*both(rows, kmax))


@SLOW
@given(defended_scenarios())
def test_compiled_equals_numpy_with_missile_defences(data):
    kmax, rows = data
    assert_same(*both(rows, kmax))


@SLOW
@given(st.lists(scenario(), min_size=1, max_size=4), st.integers(1, 3), st.data())
def test_compiled_equals_numpy_by_weapon_type(rows, kmax, data):
    prob = st.one_of(st.floats(0, 1), st.sampled_from([0.5, 0.8, 1.0]))
    rows = typed_rows(rows, lambda: data.draw(prob))
    if data.draw(st.booleans()):
        rows[0]["defense_b"] = (500.0, 0.8, 1, 0.9)
    assert_same(*both(rows, kmax))


@pytest.mark.parametrize("kmax", [1, 2, 3])
def test_compiled_equals_numpy_on_a_seeded_wide_batch_on_threads(kmax):
    """Tiny to huge w80, DE near 1, α = 1, k = 0; blocks on two threads."""
    rows = random_rows(100 + kmax, 5000)
    rng = np.random.default_rng(kmax)
    for r in rows[::4]:
        r["defense_a"] = (float(rng.uniform(0, 2000)), float(rng.uniform()), 2, 0.9)
    assert_same(*both(rows, kmax, threads=2))


def row_values(si, i):
    """Every output of row ``i`` of a StabilityIndex, as floats (both FirstStrikes too)."""
    fields = [getattr(si, f)[i] for f in ("r_uncapped_A", "r_uncapped_B", "r_A", "r_B", "fsi")]
    fields += [a[i] for a in (*si.a_first[:12], *si.b_first[:12])]
    return np.array(fields)


@SLOW
@given(st.lists(scenario(), min_size=2, max_size=5), st.integers(1, 3), st.booleans())
def test_a_row_alone_gives_the_same_bits_as_in_a_batch(rows, kmax, defended):
    """The one-row fast path (Python numbers and lists, options remembered by value) and a
    batch with per-row options and launch under attack give the same numbers to the bit:
    each row is solved on its own, whatever the batch, the threads or the input types."""
    if defended:
        rows[0]["defense_b"] = (800.0, 0.7, 2, 0.9)
    args, kwargs = batch(rows)
    whole = ks.stability_index(*args, kmax=kmax, backend="compiled", threads=2, **kwargs)
    for i in range(len(rows)):
        one = [ks.Forces(*(x[i : i + 1] for x in side)) for side in args[:2]]
        one += [float(args[2][i]), float(args[3][i]), args[4][i : i + 1].tolist()]
        one += [args[5][i : i + 1].tolist()]
        opts = {k: v[i].item() for k, v in kwargs.items() if k.startswith(("lua", "a", "s"))}
        for key in ("defense_A", "defense_B"):
            if key in kwargs:
                opts[key] = Defense(*(f[i].item() for f in kwargs[key]))
        alone = ks.stability_index(*one, kmax=kmax, backend="compiled", **opts)
        np.testing.assert_array_equal(row_values(alone, 0), row_values(whole, i))


def test_arrays_of_other_layouts_give_the_same_bits():
    """Read-only, strided and integer arrays are refused by the kernel's one compiled
    version (numba raises, nothing is compiled) and fitted first: the same numbers."""
    args, kwargs = batch(random_rows(11, 30))
    a = args[0]._replace(n=np.round(args[0].n))  # whole counts, to be given as integers
    args[0] = a
    want = ks.stability_index(*args, backend="compiled", **kwargs)
    frozen = a.n.copy()
    frozen.flags.writeable = False
    strided = np.repeat(a.m, 2, axis=1)[:, ::2]
    counts = a.n.astype(np.int64)
    for side in (a._replace(n=frozen), a._replace(m=strided), a._replace(n=counts)):
        got = ks.stability_index(side, *args[1:], backend="compiled", **kwargs)
        np.testing.assert_array_equal(row_values(got, slice(None)), row_values(want, slice(None)))


@pytest.fixture
def answered(monkeypatch):
    """Whether each call of the compiled path answered (True) or left it to numpy (False)."""
    answered = []

    def spy(*args, solve=compiled._solve):
        out = solve(*args)
        answered.append(out is not None)
        return out

    monkeypatch.setattr(compiled, "_solve", spy)
    return answered


def test_the_benchmarks_inputs_take_the_compiled_path(answered):
    """No silent fall-back to numpy for the inputs of benchmarks/fsi_throughput.py: plain,
    defended, by weapon type and with launch under attack per row."""
    rows = random_rows(7, 40)
    args, kwargs = batch(rows)
    ks.stability_index(*args, backend="compiled", **kwargs)
    defences = {f"defense_{x}": Defense(np.full(40, 300.0), 0.8, 2, 0.9) for x in "AB"}
    ks.stability_index(*args, backend="compiled", **defences)
    typed = np.repeat(args[4][:, None, :], args[0].n.shape[1], axis=1)
    ks.stability_index(*args[:4], typed, args[5], backend="compiled")
    assert answered == [True, True, True]


@SLOW
@given(scenario(), st.integers(1, 3))
def test_first_strike_takes_the_compiled_path_too(row, kmax):
    """The validated path (first_strike; the multiparty and context kernels use it)."""
    args, kwargs = batch([row])
    params = {k: kwargs[k] for k in ("alpha", "surcharge", "avail", "lua_escape")}
    call = dict(kmax=kmax, lua=kwargs["lua_B"], **params)
    got = ks.first_strike(*args[:5], backend="compiled", **call)
    want = ks.first_strike(*args[:5], backend="numpy", **call)
    for g, w, name in zip(got[:12], want[:12], ks.FirstStrike._fields, strict=False):
        np.testing.assert_allclose(g, w, rtol=TOL, atol=TOL, err_msg=name)


def test_check_cases_and_broadcast_inputs():
    """T1 with scalar DE, alert and w80, a (B,) DE and one defence: both paths agree."""
    side = t1()._replace(alert=0.5)
    for de in (0.8, np.array([0.8]), np.array([[0.8, 0.7]])):
        for extra in ({}, dict(defense_A=Defense(200, 0.9))):
            got = ks.stability_index(side, side, W80, W80, de, 0.8, backend="compiled", **extra)
            want = ks.stability_index(side, side, W80, W80, de, 0.8, backend="numpy", **extra)
            assert_same(got, want, W80, W80, 0.75)
    si = ks.stability_index(t1(), t1(), W80, W80, 0.8, 0.8, backend="compiled")
    assert round(float(si.fsi[0]), 4) == 0.2871  # models.md §2, T1


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (dict(m_B=[[10, -1]]), "m_B must be finite"),
        (dict(w80_A=np.nan), "w80_A must be finite"),
        (dict(alpha=1.5), "alpha must be finite and in"),
        (dict(alpha=0.0), "alpha must be finite and in"),  # (0, 1]: the open end
        (dict(w80_B=0.0), "w80_B must be finite and in"),
        (dict(n_A=[[100, np.inf]]), "n_A must be finite"),
        (dict(alert_A=[[0, 1.5]]), "alert_A must be finite and in"),
        (dict(de_AB=[[0.8, np.nan]]), "de_AB must be finite"),
        # arrays as they are go to the kernel, which checks their shapes
        (dict(m_A=np.array([[10.0, 10.0, 10.0]])), "m_A has shape"),
        (dict(w80_A=np.array([500.0, 500.0])), "w80_A has shape"),
        (dict(de_AB=np.full((1, 3, 2), 0.8)), "de_AB has shape"),
        (dict(de_BA=[[0.8, 0.8, 0.8]]), "de_BA has shape"),
        (dict(fixed_B=[[1, 0]]), "fixed_B must be boolean"),
        (dict(defense_A=Defense(10.0, None)), "defense_A.p_kill must be finite"),
        (dict(defense_B=Defense(0, 0.5, 1.5)), "defense_B.shots_per_rv must be whole"),
    ],
)
def test_bad_input_gets_the_numpy_kernels_message(change, message):
    with pytest.raises(ValueError, match=message):
        ks.stability_index(**t1_arguments(change, backend="compiled"))


def test_option_sets_remembered_by_value_still_refuse_a_number_for_a_flag():
    """lua_A=True is prepared once and remembered; lua_A=1 (equal to True) is not boolean
    and gets the numpy kernel's message, as on a first call."""
    for _ in range(2):
        ks.stability_index(t1(), t1(), W80, W80, 0.8, 0.8, lua_A=True, backend="compiled")
    with pytest.raises(ValueError, match="lua_A must be boolean"):
        ks.stability_index(t1(), t1(), W80, W80, 0.8, 0.8, lua_A=1, backend="compiled")


def test_backend_choice():
    assert compiled.use(1, "compiled") and not compiled.use(10**7, "numpy")
    # auto: by the batch alone, so every process of a sweep makes the same choice
    assert not compiled.use(1, "auto") and compiled.use(compiled.AUTO_ROWS, "auto")
    with pytest.raises(ValueError, match="backend must be one of"):
        compiled.use(1, "fortran")


def ends_of(strike, w80_s, w80_v, alpha):
    """The cost slack near D = 0 of :func:`assert_same` for one strike direction: S's
    damage rests on V's survivors (R/w80_S), V's on S's (L/w80_V)."""
    eps = 8 * np.finfo(float).eps
    return (eps * strike.W_V / w80_s) ** alpha + (eps * strike.W_S / w80_v) ** alpha


@SLOW
@given(systems(), st.sampled_from([1, 2]))
def test_multiparty_kernel_equals_its_numpy_path(sys_, kmax):
    """Every ordered pair with its reserve: costs, ratios and the FSI matrix."""
    got = run_kernel(sys_, kmax=kmax, backend="compiled")
    want = run_kernel(sys_, kmax=kmax, backend="numpy")
    w80 = np.array([sys_["w80"]])
    ends = ends_of(want.strike, w80.swapaxes(1, 2), w80, sys_["alpha"])
    off = ~np.isnan(want.C1)
    for key in ("C1", "C_V"):
        g = got.C1 if key == "C1" else got.strike.C_V
        w = want.C1 if key == "C1" else want.strike.C_V
        assert np.all(np.abs(g - w)[off] <= (TOL + ends)[off]), key
    scale = TOL * (1.0 + want.strike.W_S + want.strike.W_V)
    for name in WARHEADS:
        g, w = getattr(got.strike, name)[off], getattr(want.strike, name)[off]
        assert np.all(np.abs(g - w) <= scale[off] + TOL * np.abs(w)), name
    safe = off & (want.C2 > 1e-3) & (ends < 1e-9) & (ends.swapaxes(1, 2) < 1e-9)
    np.testing.assert_allclose(got.r[safe], want.r[safe], rtol=1e-9, atol=TOL)
    both = safe & safe.swapaxes(1, 2)
    np.testing.assert_allclose(got.fsi[both], want.fsi[both], rtol=1e-9, atol=TOL)
    np.testing.assert_array_equal(np.isnan(got.fsi), np.isnan(want.fsi))


@SLOW
@given(context_side, context_side, st.floats(10, 1e4), st.floats(10, 1e4), st.floats(0, 1),
       st.integers(1, 3), st.booleans())  # fmt: skip
def test_context_strike_equals_its_numpy_path(s, v, w80_s, w80_v, de, kmax, lua):
    """The cost-minimising strike of the context measures: x, arriving warheads, damages."""
    args = (*as_arrays(s), *as_arrays(v), w80_s, w80_v, de)
    got = kc.strike_outcome(*args, kmax=kmax, lua=lua, backend="compiled")
    want = kc.strike_outcome(*args, kmax=kmax, lua=lua, backend="numpy")
    forces = (Forces(*as_arrays(s)), Forces(*as_arrays(v)), w80_s, w80_v, de)
    fs = ks.first_strike(*forces, kmax=kmax, lua=lua, backend="numpy")
    scale = TOL * (1.0 + fs.W_S + fs.W_V)
    np.testing.assert_allclose(got.x, want.x, rtol=TOL, atol=scale[0])
    np.testing.assert_allclose(got.arriving, want.arriving, rtol=TOL, atol=scale[0])
    np.testing.assert_allclose(got.D_S, want.D_S, atol=TOL + scale[0] * ks.LN5 / w80_s)
    np.testing.assert_allclose(got.D_V, want.D_V, atol=TOL + scale[0] * ks.LN5 / w80_v)


def test_multiparty_and_context_take_the_compiled_path(answered):
    """No silent fall-back to numpy: the compiled kernel answers both (per-row options)."""
    party = [(100.0, 10.0, True, 0.5), (30.0, 8.0, False, 0.9)]
    sys_ = dict(parties=[party] * 3, w80=[[500.0] * 3] * 3, de=[[[0.8, 0.7]] * 3] * 3,
                lua=[True, False, True], reserve=[[0.1] * 3] * 3, mode="share", alpha=0.75,
                surcharge=0.3, avail=0.9)  # fmt: skip
    run_kernel(sys_, backend="compiled")
    kc.strike_outcome(*as_arrays(party), *as_arrays(party), W80, W80, 0.8, lua=True,
                      backend="compiled")  # fmt: skip
    assert answered == [True, True]
