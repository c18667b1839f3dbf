"""Notional forces: abstract force elements for teaching and for checks against the literature.

A notional file gives the elements of the Kent–Thaler calculus directly::

    party: A
    w80: 804.719          # arriving weapons that destroy 80 % of this side's value
    elements:
      - {name: silos, kind: fixed, launchers: 100, warheads_per_launcher: 10}
      - {name: boats, kind: survivable, launchers: 50, warheads_per_launcher: 10, alert: 0.5}
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from detente.model.limits import W80, Launchers, Loading, Share
from detente.model.provenance import Sourced


class NotionalElement(Sourced):
    """One force element.

    Attributes
    ----------
    name : str
    kind : {'fixed', 'survivable'}
        ``fixed`` elements (silo ICBMs) are always targetable; ``survivable`` ones only off alert.
    launchers : float
        Launchers [count].
    warheads_per_launcher : float
        Warheads per launcher [-].
    alert : float
        Share of a survivable element's launchers that cannot be targeted [-]; ignored for fixed.
    """

    name: str
    kind: Literal["fixed", "survivable"]
    launchers: Launchers
    warheads_per_launcher: Loading
    alert: Share = 0.0


class NotionalForce(Sourced):
    """A party's force as notional elements with its value-damage parameter ``w80``.

    Attributes
    ----------
    party : str
    w80 : float
        Arriving weapons that destroy 80 % of this side's value [count].
    elements : tuple of NotionalElement
    """

    party: str
    w80: W80
    elements: tuple[NotionalElement, ...] = Field(min_length=1)
    description: str | None = None

    @model_validator(mode="after")
    def _unique_names(self) -> NotionalForce:
        names = [e.name for e in self.elements]
        if len(set(names)) != len(names):
            raise ValueError(f"element names must be unique, got {names}")
        return self
