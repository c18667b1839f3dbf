"""The web's request models are the scenario model held to tighter bounds, not a twin of it."""

from __future__ import annotations

import pytest
from pydantic import BaseModel, Field, ValidationError

from detente.model import parameters
from detente.model.parameters import StabilityParams
from detente.model.scenario import Defense, Modifications, PartySpec, Scenario
from detente.web.schemas import (
    MAX_ASSESS_SAMPLES,
    DefenseIn,
    ModificationsIn,
    PartyIn,
    ScenarioIn,
    StabilityParamsIn,
)
from detente.web.tighten import tightened


@pytest.mark.parametrize(
    ("model", "derived"),
    [
        (Scenario, ScenarioIn),
        (PartySpec, PartyIn),
        (Modifications, ModificationsIn),
        (Defense, DefenseIn),
        (StabilityParams, StabilityParamsIn),
    ],
)
def test_every_field_of_the_model_is_a_field_of_the_request(model, derived):
    assert issubclass(derived, model)
    assert set(model.model_fields) <= set(derived.model_fields)


def test_a_field_the_model_gains_reaches_the_request_and_bounds_only_tighten():
    class Plan(BaseModel):
        samples: int = Field(default=10, ge=1, le=1000)
        added_later: float = 0.5

    PlanIn = tightened(Plan, "PlanIn", __name__, samples={"le": 100})
    assert PlanIn().added_later == 0.5 and PlanIn().samples == 10
    with pytest.raises(ValidationError, match="less than or equal to 100"):
        PlanIn(samples=101)
    with pytest.raises(TypeError, match="loosens"):
        tightened(Plan, "Looser", __name__, samples={"le": 10_000})
    with pytest.raises(TypeError, match="no field"):
        tightened(Plan, "Typo", __name__, sample={"le": 10})


def test_the_request_holds_each_constant_to_the_table_and_the_page_to_two_parties():
    high = parameters.bounds("kmax")[1]
    with pytest.raises(ValidationError, match="kmax"):
        StabilityParamsIn(kmax=high + 1)
    assert StabilityParamsIn(kmax=high).kmax == high
    two = [{"force": "us-2025"}, {"force": "ru-2025"}]
    assert ScenarioIn.model_validate({"parties": two}).name == "web"
    with pytest.raises(ValidationError, match="at most 2"):
        ScenarioIn.model_validate({"parties": [*two, {"force": "cn-2025"}]})
    with pytest.raises(ValidationError, match="samples"):
        ScenarioIn.model_validate({"parties": two, "samples": MAX_ASSESS_SAMPLES + 1})
    Scenario.model_validate({"name": "x", "parties": two, "samples": MAX_ASSESS_SAMPLES + 1})


def test_the_stability_request_refuses_scenario_only_constants():
    with pytest.raises(ValidationError, match="scenario parameter"):
        StabilityParamsIn(reserve=2)


def test_a_request_pickles_to_the_workers():
    """Requests go to worker processes by pickle: each derived model is found by its name."""
    import pickle

    state = ScenarioIn.model_validate({"parties": [{"force": "us-2025"}, {"force": "ru-2025"}]})
    assert pickle.loads(pickle.dumps(state)) == state
