"""Where a plotly figure's parts lie in the browser, and the check that none is cut or covered:
plotly's mode bar (toolbar) never covers the title; the title, the legend, both axis titles and
the foot (date and sources) lie inside the figure and cover none of each other; the figure
fits its box. Shared by the
page's and the reports' layout tests."""

from __future__ import annotations

#: The boxes [left, top, right, bottom] (CSS px) of one chart's parts, by part.
BOXES = """(id) => {
  const div = document.getElementById(id);
  const box = (e) => {
    if (!e) return null;
    const b = e.getBoundingClientRect();
    return [b.left, b.top, b.right, b.bottom];
  };
  return {
    div: box(div),
    svg: box(div.querySelector(".main-svg")),
    modebar: box(div.querySelector(".modebar")),
    title: box(div.querySelector(".gtitle")),
    xtitle: box(div.querySelector(".xtitle")),
    ytitle: box(div.querySelector(".ytitle")),
    legend: box(div.querySelector(".legend")),
    foot: box([...div.querySelectorAll(".annotation")].pop()),
  };
}"""


def _inside(inner: list[float], outer: list[float]) -> bool:
    return (
        inner[0] >= outer[0] - 0.5
        and inner[1] >= outer[1] - 0.5
        and inner[2] <= outer[2] + 0.5
        and inner[3] <= outer[3] + 0.5
    )


def _overlap(a: list[float], b: list[float]) -> bool:
    return a[0] < b[2] - 0.5 and b[0] < a[2] - 0.5 and a[1] < b[3] - 0.5 and b[1] < a[3] - 0.5


def check_layout(
    boxes: dict[str, list[float] | None],
    where: str,
    required: frozenset[str] = frozenset({"title", "xtitle", "ytitle", "foot"}),
) -> None:
    """Nothing of one chart is cut or covered (``where`` names it in a failure; ``required``:
    the parts it must have)."""
    svg = boxes["svg"]
    parts = {k: v for k, v in boxes.items() if v is not None and k not in ("div", "svg", "modebar")}
    assert required <= set(parts), (where, boxes)
    assert _inside(svg, boxes["div"]), f"{where}: the figure {svg} overflows its box {boxes['div']}"
    for name, box in parts.items():
        assert _inside(box, svg), f"{where}: the {name} {box} is cut by the figure {svg}"
    assert boxes["modebar"] is not None, where
    assert not _overlap(boxes["modebar"], boxes["title"]), f"{where}: the toolbar covers the title"
    names = sorted(parts)
    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            assert not _overlap(parts[a], parts[b]), f"{where}: the {a} and the {b} overlap"
