"""The import graph of the detente package has no cycle (read from the source with ``ast``).

Module level: every ``import`` outside a function body, those under ``if TYPE_CHECKING:``
included. The sweep package has none even counting the imports deferred into functions: its
models register in ``detente.sweep.registry`` instead of a sweep file importing them (the
cycle spec -> evaluators -> stability_model -> spec of #12).
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


def _imports(body: list[ast.stmt], deferred: bool):
    for node in body:
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            if deferred or isinstance(node, ast.ClassDef):
                yield from _imports(node.body, deferred)
        else:
            for child in ast.iter_child_nodes(node):
                if isinstance(child, ast.stmt):
                    yield from _imports([child], deferred)
                elif isinstance(child, ast.ExceptHandler):
                    yield from _imports(child.body, deferred)


def import_graph(root: Path, deferred: bool = False) -> dict[str, set[str]]:
    """Module -> the package's modules it imports (``deferred``: imports in functions too)."""
    modules = _modules(root)
    graph: dict[str, set[str]] = {m: set() for m in modules}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in _imports(ast.parse(path.read_text()).body, deferred):
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
    (pkg / "c.py").write_text("from .a import x\n")
    assert cycles(import_graph(pkg)) == [["pkg.a", "pkg.b", "pkg.c"]]


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
