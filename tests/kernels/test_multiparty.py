"""Tests of the multiparty first-strike stability kernel (reserves, pairwise and system index).

Two tolerance regimes: exact equality where the kernel must reproduce another kernel call
(two parties, an unarmed party, one holder's reserve), and 1e-9 (plus the singular-end slack
of ``test_stability.py``) against the plain-Python reference below, which loops over ordered
pairs and calls the plain reference of the two-party calculus.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from kernels import reference_kent_thaler as ref

from detente.kernels import multiparty as mp
from detente.kernels import stability as ks
from detente.kernels.exchange import Forces

W80 = 500.0 * ks.LN5  # w0 = 500, as in the check cases of models.md §2
SLOW = settings(max_examples=30, deadline=None)
T1 = [(100.0, 10.0, True, 0.0), (50.0, 10.0, False, 0.5)]
T2 = [(1000.0, 1.0, True, 0.0), (50.0, 10.0, False, 0.5)]


# ------------------------------------------------------------------ plain reference


def reference_system(parties, w80, de, lua, reserve, mode, *, kmax=2, **params):
    """Plain-Python system index: parties are lists of (n, m, fixed, alert) elements.

    ``w80[a][v]`` and ``de[s][v]`` (one DE per victim element) are nested lists, ``lua`` a list
    of bools, ``reserve[s][t]`` a nested list of ρ_ST.
    """
    avail = params.get("avail", 0.9)
    size = len(parties)
    usable = [sum(n * m if f else avail * n * m for n, m, f, _ in p) for p in parties]
    armed = [sum(n * m for n, m, _, _ in p) > 0 for p in parties]
    out = {"C_S": {}, "C_V": {}, "held": {}}
    for s in range(size):
        for v in range(size):
            if s == v:
                continue
            held = 0.0
            for t in range(size):
                if t in (s, v) or not armed[t]:
                    continue
                rho = reserve[s][t]
                held += {"share": rho * usable[s], "warheads": rho, "w80": rho * w80[s][t]}[mode]
            held = min(held, usable[s])
            keep = 1.0 - held / usable[s] if usable[s] > 0 else 1.0
            striker = [(n * keep, m, f, a) for n, m, f, a in parties[s]]
            fs = ref.first_strike(
                striker, parties[v], w80[v][s], w80[s][v], de[s][v][: len(parties[v])],
                lua=lua[v], kmax=kmax,
                **params,
            )  # fmt: skip
            out["C_S"][s, v], out["C_V"][s, v], out["held"][s, v] = fs["C_S"], fs["C_V"], held
    fsi = {}
    for s in range(size):
        for v in range(s + 1, size):
            caps = []
            for x, y in ((s, v), (v, s)):
                c1, c2 = out["C_S"][x, y], out["C_V"][y, x]
                caps.append(min(1.0, 1.0 if c1 == c2 == 0 else (c1 / c2 if c2 else math.inf)))
            fsi[s, v] = caps[0] * caps[1]
    out["fsi"] = fsi
    out["min"] = min(fsi.values())
    out["product"] = math.prod(fsi.values())
    return out


def arrays(parties):
    """(1, P, E) kernel arrays of plain parties, padded with n = 0 elements."""
    width = max(len(p) for p in parties)
    padded = [p + [(0.0, 1.0, False, 0.0)] * (width - len(p)) for p in parties]
    return [np.array([[[e[j] for e in p] for p in padded]]) for j in range(4)]


@st.composite
def systems(draw):
    size = draw(st.integers(2, 4))

    def party():
        return [
            (
                draw(st.one_of(st.integers(0, 300).map(float), st.floats(0, 2000))),
                draw(st.sampled_from([0.0, 1.0, 3.0, 8.0, 10.0])),
                draw(st.booleans()),
                draw(st.one_of(st.just(0.5), st.floats(0, 1))),
            )
            for _ in range(draw(st.integers(1, 3)))
        ]

    parties = [party() for _ in range(size)]
    width = max(len(p) for p in parties)
    positive = st.floats(10.0, 1e4)
    de = st.floats(0.3, 0.95)
    mode = draw(st.sampled_from(mp.RESERVE_MODES))
    amount = {"share": st.floats(0, 0.6), "warheads": st.floats(0, 800), "w80": st.floats(0, 1.5)}
    return dict(
        parties=parties,
        w80=[[draw(positive) for _ in range(size)] for _ in range(size)],
        de=[[[draw(de) for _ in range(width)] for _ in range(size)] for _ in range(size)],
        lua=[draw(st.booleans()) for _ in range(size)],
        reserve=[[draw(amount[mode]) for _ in range(size)] for _ in range(size)],
        mode=mode,
        alpha=draw(st.sampled_from([0.75, 1.0, 0.5])),
        surcharge=draw(st.sampled_from([0.3, 0.0, 1.0])),
        avail=draw(st.floats(0.5, 1.0)),
    )


def run_kernel(sys_, **kw):
    params = {k: sys_[k] for k in ("alpha", "surcharge", "avail")}
    return mp.system_index(
        *arrays(sys_["parties"]),
        np.array([sys_["w80"]]),
        np.array([sys_["de"]]),
        lua=np.array([sys_["lua"]]),
        reserve=np.array([sys_["reserve"]]),
        reserve_mode=sys_["mode"],
        **params,
        **kw,
    )


@SLOW
@given(systems())
def test_kernel_equals_plain_reference(sys_):
    si = run_kernel(sys_)
    params = {k: sys_[k] for k in ("alpha", "surcharge", "avail")}
    want = reference_system(
        sys_["parties"], sys_["w80"], sys_["de"], sys_["lua"], sys_["reserve"], sys_["mode"],
        **params,
    )  # fmt: skip
    total = max(sum(n * m for n, m, _, _ in p) for p in sys_["parties"])
    # D^α is steep at D = 0: a minimum within rounding of L or R = 0 moves costs by this.
    slack = (8 * np.finfo(float).eps * total / min(map(min, sys_["w80"]))) ** sys_["alpha"]
    for (s, v), held in want["held"].items():
        assert si.reserve[0, s, v] == pytest.approx(held, rel=1e-12, abs=1e-9)
        assert si.C1[0, s, v] == pytest.approx(want["C_S"][s, v], abs=1e-9 + slack)
        assert si.C2[0, v, s] == pytest.approx(want["C_V"][s, v], abs=1e-9 + slack)
    c2_small = min(want["C_V"].values()) < 1e-3
    if not c2_small and slack < 1e-6:
        for (s, v), fsi in want["fsi"].items():
            assert si.fsi[0, s, v] == pytest.approx(fsi, rel=1e-6, abs=1e-9)
        assert si.fsi_min[0] == pytest.approx(want["min"], rel=1e-6, abs=1e-9)
        assert si.fsi_product[0] == pytest.approx(want["product"], rel=1e-6, abs=1e-9)
    # The system index is the least and the product of the kernel's own pairwise indices.
    upper = si.fsi[0][np.triu_indices(len(sys_["parties"]), 1)]
    assert si.fsi_min[0] == upper.min() and si.fsi_product[0] == np.prod(upper)
    np.testing.assert_array_equal(si.fsi, si.fsi.swapaxes(1, 2))


# ------------------------------------------------------------------ reductions


def random_parties(seed, batch, parties, width=3):
    rng = np.random.default_rng(seed)
    n = rng.integers(0, 300, (batch, parties, width)).astype(float)
    n[rng.random(n.shape) < 0.2] = rng.uniform(0, 2000)
    m = rng.choice([0.0, 1.0, 3.0, 10.0], (batch, parties, width))
    fixed = rng.random((batch, parties, width)) < 0.5
    alert = rng.random((batch, parties, width))
    w80 = np.exp(rng.uniform(np.log(10), np.log(1e4), (batch, parties)))
    de = rng.uniform(0.2, 1.0, (batch, parties, parties, width))
    lua = rng.random((batch, parties)) < 0.3
    return n, m, fixed, alert, w80, de, lua


@pytest.mark.parametrize("reserve", [0.0, 0.5, 3.0])
def test_two_parties_equal_the_two_party_index_exactly(reserve):
    """Two parties have no third party: any reserve is 0 and stability_index is reproduced."""
    n, m, fixed, alert, w80, de, lua = random_parties(1, 2000, 2)
    si = mp.system_index(n, m, fixed, alert, w80, de, lua=lua, reserve=reserve)
    a, b = (Forces(n[:, i], m[:, i], fixed[:, i], alert[:, i]) for i in (0, 1))
    want = ks.stability_index(
        a, b, w80[:, 0], w80[:, 1], de[:, 0, 1], de[:, 1, 0], lua_A=lua[:, 0], lua_B=lua[:, 1]
    )
    assert not si.reserve.any()
    pairs = {
        "C1": ((0, 1, "C1_A"), (1, 0, "C1_B")),
        "C2": ((0, 1, "C2_A"), (1, 0, "C2_B")),
        "r": ((0, 1, "r_A"), (1, 0, "r_B")),
        "r_uncapped": ((0, 1, "r_uncapped_A"), (1, 0, "r_uncapped_B")),
    }
    for name, entries in pairs.items():
        for i, j, key in entries:
            np.testing.assert_array_equal(getattr(si, name)[:, i, j], getattr(want, key))
    np.testing.assert_array_equal(si.strike.x_star[:, 0, 1], want.x_star_A)
    np.testing.assert_array_equal(si.fsi[:, 0, 1], want.fsi)
    np.testing.assert_array_equal(si.fsi_min, want.fsi)
    np.testing.assert_array_equal(si.fsi_product, want.fsi)


def test_check_case_t1_for_every_pair_without_reserve():
    """Three copies of T1 (models.md §2) without reserves: every pair is T1, FSI 0.2871."""
    si = mp.system_index(*arrays([T1, T1, T1]), W80, 0.8, reserve=0.0)
    off = ~np.eye(3, dtype=bool)
    assert np.all(si.C1[0][off].round(4) == 0.5712)
    assert np.all(si.C2[0][off].round(4) == 1.0660)
    assert np.all(si.fsi[0][off].round(4) == 0.2871)
    assert round(float(si.fsi_product[0]), 4) == round(0.287098**3, 4)


@pytest.mark.parametrize("mode", mp.RESERVE_MODES)
def test_an_unarmed_party_changes_nothing(mode):
    """Adding a party without warheads keeps every index and reserve exactly."""
    n, m, fixed, alert, w80, _, lua = random_parties(2, 500, 3)
    amount = {"share": 0.3, "warheads": 200.0, "w80": 1.0}[mode]
    kw = dict(reserve=amount, reserve_mode=mode)
    idle = np.zeros((500, 1, 3))
    grown = mp.system_index(
        np.concatenate([n, idle + 40.0], axis=1),  # launchers, but no warheads on them
        np.concatenate([m, idle], axis=1),
        np.concatenate([fixed, idle > 0], axis=1),
        np.concatenate([alert, idle], axis=1),
        np.concatenate([w80, np.full((500, 1), 321.0)], axis=1),
        0.7,
        lua=np.concatenate([lua, np.ones((500, 1), bool)], axis=1),
        **kw,
    )
    base_de = mp.system_index(n, m, fixed, alert, w80, 0.7, lua=lua, **kw)
    for key in ("fsi_min", "fsi_product"):
        np.testing.assert_array_equal(getattr(grown, key), getattr(base_de, key))
    for key in ("C1", "C2", "fsi", "reserve"):
        np.testing.assert_array_equal(getattr(grown, key)[:, :3, :3], getattr(base_de, key))
    assert np.all(grown.fsi[:, 3, :3] == 1.0) and np.all(grown.fsi[:, :3, 3] == 1.0)


# ------------------------------------------------------------------ directions


@SLOW
@given(systems(), st.integers(0, 3), st.floats(0.0, 1.0))
def test_a_larger_reserve_never_lowers_the_holders_ratio(sys_, holder, extra):
    """More reserve held by S: C1_S|V never falls, C2_S|V is unchanged, so r_S|V never falls."""
    holder %= len(sys_["parties"])
    before = run_kernel(sys_)
    more = [list(row) for row in sys_["reserve"]]
    cap = {"share": 1.0, "warheads": 5000.0, "w80": 5.0}[sys_["mode"]]
    more[holder] = [x + (cap - x) * extra for x in more[holder]]
    after = run_kernel(dict(sys_, reserve=more))
    assert np.all(after.reserve[0, holder] >= before.reserve[0, holder])
    others = np.arange(len(sys_["parties"])) != holder
    assert np.all(after.C1[0, holder, others] >= before.C1[0, holder, others] - 1e-12)
    np.testing.assert_array_equal(after.C2[0, holder], before.C2[0, holder])
    assert np.all(
        after.r_uncapped[0, holder, others] >= before.r_uncapped[0, holder, others] - 1e-12
    )


def test_a_reserve_can_lower_the_victims_ratio():
    """T2 (models.md §2): S keeping 60 % of its weapons turns from counterforce to value.

    x* falls from 1050 to 184.7, the victim's cost of being struck rises from 0.7343 to
    0.8255 and its ratio r_V|S falls below 1 (0.9585): the pair becomes less stable.
    """
    reserve = np.zeros((1, 3, 3))
    reserve[0, 0, 2] = 0.4  # only S (party 0) holds a reserve, against party 2
    kw = dict(reserve_mode="share")
    none = mp.system_index(*arrays([T2, T2, T2]), W80, 0.8, reserve=0.0, **kw)
    held = mp.system_index(*arrays([T2, T2, T2]), W80, 0.8, reserve=reserve, **kw)
    assert held.reserve[0, 0, 1] == pytest.approx(0.4 * 1450)
    assert (round(float(none.strike.x_star[0, 0, 1]), 1), round(float(none.C2[0, 1, 0]), 4)) == (
        1050.0,
        0.7343,
    )
    assert round(float(held.strike.x_star[0, 0, 1]), 1) == 184.7
    assert round(float(held.C2[0, 1, 0]), 4) == 0.8255
    assert round(float(held.r_uncapped[0, 1, 0]), 4) == 0.9585
    assert held.fsi[0, 0, 1] < none.fsi[0, 0, 1] == 1.0
    assert held.r_uncapped[0, 0, 1] > none.r_uncapped[0, 0, 1]  # the holder's own ratio rises


# ------------------------------------------------------------------ reserve rules


def test_reserve_rules_by_hand():
    """Three parties: A 100×10 silos (W 1000), B and C survivable 100×10 (W 900 each)."""
    n = np.full((1, 3, 1), 100.0)
    m = np.full((1, 3, 1), 10.0)
    fixed = np.array([[[True], [False], [False]]])
    w80 = np.array([[100.0, 200.0, 300.0]])  # per victim
    share = mp.reserve_withheld(n, m, fixed, w80, 0.25, reserve_mode="share")
    np.testing.assert_allclose(share[0], [[0, 250, 250], [225, 0, 225], [225, 225, 0]])
    by_w80 = mp.reserve_withheld(n, m, fixed, w80, 2.0)
    np.testing.assert_allclose(by_w80[0], [[0, 600, 400], [600, 0, 200], [400, 200, 0]])
    capped = mp.reserve_withheld(n, m, fixed, w80, 1e4, reserve_mode="warheads")
    np.testing.assert_allclose(capped[0], [[0, 1000, 1000], [900, 0, 900], [900, 900, 0]])
    full = mp.system_index(n, m, fixed, 0.0, w80, 0.8, reserve=1e4, reserve_mode="warheads")
    assert np.all(full.strike.W_S[0][~np.eye(3, dtype=bool)] == 0.0)  # nothing left to use


def test_chunks_and_threads_do_not_change_results():
    n, m, fixed, alert, w80, de, lua = random_parties(3, 400, 3)
    base = mp.system_index(n, m, fixed, alert, w80, de, lua=lua)
    other = mp.system_index(n, m, fixed, alert, w80, de, lua=lua, chunk_size=7, threads=2)
    for key in ("C1", "C2", "fsi", "fsi_min", "fsi_product"):
        np.testing.assert_array_equal(getattr(other, key), getattr(base, key))


# ------------------------------------------------------------------ bad input

GOOD = dict(n=[[[100.0], [50.0]]], m=10.0, fixed=True, alert=0.0, w80=500.0, de=0.8)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (dict(n=[[100.0, 50.0]]), r"n must have shape \(B, P, E\)"),
        (dict(n=[[[100.0]]]), "at least two parties"),
        (dict(m=[[1.0, 2.0, 3.0]]), "shape of n"),
        (dict(w80=0.0), r"w80 must be finite and in \(0"),
        (dict(w80=np.ones((1, 3))), "w80 has shape"),
        (dict(de=1.5), r"de must be finite and in \[0, 1\]"),
        (dict(de=np.ones((1, 2))), "de has shape"),
        (dict(reserve=-1.0), r"reserve must be finite and in \[0"),
        (dict(reserve=0.5, reserve_mode="share", m=-1.0), "m_party must be finite"),
        (dict(reserve=1.5, reserve_mode="share"), r"reserve must be finite and in \[0, 1\]"),
        (dict(reserve_mode="all"), "reserve_mode must be one of"),
        (dict(lua=1), "lua must be boolean"),
        (dict(lua=np.zeros((1, 3), bool)), "lua has shape"),
        (dict(alpha=0.0), r"alpha must be finite and in \(0, 1\]"),
    ],
)
def test_bad_input_raises_a_clear_value_error(change, message):
    kw = dict(GOOD, **change)
    args = [kw.pop(k) for k in ("n", "m", "fixed", "alert", "w80", "de")]
    with pytest.raises(ValueError, match=message):
        mp.system_index(*args, **kw)
