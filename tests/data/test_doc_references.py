"""Documents and data notes cite only files the repository ships.

A reference to a Markdown document (``models.md``, ``docs/data.md``) or to a path under a
folder of the project (``docs/``, ``data/``, ``src/``, ``examples/``) must name a file of this
repository; so must any reference to the desk-research folders (``research/``, ``shared/``),
which the repository does not ship. Output file names (``ledger.csv``) and placeholders
(``my-force.yaml``) are neither, and are not checked.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
#: Folders a bare or relative reference is looked up in, after the citing file's own folder.
BASES = (ROOT, ROOT / "docs", ROOT / "src" / "detente", ROOT / "src" / "detente" / "data")
TEXT_SUFFIXES = {".py", ".yaml", ".yml", ".csv", ".md", ".html", ".j2", ".toml", ".txt"}
#: A Markdown document, anywhere in the text.
MD_REF = re.compile(r"(?<![\w/.-])((?:\.{1,2}/)*(?:[\w.-]+/)*[\w.-]+\.md)\b")
#: A path into a folder of the project or into the unshipped research folders.
PATH_REF = re.compile(
    r"(?<![\w/.-])((?:\.{1,2}/)*(?:docs|data|src|examples|research|shared)/[\w./-]+?"
    r"\.(?:md|yaml|yml|csv))(?![\w/])"
)


def citing_files() -> list[Path]:
    """The docs, the README, the examples and every text file of the package."""
    files = [ROOT / "README.md", ROOT / "mkdocs.yml", *sorted((ROOT / "docs").rglob("*.md"))]
    for folder in (ROOT / "src", ROOT / "examples"):
        files += sorted(p for p in folder.rglob("*") if p.suffix in TEXT_SUFFIXES)
    return files


def unresolved(path: Path) -> list[str]:
    """``line: reference`` for each file cited in ``path`` that the repository lacks."""
    out = []
    for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        refs = {m.group(1) for m in MD_REF.finditer(line)}
        refs |= {m.group(1) for m in PATH_REF.finditer(line)}
        for ref in sorted(refs):
            if not any((base / ref).is_file() for base in (path.parent, *BASES)):
                out.append(f"{i}: {ref}")
    return out


def test_the_scan_finds_unshipped_references(tmp_path: Path) -> None:
    note = tmp_path / "note.yaml"
    note.write_text(
        "# see research/treaties.md section 1 and ../shared/research/x.csv\n"
        "# the spec: models.md §2; also docs/design.md and data/forces/none.yaml\n"
        "# fine: docs/models.md, data/sources.yaml, ledger.csv, my-force.yaml\n",
        encoding="utf-8",
    )
    found = [line.split(": ", 1)[1] for line in unresolved(note)]
    assert found == [
        "../shared/research/x.csv",
        "research/treaties.md",
        "data/forces/none.yaml",
        "docs/design.md",
    ]


@pytest.mark.parametrize("path", citing_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_every_cited_document_and_data_file_ships(path: Path) -> None:
    assert unresolved(path) == []


def test_the_model_document_ships_and_the_readme_links_it() -> None:
    models = ROOT / "docs" / "models.md"
    assert models.is_file()
    text = models.read_text(encoding="utf-8")
    for section in ("## 1.", "## 2.", "## 3.", "## 4.", "## 5.", "## 6."):
        assert section in text
    assert "validated" not in text.replace("not validated", "")
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "(docs/models.md)" in readme
    assert "validated open models" not in readme, "no published table is reproduced"
