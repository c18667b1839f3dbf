"""Context measures and posture changes said in words (issue 10, item 9): Schelling's joint
index is 0 when *either* side gains nothing by striking first, its polarity is the reverse of
the FSI's, and a side whose own r falls when it generates or launches under attack is told why.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from detente.analysis.context import context_measures
from detente.analysis.scenario import resolve
from detente.analysis.stability import evaluate, make_sides
from detente.analysis.stability_section import own_r_notes, posture_cases
from detente.model.catalog import load_force
from detente.model.scenario import parse_scenario

US, RU = load_force("us-2025"), load_force("ru-2025")


@pytest.fixture(scope="module")
def context():
    return context_measures(US, RU)


def test_each_sides_penalty_is_shown_with_what_it_means(context):
    # us-2025 vs ru-2025, day-to-day, the cost-minimising strike: p_US = 0.474, p_RU = -0.288
    # (re-derived on the 2025 force update).
    assert round(context.penalty["US"], 3) == 0.474
    assert round(context.penalty["RU"], 3) == -0.288
    assert context.penalty_meaning("US") == "gains by striking first"
    assert context.penalty_meaning("RU") == "gains nothing by striking first"


def test_a_zero_joint_index_names_the_side_that_gains_nothing(context):
    text = context.schelling_meaning()
    assert context.schelling == 0.0
    assert "0 because RU gains nothing by striking first (p_RU = −0.288)" in text
    assert "although US does (p_US = 0.474)" in text
    assert "neither side" not in text  # the old legend's claim, false here
    assert "Polarity: the reverse of the FSI's" in text
    assert context.to_dict()["schelling_meaning"] == text


@pytest.mark.parametrize(
    ("penalty", "want"),
    [
        ({"US": -0.1, "RU": -0.3}, "0 because neither side gains by striking first"),
        ({"US": 0.5, "RU": 0.4}, "above 0 because both sides gain by striking first"),
    ],
)
def test_the_joint_index_in_words_follows_both_signs(context, penalty, want):
    product = max(0.0, penalty["US"]) * max(0.0, penalty["RU"])
    c = replace(context, penalty=penalty, schelling=product)
    assert c.schelling_meaning().startswith(
        f"Schelling's joint index max(0, p_US)·max(0, p_RU) = {product:.3f}: {want}"
    )


@pytest.mark.parametrize(
    ("change", "side", "other", "r_before", "r_after"),
    [
        ({"posture": {"RU": "generated"}}, "RU", "US", 1.0, 0.8532),
        ({"lua": {"RU": True}}, "RU", "US", 1.0, 0.962),
        ({"lua": {"US": True}}, "US", "RU", 0.6868, 0.6708),
    ],
)
def test_own_r_falls_because_the_striker_moves_warheads_to_value(
    change, side, other, r_before, r_after
):
    """A property of the calculus on today's forces: the side's own C1 is unchanged, its C2
    rises, and the other side spends fewer warheads on counterforce (x*) when striking it."""
    base = evaluate(make_sides([US, RU]))
    moved = evaluate(make_sides([US, RU], **change))
    assert (round(base.r[side], 4), round(moved.r[side], 4)) == (r_before, r_after)
    assert moved.C1[side] == pytest.approx(base.C1[side], rel=1e-12)
    assert moved.C2[side] > base.C2[side]
    assert moved.x_star[other] < base.x_star[other]
    assert moved.r[other] >= base.r[other]


def test_the_report_explains_each_fall_of_a_sides_own_r():
    resolved = resolve(parse_scenario("name: x\nparties: [{force: us-2025}, {force: ru-2025}]"))
    cases = posture_cases(resolved)
    notes = own_r_notes(cases, {"US": "day_to_day", "RU": "day_to_day"}, {"US": False, "RU": False})
    assert [n.split(" lowers")[0] for n in notes] == [
        "US-RU: US launching under attack",
        "US-RU: RU generating",
        "US-RU: RU launching under attack",
    ]
    assert "RU generating lowers its own r (1.000 → 0.853; US's r 0.687 → 0.993)" in notes[1]
    assert "moves warheads from counterforce to RU's value" in notes[1]
    assert "(its C2 rises)" in notes[1]
    # US generating does not lower its own r: nothing to explain.
    assert not any("US generating" in n for n in notes)
    # From generated postures with launch under attack, no unilateral change is left.
    assert (
        own_r_notes(cases, {"US": "generated", "RU": "generated"}, {"US": True, "RU": True}) == []
    )
