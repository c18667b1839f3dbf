"""The import graph of the detente package has no cycle (read from the source with ``ast``).

Two graphs, both without cycles:

* **Module level** (the design's layers): every ``import`` outside a function body, those
  under ``if TYPE_CHECKING:`` included.
* **Imports that run**: the module-level ones and those deferred into functions (heavy
  modules loaded on first use), without the ``TYPE_CHECKING`` blocks, which never run. The
  sweep package's models register in ``detente.sweep.registry`` instead of a sweep file
  importing them (the cycle spec -> evaluators -> stability_model -> spec of #12), and
  ``StabilityResult.plot()`` reaches its figure builder, which depends on results alone, not
  on an assessment (before: stability_figures -> publish -> ``detente`` -> api -> assess).

The one way the two graphs together close a loop is a result's ``plot()``: the result imports
its figure builder when called, the builder names the result's type for annotations only.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).parents[2] / "src"


def _modules(root: Path) -> dict[str, Path]:
    out = {}
    for path in root.rglob("*.py"):
        parts = list(path.relative_to(root.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = path
    return out


def _type_checking(node: ast.stmt) -> bool:
    """``if TYPE_CHECKING:`` (or ``typing.TYPE_CHECKING``)."""
    if not isinstance(node, ast.If):
        return False
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(body: list[ast.stmt], deferred: bool, typing: bool = True):
    for node in body:
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            if deferred or isinstance(node, ast.ClassDef):
                yield from _imports(node.body, deferred, typing)
        elif not typing and _type_checking(node):
            yield from _imports(node.orelse, deferred, typing)
        else:
            for child in ast.iter_child_nodes(node):
                if isinstance(child, ast.stmt):
                    yield from _imports([child], deferred, typing)
                elif isinstance(child, ast.ExceptHandler):
                    yield from _imports(child.body, deferred, typing)


def import_graph(root: Path, deferred: bool = False, typing: bool = True) -> dict[str, set[str]]:
    """Module -> the package's modules it imports (``deferred``: imports in functions too;
    ``typing``: those under ``if TYPE_CHECKING:`` too)."""
    modules = _modules(root)
    graph: dict[str, set[str]] = {m: set() for m in modules}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in _imports(ast.parse(path.read_text()).body, deferred, typing):
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            else:
                base = node.module or ""
                if node.level:
                    up = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join([*up, base] if base else up)
                targets = [base, *(f"{base}.{a.name}" for a in node.names)]
            graph[name] |= {t for t in targets if t in modules and t != name}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan), sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while (w := stack.pop()) != v:
                component.append(w)
            if component:
                found.append(sorted([v, *component]))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return sorted(found)


def test_the_cycle_finder_finds_a_cycle(tmp_path):
    pkg = tmp_path / "pkg"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "a.py").write_text("from pkg import b\n")
    (pkg / "b.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import pkg.c\n"
    )
    (pkg / "c.py").write_text("def f():\n    from . import a\n")
    assert cycles(import_graph(pkg)) == []
    assert cycles(import_graph(pkg, deferred=True)) == [["pkg.a", "pkg.b", "pkg.c"]]
    assert cycles(import_graph(pkg, deferred=True, typing=False)) == []
    (pkg / "c.py").write_text("from .a import x\n")
    assert cycles(import_graph(pkg)) == [["pkg.a", "pkg.b", "pkg.c"]]
    (pkg / "b.py").write_text("def f():\n    import pkg.c\n")
    assert cycles(import_graph(pkg, deferred=True, typing=False)) == [["pkg.a", "pkg.b", "pkg.c"]]


def test_the_package_has_no_module_level_import_cycle():
    graph = import_graph(SRC / "detente")
    assert len(graph) > 50 and "detente.sweep.registry" in graph["detente.sweep.spec"]
    assert cycles(graph) == []


@pytest.mark.parametrize("package", ["sweep"])
def test_a_package_has_no_cycle_even_through_deferred_imports(package):
    graph = import_graph(SRC / "detente", deferred=True)
    inside = {
        m: {t for t in ts if t.startswith(f"detente.{package}.")}
        for m, ts in graph.items()
        if m.startswith(f"detente.{package}.")
    }
    assert cycles(inside) == []


def test_no_cycle_through_the_imports_that_run():
    """Imports in functions included (those under TYPE_CHECKING never run): no cycle (the
    compiled kernel's row solver takes its constants from kernels/_common.py, not from the
    wrapper that loads it)."""
    graph = import_graph(SRC / "detente", deferred=True, typing=False)
    assert "detente.report.stability_figures" in graph["detente.analysis.stability"]
    assert cycles(graph) == []


def _reach(graph: dict[str, set[str]], start: str) -> set[str]:
    seen, todo = set(), [start]
    while todo:
        for m in graph[todo.pop()] - seen:
            seen.add(m)
            todo.append(m)
    return seen


@pytest.mark.parametrize("builder", ["detente.report.stability_figures", "detente.report.publish"])
def test_a_result_figure_builder_reaches_no_assessment(builder):
    """``res.plot()`` loads the figure builder, which needs results alone: neither the
    assessment, the front door nor the sections, whatever it imports, when or for typing."""
    graph = import_graph(SRC / "detente", deferred=True)
    reached = _reach(graph, builder)
    assert not {m for m in reached if m.endswith("_section")}
    assert not reached & {"detente", "detente.api", "detente.analysis.assess"}


def test_with_the_imports_for_typing_only_a_plot_closes_a_loop():
    """All imports together (module level, in functions, for typing): every loop is a
    result's plot() and its figure builder's annotations: the result
    imports the builder only when called, the builder the result only for typing."""
    runs = import_graph(SRC / "detente", deferred=True, typing=False)
    module = import_graph(SRC / "detente")
    plots = cycles(import_graph(SRC / "detente", deferred=True))
    assert ["detente.analysis.stability", "detente.report.stability_figures"] in plots
    assert ["detente.analysis.upload", "detente.report.upload_figures"] in plots
    for result, builder in plots:
        assert builder.startswith("detente.report.") and builder.endswith("_figures")
        assert builder in runs[result] and builder not in module[result]  # in plot()
        assert result in module[builder] and result not in runs[builder]  # typing only
