"""The upload kernel against a slow plain-Python reference, and its invariants."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from detente.kernels.upload import launchers_in_use, upload

SETTINGS = settings(max_examples=60, deadline=None)


def reference_upload(warheads, capacity, reserve, pool, rate, delay, months):
    """One scenario, one month and one system at a time (models.md §4, kernels/upload.py)."""
    w = [float(x) for x in warheads]
    r = [float(x) for x in reserve]
    out = [list(w)]
    for t in range(1, months + 1):
        requests = []
        for s in range(len(w)):
            active = min(max(t - delay[s], 0.0), 1.0)
            room = max(capacity[s] - w[s], 0.0)
            requests.append(min(rate[s] * active, room))
        asked = [0.0] * len(r)
        for s, q in enumerate(requests):
            asked[pool[s]] += q
        grants = []
        for s, q in enumerate(requests):
            p = pool[s]
            grants.append(q if asked[p] <= r[p] else q * r[p] / asked[p])
        for s, g in enumerate(grants):
            w[s] += g
            r[pool[s]] -= g
        r = [max(x, 0.0) for x in r]
        out.append(list(w))
    return out, r


amount = st.floats(0, 2000, allow_nan=False, allow_infinity=False)


@st.composite
def cases(draw):
    """A random batch of upload problems: 1-3 scenarios, 1-5 systems, 1-3 pools."""
    b = draw(st.integers(1, 3))
    s = draw(st.integers(1, 5))
    p = draw(st.integers(1, 3))
    months = draw(st.integers(0, 18))

    def arr(shape, elements):
        return np.array(
            draw(st.lists(elements, min_size=int(np.prod(shape)), max_size=int(np.prod(shape))))
        ).reshape(shape)

    warheads = arr((b, s), amount)
    capacity = arr((b, s), amount)
    reserve = arr((b, p), amount)
    rate = arr((b, s), st.floats(0, 300, allow_nan=False))
    delay = arr((b, s), st.floats(0, 6, allow_nan=False))
    pool = np.array(draw(st.lists(st.integers(0, p - 1), min_size=s, max_size=s)))
    return warheads, capacity, reserve, pool, rate, delay, months


@SETTINGS
@given(cases())
def test_kernel_matches_the_reference(case) -> None:
    warheads, capacity, reserve, pool, rate, delay, months = case
    out = upload(warheads, capacity, reserve, pool, rate, delay, months=months)
    for i in range(warheads.shape[0]):
        ref, left = reference_upload(
            warheads[i], capacity[i], reserve[i], pool, rate[i], delay[i], months
        )
        np.testing.assert_allclose(out.deployed[i], ref, rtol=1e-12, atol=1e-9)
        np.testing.assert_allclose(out.reserve[i, -1], left, rtol=1e-12, atol=1e-9)


@SETTINGS
@given(cases())
def test_totals_never_exceed_capacity_and_pools_never_go_negative(case) -> None:
    warheads, capacity, reserve, pool, rate, delay, months = case
    out = upload(warheads, capacity, reserve, pool, rate, delay, months=months)
    ceiling = np.maximum(capacity, warheads)[:, None, :]
    assert (out.deployed <= ceiling * (1 + 1e-12) + 1e-9).all()
    assert (out.reserve >= 0).all()
    assert (np.diff(out.deployed, axis=1) >= 0).all(), "upload never removes warheads"
    added = out.deployed[:, -1] - out.deployed[:, 0]
    for p in range(reserve.shape[1]):
        # Warheads are conserved: what a pool lost went onto its systems.
        lost = reserve[:, p] - out.reserve[:, -1, p]
        np.testing.assert_allclose(added[:, pool == p].sum(axis=1), lost, atol=1e-6)


@SETTINGS
@given(cases())
def test_a_zero_rate_changes_nothing(case) -> None:
    warheads, capacity, reserve, pool, rate, delay, months = case
    out = upload(warheads, capacity, reserve, pool, 0.0 * rate, delay, months=months)
    assert (out.deployed == warheads[:, None, :]).all()
    assert (out.reserve == reserve[:, None, :]).all()


def test_ample_reserve_and_time_reach_capacity_at_the_rate() -> None:
    # Minuteman III to FAS's 950 (Korda & Kristensen 2023) at 60 a month after 3 months:
    # 550 / 60 = 9.17 months of upload, so full in month 13.
    out = upload([[400.0]], [950.0], [10_000.0], [0], [60.0], [3.0], months=14)
    w = out.deployed[0, :, 0]
    assert w[3] == 400 and w[4] == 460 and w[12] == 940 and w[13] == 950 and w[14] == 950


def test_a_part_month_delay_starts_part_way() -> None:
    out = upload([[0.0]], [100.0], [100.0], [0], [10.0], [0.5], months=2)
    assert out.deployed[0, :, 0].tolist() == [0.0, 5.0, 15.0]


def test_a_pool_in_short_supply_is_shared_in_proportion_to_requests() -> None:
    out = upload(
        [[0.0, 0.0, 0.0]],
        [99.0, 99.0, 99.0],
        [30.0, 99.0],
        [0, 0, 1],
        [30.0, 10.0, 5.0],
        [0.0, 0.0, 0.0],
        months=1,
    )
    assert out.deployed[0, 1].tolist() == pytest.approx([22.5, 7.5, 5.0])


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"rate": [[-1.0]]}, "rate must be finite"),
        ({"warheads": [400.0]}, "shape"),
        ({"pool": [1]}, "pool indices"),
        ({"pool": [0.0]}, "pool must be integers"),
        ({"capacity": [[1.0, 2.0]]}, "capacity has shape"),
        ({"months": -1}, "months"),
        ({"start_delay": [[np.nan]]}, "start_delay"),
    ],
)
def test_bad_input_is_a_clear_value_error(kwargs, match) -> None:
    args = {
        "warheads": [[400.0]],
        "capacity": [[950.0]],
        "reserve": [550.0],
        "pool": [0],
        "rate": [[60.0]],
        "start_delay": [[0.0]],
        "months": 3,
    }
    args.update(kwargs)
    months = args.pop("months")
    with pytest.raises(ValueError, match=match):
        upload(**args, months=months)


@SETTINGS
@given(st.floats(0, 5000), st.integers(0, 500), st.floats(0, 3000), st.floats(0.5, 10))
def test_launchers_in_use_match_filling_existing_launchers_first(w, n, c0, m) -> None:
    got = float(launchers_in_use(w, n, c0, m))
    expected = n if w <= c0 else n + (w - c0) / m
    assert got == pytest.approx(expected)
