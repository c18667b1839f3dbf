"""One distribution type for every uncertain number: scenarios, sweeps and risk parameters.

A distribution is written as a mapping whose ``dist`` names its family, with the family's
parameters beside it (and, optionally, its provenance)::

    parameters.de: {dist: triangular, low: 0.6, mode: 0.8, high: 0.95}
    parties.US.w80: {dist: lognormal, median: 500, sigma: 0.3, low: 200, note: "..."}
    - {name: parameters.de, dist: uniform, low: 0.6, high: 0.95}          # a sweep parameter
    rate_per_year: {dist: loguniform, low: 0.5, high: 5, unit: 1/yr, status: assumption, note: ...}

========================  ====================================  ==========================
``dist``                  parameters                            ``scipy.stats``
========================  ====================================  ==========================
``fixed``                 ``value``                             (a constant)
``uniform``               ``low`` < ``high``                    ``uniform``
``loguniform``            0 < ``low`` < ``high``                ``loguniform``
``triangular``            ``low`` <= ``mode`` <= ``high``       ``triang``
``normal``                ``mean``, ``sd`` > 0; optional         ``norm`` / ``truncnorm``
                          truncation ``low``, ``high``
``lognormal``             ``median`` > 0, ``sigma`` > 0;         ``lognorm`` (``s=sigma``,
                          optional truncation ``low``, ``high``  ``scale=median``)
========================  ====================================  ==========================

**The one log-normal convention.** ``median`` is the median of the value (``exp(mu)``) and
``sigma`` the standard deviation of its natural logarithm (the geometric standard deviation
is ``exp(sigma)``), so ``ln X ~ Normal(ln median, sigma)``: this is ``scipy.stats.lognorm``
with ``s=sigma, scale=median``. The older spellings (``mu`` in sweep files, ``gsd`` in risk
files) are refused with the converted value in the message.

A number that is not uncertain is ``{dist: fixed, value: ...}``; a zero width (``sd: 0``,
``low == high``) is an error that says so. Errors name the field they concern (file, line,
field through :func:`detente.model.yamlio.validate`). ``scipy`` is imported only when a
distribution needing it is sampled.

Examples
--------
>>> d = DISTRIBUTION.validate_python({"dist": "lognormal", "median": 400, "sigma": 0.5})
>>> float(d.ppf([0.5])[0]), d.describe()
(400.0, 'lognormal(median=400, sigma=0.5)')
"""

from __future__ import annotations

import math
from typing import Annotated, Any, ClassVar, Literal

import numpy as np
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    TypeAdapter,
    ValidationError,
    WrapValidator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from detente.model.provenance import SourceIds, Status

#: Families, in the order the docs list them.
FAMILIES = ("fixed", "uniform", "loguniform", "triangular", "normal", "lognormal")
#: Parameters of the families, in the order they are written and described.
PARAMETERS = ("value", "mean", "sd", "median", "sigma", "low", "mode", "high")
#: Fields of provenance a distribution may carry besides its parameters.
METADATA = ("note", "source", "status", "unit")
#: Standard normal quantile of 1 - 1e-12: an unbounded tail reaches this far in practice [-].
TAIL_Z = 7.034
#: Uniforms are clipped to [EPS, 1 - EPS] before an unbounded inverse CDF (no infinite draw).
EPS = float(np.finfo(float).eps)


class DistributionError(ValueError):
    """A bad distribution parameter, with the field it concerns."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


class _Family(BaseModel):
    """Provenance shared by every family (all optional)."""

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)

    note: str | None = None
    source: SourceIds = ()
    status: Status | None = None
    unit: str | None = None

    @property
    def sourced(self) -> bool:
        """True unless the value is marked as an assumption."""
        return self.status != "assumption"

    @property
    def parameters(self) -> dict[str, float]:
        """The family's parameters that are set, e.g. ``{'low': 0.6, 'high': 0.95}``."""
        return {k: getattr(self, k) for k in PARAMETERS if getattr(self, k, None) is not None}

    def describe(self) -> str:
        """Short text such as ``triangular(low=0.6, mode=0.8, high=0.95)``."""
        args = ", ".join(f"{k}={v:g}" for k, v in self.parameters.items())
        return f"{self.dist}({args})"

    def support(self) -> tuple[float, float]:
        """Smallest and largest value the distribution can take."""
        raise NotImplementedError

    def reach(self) -> tuple[float, float]:
        """The values draws can take in practice: the support, an unbounded end replaced by
        its 1e-12 quantile (uniforms are clipped to [EPS, 1 - EPS], so farther is never
        drawn)."""
        return self.support()

    def ppf(self, u: Any) -> np.ndarray:
        """Inverse CDF at probabilities ``u`` [-] in [0, 1]; same shape as ``u`` (at least
        1-d)."""
        raise NotImplementedError

    def frozen(self) -> Any:
        """The ``scipy.stats`` frozen distribution (imports scipy)."""
        raise NotImplementedError


def _ordered(low: float, high: float) -> None:
    if low > high:
        raise DistributionError("low", f"low ({low:g}) is above high ({high:g})")
    if low == high:
        raise DistributionError(
            "low",
            f"low and high are both {low:g}; "
            "a value that is not uncertain is written {dist: fixed, value: ...}",
        )


def _positive_width(field: str, width: float) -> None:
    if not width > 0:
        raise DistributionError(
            field,
            f"{field} must be > 0 (got {width:g}); "
            "a value that is not uncertain is written {dist: fixed, value: ...}",
        )


class Fixed(_Family):
    """A known value (every draw equals ``value``)."""

    dist: Literal["fixed"]
    value: float

    def support(self) -> tuple[float, float]:
        return self.value, self.value

    def ppf(self, u: Any) -> np.ndarray:
        return np.full(np.atleast_1d(np.asarray(u, dtype=float)).shape, float(self.value))

    def frozen(self) -> Any:
        from scipy import stats

        return stats.rv_discrete(values=([self.value], [1.0]))


class _Interval(_Family):
    """A family on [``low``, ``high``], ``low < high``."""

    low: float
    high: float

    @model_validator(mode="after")
    def _check(self) -> _Interval:
        _ordered(self.low, self.high)
        return self

    def support(self) -> tuple[float, float]:
        return self.low, self.high


class Uniform(_Interval):
    """Uniform on [``low``, ``high``]."""

    dist: Literal["uniform"]

    def ppf(self, u: Any) -> np.ndarray:
        u = np.atleast_1d(np.asarray(u, dtype=float))
        return self.low + u * (self.high - self.low)

    def frozen(self) -> Any:
        from scipy import stats

        return stats.uniform(loc=self.low, scale=self.high - self.low)


class LogUniform(_Interval):
    """Log-uniform (reciprocal) on [``low``, ``high``], ``low > 0``."""

    dist: Literal["loguniform"]
    low: float = Field(gt=0)
    high: float = Field(gt=0)

    def ppf(self, u: Any) -> np.ndarray:
        return np.asarray(self.frozen().ppf(np.atleast_1d(np.asarray(u, dtype=float))), float)

    def frozen(self) -> Any:
        from scipy import stats

        return stats.loguniform(self.low, self.high)


class Triangular(_Interval):
    """Triangular on [``low``, ``high``] with its peak at ``mode``."""

    dist: Literal["triangular"]
    mode: float

    @model_validator(mode="after")
    def _mode_inside(self) -> Triangular:
        if not self.low <= self.mode <= self.high:
            raise DistributionError(
                "mode", f"mode {self.mode:g} is outside [low, high] = [{self.low:g}, {self.high:g}]"
            )
        return self

    def ppf(self, u: Any) -> np.ndarray:
        """Closed-form inverse CDF (no scipy)."""
        u = np.atleast_1d(np.asarray(u, dtype=float))
        lo, c, hi = self.low, self.mode, self.high
        left = lo + np.sqrt(u * (hi - lo) * (c - lo))
        right = hi - np.sqrt((1.0 - u) * (hi - lo) * (hi - c))
        return np.where(u < (c - lo) / (hi - lo), left, right)

    def frozen(self) -> Any:
        from scipy import stats

        width = self.high - self.low
        return stats.triang((self.mode - self.low) / width, loc=self.low, scale=width)


class _Bell(_Family):
    """A normal in the value (``normal``) or in its logarithm (``lognormal``), optionally
    truncated to [``low``, ``high``]."""

    low: float | None = None
    high: float | None = None

    _floor: ClassVar[float]  # the support's lower end without truncation

    def _centre_width(self) -> tuple[float, float]:
        raise NotImplementedError

    @model_validator(mode="after")
    def _check(self) -> _Bell:
        centre, width = self._centre_width()
        if self.dist == "lognormal" and not centre > 0:
            raise DistributionError("median", f"median must be > 0 (got {centre:g})")
        _positive_width("sd" if self.dist == "normal" else "sigma", width)
        if self.low is not None and self.high is not None:
            _ordered(self.low, self.high)
        if self.low is not None and self.low > centre:
            raise DistributionError("low", f"the truncation low {self.low:g} is above {centre:g}")
        if self.high is not None and self.high < centre:
            raise DistributionError(
                "high", f"the truncation high {self.high:g} is below {centre:g}"
            )
        return self

    def support(self) -> tuple[float, float]:
        lo = self._floor if self.low is None else self.low
        return lo, math.inf if self.high is None else self.high

    def _z(self, x: float | None, default: float) -> float:
        centre, width = self._centre_width()
        if x is None:
            return default
        if self.dist == "lognormal":
            return (math.log(x) - math.log(centre)) / width
        return (x - centre) / width

    def _from_z(self, z: Any) -> np.ndarray:
        centre, width = self._centre_width()
        return centre * np.exp(width * z) if self.dist == "lognormal" else centre + width * z

    def ppf(self, u: Any) -> np.ndarray:
        """Inverse CDF; a truncated one is inverted exactly on its interval
        (``scipy.stats.truncnorm``), the result clipped to the support against rounding."""
        from scipy.stats import truncnorm

        u = np.atleast_1d(np.asarray(u, dtype=float))
        a, b = self._z(self.low, -np.inf), self._z(self.high, np.inf)
        z = truncnorm.ppf(np.clip(u, EPS, 1.0 - EPS), a, b)
        lo, hi = self.support()
        return np.clip(self._from_z(z), lo, hi)

    def frozen(self) -> Any:
        from scipy import stats

        a, b = self._z(self.low, -np.inf), self._z(self.high, np.inf)
        centre, width = self._centre_width()
        if self.dist == "lognormal":
            if self.low is None and self.high is None:
                return stats.lognorm(s=width, scale=centre)
            raise NotImplementedError("scipy has no truncated log-normal; use ppf")
        return stats.truncnorm(a, b, loc=centre, scale=width)


class Normal(_Bell):
    """Normal with ``mean`` and standard deviation ``sd`` > 0, optionally truncated to
    [``low``, ``high``]."""

    dist: Literal["normal"]
    mean: float
    sd: float

    _floor: ClassVar[float] = -math.inf

    def _centre_width(self) -> tuple[float, float]:
        return self.mean, self.sd

    def reach(self) -> tuple[float, float]:
        lo, hi = self.support()
        return max(lo, self.mean - TAIL_Z * self.sd), min(hi, self.mean + TAIL_Z * self.sd)


class LogNormal(_Bell):
    """Log-normal: ``median`` > 0 of the value and ``sigma`` > 0, the standard deviation of
    its natural logarithm (``ln X ~ Normal(ln median, sigma)``; geometric sd ``exp(sigma)``),
    optionally truncated to [``low``, ``high``] (> 0)."""

    dist: Literal["lognormal"]
    median: float
    sigma: float
    low: float | None = Field(default=None, gt=0)
    high: float | None = Field(default=None, gt=0)

    @model_validator(mode="before")
    @classmethod
    def _old_spellings(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        for old, new, convert in (
            ("gsd", "sigma", math.log),
            ("mu", "median", math.exp),
        ):
            v = data.get(old)
            if v is not None:
                hint = ""
                if isinstance(v, int | float) and (old == "mu" or v > 0):
                    hint = f"; {old}: {v:g} is {new}: {convert(v):.6g}"
                raise DistributionError(
                    old,
                    f"lognormal takes median and sigma (the standard deviation of ln x), "
                    f"not {old}{hint}",
                )
        return data

    _floor: ClassVar[float] = 0.0

    def _centre_width(self) -> tuple[float, float]:
        return self.median, self.sigma

    def reach(self) -> tuple[float, float]:
        lo, hi = self.support()
        return lo, min(hi, self.median * math.exp(min(TAIL_Z * self.sigma, 700.0)))


def _clean_errors(value: Any, handler: Any) -> Any:
    """Validate a distribution; errors name the field, not the family's tag."""
    try:
        return handler(value)
    except ValidationError as exc:
        tag = value.get("dist") if isinstance(value, dict) else None
        details = []
        for err in exc.errors(include_url=False):
            loc, kind = tuple(err["loc"]), err["type"]
            if loc and loc[0] == tag:
                loc = loc[1:]
            error = (err.get("ctx") or {}).get("error")
            if kind in ("union_tag_invalid", "union_tag_not_found"):
                loc = ("dist",)
                kind = PydanticCustomError(
                    "value_error",
                    "dist must be one of {families}",
                    {"families": ", ".join(FAMILIES)},
                )
            elif isinstance(error, DistributionError):
                loc = (*loc, error.field)
                kind = PydanticCustomError("value_error", str(error))
            elif kind == "value_error":
                kind = PydanticCustomError("value_error", str(error))
            ctx = err.get("ctx") if isinstance(kind, str) else None
            details.append({"type": kind, "loc": loc, "input": err["input"], "ctx": ctx})
        details = [{k: v for k, v in d.items() if v is not None} for d in details]
        raise ValidationError.from_exception_data(exc.title, details) from None


Distribution = Annotated[
    Annotated[
        Fixed | Uniform | LogUniform | Triangular | Normal | LogNormal,
        Field(discriminator="dist"),
    ],
    WrapValidator(_clean_errors),
]
"""One uncertain number: a discriminated union over the families, on ``dist``."""

#: Validates a mapping as a :data:`Distribution` (``DISTRIBUTION.validate_python(...)``).
DISTRIBUTION: TypeAdapter = TypeAdapter(Distribution)
