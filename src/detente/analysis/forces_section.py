"""The forces and treaty-compliance sections of an assessment: every party's holdings after
the scenario's modifications, by leg, and each party's treaty count
(:func:`detente.analysis.counting.count`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from detente.analysis.counting import CountResult, count
from detente.analysis.elements import LEG, STRATEGIC_CATEGORIES
from detente.model.catalog import system_table

if TYPE_CHECKING:
    import pandas as pd

    from detente.analysis.scenario import ResolvedScenario


def party_counts(resolved: ResolvedScenario) -> dict[str, CountResult]:
    """The treaty count of each party (empty without a treaty)."""
    if resolved.treaty is None:
        return {}
    return {
        party.label: count(party.force, resolved.treaty, system_table(party.force))
        for party in resolved.parties
    }


def forces_frame(resolved: ResolvedScenario) -> pd.DataFrame:
    """One row per holding of every party after the scenario's modifications."""
    import pandas as pd

    rows = []
    for party in resolved.parties:
        table = system_table(party.force)
        for h in party.force.holdings:
            system = table[h.system]
            strategic = system.category in STRATEGIC_CATEGORIES
            rows.append(
                {
                    "party": party.label,
                    "force": party.base.name,
                    "holding": h.name,
                    "system": h.system,
                    "leg": LEG.get(system.category, system.category),
                    "basing": system.basing,
                    "deployed_launchers": h.launchers.deployed,
                    "non_deployed_launchers": h.launchers.non_deployed,
                    "test_launchers": h.launchers.test,
                    "loading": h.mean_loading,
                    "deployed_warheads": h.deployed_warheads,
                    "alert_day_to_day": None if system.fixed else h.alert.day_to_day,
                    "alert_generated": None if system.fixed else h.alert.generated,
                    "in_exchange": strategic and h.launchers.deployed > 0,
                }
            )
    return pd.DataFrame(rows)


def legs_frame(forces: pd.DataFrame) -> pd.DataFrame:
    """Deployed launchers and warheads by party and leg (strategic systems), from
    :func:`forces_frame`."""
    df = forces
    df = df[df["leg"].isin(list(LEG.values()))]
    cols = ["deployed_launchers", "non_deployed_launchers", "deployed_warheads"]
    return df.groupby(["party", "leg"], sort=False)[cols].sum().reset_index()


def compliance_frame(counts: Mapping[str, CountResult]) -> pd.DataFrame:
    """One row per party and limit or ban: count, limit, margin, ok."""
    import pandas as pd

    frames = []
    for label, result in counts.items():
        df = result.to_frame()
        df.insert(0, "party", label)
        df.insert(1, "treaty", result.treaty)
        frames.append(df)
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
