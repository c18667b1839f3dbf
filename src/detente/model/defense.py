"""A party's missile defence (models.md §2, "Missile defence"): the model class of a scenario's
``defense`` block, of ``--defense-a`` on the command line and of the front door.

Kept apart from :mod:`detente.model.scenario` so that the stability analysis needs the defence
alone, not the scenario model.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import model_validator

from detente.model import parameters
from detente.model.limits import Interceptors
from detente.model.provenance import Sourced


class Defense(Sourced):
    """Missile defence of a party (models.md §2, "Missile defence").

    An engaged reentry vehicle is intercepted with P = availability·[1 − (1 − p_kill)^s];
    at most ⌊interceptors / s⌋ are engaged.

    Attributes
    ----------
    interceptors : float
        Interceptors available [count].
    p_kill : float
        Single-shot kill probability of one interceptor against one RV [-].
    shots_per_rv : int
        Interceptors fired at each engaged RV, s [-].
    availability : float
        Probability that the defence system works when needed, K [-].

    Omitted ``p_kill``, ``shots_per_rv`` and ``availability`` default to the assumptions of
    ``data/parameters.yaml`` (group ``defense``).
    """

    interceptors: Interceptors
    p_kill: parameters.field_type("p_kill")
    shots_per_rv: parameters.field_type("shots_per_rv")
    availability: parameters.field_type("availability")

    @model_validator(mode="before")
    @classmethod
    def _defaults(cls, data: Any) -> Any:
        """Omitted p_kill, shots_per_rv and availability take the labelled assumptions of
        ``data/parameters.yaml`` (group ``defense``), provenance included."""
        if not isinstance(data, Mapping):
            return data
        out = dict(data)
        for name in ("p_kill", "shots_per_rv", "availability"):
            if name not in out:
                prov = parameters.provenance("defense", name).model_dump(exclude_none=True)
                out[name] = {"value": parameters.default("defense", name), **prov}
        return out
