"""The front door: one call per question, for notebooks and scripts.

Every function here takes bundled force names (``"us-2025"``), paths of force files, or
already-loaded forces, and returns a result with ``to_frame()``, ``to_dict()``, a short
``repr`` and, in Jupyter, an HTML rendering. The functions are thin: they resolve names and
defaults, then call the analysis layer, which the CLI, the reports and the web app use too.

Examples
--------
>>> import detente as dt
>>> res = dt.stability("us-2025", "ru-2025", posture="generated")
>>> 0.0 <= res.fsi <= 1.0
True
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from detente.errors import InputError

if TYPE_CHECKING:
    from detente.analysis.counting import CountResult
    from detente.analysis.multiparty import SystemResult
    from detente.analysis.stability import StabilityResult
    from detente.analysis.upload import UploadTimeline
    from detente.analysis.verification import DetectionResult
    from detente.api_results import StabilityCases
    from detente.model.force import Force
    from detente.model.notional import NotionalForce
    from detente.model.scenario import Defense

    ForceLike = str | Path | Force | NotionalForce

#: Calculus constants that :func:`stability` broadcasts over a ``case`` dimension.
BROADCAST = ("de", "alpha", "surcharge", "avail")


def load_force(name_or_path: str | Path) -> Force | NotionalForce:
    """A bundled force by name (``detente data list``), a force file, or a notional force file.

    Examples
    --------
    >>> load_force("us-2025").party
    'US'
    """
    from detente.analysis.stability import load_side_force

    return load_side_force(name_or_path)


def _force(f: ForceLike) -> Force | NotionalForce:
    return load_force(f) if isinstance(f, str | Path) else f


def _defenses(
    defense: Mapping[str, Defense | Mapping[str, Any]] | None,
) -> dict[str, Defense] | None:
    """Missile defences by side label, from objects or keyword mappings."""
    from detente.analysis.stability import make_defense
    from detente.model.scenario import Defense

    if not defense:
        return None
    return {
        label: d if isinstance(d, Defense) else make_defense(**dict(d))
        for label, d in defense.items()
    }


def _params(weapons: str, **given: Any) -> Any:
    """:class:`StabilityParams` with the given constants (``None``: the bundled default)."""
    from detente.analysis.stability import StabilityParams

    return StabilityParams(weapons=weapons, **{k: v for k, v in given.items() if v is not None})


def stability(
    a: ForceLike,
    b: ForceLike,
    *,
    posture: str | Mapping[str, str] = "day_to_day",
    lua: bool | Mapping[str, bool] = False,
    w80: float | Sequence[float] | np.ndarray | Mapping[str, Any] | None = None,
    de: float | Sequence[float] | np.ndarray | None = None,
    kmax: int | None = None,
    alpha: float | Sequence[float] | np.ndarray | None = None,
    surcharge: float | Sequence[float] | np.ndarray | None = None,
    avail: float | Sequence[float] | np.ndarray | None = None,
    weapons: str = "uniform",
    defense: Mapping[str, Defense | Mapping[str, Any]] | None = None,
) -> StabilityResult | StabilityCases:
    """Kent–Thaler first-strike stability of two forces.

    Parameters
    ----------
    a, b : str, Path, Force or NotionalForce
        The two sides: bundled names, force files or loaded forces.
    posture : {'day_to_day', 'generated'} or dict by party
        Alert posture of real forces (one for both, or per party label).
    lua : bool or dict by party
        The side launches its silo-based (fixed) force under attack.
    w80 : float, array or dict by party, optional
        Arriving warheads that destroy 80 % of a side's value [warheads]. One number for both
        sides, or a dict by party label; default: from the attacker's warhead yields
        (``data/parameters.yaml``, an assumption).
    de, alpha, surcharge, avail : float or array_like, optional
        Damage expectancy [-], cost exponent α [-], surcharge k [-] and the share of
        survivable weapons usable in a first strike [-]; default: ``data/parameters.yaml``.
        Arrays (and arrays of w80) broadcast against each other over a ``case`` dimension,
        evaluated in one kernel call.
    kmax : int, optional
        Salvo levels per target class [-].
    weapons : {'uniform', 'data'}
        One DE for every warhead (``de``) or DE by weapon type from the systems catalogue.
    defense : dict by party, optional
        Missile defences: :class:`~detente.model.scenario.Defense` objects or their keyword
        mappings (``interceptors``, ``p_kill``, ``shots_per_rv``, ``availability``).

    Returns
    -------
    StabilityResult
        With scalar constants: ``fsi``, ``C1``, ``C2``, ``r``, ``r_uncapped`` by side.
    StabilityCases
        With any array constant: an :class:`xarray.Dataset` over ``case`` (and ``side``).

    Raises
    ------
    InputError
        An unknown force or party, a constant out of range, arrays that do not broadcast.

    Examples
    --------
    >>> import numpy as np
    >>> cases = stability("us-2025", "ru-2025", de=np.linspace(0.5, 0.95, 4))
    >>> cases.dataset.sizes["case"], bool((np.diff(cases.fsi) <= 1e-12).all())
    (4, True)
    """
    from detente.analysis.stability import evaluate, make_sides

    forces = [_force(a), _force(b)]
    arrays = {
        k: v
        for k, v in {"de": de, "alpha": alpha, "surcharge": surcharge, "avail": avail}.items()
        if v is not None and np.ndim(v) > 0
    }
    w80_arrays = _w80_arrays(w80, forces)
    if not arrays and not w80_arrays:
        sides = make_sides(
            forces,
            posture=posture,
            lua=lua,
            w80=_w80_scalars(w80, forces),
            defense=_defenses(defense),
        )
        scalars = {"de": de, "alpha": alpha, "surcharge": surcharge, "avail": avail}
        return evaluate(sides, _params(weapons, kmax=kmax, **scalars))
    from detente.api_results import stability_cases

    if weapons != "uniform" and "de" in arrays:
        raise InputError(
            "an array of de needs weapons='uniform' (DE by weapon type is data)", field="de"
        )
    scalars = {
        k: v
        for k, v in {"de": de, "alpha": alpha, "surcharge": surcharge, "avail": avail}.items()
        if k not in arrays
    }
    params = _params(weapons, kmax=kmax, **{k: v for k, v in scalars.items()})
    sides = make_sides(
        forces,
        posture=posture,
        lua=lua,
        defense=_defenses(defense),
        w80=_w80_scalars(w80, forces) if not w80_arrays else None,
    )
    return stability_cases(sides, params, {**arrays, **w80_arrays})


def _labels(forces: list[Force | NotionalForce]) -> list[str]:
    from detente.analysis.stability import force_labels

    return force_labels(forces)


def _w80_scalars(w80: Any, forces: list) -> dict[str, float] | None:
    """w80 by label where given as one number for both sides or a mapping of numbers."""
    if w80 is None:
        return None
    labels = _labels(forces)
    if isinstance(w80, Mapping):
        unknown = set(w80) - set(labels)
        if unknown:
            raise InputError(
                f"w80 given for unknown side(s) {sorted(unknown)}; sides: {labels}", field="w80"
            )
        return {k: float(v) for k, v in w80.items()}
    return dict.fromkeys(labels, float(w80))


def _w80_arrays(w80: Any, forces: list) -> dict[str, np.ndarray]:
    """``{"w80_<label>": array}`` where w80 is given as an array (for both or per side)."""
    if w80 is None:
        return {}
    labels = _labels(forces)
    given = w80 if isinstance(w80, Mapping) else dict.fromkeys(labels, w80)
    if not any(np.ndim(v) > 0 for v in given.values()):
        return {}
    unknown = set(given) - set(labels)
    if unknown:
        raise InputError(
            f"w80 given for unknown side(s) {sorted(unknown)}; sides: {labels}", field="w80"
        )
    missing = [lab for lab in labels if lab not in given]
    if missing:
        raise InputError(
            f"with an array of w80, give w80 for every side (missing {missing})", field="w80"
        )
    return {f"w80_{lab}": np.asarray(given[lab], dtype=float) for lab in labels}


def system(
    *forces: ForceLike,
    posture: str | Mapping[str, str] = "day_to_day",
    lua: bool | Mapping[str, bool] = False,
    w80: Mapping[str, float] | None = None,
    de: float | None = None,
    kmax: int | None = None,
) -> SystemResult:
    """Pairwise and system first-strike stability of two or more parties.

    Each striker keeps a reserve of one w80 against every armed third party (the default
    :class:`~detente.analysis.multiparty.ReserveRule`).

    Examples
    --------
    >>> res = system("us-2025", "ru-2025", w80={"US": 600, "RU": 480})
    >>> sorted(res.to_dict()["pairs"])[:1]
    ['US-RU']
    """
    from detente.analysis.multiparty import evaluate_system

    return evaluate_system(
        [_force(f) for f in forces],
        _params("uniform", de=de, kmax=kmax),
        posture=posture,
        lua=lua,
        w80=w80,
    )


def count(force: ForceLike, treaty: str | Path) -> CountResult:
    """Count ``force`` under a bundled treaty (``detente treaty list``) or a treaty file.

    Examples
    --------
    >>> res = count("us-2020-09-01", "new-start")
    >>> int(res.limit("deployed_warheads").count)
    1457
    """
    from detente.analysis.counting import count as count_force
    from detente.model.catalog import system_table
    from detente.model.treaties import load_treaty

    f = _force(force)
    if not hasattr(f, "holdings"):
        raise InputError(
            f"{getattr(f, 'name', f)} is a notional force: it has no holdings "
            "to count under a treaty"
        )
    return count_force(f, load_treaty(treaty), system_table(f))


def upload(
    force: ForceLike,
    *,
    against: ForceLike | None = None,
    months: int = 36,
    posture: str = "day_to_day",
    rate_scale: float = 1.0,
    race: bool = False,
) -> UploadTimeline:
    """Deployed warheads of ``force`` month by month after a treaty lapses.

    Parameters
    ----------
    force : str, Path or Force
    against : str, Path or Force, optional
        The other side; with it the stability index is computed month by month.
    months : int
        Months after the lapse.
    posture : {'day_to_day', 'generated'}
    rate_scale : float
        Multiplies every default upload rate of ``data/upload.yaml`` (assumptions) [-].
    race : bool
        The other side uploads too (at the same scaled rates); otherwise it stays as it is.

    Examples
    --------
    >>> t = upload("us-2025", months=12)
    >>> int(t.by_leg()["SLBM"][-1])
    1920
    """
    from detente.analysis.upload import upload_race, upload_timeline

    f = _force(force)
    other = _force(against) if against is not None else None
    if race:
        if other is None:
            raise InputError("race=True needs an opponent (against=...)", field="against")
        return upload_race(f, other, months=months, posture=posture, rate_scale=rate_scale)
    return upload_timeline(f, months=months, posture=posture, opponent=other, rate_scale=rate_scale)


def detect(missiles: int, overloaded: int, inspections: int, *, years: int = 1) -> DetectionResult:
    """Probability that random inspections find at least one of ``overloaded`` missiles.

    Hypergeometric: ``inspections`` missiles of ``missiles`` inspected a year, without
    replacement, for ``years`` independent years.

    Examples
    --------
    >>> round(detect(missiles=400, overloaded=40, inspections=10).detection_probability, 3)
    0.656
    """
    from detente.analysis.verification import detect as detect_missiles

    return detect_missiles(missiles, overloaded, inspections, years=years)


def assess(scenario: str | Path, *, samples: int | None = None, seed: int | None = None) -> Any:
    """Assess a scenario file (see ``docs/scenarios.md``): stability, counts, uncertainty.

    Returns the :class:`~detente.analysis.assess.Assessment` the report is written from.
    """
    from detente.analysis.assess import assess as assess_scenario

    return assess_scenario(scenario, samples=samples, seed=seed)


def history(
    party: str | list[str] | None = None,
    quantity: str | list[str] | None = None,
    producer: str | list[str] | None = None,
    editions: str = "latest",
) -> Any:
    """Nuclear forces of every state over time (see ``docs/history.md``), a pandas DataFrame.

    One row per state, year, quantity, producer and edition with its source and status;
    :func:`detente.analysis.history.history` documents the arguments.

    Examples
    --------
    >>> import detente as dt
    >>> df = dt.history(party="CN", quantity="stockpile", producer="FAS")
    >>> df.loc[df.year == 2025, ["value", "edition", "source"]].values.tolist()
    [[600.0, 2025, 'fas-cn-2025']]
    """
    from detente.analysis.history import history as select

    return select(party, quantity, producer, editions)
