"""The hostile corpus through the CLI: every input ends with one line and exit 2, never a
traceback or the last line of defence (issue 15, rows 1, 3, 7, 8, 12, 13, 14)."""

from __future__ import annotations

from pathlib import Path

import pytest

CORPUS = Path(__file__).resolve().parent / "corpus"
INTERNAL = "internal error"
C = str(CORPUS)
EXAMPLE = str(Path(__file__).resolve().parents[2] / "examples" / "new-start-expiry.yaml")

# (id, args with {C} corpus, {G} generated, {T} tmp_path, {S} small store, {W} its sweep
# file, expected text)
CASES = [
    # row 1: nested aliases, self-reference, deep nesting, size, before the document is built
    ("bomb-count", "count {C}/billion-laughs.yaml -t new-start", "expands to more than 200,000"),
    ("bomb-stability", "stability {C}/billion-laughs.yaml ru-2025", "expands to more than"),
    ("bomb-assess", "assess {C}/billion-laughs.yaml --out {T}/o", "expands to more than"),
    ("bomb-sweep", "sweep {C}/billion-laughs.yaml --out {T}/s.duckdb", "expands to more than"),
    ("bomb-treaty", "count us-2025 -t {C}/billion-laughs.yaml", "expands to more than"),
    ("recursive-count", "count {C}/recursive.yaml -t new-start", "refers to the collection"),
    ("recursive-assess", "assess {C}/recursive.yaml --out {T}/o", "refers to the collection"),
    ("recursive-upload", "upload {C}/recursive.yaml", "refers to the collection"),
    ("deep-flow", "count {G}/deep-flow.yaml -t new-start", "nests deeper than 64"),
    ("deep-block", "stability {G}/deep-block.yaml ru-2025", "nests deeper than 64"),
    ("deep-sweep", "sweep {G}/deep-flow.yaml --out {T}/s.duckdb", "nests deeper than 64"),
    ("oversize", "count {G}/oversize.yaml -t new-start", "above the limit of 1,000,000 bytes"),
    # row 7: numbers out of range on every path
    ("launchers-1e400", "count {C}/launchers-1e400.yaml -t new-start", "less than or equal to"),
    ("w80-a-inf", "stability us-2025 ru-2025 --w80-a inf", "w80 of US"),
    ("scenario-w80-inf", "assess {C}/scenario-w80-inf.yaml --out {T}/o", "finite number"),
    ("interceptors-inf", "assess {C}/scenario-interceptors-inf.yaml --out {T}/o", "finite"),
    ("surcharge-inf", "assess {C}/scenario-surcharge-inf.yaml --out {T}/o", "finite number"),
    ("draws-overflow", "assess {C}/scenario-draws-overflow.yaml --out {T}/o", "valid range"),
    ("rate-scale", "upload us-2025 --rate-scale 1e308", "rate_scale"),
    ("start-9999", "upload us-2025 --start 9999-12-31", "date from 1945-01-01 to 2200-12-31"),
    ("date-9999", "assess {C}/scenario-date-9999.yaml --out {T}/o", "2200-12-31"),
    ("open-skies-years", "verify open-skies --years 1000000000", "'years'"),
    ("reserve-huge", "stability-system us-2025 ru-2025 cn-2025 --reserve 1e308", "reserve"),
    ("out-existing-file", "assess {C}/scenario-minimal.yaml --out {C}/recursive.yaml", "a file"),
    ("out-dev-full", "assess {C}/scenario-minimal.yaml --out /dev/full", "a file, not a folder"),
    ("out-unwritable", "assess {C}/scenario-minimal.yaml --out /proc/1/detente", "cannot"),
    ("report-out-dev-full", "sweep-report {S} --out /dev/full", "not a regular file"),
    ("report-out-folder", "sweep-report {S} --out {T}", "is a folder"),
    ("report-out-unwritable", "sweep-report {S} --out /proc/1/x/r.html", "cannot create"),
    (
        "parquet-unwritable",
        "sweep {C}/sweep-small.yaml --out {S} --parquet /proc/1/x/p.pq",
        "cannot",
    ),
    (
        "parquet-is-store",
        "sweep {C}/sweep-small.yaml --out {S} --parquet {S}",
        "overwrite the input",
    ),
    # row 3: the results database as the report's output
    ("report-over-store", "sweep-report {S} --out {S}", "would overwrite the input"),
    # row 8: 1e308 launchers in a notional force
    ("launchers-1e308", "stability {C}/launchers-1e308.yaml ru-2025", "less than or equal to"),
    # row 12: huge counts to verify, a NaN criterion
    ("verify-huge", "verify --missiles 100000000000 --overloaded 5 --inspections 10", "missiles"),
    (
        "verify-plan-huge",
        "verify --missiles 10000000000000 --overloaded 5 --target 0.9",
        "1,000,000",
    ),
    ("criterion-nan", "sweep {C}/sweep-criterion-nan.yaml --out {T}/s.duckdb", "finite number"),
    # row 13: a terminal escape in a name
    ("escape-name", "count {C}/escape-name.yaml -t new-start", "control character U+001B"),
    # row 14: YAML 1.1 coercions where a count goes
    ("count-true", "count {C}/count-true.yaml -t new-start", "not true or false"),
    ("count-hex", "count {C}/count-hex.yaml -t new-start", "hexadecimal"),
    ("count-sexagesimal", "count {C}/count-sexagesimal.yaml -t new-start", "sexagesimal"),
    ("count-octal", "count {C}/count-octal.yaml -t new-start", "octal"),
]


@pytest.mark.parametrize(("args", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_hostile_input_is_one_line_exit_2(
    args, expected, one_line, generated, small_store, tmp_path
):
    sweep = f"{C}/sweep-small.yaml"
    text = args.format(C=C, G=generated, T=tmp_path, S=small_store, W=sweep)
    code, line = one_line(*text.split())
    assert code == 2, line
    assert line.startswith("error: ") and expected in line, line


def test_no_control_character_reaches_the_terminal(one_line):
    code, line = one_line("count", f"{C}/escape-name.yaml", "-t", "new-start")
    assert code == 2 and "\x1b" not in line


def test_truncated_store_is_refused(one_line, small_store, tmp_path):
    half = tmp_path / "half.duckdb"
    data = small_store.read_bytes()
    half.write_bytes(data[: len(data) // 2])
    code, line = one_line("sweep-report", str(half))
    assert code == 2 and "cannot" in line and str(half) in line


def test_report_over_store_leaves_the_store_whole(one_line, small_store):
    before = small_store.read_bytes()
    one_line("sweep-report", str(small_store), "--out", str(small_store))
    assert small_store.read_bytes() == before


def test_last_line_of_defence_is_one_line_exit_70(monkeypatch, capsys):
    """A bug (any exception that is not a user error) is one line and exit 70, and
    ``--debug`` shows the traceback instead."""
    import sys

    import detente.cli as cli

    def broken() -> None:
        raise RuntimeError("a bug\nsecond line")

    monkeypatch.setattr(cli, "_register", lambda topics: None)  # topics register lazily
    monkeypatch.setattr(cli, "_app", broken)
    monkeypatch.setattr(sys, "argv", ["detente", "count"])
    with pytest.raises(SystemExit) as exit_:
        cli.main()
    err = capsys.readouterr().err
    assert exit_.value.code == cli.EXIT_INTERNAL == 70
    assert err.strip().splitlines() == [
        "internal error (RuntimeError: a bug); rerun with --debug for the traceback"
    ]
    assert INTERNAL in err
    monkeypatch.setattr(sys, "argv", ["detente", "--debug", "count"])
    with pytest.raises(RuntimeError):
        cli.main()
