"""The bounds every input number is held to, in one place, with units and reasons.

Every path into the workbench (a YAML file, a command-line option, a web request, a sweep
point) checks its numbers against these limits before any kernel or loop sees them, so no input
can make the workbench run out of memory, loop for hours or overflow to ``inf``. Each limit is
far above any real force or sensible study; past it the input is refused with one line naming
the field. ``docs/limits.md`` lists them for users.

The annotated types (:data:`LauncherCount`, :data:`WarheadCount`, ...) carry the bounds into the
pydantic models of :mod:`detente.model`; :func:`check_range` applies the same bound to a plain
argument (a command-line option, a function parameter).
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Annotated, Any

from pydantic import BeforeValidator, Field

from detente.errors import InputError

# --- YAML documents (checked from the event stream, detente.model.yamlguard) -------------------

#: Largest YAML file or text [bytes]; the largest bundled file is about 60 kB.
MAX_YAML_BYTES = 1_000_000
#: Deepest nesting of mappings and lists [levels]; bundled files nest at most 7 deep.
MAX_YAML_DEPTH = 64
#: Most values a document may expand to, aliases expanded [values]; a PyYAML value costs
#: about 250 bytes, so this bounds a document at about 50 MB (the bundled files hold < 5,000).
MAX_YAML_NODES = 200_000

# --- counts of forces ------------------------------------------------------------------------

#: Most launchers of one holding, notional element or status [count]. The largest ICBM or SLBM
#: force ever fielded by one state numbered in the low thousands.
MAX_LAUNCHERS = 100_000
#: Most warheads of one holding, stockpile figure or notional element [count]: above the
#: world's peak stockpile of about 70,400 warheads in 1986 (FAS, Status of World Nuclear Forces,
#: as prepared by Our World in Data, 2023).
MAX_WARHEADS = 100_000
#: Most warheads one launcher carries (or weapons one bomber) [warheads per launcher].
MAX_LOADING = 100
#: Largest w80, the arriving warheads that destroy 80 % of a side's value [warheads]: far past
#: any arsenal, and the stability kernel's root search stays in floating-point range.
MAX_W80 = 1e9
#: Most interceptors of one missile defence [count].
MAX_INTERCEPTORS = 100_000
#: Most interceptor shots per arriving warhead [count].
MAX_SHOTS_PER_RV = 100
#: Largest reserve counted as a share [-] or in warheads [count]; as a multiple of w80 its
#: range is the table's (``data/parameters.yaml``, ``multiparty.reserve``), as are the ranges
#: of every other model constant.
MAX_RESERVE = {"share": 1.0, "warheads": float(MAX_WARHEADS)}
#: Most parties of one scenario: pairwise indices grow with the square of the count.
MAX_PARTIES = 10

# --- verification ----------------------------------------------------------------------------

#: Most declared missiles N in an inspection calculation [count]; planning inspections loops up
#: to N, and the hypergeometric sums grow with it.
MAX_MISSILES = 1_000_000
#: Most years of inspections [yr].
MAX_INSPECTION_YEARS = 1_000
#: Largest gain or loss of the inspection game [utility units; only their ratio matters].
MAX_GAIN = 1e12
#: Most Open Skies treaty years simulated [yr].
MAX_OPEN_SKIES_YEARS = 100
#: Most notional Open Skies sites [count]; the layouts hold replicates x sites positions.
MAX_SITES = 1_000
#: Largest flight quota of Open Skies [flights per year].
MAX_QUOTA = 1_000
#: Longest flight distance or widest sensor swath [km] (the Earth's circumference is 40,075).
MAX_DISTANCE_KM = 40_000.0
#: Most Open Skies replicates [count].
MAX_REPLICATES = 10_000
#: Most Open Skies work, replicates x years x flights a year x sites: about 1 s per 400,000
#: on the project's 2-core machine, so about two minutes at this limit.
MAX_OPEN_SKIES_WORK = 50_000_000

# --- rates, horizons, dates -----------------------------------------------------------------

#: Largest multiplier of upload rates [-]: a thousand times the sourced rates already uploads
#: every warhead in the first month.
MAX_RATE_SCALE = 1_000.0
#: Longest horizon of the risk calculator [yr].
MAX_RISK_YEARS = 1_000.0
#: Earliest and latest date a scenario, force or timeline may carry: the nuclear age, and a
#: margin that keeps every month added by an upload timeline inside the calendar.
MIN_DATE = dt.date(1945, 1, 1)
MAX_DATE = dt.date(2200, 12, 31)
#: Largest random seed [-]: 128 bits, what the page hands out (numpy takes any such integer).
MAX_SEED = 2**128 - 1


def _count(value: Any) -> Any:
    """A whole number: refuse ``true``/``false`` and text, which YAML or JSON may put there."""
    if isinstance(value, bool):
        raise ValueError("must be a whole number, not true or false")
    if isinstance(value, str):
        raise ValueError(f"must be a whole number, not the text {value!r}")
    if isinstance(value, float) and math.isfinite(value) and value != int(value):
        raise ValueError(f"must be a whole number, got {value:g}")
    if isinstance(value, float) and math.isfinite(value):
        return int(value)
    return value


def _number(value: Any) -> Any:
    """A real number: refuse ``true``/``false`` and text."""
    if isinstance(value, bool):
        raise ValueError("must be a number, not true or false")
    if isinstance(value, str):
        raise ValueError(f"must be a number, not the text {value!r}")
    if isinstance(value, int) and abs(value) > 1e300:
        raise ValueError("is too large")
    return value


def count_type(high: int, low: int = 0) -> Any:
    """A whole-number type from ``low`` to ``high`` that refuses booleans and text."""
    return Annotated[int, BeforeValidator(_count), Field(ge=low, le=high)]


def real_type(high: float, low: float = 0.0, *, strict_low: bool = False) -> Any:
    """A finite real type from ``low`` (exclusive when ``strict_low``) to ``high``."""
    bound = {"gt": low} if strict_low else {"ge": low}
    return Annotated[float, BeforeValidator(_number), Field(le=high, allow_inf_nan=False, **bound)]


#: Launchers of one holding or status [count].
LauncherCount = count_type(MAX_LAUNCHERS)
#: Warheads of one stockpile figure [count].
WarheadCount = count_type(MAX_WARHEADS)
#: Warheads of one holding (may be fractional: a mean over a force) [count].
Warheads = real_type(MAX_WARHEADS)
#: Launchers of a notional element (real-valued in the calculus) [count].
Launchers = real_type(MAX_LAUNCHERS)
#: Warheads per launcher [-].
Loading = real_type(MAX_LOADING)
#: w80 [warheads], above zero.
W80 = real_type(MAX_W80, strict_low=True)
#: A share from 0 to 1 [-].
Share = real_type(1.0)
#: Interceptors of a missile defence [count].
Interceptors = real_type(MAX_INTERCEPTORS)
#: A random seed [-].
Seed = count_type(MAX_SEED)


def check_range(
    value: float | None,
    name: str,
    low: float,
    high: float,
    *,
    unit: str = "",
    low_open: bool = False,
    field: str | None = None,
) -> None:
    """Refuse ``value`` outside ``[low, high]`` (``(low, high]`` when ``low_open``) or not finite.

    ``None`` passes (an option not given). The message names ``name`` and the range.

    Examples
    --------
    >>> check_range(5, "--years", 1, 1000)
    >>> check_range(float("inf"), "--w80", 0, 1e9, low_open=True)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    detente.errors.InputError: field '--w80': must be a finite number above 0 and at most 1e+09; ...
    """
    if value is None:
        return
    finite = not isinstance(value, float) or math.isfinite(value)
    below = value <= low if low_open else value < low
    if finite and not below and value <= high:
        return
    unit = f" {unit}" if unit else ""
    span = f"above {_text(low)} and at most" if low_open else f"from {_text(low)} to"
    raise InputError(
        f"must be a finite number {span} {_text(high)}{unit}; got {_text(value)}",
        field=field or name,
    )


def _text(value: float) -> str:
    if isinstance(value, int) and abs(value) < 10**15:
        return f"{value:,}"
    return f"{value:g}" if isinstance(value, float) else f"{float(value):g}"


def check_date(value: dt.date | None, name: str) -> None:
    """Refuse a date outside :data:`MIN_DATE` to :data:`MAX_DATE`."""
    if value is not None and not MIN_DATE <= value <= MAX_DATE:
        raise InputError(f"must be a date from {MIN_DATE} to {MAX_DATE}; got {value}", field=name)
