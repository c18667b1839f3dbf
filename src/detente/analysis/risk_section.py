"""The inadvertent-war risk section of an assessment (``risk:`` block of a scenario): the Monte
Carlo of :func:`detente.analysis.risk.run_risk` on the scenario's parameter set.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from detente.analysis.caveats import text
from detente.analysis.ledger import LedgerEntry, flat, joined
from detente.analysis.risk import RiskResult, load_risk_parameters, run_risk
from detente.model.scenario import RISK_DIR

if TYPE_CHECKING:
    import pandas as pd

    from detente.analysis.scenario import ResolvedScenario

#: Source of the structure of the risk model (not of the bundled values).
RISK_STRUCTURE_SOURCE = "barrett-baum-hostetler-2013"


@dataclass(frozen=True)
class RiskSection:
    """The inadvertent-war risk Monte Carlo (``risk:`` block).

    Attributes
    ----------
    result : RiskResult
    file : str
        The parameter file used.
    modelled : tuple of str
        Sides with false-alarm streams in the parameter set.
    unmodelled : tuple of str
        Parties of the scenario without a stream (their risk is not modelled).
    parameters : tuple of LedgerEntry
        Every parameter with its provenance (also in the ledger).
    """

    result: RiskResult
    file: str
    modelled: tuple[str, ...]
    unmodelled: tuple[str, ...]
    parameters: tuple[LedgerEntry, ...]

    def to_dict(self) -> dict[str, Any]:
        """:meth:`RiskResult.to_dict` (``annual_probability`` p05/p50/p95/mean, ...) with the
        file and the sides modelled."""
        return {
            **self.result.to_dict(),
            "parameter_file": self.file,
            "parties_modelled": list(self.modelled),
            "parties_not_modelled": list(self.unmodelled),
        }

    def caveats(self) -> tuple[str, ...]:
        """How many of the values are illustrative, and the parties without a stream."""
        out = []
        r = self.result
        if r.illustrative:
            out.append(
                text(
                    "caveats.risk_illustrative",
                    illustrative=len(r.illustrative),
                    total=len(r.parameters),
                    file=self.file,
                )
            )
        if self.unmodelled:
            out.append(
                text(
                    "caveats.risk_unmodelled",
                    modelled=", ".join(self.modelled),
                    unmodelled=", ".join(self.unmodelled),
                )
            )
        return tuple(out)

    def frames(self) -> dict[str, pd.DataFrame]:
        """``risk`` (the annual probability), ``risk_interventions``, ``risk_tornado`` and
        ``risk_parameters``."""
        import pandas as pd

        r = self.result
        return {
            "risk": r.to_frame(),
            "risk_interventions": pd.DataFrame(
                [joined(flat(asdict(iv))) for iv in r.interventions]
            ),
            "risk_tornado": r.tornado.to_frame().reset_index(),
            "risk_parameters": pd.DataFrame([joined(asdict(p)) for p in r.parameters]),
        }


def risk_section(resolved: ResolvedScenario, seed: int) -> RiskSection:
    """The inadvertent-war risk Monte Carlo of the ``risk:`` block (:func:`run_risk`), seeded
    by the assessment's seed."""
    scenario = resolved.scenario
    plan = scenario.risk
    path = scenario.risk_file()
    ps = load_risk_parameters(path)
    result = run_risk(ps, samples=plan.samples, seed=seed, years=plan.years)
    modelled = tuple(dict.fromkeys(s.side for s in ps.streams))
    bundled = path.resolve().parent == RISK_DIR.resolve()
    return RiskSection(
        result,
        f"data/risk/{path.name}" if bundled else str(path),
        modelled,
        tuple(k for k in resolved.labels if k not in modelled),
        tuple(
            LedgerEntry(
                f"risk {result.parameter_set}",
                p.name,
                p.distribution,
                p.status,
                p.source,
                p.note or "",
            )
            for p in result.parameters
        ),
    )
