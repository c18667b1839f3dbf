"""The result of counting a force against a treaty, and its verdicts in words.

:func:`detente.analysis.counting.count` returns a :class:`CountResult`: per limit a
:class:`LimitCount` (count, basis, low-high range, ceiling, verdict), per ban a
:class:`BanCount`, and the treaty's standing. The verdicts and the sentences that say them
(``within (estimate; 1,400–1,700)``, ``undetermined: bomber weapons not known (b-2a)``) are
derived here from the stored numbers, so a result read back from JSON says the same.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from detente.display import Display

if TYPE_CHECKING:
    import pandas as pd
    import plotly.graph_objects as go

#: Provenance statuses from strongest to weakest; a count's basis is the weakest of its inputs.
BASES: tuple[str, ...] = ("official", "derived", "estimate", "assumption", "unstated")
#: How each basis reads in a verdict.
BASIS_WORDS: dict[str, str] = {
    "official": "declared",
    "derived": "derived",
    "estimate": "estimate",
    "assumption": "assumption",
    "unstated": "unsourced figures",
}


def _num(x: float) -> int | float:
    """``x`` as an int when it is whole (JSON and tables show 675, not 675.0)."""
    return int(x) if float(x).is_integer() else float(x)


def _text(x: float) -> str:
    """A count in words: thousands separated, whole numbers without decimals."""
    return f"{x:,.0f}" if float(x).is_integer() else f"{x:,.1f}"


def weakest(statuses: set[str] | frozenset[str]) -> str:
    """The weakest of ``statuses`` in the order of :data:`BASES` (``official`` when empty).

    Examples
    --------
    >>> weakest({"official", "estimate"}), weakest(set())
    ('estimate', 'official')
    """
    return max(statuses, key=BASES.index, default="official")


@dataclass(frozen=True)
class Contribution:
    """What one holding adds to a count (or, for a ban, its offending launchers) [count].

    ``low``/``high`` default to ``count`` and ``basis`` to ``official`` (an exact figure).
    """

    holding: str
    system: str | None
    count: float
    low: float | None = None
    high: float | None = None
    basis: str = "official"

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe dict."""
        return {
            "holding": self.holding,
            "system": self.system,
            "count": _num(self.count),
            "low": _num(self.count if self.low is None else self.low),
            "high": _num(self.count if self.high is None else self.high),
            "basis": self.basis,
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Contribution:
        """Inverse of :meth:`to_dict`."""
        return cls(
            d["holding"], d["system"], d["count"], d["low"], d["high"], d.get("basis", "official")
        )


@dataclass(frozen=True)
class Undetermined:
    """A holding whose contribution the data cannot decide, and why."""

    holding: str
    system: str | None
    reason: str

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe dict."""
        return {"holding": self.holding, "system": self.system, "reason": self.reason}


def _why(undetermined: tuple[Undetermined, ...]) -> str:
    """``reason (holding, holding); reason (holding)`` grouped by reason, in order."""
    by_reason: dict[str, list[str]] = {}
    for u in undetermined:
        by_reason.setdefault(u.reason, []).append(u.holding)
    return "; ".join(f"{r} ({', '.join(h)})" for r, h in by_reason.items())


def _qualifier(basis: str, low: float, high: float) -> str:
    """``(declared)``, ``(estimate; 1,400–1,700)`` or ``(estimate; no range given)``."""
    words = BASIS_WORDS[basis]
    if low != high:
        return f"({words}; {_text(low)}–{_text(high)})"
    if basis in {"official", "derived"}:
        return f"({words})"
    return f"({words}; no range given)"


@dataclass(frozen=True)
class LimitCount:
    """The count of one limit.

    Attributes
    ----------
    count : float
        Sum of the contributions [count].
    low, high : float
        Range of the count from its figures' stated ranges [count].
    basis : str
        Weakest provenance status of the figures summed (:data:`BASES`); ``official`` when
        the count is the party's declared count for the force's date.
    limit : float
        The treaty's ceiling (``Limit.max``) [count].
    minimum : float or None
        Low end of a ranged limit (SORT 1,700–2,200), informational.
    declared : float or None
        The party's declared count for the force's date, where the treaty has one [count].
    undetermined : tuple of Undetermined
        Holdings the data could not decide; they are not in ``count``.
    sources : tuple of str
        Source ids of the ceiling and the limit (and of the declared count).
    """

    id: str
    quantity: str
    count: float
    limit: float
    contributions: tuple[Contribution, ...] = ()
    undetermined: tuple[Undetermined, ...] = ()
    minimum: float | None = None
    description: str | None = None
    sources: tuple[str, ...] = ()
    label: str | None = None
    low: float | None = None
    high: float | None = None
    basis: str = "official"
    declared: float | None = None

    @property
    def name(self) -> str:
        """Human label (``deployed warheads``)."""
        return self.label or self.id.replace("_", " ")

    @property
    def bounds(self) -> tuple[float, float]:
        """``(low, high)``, the count itself where no range is known."""
        return (
            self.count if self.low is None else self.low,
            self.count if self.high is None else self.high,
        )

    @property
    def margin(self) -> float:
        """Headroom under the ceiling; negative when over [count]."""
        return self.limit - self.count

    @property
    def verdict(self) -> str:
        """``within``, ``above``, ``uncertain`` (the range spans the ceiling) or
        ``undetermined`` (holdings undecided and the count not already over)."""
        low, high = self.bounds
        if low > self.limit:
            return "above"
        if self.undetermined:
            return "undetermined"
        return "within" if high <= self.limit else "uncertain"

    @property
    def ok(self) -> bool | None:
        """True within the ceiling, False above it, None when the data cannot tell."""
        return {"within": True, "above": False}.get(self.verdict)

    @property
    def status_text(self) -> str:
        """The verdict in words: ``within (estimate; 1,400–1,700)``, ``above (declared)``,
        ``undetermined: bomber weapons not known (b-2a, b-52h)``."""
        verdict = self.verdict
        if verdict == "undetermined":
            return f"undetermined: {_why(self.undetermined)}"
        if not (self.count or self.contributions or self.undetermined or self.declared):
            return "within: no holding counted"
        text = {
            "within": "within",
            "above": "above",
            "uncertain": "uncertain: the range spans the limit",
        }[verdict]
        text += " " + _qualifier(self.basis, *self.bounds)
        if self.undetermined:
            text += f", before the undetermined: {_why(self.undetermined)}"
        if self.declared is not None and self.declared != self.count:
            text += f"; declared {_text(self.declared)}"
        return text

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe dict."""
        low, high = self.bounds
        return {
            "id": self.id,
            "label": self.name,
            "quantity": self.quantity,
            "description": self.description,
            "count": _num(self.count),
            "low": _num(low),
            "high": _num(high),
            "basis": self.basis,
            "declared": None if self.declared is None else _num(self.declared),
            "limit": _num(self.limit),
            "min": None if self.minimum is None else _num(self.minimum),
            "margin": _num(self.margin),
            "verdict": self.verdict,
            "status_text": self.status_text,
            "ok": self.ok,
            "contributions": [c.to_dict() for c in self.contributions],
            "undetermined": [u.to_dict() for u in self.undetermined],
            "sources": list(self.sources),
        }


@dataclass(frozen=True)
class BanCount:
    """The holdings that offend one ban (count: their launchers, all statuses).

    Attributes
    ----------
    covered : bool
        The force has data on the banned kind of system (a holding that matches the ban's
        category, basing, delivery and launch criteria); without it the ban is undetermined.
    """

    id: str
    offending: tuple[Contribution, ...] = ()
    undetermined: tuple[Undetermined, ...] = ()
    description: str | None = None
    sources: tuple[str, ...] = ()
    label: str | None = None
    covered: bool = True
    scope: str | None = None

    @property
    def name(self) -> str:
        """Human label."""
        return self.label or self.id.replace("_", " ")

    @property
    def launchers(self) -> float:
        """Offending launchers, all statuses [count]."""
        return float(sum(c.count for c in self.offending))

    @property
    def bounds(self) -> tuple[float, float]:
        """Low and high of the offending launchers, from their stated ranges [count]."""
        low = sum(c.count if c.low is None else c.low for c in self.offending)
        high = sum(c.count if c.high is None else c.high for c in self.offending)
        return float(low), float(high)

    @property
    def verdict(self) -> str:
        """``violated``, ``respected`` or ``undetermined``."""
        if self.offending:
            return "violated"
        if self.undetermined or not self.covered:
            return "undetermined"
        return "respected"

    @property
    def ok(self) -> bool | None:
        """True when respected, False when violated, None when the data cannot tell."""
        return {"respected": True, "violated": False}.get(self.verdict)

    @property
    def basis(self) -> str:
        """Weakest basis of the offending launcher counts."""
        return weakest({c.basis for c in self.offending})

    @property
    def status_text(self) -> str:
        """``violated: holds 18 banned launchers: df-26 18 (estimate)``,
        ``undetermined: no data on ...``, ``respected``."""
        verdict = self.verdict
        if verdict == "violated":
            low, high = self.bounds
            held = ", ".join(f"{c.holding} {_text(c.count)}" for c in self.offending)
            return (
                f"violated: holds {_text(self.launchers)} banned launchers ({held}) "
                + _qualifier(self.basis, low, high)
            )
        if verdict == "undetermined":
            reasons = [_why(self.undetermined)] if self.undetermined else []
            if not self.covered:
                reasons.append(f"no data on {self.scope or self.description or self.name}")
            return "undetermined: " + "; ".join(reasons)
        return "respected"

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe dict."""
        return {
            "id": self.id,
            "label": self.name,
            "description": self.description,
            "scope": self.scope,
            "count": _num(self.launchers),
            "low": _num(self.bounds[0]),
            "high": _num(self.bounds[1]),
            "basis": self.basis,
            "covered": self.covered,
            "verdict": self.verdict,
            "status_text": self.status_text,
            "ok": self.ok,
            "offending": [c.to_dict() for c in self.offending],
            "undetermined": [u.to_dict() for u in self.undetermined],
            "sources": list(self.sources),
        }


#: Treaty dates carried by a count, for its head line and for timelines.
TREATY_DATES: tuple[str, ...] = ("signed", "entered_into_force", "expired", "withdrawn")


@dataclass(frozen=True, repr=False)
class CountResult(Display):
    """A force counted against a treaty.

    Attributes
    ----------
    treaty : str
        The treaty's id.
    treaty_name, treaty_status : str
    in_force : bool or None
        Whether the treaty is in force now (its status).
    standing : str
        One sentence on the treaty's standing (``New START expired on 2026-02-05; shown
        for comparison.``).
    dates : tuple of (str, str)
        The treaty's dates by :data:`TREATY_DATES` key, ISO format, where given.
    """

    force: str
    treaty: str
    limits: tuple[LimitCount, ...] = ()
    bans: tuple[BanCount, ...] = ()
    treaty_name: str | None = None
    treaty_status: str | None = None
    in_force: bool | None = None
    standing: str = ""
    dates: tuple[tuple[str, str], ...] = field(default=())

    @property
    def compliant(self) -> bool | None:
        """True when every limit is met and no ban offended, False when a limit is exceeded
        or a ban violated, None when the data cannot tell (undetermined or uncertain)."""
        oks = [x.ok for x in (*self.limits, *self.bans)]
        if False in oks:
            return False
        return None if None in oks else True

    @property
    def verdict(self) -> str:
        """``within`` (every limit met, every ban respected), ``above`` or ``undetermined``."""
        return (
            {True: "within", False: "above"}[self.compliant]
            if self.compliant is not None
            else ("undetermined")
        )

    @property
    def status_text(self) -> str:
        """The overall verdict in words, naming the limits and bans that decide it."""
        items = (*self.limits, *self.bans)
        if self.compliant is True:
            met = ["within every limit"] if self.limits else []
            met += ["every ban respected"] if self.bans else []
            return "; ".join(met) or "nothing to count"
        if self.compliant is False:
            names = [x.name for x in items if x.ok is False]
            return "above a limit or against a ban: " + ", ".join(names)
        names = [f"{x.name} ({x.verdict})" for x in items if x.ok is None]
        return "not decided by the data: " + ", ".join(names)

    def limit(self, limit_id: str) -> LimitCount:
        """The count of the limit with id ``limit_id``."""
        for x in self.limits:
            if x.id == limit_id:
                return x
        raise KeyError(f"no limit {limit_id!r}; limits: {', '.join(x.id for x in self.limits)}")

    def ban(self, ban_id: str) -> BanCount:
        """The count of the ban with id ``ban_id``."""
        for b in self.bans:
            if b.id == ban_id:
                return b
        raise KeyError(f"no ban {ban_id!r}; bans: {', '.join(b.id for b in self.bans)}")

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe dict: force, treaty and its standing, limits, bans, overall verdict."""
        dates = dict(self.dates)
        return {
            "force": self.force,
            "treaty": self.treaty,
            "treaty_name": self.treaty_name,
            "treaty_status": self.treaty_status,
            "in_force": self.in_force,
            **{k: dates.get(k) for k in TREATY_DATES},
            "standing": self.standing,
            "limits": [x.to_dict() for x in self.limits],
            "bans": [x.to_dict() for x in self.bans],
            "compliant": self.compliant,
            "verdict": self.verdict,
            "status_text": self.status_text,
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> CountResult:
        """Inverse of :meth:`to_dict` (derived keys such as ``margin`` are recomputed)."""

        def contributions(items: list) -> tuple[Contribution, ...]:
            return tuple(Contribution.from_dict(c) for c in items)

        def undetermined(items: list) -> tuple[Undetermined, ...]:
            return tuple(Undetermined(u["holding"], u["system"], u["reason"]) for u in items)

        return cls(
            force=d["force"],
            treaty=d["treaty"],
            treaty_name=d.get("treaty_name"),
            treaty_status=d.get("treaty_status"),
            in_force=d.get("in_force"),
            standing=d.get("standing", ""),
            dates=tuple((k, d[k]) for k in TREATY_DATES if d.get(k) is not None),
            limits=tuple(
                LimitCount(
                    id=x["id"],
                    label=x.get("label"),
                    quantity=x["quantity"],
                    count=x["count"],
                    low=x["low"],
                    high=x["high"],
                    basis=x["basis"],
                    declared=x["declared"],
                    limit=x["limit"],
                    contributions=contributions(x["contributions"]),
                    undetermined=undetermined(x["undetermined"]),
                    minimum=x["min"],
                    description=x["description"],
                    sources=tuple(x["sources"]),
                )
                for x in d["limits"]
            ),
            bans=tuple(
                BanCount(
                    id=x["id"],
                    label=x.get("label"),
                    offending=contributions(x["offending"]),
                    undetermined=undetermined(x["undetermined"]),
                    description=x["description"],
                    sources=tuple(x["sources"]),
                    covered=x["covered"],
                    scope=x.get("scope"),
                )
                for x in d["bans"]
            ),
        )

    def summary(self) -> str:
        """The force, the treaty and its standing, and the overall verdict in words."""
        parts = [
            f"{self.force} counted under {self.treaty_name or self.treaty}: {self.status_text}.",
            self.standing,
            "See to_frame() for each count, its basis, range and verdict",
        ]
        return " ".join(p for p in parts if p)

    def plot(self) -> go.Figure:
        """Each limit's count as a share of its ceiling (100 % = at the limit), with the
        count's range: the figure of the report
        (:func:`detente.report.count_figures.compliance_figure`)."""
        from detente.report.count_figures import compliance_figure

        frame = self.to_frame()
        frame.insert(0, "party", self.force)
        dates = dict(self.dates)
        ended = dates.get("expired") or dates.get("withdrawn")
        return compliance_figure(frame, self.treaty_name or self.treaty, ended)

    def to_frame(self) -> pd.DataFrame:
        """One row per limit and ban: kind, id, label, quantity, count, low, high, basis,
        limit, min, margin, verdict, ok, undetermined (how many holdings).

        A ban's row counts the offending launchers against a limit of 0.
        """
        rows = []
        for x in self.limits:
            low, high = x.bounds
            rows.append(
                {
                    "kind": "limit",
                    "id": x.id,
                    "label": x.name,
                    "quantity": x.quantity,
                    "count": _num(x.count),
                    "low": _num(low),
                    "high": _num(high),
                    "basis": x.basis,
                    "limit": _num(x.limit),
                    "min": None if x.minimum is None else _num(x.minimum),
                    "margin": _num(x.margin),
                    "verdict": x.verdict,
                    "ok": x.ok,
                    "undetermined": len(x.undetermined),
                }
            )
        for b in self.bans:
            n = _num(b.launchers)
            rows.append(
                {
                    "kind": "ban",
                    "id": b.id,
                    "label": b.name,
                    "quantity": "launchers",
                    "count": n,
                    "low": _num(b.bounds[0]),
                    "high": _num(b.bounds[1]),
                    "basis": b.basis,
                    "limit": 0,
                    "min": None,
                    "margin": -n,
                    "verdict": b.verdict,
                    "ok": b.ok,
                    "undetermined": len(b.undetermined),
                }
            )
        columns = ["kind", "id", "label", "quantity", "count", "low", "high", "basis", "limit"]
        columns += ["min", "margin", "verdict", "ok", "undetermined"]
        import pandas as pd  # lazy: keeps CLI start-up fast

        return pd.DataFrame(rows, columns=columns)
