"""Zone of possible agreement and Pareto frontier against slow, obvious references."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from detente.sweep.agreement import (
    acceptance,
    agreement_zone,
    objectives_from_criteria,
    pareto_frontier,
    pareto_mask,
)
from detente.sweep.spec import Criterion


def ref_pareto(rows):
    """Row i is on the frontier unless some row j is <= everywhere and < somewhere (NaN: off)."""
    out = []
    for i, a in enumerate(rows):
        if any(x != x for x in a):
            out.append(False)
            continue
        dominated = False
        for j, b in enumerate(rows):
            if j == i or any(x != x for x in b):
                continue
            pairs = list(zip(a, b, strict=True))
            if all(bj <= aj for aj, bj in pairs) and any(bj < aj for aj, bj in pairs):
                dominated = True
        out.append(not dominated)
    return out


small = st.one_of(st.integers(0, 4).map(float), st.just(float("nan")))


@settings(max_examples=150, deadline=None)
@given(
    st.integers(1, 4).flatmap(
        lambda k: st.lists(st.lists(small, min_size=k, max_size=k), max_size=40)
    )
)
def test_pareto_mask_matches_the_definition(rows):
    costs = np.array(rows, dtype=float).reshape(len(rows), -1 if rows else 1)
    assert pareto_mask(costs).tolist() == ref_pareto(rows)


def test_pareto_frontier_respects_directions():
    frame = pd.DataFrame({"fsi": [0.9, 0.8, 0.7, 0.9], "cap": [1500, 1000, 1200, 1600]})
    front = pareto_frontier(frame, {"fsi": "max", "cap": "min"})
    assert front.index.tolist() == [0, 1]
    front = pareto_frontier(frame, {"fsi": "min", "cap": "max"})
    assert front.index.tolist() == [2, 3]
    with pytest.raises(ValueError, match="'max' or 'min'"):
        pareto_frontier(frame, {"fsi": "up"})
    with pytest.raises(ValueError, match="lacks: w"):
        pareto_frontier(frame, {"w": "max"})


def ref_accepts(row, criteria, party):
    for c in criteria:
        if c["party"] not in (party, None):
            continue
        x = row[c["column"]]
        if x != x or ("min" in c and x < c["min"]) or ("max" in c and x > c["max"]):
            return False
    return True


criterion = st.fixed_dictionaries(
    {"party": st.sampled_from(["US", "RU", None]), "column": st.sampled_from(["a", "b", "c"])},
    optional={"min": st.integers(0, 4).map(float), "max": st.integers(2, 6).map(float)},
).filter(lambda c: ("min" in c or "max" in c) and c.get("min", 0) <= c.get("max", 9))


@settings(max_examples=100, deadline=None)
@given(
    rows=st.lists(st.fixed_dictionaries({k: small for k in "abc"}), min_size=1, max_size=25),
    criteria=st.lists(criterion, min_size=1, max_size=5),
)
def test_acceptance_and_zone_match_a_row_by_row_reference(rows, criteria):
    frame = pd.DataFrame(rows)
    crit = [
        Criterion(party=c["party"], input=c["column"], min=c.get("min"), max=c.get("max"))
        for c in criteria
    ]
    parties = list(dict.fromkeys(c["party"] for c in criteria if c["party"])) or ["all"]
    got = acceptance(frame, crit)
    assert list(got.columns) == parties
    for party in parties:
        who = None if party == "all" else party  # "all": no party named, every criterion binds
        assert got[party].tolist() == [ref_accepts(r, criteria, who) for r in rows]
    zone = agreement_zone(frame, crit)
    assert zone.index.tolist() == [i for i in range(len(rows)) if got.loc[i].all()]


def test_criteria_as_plain_dicts_and_their_errors():
    frame = pd.DataFrame({"y": [1.0, 2.0], "mirv": ["allowed", "banned"]})
    assert agreement_zone(frame, [{"party": "A", "output": "y", "min": 1.5}]).index.tolist() == [1]
    with pytest.raises(ValueError, match="at least one criterion"):
        acceptance(frame, [])
    with pytest.raises(ValueError, match="lack: z"):
        acceptance(frame, [{"output": "z", "min": 0}])
    with pytest.raises(ValueError, match="numeric column"):
        acceptance(frame, [{"input": "mirv", "max": 1}])


def test_objectives_follow_one_sided_bounds():
    crit = [
        {"output": "fsi", "min": 0.8},
        {"input": "cap", "max": 1500},
        {"output": "band", "min": 1, "max": 2},
        {"output": "both", "min": 1},
        {"output": "both", "max": 3},
    ]
    assert objectives_from_criteria(crit) == {"fsi": "max", "cap": "min"}
