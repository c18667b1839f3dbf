"""The smallest plotly.js bundle that draws a report's figures (reports inline it: one offline
file).

The official partial bundles of plotly.js (``vendor/``, see its README) cover the trace types
of the reports; any other type falls back to the full bundle of the installed ``plotly``
package.
"""

from __future__ import annotations

import functools
import html
from collections.abc import Iterable
from pathlib import Path

import plotly.graph_objects as go

VENDOR = Path(__file__).resolve().parent / "vendor"
#: plotly.js version of the vendored partial bundles (the installed ``plotly`` package's).
VERSION = "4.1.1"
#: Partial bundles, smallest first, with the trace types each registers.
BUNDLES = (
    ("basic", frozenset({"scatter", "bar", "pie"})),
    (
        "cartesian",
        frozenset(
            {
                "scatter", "bar", "pie", "box", "heatmap", "histogram", "histogram2d",
                "histogram2dcontour", "contour", "scatterternary", "violin", "image",
            }
        ),
    ),
)  # fmt: skip


def bundle_name(figures: Iterable[go.Figure]) -> str:
    """The smallest bundle with every trace type of ``figures`` (``"full"`` if none has).

    Examples
    --------
    >>> bundle_name([go.Figure(go.Scatter(x=[1], y=[2])), go.Figure(go.Bar(x=[1], y=[2]))])
    'basic'
    >>> bundle_name([go.Figure(go.Heatmap(z=[[1]]))])
    'cartesian'
    >>> bundle_name([go.Figure(go.Scattergl(x=[1], y=[2]))])
    'full'
    """
    types = {trace.type or "scatter" for fig in figures for trace in fig.data}
    return next((name for name, has in BUNDLES if types <= has), "full")


@functools.cache
def bundle_js(name: str) -> str:
    """The text of bundle ``name`` (``basic``, ``cartesian`` or ``full``)."""
    if name == "full":
        from plotly.offline import get_plotlyjs

        return get_plotlyjs()
    return (VENDOR / f"plotly-{name}-{VERSION}.min.js").read_text(encoding="utf-8")


def plotlyjs_for(figures: Iterable[go.Figure]) -> str:
    """The text of the smallest plotly.js bundle that draws ``figures``."""
    return bundle_js(bundle_name(list(figures)))


#: Draws each ``.lazy-figure`` when it comes near the screen (and all of them before printing),
#: so a report of dozens of figures opens in a few seconds. ``detenteDrawAll()`` draws the rest.
LAZY_LOADER = """<script>
(function () {
  var config = {responsive: true, displaylogo: false};
  function draw(div) {
    if (!div._drawing) {
      var spec = JSON.parse(document.getElementById(div.id + "-json").textContent);
      div._drawing = Plotly.newPlot(div, spec.data, spec.layout, config);
    }
    return div._drawing;
  }
  var all = Array.prototype.slice.call(document.querySelectorAll(".lazy-figure"));
  if ("IntersectionObserver" in window) {
    var seen = new IntersectionObserver(function (entries) {
      entries.forEach(function (e) {
        if (e.isIntersecting) { seen.unobserve(e.target); draw(e.target); }
      });
    }, {rootMargin: "800px 0px"});
    all.forEach(function (div) { seen.observe(div); });
  } else {
    all.forEach(draw);
  }
  window.detenteDrawAll = function () { return Promise.all(all.map(draw)); };
  window.addEventListener("beforeprint", function () { all.forEach(draw); });
})();
</script>"""


def lazy_figure_html(fig: go.Figure, div_id: str, height_px: int = 450) -> str:
    """A figure's placeholder and its JSON, drawn by :data:`LAZY_LOADER` when scrolled near."""
    height = fig.layout.height or height_px
    spec = fig.to_json().replace("</", "<\\/")
    return (
        f'<div id="{html.escape(div_id)}" class="plotly-graph-div lazy-figure" '
        f'style="height:{int(height)}px; width:100%;"></div>'
        f'<script type="application/json" id="{html.escape(div_id)}-json">{spec}</script>'
    )
