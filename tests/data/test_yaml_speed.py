"""The fast YAML path (libyaml, lines found on demand), the parsed-data cache of the bundled
files and the lazily registered command-line topics keep every answer and every error."""

from __future__ import annotations

import os
import pickle
import subprocess
import sys

import pytest

from detente.errors import InputError
from detente.model import datacache, yamlio

BUNDLED = yamlio.DATA_DIR / "systems.yaml"


@pytest.fixture
def cache(tmp_path, monkeypatch):
    """An empty cache directory for the parsed bundled data."""
    monkeypatch.setenv("DETENTE_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache"


def test_fast_parse_equals_the_marked_parse_with_its_lines():
    text = BUNDLED.read_text(encoding="utf-8")
    fast = yamlio.parse_yaml(text, "systems.yaml")
    marked = yamlio._marked_parse(text, "systems.yaml")
    assert fast.data == marked.data
    assert dict(fast.lines) == dict(marked.lines)  # found on demand, the same lines
    sub = fast.sub(("systems",))
    assert sub.line_of((0,)) == marked.line_of(("systems", 0))


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("a: 1\nb:\n  c: 2\n  c: 3\n", 4, "duplicate key 'c'"),
        ("a: 1\n? [x, y]\n: 2\n", 2, "mapping keys must be plain scalars"),
        ("a:\n  when: 2020-02-30\n", 2, "invalid value '2020-02-30'"),
        ("a: 1\nb: [1, 2\nc: 3\n", 3, "invalid YAML"),
    ],
)
def test_what_the_fast_parse_leaves_is_located_by_the_marked_parse(text, line, message):
    with pytest.raises(InputError, match=message) as info:
        yamlio.parse_yaml(text, "bad.yaml")
    assert (info.value.file, info.value.line) == ("bad.yaml", line)


def test_validation_errors_of_fast_parsed_documents_name_the_line():
    from pydantic import BaseModel, ConfigDict

    class Thing(BaseModel):
        model_config = ConfigDict(extra="forbid")
        size: int

    doc = yamlio.parse_yaml("# a thing\n\nsize: big\n", "thing.yaml")
    with pytest.raises(InputError) as info:
        yamlio.validate(Thing, doc)
    assert str(info.value).startswith("thing.yaml:3: field 'size':")


def test_bundled_files_are_parsed_once_per_content(cache):
    first = yamlio.load_yaml(BUNDLED)
    entries = list(cache.glob("*.pickle"))
    assert len(entries) == 1
    again = yamlio.load_yaml(BUNDLED)  # from the cache
    assert again.data == first.data
    assert again.line_of(("systems", 0)) == first.line_of(("systems", 0))
    # a changed file is another entry (the key is the content's hash)
    key = datacache.entry_key("yaml", data=BUNDLED.read_bytes())
    assert entries == [cache / f"{key}.pickle"]
    assert datacache.entry_key("yaml", data=BUNDLED.read_bytes() + b"\n") != key


def test_a_damaged_or_foreign_cache_entry_is_parsed_again(cache):
    want = yamlio.load_yaml(BUNDLED).data
    (entry,) = cache.glob("*.pickle")
    entry.write_bytes(b"not a pickle")
    assert yamlio.load_yaml(BUNDLED).data == want
    # an entry that would build anything but plain data is refused, not run
    entry.write_bytes(pickle.dumps(subprocess.CompletedProcess(["x"], 0)))
    assert yamlio.load_yaml(BUNDLED).data == want
    assert pickle.loads(entry.read_bytes()) == want  # and rewritten


def test_an_unwritable_cache_is_skipped(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    monkeypatch.setenv("DETENTE_CACHE_DIR", str(blocker))
    assert yamlio.load_yaml(BUNDLED).data["systems"]


def test_one_command_imports_its_own_topic_only(tmp_path):
    """``detente stability`` leaves the web layer, sweeps, reports and dataframes unloaded, and
    on a warm cache no YAML parser either."""
    code = (
        "import sys; sys.argv = ['detente', 'stability', 'us-2025', 'ru-2025'];"
        "from detente.cli import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "heavy = ('scipy', 'pandas', 'xarray', 'plotly', 'fastapi', 'dask', 'duckdb', 'numba',"
        " 'jinja2', 'yaml')\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & set(heavy)))"
    )
    env = {**os.environ, "DETENTE_CACHE_DIR": str(tmp_path / "cache")}
    for warm in (False, True):
        out = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
        )
        assert out.stdout.strip().splitlines()[-1] == ("[]" if warm else "['yaml']")
        assert "FSI" in out.stdout


def test_every_command_is_mapped_to_the_topic_that_registers_it():
    """The lazy registration finds each command's topic (a new command needs its line)."""
    from detente import cli

    app = cli.app
    names = {c.name for c in app.registered_commands} | {g.name for g in app.registered_groups}
    assert names == set(cli.COMMANDS)
    for command, topic in cli.COMMANDS.items():
        assert topic in cli.TOPICS, command
