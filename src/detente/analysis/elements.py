"""Force elements of the exchange model, built from real or notional forces.

A real :class:`~detente.model.force.Force` becomes one element per holding of a strategic
delivery system (ICBM, SLBM, heavy bomber) with deployed launchers: ``n`` deployed launchers,
``m`` warheads per deployed launcher, ``fixed`` for silo basing and, for survivable systems,
the alert fraction of the chosen posture (models.md §2, "Real forces"). Interceptors can supply
the side's missile defence (:func:`interceptors_of`); non-strategic systems are left out of the
strategic exchange.

For DE by weapon type (``StabilityParams(weapons="data")``) each element also has its warhead
types (:func:`element_warheads`: yield, CEP, reliability from the systems catalogue) and the
hardness of its launchers as targets (:func:`element_hardness`: silo hardness for fixed
elements, soft for the off-alert part of survivable ones). Figures the catalogue leaves null
fall back to the labelled assumptions of ``data/parameters.yaml`` (group ``weapons``); a
missing yield has no default and is an error.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from detente.errors import InputError

if TYPE_CHECKING:  # the data model is imported where used: Elements alone needs none of it
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
    from detente.model.catalog import system_table

    table = system_table(force)
    return [
        (i, table[h.system])
        for i, h in enumerate(force.holdings)
        if table[h.system].category in STRATEGIC_CATEGORIES and h.launchers.deployed > 0
    ]


def elements_from_force(force: Force, posture: Posture = "day_to_day") -> Elements:
    """Exchange elements of a real force in a posture.

    Silos are always targetable (alert 0); a null loading or alert fraction that the exchange
    needs stops with the force, holding and field (:func:`~detente.model.force.needed`).

    Examples
    --------
    >>> from detente.model.catalog import load_force
    >>> e = elements_from_force(load_force("us-2025"))
    >>> e.legs
    ('ICBM', 'SLBM', 'bomber', 'bomber')
    """
    from detente.model.force import needed

    force.require_holdings("the exchange and stability models")
    rows, names, legs, systems = [], [], [], []
    model = "the strategic exchange"
    for i, system in strategic_holdings(force):
        h = force.holdings[i]
        alert = 0.0 if system.fixed else needed(force, i, f"alert.{posture}", model)
        loading = needed(force, i, "loading", model)
        rows.append((float(h.launchers.deployed), loading, system.fixed, alert))
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


def interceptors_of(force: Force) -> float:
    """Interceptors of a force: deployed launchers of its interceptor systems [count].

    Examples
    --------
    >>> from detente.model.catalog import load_force
    >>> interceptors_of(load_force("us-2025"))
    44.0
    """
    from detente.model.catalog import system_table

    table = system_table(force)
    return float(
        sum(
            h.launchers.deployed
            for h in force.holdings
            if table[h.system].category == "interceptor"
        )
    )


@dataclass(frozen=True)
class Warheads:
    """Warhead types of one element, for DE by weapon type; tuples of equal length.

    Attributes
    ----------
    names : tuple of str
    yield_kt : tuple of float
        Yield [kt].
    cep_m : tuple of float
        CEP [m].
    reliability : tuple of float
        Probability [-] that the warhead arrives and detonates as planned.
    assumed : tuple of str
        Figures taken from the ``weapons`` defaults of ``data/parameters.yaml``.
    """

    names: tuple[str, ...]
    yield_kt: tuple[float, ...]
    cep_m: tuple[float, ...]
    reliability: tuple[float, ...]
    assumed: tuple[str, ...] = ()


def element_warheads(
    force: Force | NotionalForce | None, elements: Elements
) -> list[Warheads | None]:
    """Warhead types of each element, from the systems catalogue (``None`` for notional ones).

    Warhead types without a known yield are skipped (the mix on deployed missiles is not
    public); a null CEP or reliability takes the assumption of ``data/parameters.yaml``
    (``weapons.cep_m``, ``weapons.reliability``) and is listed in ``assumed``.

    Raises
    ------
    InputError
        An element whose system has no warhead type with a known yield: no default applies.

    Examples
    --------
    >>> from detente.model.catalog import load_force
    >>> force = load_force("us-2025")
    >>> w = element_warheads(force, elements_from_force(force))[0]
    >>> w.names, w.yield_kt, w.cep_m, w.reliability
    (('W78/Mk12A', 'W87/Mk21'), (335.0, 300.0), (200.0, 200.0), (0.8, 0.8))
    """
    from detente.model import parameters
    from detente.model.catalog import system_table
    from detente.model.force import Force

    if not isinstance(force, Force):  # notional: no weapon data
        return [None] * len(elements)
    table = system_table(force)
    cep_default = parameters.default("weapons", "cep_m")
    rel_default = parameters.default("weapons", "reliability")
    out: list[Warheads | None] = []
    for name, system_id in zip(elements.names, elements.systems, strict=True):
        system = table[system_id]
        known = [w for w in system.warheads if w.yield_kt]
        if not known:
            raise InputError(
                f"{force.name} {name}: DE by weapon type needs a warhead yield, but system "
                f"{system_id!r} has none in the systems catalogue and no default applies; give "
                "one in a force file's 'systems' or use the uniform DE",
                field="weapons",
            )
        assumed = [f"{w.name} cep_m {cep_default:g} (assumption)" for w in known if not w.cep_m]
        assumed += [
            f"{w.name} reliability {rel_default:g} (assumption)"
            for w in known
            if w.reliability is None
        ]
        out.append(
            Warheads(
                tuple(w.name for w in known),
                tuple(float(w.yield_kt) for w in known),
                tuple(float(w.cep_m or cep_default) for w in known),
                tuple(
                    float(rel_default if w.reliability is None else w.reliability) for w in known
                ),
                tuple(assumed),
            )
        )
    return out


def element_hardness(
    force: Force | NotionalForce | None, elements: Elements
) -> tuple[np.ndarray, tuple[str, ...]]:
    """Hardness of each element's targetable launchers [psi], shape (E,), and the assumptions.

    Fixed (silo) elements: the system's ``hardness_psi``, else ``weapons.silo_hardness_psi``;
    survivable elements, whose off-alert launchers are the targets: ``weapons.soft_target_psi``
    (``data/parameters.yaml``, both assumptions).

    Examples
    --------
    >>> from detente.model.catalog import load_force
    >>> force = load_force("us-2025")
    >>> element_hardness(force, elements_from_force(force))[0].tolist()
    [2000.0, 10.0, 10.0, 10.0]
    """
    from detente.model import parameters
    from detente.model.catalog import system_table
    from detente.model.force import Force

    silo = float(parameters.default("weapons", "silo_hardness_psi"))
    soft = float(parameters.default("weapons", "soft_target_psi"))
    table = system_table(force) if isinstance(force, Force) else {}
    psi, assumed = [], []
    for name, system_id, fixed in zip(
        elements.names, elements.systems, elements.fixed, strict=True
    ):
        given = table[system_id].hardness_psi if system_id in table else None
        if not fixed:
            psi.append(soft)
        elif given is not None:
            psi.append(float(given))
        else:
            psi.append(silo)
            assumed.append(f"{name} hardness_psi {silo:g} (assumption)")
    return np.asarray(psi, dtype=float), tuple(assumed)
