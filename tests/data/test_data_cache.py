"""The cache of validated bundled data (:mod:`detente.model.datacache`): keyed by content, never
stale, robust to damage and to concurrent writers; errors keep their file, line and field."""

from __future__ import annotations

import os
import pickle
import shutil
import subprocess
import sys
import textwrap

import pytest

from detente.errors import InputError
from detente.model import catalog, datacache, yamlio

CACHES = (catalog.sources, catalog.source_ids, catalog.systems, catalog._bundled_force)


def _clear() -> None:
    for fn in CACHES:
        fn.cache_clear()


@pytest.fixture
def bundled(tmp_path, monkeypatch):
    """A copy of the bundled forces, systems and sources standing in for the bundled data, and
    an empty cache; the in-process caches are cleared before and after."""
    data = tmp_path / "data"
    shutil.copytree(catalog.FORCES_DIR, data / "forces")
    for pattern in ("systems*.yaml", "sources*.yaml"):
        for file in catalog.DATA_DIR.glob(pattern):
            shutil.copy(file, data / file.name)
    monkeypatch.setattr(catalog, "DATA_DIR", data)
    monkeypatch.setattr(catalog, "FORCES_DIR", data / "forces")
    monkeypatch.setenv("DETENTE_CACHE_DIR", str(tmp_path / "cache"))
    _clear()
    yield data
    _clear()


def _entries(tmp_path) -> set[str]:
    return {p.name for p in (tmp_path / "cache").glob("*.pickle")}


def _reload(name: str = "us-2025"):
    _clear()
    return catalog.load_force(name)


def test_a_changed_data_file_is_a_new_entry_and_a_new_result(bundled, tmp_path):
    first = _reload()
    assert first.holdings[0].system == "minuteman-iii"
    assert first.holdings[0].launchers.deployed == 400
    entries = _entries(tmp_path)
    assert len(entries) == 4  # sources, source ids, systems, the force
    # unchanged content (only touched): the same entries, read back equal
    (bundled / "forces" / "us-2025.yaml").touch()
    assert _reload() == first and _entries(tmp_path) == entries
    # a changed force file: a new entry with the new figure
    force = bundled / "forces" / "us-2025.yaml"
    text = force.read_text(encoding="utf-8")
    force.write_text(text.replace("deployed: {value: 400,", "deployed: {value: 399,", 1))
    assert _reload().holdings[0].launchers.deployed == 399
    assert len(_entries(tmp_path) - entries) == 1
    # a changed systems catalogue rebuilds the systems and every force built on it
    systems = bundled / "systems.yaml"
    systems.write_text(systems.read_text(encoding="utf-8") + "\n# changed\n")
    before = _entries(tmp_path)
    assert _reload().holdings[0].launchers.deployed == 399
    assert len(_entries(tmp_path) - before) == 2  # systems and the force


def test_the_key_covers_the_code_that_builds_the_values(tmp_path):
    file = tmp_path / "a.yaml"
    file.write_text("a: 1\n")
    key = datacache.entry_key("x", [file])
    assert datacache.entry_key("y", [file]) != key
    datacache.code_fingerprint.cache_clear()
    try:
        original = datacache.code_fingerprint()
        datacache.code_fingerprint.cache_clear()
        datacache.CODE_FILES = (*datacache.CODE_FILES, "__init__.py")
        assert datacache.code_fingerprint() != original
    finally:
        datacache.CODE_FILES = datacache.CODE_FILES[:-1]
        datacache.code_fingerprint.cache_clear()
    assert datacache.entry_key("x", [file]) == key


def test_a_damaged_or_foreign_entry_is_ignored_and_rebuilt(bundled, tmp_path):
    want = _reload()
    files = sorted((tmp_path / "cache").glob("*.pickle"))
    for file in files:
        file.write_bytes(b"\x80\x05not a pickle")
    assert _reload() == want
    for file in files:  # rebuilt in place
        assert pickle.loads(file.read_bytes())
    # an entry that would build anything but plain data and detente's data classes is refused
    for file in files:
        file.write_bytes(pickle.dumps(subprocess.CompletedProcess(["x"], 0)))
    assert _reload() == want
    assert not any(b"subprocess" in f.read_bytes() for f in files)


def test_an_entry_may_name_only_data_classes_of_detente_model():
    def load(obj, models=True):
        raw = pickle.dumps(obj)
        return datacache._Unpickler(__import__("io").BytesIO(raw), models).load()

    assert load(catalog.load_force("us-2025")) == catalog.load_force("us-2025")
    with pytest.raises(pickle.UnpicklingError):
        load(catalog.load_force("us-2025"), models=False)
    with pytest.raises(pickle.UnpicklingError):  # a function of detente.model is not data
        load(catalog.load_yaml)


def test_an_unwritable_cache_is_skipped(bundled, tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    monkeypatch.setenv("DETENTE_CACHE_DIR", str(blocker))
    assert _reload().party == "US"


def test_an_unwritable_home_falls_back_to_a_private_temporary_folder(tmp_path, monkeypatch):
    monkeypatch.delenv("DETENTE_CACHE_DIR", raising=False)
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    monkeypatch.setenv("TMPDIR", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", None)
    root = datacache._root()
    assert root == tmp_path / "tmp" / f"detente-{os.getuid()}"
    assert root.stat().st_mode & 0o777 == 0o700
    root.chmod(0o777)  # another user could write there: not used
    assert datacache._root() is None


def test_errors_under_the_c_loader_name_file_line_and_field(bundled):
    assert "CSafeLoader" in [c.__name__ for c in yamlio._fast_loader().__mro__]
    force = bundled / "forces" / "us-2025.yaml"
    lines = force.read_text(encoding="utf-8").splitlines()
    at = next(i for i, line in enumerate(lines) if "deployed: {value: 400," in line)
    lines[at] = lines[at].replace("value: 400", "value: -5")
    force.write_text("\n".join(lines) + "\n")
    for _ in range(2):  # a failed build stores nothing: the second load fails the same way
        with pytest.raises(InputError) as info:
            _reload()
        assert info.value.file == str(force.resolve())
        assert info.value.line == at + 1
        assert info.value.field.startswith("holdings.0.launchers.deployed")


@pytest.mark.slow
def test_concurrent_processes_build_one_entry_each(tmp_path):
    """Processes that start on an empty cache together all answer, and leave whole entries."""
    code = textwrap.dedent(
        """
        from detente.model.catalog import load_force
        print(load_force("ru-2025").holdings[0].launchers.deployed)
        """
    )
    env = {**os.environ, "DETENTE_CACHE_DIR": str(tmp_path / "cache")}
    procs = [
        subprocess.Popen([sys.executable, "-c", code], env=env, stdout=subprocess.PIPE, text=True)
        for _ in range(3)
    ]
    outs = [p.communicate(timeout=300)[0] for p in procs]
    assert all(p.returncode == 0 for p in procs)
    assert len(set(outs)) == 1
    entries = list((tmp_path / "cache").iterdir())
    assert entries and all(e.suffix == ".pickle" for e in entries)  # no temporary file left
    for entry in entries:
        datacache._Unpickler(__import__("io").BytesIO(entry.read_bytes()), True).load()


def test_a_full_cache_drops_its_oldest_entries(tmp_path, monkeypatch):
    monkeypatch.setenv("DETENTE_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(datacache, "MAX_ENTRIES", 5)
    monkeypatch.setattr(datacache, "KEEP", 3)
    for i in range(5):
        datacache.write(f"k{i}", i)
        os.utime(tmp_path / f"k{i}.pickle", (i, i))
    assert len(list(tmp_path.iterdir())) == 5
    datacache.write("new", 5)
    assert sorted(p.stem for p in tmp_path.iterdir()) == ["k3", "k4", "new"]
