"""The vendored partial plotly.js bundles: the installed plotly's version, each registers the
trace types it is chosen for, and the smallest one is picked."""

from __future__ import annotations

import plotly.graph_objects as go
import pytest
from plotly.offline import get_plotlyjs_version

from detente.report.plotlyjs import BUNDLES, VERSION, bundle_js, bundle_name, plotlyjs_for


def test_the_partial_bundles_are_the_installed_plotly_js_version():
    assert get_plotlyjs_version() == VERSION
    for name, _ in BUNDLES:
        assert f"plotly.js ({name} - minified) v{VERSION}" in bundle_js(name)[:300]


@pytest.mark.parametrize(("name", "types"), BUNDLES)
def test_each_bundle_registers_its_trace_types(name, types):
    text = bundle_js(name)
    for t in types:
        assert f'moduleType:"trace",name:"{t}"' in text, (name, t)


def test_the_smallest_bundle_is_picked():
    scatter = go.Figure(go.Scatter(x=[1], y=[1]))
    heatmap = go.Figure(go.Heatmap(z=[[1]]))
    assert plotlyjs_for([scatter]) is bundle_js("basic")
    assert bundle_name([scatter, heatmap]) == "cartesian"
    assert len(bundle_js("basic")) < len(bundle_js("cartesian")) < len(bundle_js("full"))
