"""Force elements of the exchange model, built from real or notional forces.

A real :class:`~detente.model.force.Force` becomes one element per holding of a strategic
delivery system (ICBM, SLBM, heavy bomber) with deployed launchers: ``n`` deployed launchers,
``m`` warheads per deployed launcher, ``fixed`` for silo basing and, for survivable systems,
the alert fraction of the chosen posture (models.md §2, "Real forces"). Interceptors become the
side's defence; non-strategic systems are left out of the strategic exchange.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from detente.model.catalog import system_table
from detente.model.force import Force, Posture, System
from detente.model.notional import NotionalForce

STRATEGIC_CATEGORIES = frozenset({"icbm", "slbm", "heavy_bomber"})
#: Leg of the triad for each strategic category.
LEG = {"icbm": "ICBM", "slbm": "SLBM", "heavy_bomber": "bomber"}


@dataclass(frozen=True)
class Elements:
    """One side's force elements as arrays of shape ``(E,)``.

    Attributes
    ----------
    party : str
    names : tuple of str
        Element labels (holding label or system id).
    legs : tuple of str
        ``ICBM``, ``SLBM``, ``bomber`` or ``notional``.
    n : ndarray
        Launchers [count].
    m : ndarray
        Warheads per launcher [-].
    fixed : ndarray of bool
        Always targetable (silo).
    alert : ndarray
        Share of survivable launchers that cannot be targeted [-] (0 for fixed elements).
    systems : tuple of str or None
        System id per element (``None`` for notional elements).
    """

    party: str
    names: tuple[str, ...]
    legs: tuple[str, ...]
    n: np.ndarray
    m: np.ndarray
    fixed: np.ndarray
    alert: np.ndarray
    systems: tuple[str | None, ...]

    @property
    def warheads(self) -> np.ndarray:
        """Warheads per element [count]."""
        return self.n * self.m

    @property
    def total_warheads(self) -> float:
        """All warheads of the side [count]."""
        return float(self.warheads.sum())

    def __len__(self) -> int:
        return len(self.names)


def _arrays(rows: list[tuple]) -> dict[str, np.ndarray]:
    n, m, fixed, alert = zip(*rows, strict=True) if rows else ((), (), (), ())
    return {
        "n": np.asarray(n, dtype=float),
        "m": np.asarray(m, dtype=float),
        "fixed": np.asarray(fixed, dtype=bool),
        "alert": np.asarray(alert, dtype=float),
    }


def strategic_holdings(force: Force) -> list[tuple[int, System]]:
    """Indices and systems of the holdings that enter the strategic exchange."""
    table = system_table(force)
    return [
        (i, table[h.system])
        for i, h in enumerate(force.holdings)
        if table[h.system].category in STRATEGIC_CATEGORIES and h.launchers.deployed > 0
    ]


def elements_from_force(force: Force, posture: Posture = "day_to_day") -> Elements:
    """Exchange elements of a real force in a posture.

    Examples
    --------
    >>> from detente.model.catalog import load_force
    >>> e = elements_from_force(load_force("us-2020-09-01"))
    >>> e.legs
    ('ICBM', 'SLBM', 'bomber', 'bomber')
    """
    rows, names, legs, systems = [], [], [], []
    for i, system in strategic_holdings(force):
        h = force.holdings[i]
        alert = 0.0 if system.fixed else h.alert_fraction(posture)
        rows.append((float(h.launchers.deployed), h.mean_loading, system.fixed, alert))
        names.append(h.name)
        legs.append(LEG[system.category])
        systems.append(system.id)
    return Elements(force.party, tuple(names), tuple(legs), systems=tuple(systems), **_arrays(rows))


def elements_from_notional(force: NotionalForce) -> Elements:
    """Exchange elements of a notional force (alert applies to survivable elements only)."""
    rows = [
        (
            e.launchers,
            e.warheads_per_launcher,
            e.kind == "fixed",
            0.0 if e.kind == "fixed" else e.alert,
        )
        for e in force.elements
    ]
    k = len(rows)
    return Elements(
        force.party,
        tuple(e.name for e in force.elements),
        ("notional",) * k,
        systems=(None,) * k,
        **_arrays(rows),
    )
