"""The treaty-count figure: each limit's count as a share of its ceiling, per party.

One builder for the assessment report (:mod:`detente.report.assessment`) and the front door's
:meth:`detente.analysis.count_results.CountResult.plot`; it takes the count table
(:meth:`~detente.analysis.count_results.CountResult.to_frame` rows with a ``party`` column),
not a result, so it imports nothing of the analysis layer.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import plotly.graph_objects as go

from detente.model.glossary import party_colour, party_name
from detente.report.publish import layout

if TYPE_CHECKING:
    import pandas as pd


def compliance_figure(
    frame: pd.DataFrame, treaty: str | None, ended: str | None = None
) -> go.Figure:
    """Each limit's count as a share of its ceiling, per party (100 % = at the limit), with
    the count's low-high range as error bars.

    Parameters
    ----------
    frame : pandas.DataFrame
        Count rows (``party``, ``kind``, ``label``, ``count``, ``low``, ``high``, ``limit``,
        ``margin``, ``basis``); rows of kind ``limit`` are drawn [launchers or warheads].
    treaty : str or None
        The treaty's name (None: no treaty).
    ended : str or None
        The date it ended, if it has (the title then says it is shown for comparison).
    """
    fig = go.Figure()
    if not frame.empty:
        df = frame[frame["kind"] == "limit"]
        for k, (party, rows) in enumerate(df.groupby("party", sort=False)):
            ceiling = rows["limit"].astype(float)
            share = 100.0 * rows["count"].astype(float) / ceiling
            fig.add_bar(
                name=party_name(str(party)),
                legendgroup=str(party),
                marker_color=party_colour(str(party), k),
                x=rows["label"],
                y=share,
                error_y={
                    "type": "data",
                    "symmetric": False,
                    "array": 100.0 * rows["high"].astype(float) / ceiling - share,
                    "arrayminus": share - 100.0 * rows["low"].astype(float) / ceiling,
                },
                customdata=np.stack(
                    [rows["count"], rows["limit"], rows["margin"], rows["basis"]], -1
                ),
                hovertemplate="%{x}: %{customdata[0]:,} of %{customdata[1]:,} "
                "(margin %{customdata[2]:,}; %{customdata[3]})<extra>" + str(party) + "</extra>",
            )
        fig.add_hline(y=100, line_dash="dash", line_color="firebrick", annotation_text="limit")
    name = treaty or "no treaty"
    if treaty is not None and ended is not None:
        name += f" (ended {ended}; for comparison)"
    return layout(
        fig, f"Counts under {name}, % of each ceiling", barmode="group", yaxis_title="% of limit"
    )
