"""The report's files: results.json, the CSV tables and a self-contained HTML page, written
by ``detente assess`` and by ``write_report``."""

from __future__ import annotations

import json
import re
import sys
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest
from markupsafe import escape

from detente.analysis.assess import assess
from detente.cli import main
from detente.report.assessment import SECTIONS, build_figures, cell, write_report

ROOT = Path(__file__).resolve().parents[2]
DEFAULT = ROOT / "examples" / "new-start-expiry.yaml"


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    a = assess(DEFAULT, samples=3000, seed=5)
    return a, write_report(a, tmp_path_factory.mktemp("report"))


class Tags(HTMLParser):
    """Every tag with its attributes, and the text of the page."""

    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def test_results_json_has_the_index_and_its_quantiles(written):
    a, files = written
    data = json.loads(files["results.json"].read_text())
    assert next(iter(data)) == "fsi"
    assert data["fsi"] == a.fsi
    q = data["uncertainty"]["fsi"]
    assert q["p05"] <= q["p50"] <= q["p95"]
    assert q == a.uncertainty.quantiles["fsi"].to_dict()
    assert data["uncertainty"]["samples"] == 3000 and data["uncertainty"]["seed"] == 5
    assert data["upload"]["stability"]["fsi"][0] == pytest.approx(a.fsi)
    assert {s["id"] for s in data["sources"]} == {s.id for s in a.sources}
    assert all(e["status"] in ("assumption", "unsourced") for e in data["assumptions"])


def test_report_says_what_the_context_measures_mean(written):
    a, files = written
    html = " ".join(files["report.html"].read_text().split())
    assert "(0: neither side gains by striking first" not in html
    assert "0 because RU gains nothing by striking first" in html
    assert "gains by striking first</td>" in html and "gains nothing by striking first</td>" in html
    assert (
        "Polarity: the reverse of the FSI&#39;s" in html
        or "Polarity: the reverse of the FSI's" in html
    )
    for note in a.posture_notes:
        assert "moves warheads from counterforce to" in note
    assert html.count('class="note own-r"') == len(a.posture_notes) == 3


def test_report_prints_illustrative_risk_to_one_figure(written):
    """Issue 10, item 11: illustrative risk is never printed as an estimate."""
    a, files = written
    r = a.risk.result
    html = files["report.html"].read_text()
    cell = re.search(r'id="risk-annual-p50">([^<]*)<', html).group(1)
    assert r.illustrative and cell == r.percent(r.annual_probability.p50)
    assert len(cell.removesuffix(" %").replace("0.", "").lstrip("0")) == 1
    assert f"{100 * r.annual_probability.p50:.3g} %" not in html
    assert "P(lowers risk)" not in html and "not as findings" in html


def test_results_json_has_verification_risk_and_context(written):
    a, files = written
    data = json.loads(files["results.json"].read_text())
    r = a.risk.result
    q = data["risk"]["annual_probability"]
    assert q == {"p05": r.annual_probability.p05, "p50": r.annual_probability.p50,
                 "p95": r.annual_probability.p95, "mean": r.annual_probability.mean}  # fmt: skip
    assert data["risk"]["seed"] == 5 and data["risk"]["samples"] == r.samples
    assert data["risk"]["illustrative_parameters"] == list(r.illustrative)
    assert data["risk"]["sourced_parameters"] == list(r.sourced)
    v = data["verification"]
    assert v["overloaded_share"] == a.verification.plan.share
    for p in a.verification.parties:
        got = v["parties"][p.party]
        assert (got["missiles"], got["overloaded"]) == (p.missiles, p.overloaded)
        first = got["comparison"][0]["regimes"]
        assert [x["detection_probability"] for x in first] == [
            x.detection_probability for x in p.comparisons[0].rows
        ]
        assert got["plan"]["inspections_needed"] == p.plan.inspections_needed
    assert all("status" in e and "sources" in e for e in v["parameters"])
    c = data["context"]
    assert c["arriving_retaliation"] == a.context.result.arw
    assert c["penalty_for_waiting"] == a.context.result.penalty


def test_section_csv_tables(written):
    a, files = written
    verification = pd.read_csv(files["verification.csv"])
    parties = a.verification.parties
    assert len(verification) == sum(
        len(p.comparisons) * len(p.comparisons[0].rows) for p in parties
    )
    row = verification[(verification["party"] == "RU") & (verification["regime"] == "new_start")]
    ru = next(p for p in parties if p.party == "RU")
    assert list(row["detection_probability"]) == pytest.approx(
        [ru.detection("new_start", y) for y in range(1, a.verification.plan.years + 1)]
    )
    summary = pd.read_csv(files["verification_summary.csv"])
    assert list(summary["largest_undetected_violation"]) == [
        p.bound.largest_undetected_violation for p in parties
    ]
    r = a.risk.result
    risk = pd.read_csv(files["risk.csv"]).set_index("quantity")
    assert risk.loc["annual_probability", "p50"] == pytest.approx(r.annual_probability.p50)
    interventions = pd.read_csv(files["risk_interventions.csv"])
    assert list(interventions["probability_lower"]) == [
        iv.probability_lower for iv in r.interventions
    ]
    assert list(interventions["change_p50"]) == pytest.approx(
        [iv.change.p50 for iv in r.interventions]
    )
    parameters = pd.read_csv(files["risk_parameters.csv"])
    assert list(parameters["name"][~parameters["sourced"]]) == list(r.illustrative)
    assert list(pd.read_csv(files["risk_tornado.csv"])["input"]) == [
        b.input for b in r.tornado.bars
    ]
    context = pd.read_csv(files["context.csv"]).set_index("side")
    for k in a.context.result.labels:
        assert context.loc[k, "arriving_retaliation"] == pytest.approx(a.context.result.arw[k])


def test_section_tables_say_what_is_sourced_and_what_illustrative(written):
    a, files = written
    html = files["report.html"].read_text()
    for start, end, entries in (
        ("verification", "risk", a.verification.parameters),
        ("context", "sources", a.context.parameters),
    ):
        part = html[html.index(f'<section id="{start}">') : html.index(f'<section id="{end}">')]
        assert part.count(">ILLUSTRATIVE<") == sum(e.assumption for e in entries) > 0
        assert part.count(">sourced<") == sum(not e.assumption for e in entries) > 0
    risk = html[html.index('<section id="risk">') : html.index('<section id="context">')]
    r = a.risk.result
    assert 'id="risk-banner"' in risk
    assert risk.count(">ILLUSTRATIVE<") == len(r.illustrative) + sum(
        not iv.sourced for iv in r.interventions
    )
    assert risk.count(">sourced<") == len(r.sourced) + sum(iv.sourced for iv in r.interventions)


def test_csv_tables(written):
    a, files = written
    for name in ("forces", "compliance", "fsi_postures", "uncertainty", "tornado", "upload"):
        assert f"{name}.csv" in files, name
    forces = pd.read_csv(files["forces.csv"])
    assert forces["deployed_warheads"].sum() == pytest.approx(
        sum(h.deployed_warheads for p in a.resolved.parties for h in p.force.holdings)
    )
    compliance = pd.read_csv(files["compliance.csv"])
    row = compliance[(compliance["party"] == "RU") & (compliance["id"] == "deployed_warheads")]
    assert row["margin"].item() == row["limit"].item() - row["count"].item()
    postures = pd.read_csv(files["fsi_postures.csv"])
    assert len(postures) == 16 and postures["fsi"].between(0, 1).all()
    tornado = pd.read_csv(files["tornado.csv"])
    assert list(tornado["input"]) == [b.input for b in a.tornado.bars]
    ledger = pd.read_csv(files["ledger.csv"])
    assert len(ledger) == len(a.ledger)


def test_html_is_self_contained(written):
    a, files = written
    html = files["report.html"].read_text()
    parser = Tags()
    parser.feed(html)
    for tag, attrs in parser.tags:
        if tag in ("script", "img", "iframe", "link", "source", "video", "audio"):
            assert "src" not in attrs and "href" not in attrs, (tag, attrs)
    body = html.split("</script>", 1)[1]
    # Source links are for the reader to click; nothing is loaded from another address.
    loads = re.sub(r"<a [^>]*>", "", body)
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", loads)
    assert re.search(r'<a href="https://[^"]+" rel="noopener noreferrer">', body)
    assert "@import" not in html and "url(http" not in html
    ids = {attrs.get("id") for _, attrs in parser.tags}
    assert {s for s, _ in SECTIONS} <= ids
    assert set(build_figures(a)) <= ids
    from detente.report.plotlyjs import bundle_js

    assert bundle_js("cartesian")[:300] in html  # inlined, not fetched: the heatmap needs it
    assert len(html.encode()) < 3_000_000


def test_html_reads_like_a_brief(written):
    a, files = written
    html = files["report.html"].read_text()
    summary = html[html.index('<section id="summary">') : html.index('<section id="forces">')]
    first = summary.index('id="findings"')
    assert first < summary.index("<table")  # findings in words before any table or figure
    result = a.stability["US-RU"]
    assert f"At {result.fsi:.2f} the index" in summary
    assert "/" + "work" not in html and "/home/" not in html and "/tmp/" not in html  # no paths
    assert "Scenario file: new-start-expiry.yaml" in html
    assert "@media print" in html
    for name in files:  # the report links the CSVs it writes
        if name.endswith(".csv"):
            assert f'<a href="{name}">' in html, name
    for fig_id in build_figures(a):
        found = re.search(rf'id="{fig_id}".*?</script>\s*<p class="caption">(.*?)</p>', html, re.S)
        assert found and "[" in found[1], fig_id  # a caption with units
        assert f'<a href="{fig_id}.csv">' in found[1] and f"{fig_id}.csv" in files


def test_every_input_number_in_the_tables_carries_its_provenance_mark(written):
    _, files = written
    html = files["report.html"].read_text()
    forces = html[html.index('<section id="forces">') : html.index('<section id="compliance">')]
    body = forces[forces.index('<th class="l">holding</th>') :]
    cells = re.findall(r"<td title=\"([^\"]*)\">([^<]*)<span class=\"mark mark-(\S+)\">", body)
    rows = body.count("<tr>")
    assert len(cells) == 5 * rows > 0
    for title, _text, mark in cells:
        assert mark in "OEDAS?" and title


def test_cell_marks_unsourced_numbers():
    from detente.model.provenance import Provenance

    assert cell(1.0, None).mark == "?"
    assert cell(1.0, Provenance(status="assumption", note="x")).mark == "A"
    assert cell(1.0, Provenance(source="fas-us-2025", status="official")).mark == "O"


def run_cli(monkeypatch, *args: str) -> None:
    monkeypatch.setattr(sys, "argv", ["detente", *args])
    try:
        main()
    except SystemExit as exc:  # click's normal exit
        assert exc.code in (0, None)


def test_cli_writes_the_report_and_prints_where(tmp_path, monkeypatch, capsys):
    out = tmp_path / "out"
    run_cli(monkeypatch, "assess", str(DEFAULT), "--out", str(out), "--samples", "500")
    stdout = capsys.readouterr().out
    assert "report.html" in stdout and str(out) in stdout.replace("\n", "")
    data = json.loads((out / "results.json").read_text())
    assert data["uncertainty"]["samples"] == 500
    assert data["uncertainty"]["seed"] == 20260205  # the scenario's seed
    assert f"FSI = {data['fsi']:.4f}" in stdout
    r = data["risk"]
    assert f"{len(r['illustrative_parameters'])} of {len(r['parameters'])}" in stdout
    assert "ILLUSTRATIVE" in stdout and "Verification values:" in stdout
    assert "Context measures, US-RU" in stdout
    # Issue 10, item 9: the joint index says which side gains nothing and its polarity.
    flat = " ".join(stdout.split())
    assert "0 because RU gains nothing by striking first" in flat
    assert "neither side gains by striking first" not in flat
    assert "Polarity: the reverse of the FSI's" in flat
    assert "RU generating lowers its own r" in flat and "(its C2 rises)" in flat


def test_cli_default_folder_is_named_after_the_scenario(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    run_cli(monkeypatch, "assess", str(DEFAULT), "--samples", "200")
    assert (tmp_path / "reports" / "new-start-expiry" / "report.html").is_file()


def test_detente_run_assesses_the_default_scenario(tmp_path, monkeypatch, capsys):
    out = tmp_path / "run"
    run_cli(monkeypatch, "run", "--out", str(out), "--samples", "300")
    stdout = capsys.readouterr().out
    data = json.loads((out / "results.json").read_text())
    assert data["scenario"]["name"] == "new-start-expiry"
    assert "Counted under New START rules" in stdout and "deployed warheads" in stdout
    assert "New START expired on 2026-02-05; shown for comparison" in stdout
    assert "FSI by posture, US-RU" in stdout and "generated / generated" in stdout
    assert f"{data['fsi']:.4f}" in stdout
    assert "report.html" in stdout


def test_sources_section_names_the_primary_publication_and_where_it_was_read(written):
    """A source read in a repost shows its reference and "read via" the copy, never the copy
    as its address (docs/data.md, "Sources are primary publications")."""
    a, files = written
    html = files["report.html"].read_text()
    section = html[html.index('id="bibliography"') :]
    read_elsewhere = [s for s in a.sources if s.via]
    assert read_elsewhere, "the default scenario cites sources read in copies"
    for s in read_elsewhere:
        assert s.via_text() and "read via " + s.via[0].publisher in section.replace("&amp;", "&")
    table = pd.read_csv(files["sources.csv"], keep_default_na=False)
    assert {"doi", "read_via"} <= set(table.columns)
    assert set(table.loc[table.read_via != "", "id"]) == {s.id for s in read_elsewhere}


def test_treaty_counts_state_basis_range_and_standing(written):
    a, files = written
    html = files["report.html"].read_text()
    section = html[html.index('<section id="compliance">') :]
    section = section[: section.index("</section>")]
    # New START is shown as a yardstick, not as a treaty in force
    assert "New START expired on 2026-02-05; shown for comparison" in section
    for result in a.counts.values():
        for x in result.limits:
            # each verdict in words, with its basis and range, under a human label
            assert f">{escape(x.status_text)}</td>" in section, x.id
            assert f">{escape(x.name)}</td>" in section, x.id
    ru = a.counts["RU"].limit("deployed_warheads")
    assert ru.basis != "official"
    assert ">no</td>" not in section and ">deployed_warheads</td>" not in section
    assert 'class="l bad"' not in section  # no estimate is shown as a declared breach
