"""axe-core in the browser tests: the pinned copy in tests/vendor (axe-core 4.10.3, MPL-2.0,
from the npm package ``axe-core``; see tests/vendor/README.md) is evaluated in the page, which
works under the app's Content-Security-Policy, and its violations are returned."""

from __future__ import annotations

import functools
from pathlib import Path

AXE_JS = Path(__file__).resolve().parent / "vendor" / "axe-4.10.3.min.js"
#: Impacts a test refuses (axe's scale: minor, moderate, serious, critical).
BLOCKING = ("serious", "critical")


@functools.cache
def _source() -> str:
    return AXE_JS.read_text(encoding="utf-8")


def axe_violations(page, impacts: tuple[str, ...] = BLOCKING) -> list[dict]:
    """axe-core's violations on ``page`` with one of ``impacts``: id, impact, nodes, help."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(_source())
    found = page.evaluate(
        """async () => (await axe.run(document, {resultTypes: ['violations']})).violations
            .map(v => ({id: v.id, impact: v.impact, help: v.help,
                        nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 5)}))"""
    )
    return [v for v in found if v["impact"] in impacts]
