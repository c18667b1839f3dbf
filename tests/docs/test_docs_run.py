"""Every Python code block in the docs and the README runs as written.

The blocks of one page share a namespace and run in order, in a scratch folder that holds a
link to the repository's ``examples/`` (the paths the docs use); a block that raises fails the
test with the page and the block's first line.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PAGES = sorted([*(ROOT / "docs").glob("**/*.md"), ROOT / "README.md"])
BLOCK = re.compile(r"^```python\n(.*?)^```", re.S | re.M)


def blocks(page: Path) -> list[str]:
    """The Python code blocks of ``page``, in order."""
    return BLOCK.findall(page.read_text(encoding="utf-8"))


@pytest.mark.slow
@pytest.mark.parametrize("page", [p for p in PAGES if blocks(p)], ids=lambda p: p.name)
def test_code_blocks_run(page: Path, tmp_path: Path, monkeypatch):
    (tmp_path / "examples").symlink_to(ROOT / "examples")
    monkeypatch.chdir(tmp_path)
    namespace: dict = {"__name__": f"docs_{page.stem}"}
    for i, code in enumerate(blocks(page)):
        try:
            exec(compile(code, f"{page.name}[block {i}]", "exec"), namespace)
        except Exception as exc:  # reported with the page and the block
            first = code.strip().splitlines()[0]
            pytest.fail(f"{page.name} block {i} ({first!r}): {type(exc).__name__}: {exc}")


def test_pages_have_no_placeholders():
    """No ``...`` stands in for an argument or a value inside a code block (comments aside)."""
    for page in PAGES:
        for code in blocks(page):
            text = re.sub(r"#.*", "", code)
            assert not re.search(r"[({\[,=]\s*\.\.\.", text), f"placeholder in {page.name}"


def test_the_collector_finds_blocks():
    """The pattern sees the blocks the docs have (so the run test cannot pass vacuously)."""
    assert sum(len(blocks(p)) for p in PAGES) >= 10
    assert os.path.exists(ROOT / "docs" / "api.md")


@pytest.mark.slow
def test_site_builds_offline(tmp_path):
    """``make docs``: MkDocs builds the site with the API reference from the docstrings."""
    import subprocess
    import sys

    mkdocs = Path(sys.executable).with_name("mkdocs")
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    subprocess.run(
        [str(mkdocs), "build", "--quiet", "--site-dir", str(tmp_path / "site")],
        cwd=ROOT,
        check=True,
        env=env,
        capture_output=True,
        timeout=300,
    )
    page = (tmp_path / "site" / "reference" / "api" / "index.html").read_text()
    assert "broadcast" in page and "StabilityCases" in page
    assert (tmp_path / "site" / "api" / "index.html").exists()
