"""``detente assess SCENARIO``: terminal summary, HTML report, results.json and CSV tables."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from detente.errors import InputError
from detente.files import report_folder
from detente.model.scenario import MAX_SAMPLES
from detente.report.words import FIELD_WORDS, input_label

#: Monte Carlo runs with more samples than this show a progress bar on stderr.
PROGRESS_FROM = 100_000


def print_summary(a, console: Console, written: dict[str, Path] | None = None) -> None:
    """Headline index, each side's costs, treaty margins, posture matrix, biggest sensitivities."""
    s = a.scenario
    console.print(
        f"[bold]{escape(s.name)}[/bold]" + (f": {escape(s.description)}" if s.description else "")
    )
    line = f"First-strike stability index FSI = [bold]{a.fsi:.4f}[/bold]"
    if a.uncertainty is not None:
        q = a.uncertainty.quantiles["fsi"]
        line += (
            f"  (p05 {q.p05:.4f}, p50 {q.p50:.4f}, p95 {q.p95:.4f};"
            f" {a.uncertainty.samples:,} samples, seed {a.uncertainty.seed})"
        )
    console.print(line)
    table = Table(title="Stability in the scenario's postures")
    for col in ("pair", "side", "posture", "C1", "C2", "r", "r uncapped", "w80"):
        table.add_column(col, justify="left" if col in ("pair", "side", "posture") else "right")
    for tag, r in a.stability.items():
        for side in r.sides:
            k = side.label
            posture = _posture(a.resolved.party(k).spec.posture) + (" + LUA" if side.lua else "")
            table.add_row(
                tag, k, posture, f"{r.C1[k]:.4f}", f"{r.C2[k]:.4f}", f"{r.r[k]:.4f}",
                f"{r.r_uncapped[k]:.4f}", f"{side.w80:.1f}",
            )  # fmt: skip
    if a.system is not None:
        table.title = "Each pair alone, without reserves or defences"
        print_system(a, console)
    console.print(table)
    if a.counts:
        print_compliance(a, console)
    print_postures(a, console)
    if a.tornado is not None:
        top = Table(title="Largest sensitivities (FSI with the input at its p05 / p95)")
        for col in ("input", "FSI at p05", "FSI at p95", "swing"):
            top.add_column(col, justify="left" if col == "input" else "right")
        for b in a.tornado.bars[:5]:
            top.add_row(
                input_label(b.input), f"{b.at_low:.4f}", f"{b.at_high:.4f}", f"{b.swing:.4f}"
            )
        console.print(top)
    if a.verification is not None and a.verification.parties:
        print_verification(a.verification, console)
    if a.risk is not None:
        print_risk(a.risk, console)
    if a.context is not None:
        print_context(a.context, console)
    console.print(f"[dim]Upload timeline: {escape(a.upload_note)}[/dim]")
    console.print(
        f"[dim]{len(a.ledger)} numbers used, {len(a.assumptions)} of them assumptions; "
        f"{len(a.sources)} sources (see the report's sources-and-caveats section).[/dim]"
    )
    if written:
        # Paths are never wrapped, so that they can be copied.
        console.print(f"Report: [bold]{written['report.html']}[/bold]", soft_wrap=True)
        console.print(
            f"Results: {written['results.json']} and {len(written) - 2} CSV tables",
            soft_wrap=True,
        )


def _tag(sourced: bool) -> str:
    return "sourced" if sourced else "[bold red]ILLUSTRATIVE[/bold red]"


def print_verification(v, console: Console) -> None:
    """Detection probability per party and regime after 1 and T years, the clean-year bound
    and the inspections needed; then which values are sourced and which illustrative."""
    plan = v.plan
    what = f"{100 * plan.share:g} %" if plan.share is not None else f"{plan.overloaded:,}"
    table = Table(title=f"Verification: {what} of deployed ICBMs + SLBMs over-loaded")
    for col in ("party", "N", "k", "regime", "P(detect) 1 yr", f"{plan.years} yr"):
        table.add_column(col, justify="left" if col in ("party", "regime") else "right")
    for p in v.parties:
        for i, r in enumerate(p.comparisons[0].rows):
            table.add_row(
                p.party if i == 0 else "", f"{p.missiles:,}" if i == 0 else "",
                f"{p.overloaded:,}" if i == 0 else "",
                f"{r.name} ({r.missiles_checked_per_year}/yr)",
                f"{p.detection(r.regime, 1):.3f}", f"{p.detection(r.regime, plan.years):.3f}",
            )  # fmt: skip
    console.print(table)
    for p in v.parties:
        needed = p.plan.inspections_needed
        console.print(
            f"{p.party}: a clean {v.clean_regime} year rules out more than "
            f"{p.bound.largest_undetected_violation:,} over-loaded missiles at "
            f"{100 * plan.confidence:g} %; catching {p.overloaded:,} with P ≥ {plan.target:g} "
            "in a year takes "
            + ("more inspections than missiles" if needed is None else f"{needed:,} inspections")
            + "."
        )
    console.print(_values_line("Verification values", v.parameters))


def _values_line(what: str, entries) -> str:
    illustrative = [e.quantity for e in entries if e.assumption]
    line = f"{what}: {len(entries) - len(illustrative)} sourced"
    if illustrative:
        line += f", [bold red]ILLUSTRATIVE[/bold red]: {escape(', '.join(illustrative))}"
    return line


def print_risk(risk, console: Console) -> None:
    """Annual and cumulative probability of inadvertent war and the interventions; while any
    parameter value is illustrative, under the ILLUSTRATIVE banner and to one significant
    figure (:attr:`~detente.analysis.risk.RiskResult.significant_figures`), never as a finding.
    """
    r = risk.result
    what = "ILLUSTRATIVE inadvertent-war risk" if r.illustrative else "Inadvertent-war risk"
    style = "bold red" if r.illustrative else "bold"
    console.print(f"[{style}]{what}[/{style}]: {escape(r.heading)} ({escape(risk.file)}).")
    table = Table(title=f"{what} ({r.samples:,} samples, seed {r.seed})")
    for col in ("probability", "p05", "p50", "p95", "mean"):
        table.add_column(col, justify="left" if col == "probability" else "right")
    for label, q in (
        ("annual", r.annual_probability),
        (f"within {r.years:g} years", r.cumulative_probability),
    ):
        table.add_row(label, *(r.percent(x) for x in (q.p05, q.p50, q.p95, q.mean)))
    console.print(table)
    if r.interventions:
        title = "Interventions (paired with the baseline samples)"
        if r.illustrative:
            title = "Interventions, ILLUSTRATIVE: how the method compares them, not findings"
        table = Table(title=title)
        table.add_column("intervention", overflow="fold")
        for col in ("annual p50", "change p50", "share of samples lower", "values"):
            table.add_column(col, justify="left" if col == "values" else "right")
        for iv in r.interventions:
            table.add_row(
                iv.id, r.percent(iv.annual_probability.p50), r.percent(iv.change.p50),
                r.share(iv.probability_lower), _tag(iv.sourced),
            )  # fmt: skip
        console.print(table)
    if risk.unmodelled:
        console.print(
            f"[dim]Risk streams of {', '.join(risk.modelled)} only; "
            f"{', '.join(risk.unmodelled)} not modelled.[/dim]"
        )


def print_context(cx, console: Console) -> None:
    """Penalty for waiting, ARW, generation and LOW stability of the first pair."""
    c = cx.result
    table = Table(title=f"Context measures, {'-'.join(c.labels)}")
    for col in (
        "side",
        "penalty for waiting p",
        "striking first",
        "ARW",
        "gen. stab.",
        "LOW stab.",
    ):
        table.add_column(col, justify="left" if col in ("side", "striking first") else "right")
    for k in c.labels:
        table.add_row(
            k, f"{c.penalty[k]:.3f}".replace("-", "−"), c.penalty_meaning(k),
            f"{c.arw[k]:,.0f}", f"{c.generation[k]:.3f}", f"{c.low[k]:.3f}",
        )  # fmt: skip
    console.print(table)
    console.print(
        "p = 1 − D2/D1 (D1: damage if the other strikes first; D2: if this side strikes first): "
        "p > 0, the side gains by striking first; p ≤ 0, it gains nothing. ARW: its warheads "
        "that arrive in retaliation; gen./LOW stab.: ARW(day-to-day)/ARW(generated) and "
        "ARW(ride out)/ARW(launch on warning), 1 = no dependence."
    )
    console.print(escape(c.schelling_meaning()))
    console.print(_values_line("Context values", cx.parameters))


def print_system(a, console: Console) -> None:
    """Every pair with what the two-party table leaves out: reserves against third parties
    (three or more parties) and missile defences."""
    title = f"Index {a.system['fsi']:.4f}"
    if "fsi_product" in a.system:
        title += (
            f" (smallest pair; product {a.system['fsi_product']:.4f}), reserves of "
            f"{a.resolved.reserve:g} w80"
        )
    if any(p.defense for p in a.resolved.parties):
        title += ", with missile defences"
    table = Table(title=title)
    for col in ("pair", "FSI", "side", "r", "surviving", "arriving"):
        table.add_column(col, justify="left" if col in ("pair", "side") else "right")
    for row in a.system_rows():
        table.add_row(
            row["pair"], f"{row['fsi']:.4f}", row["side"], f"{row['r']:.4f}",
            f"{row['surviving']:,.0f}", f"{row['arriving']:,.0f}",
        )  # fmt: skip
    console.print(table)


def print_compliance(a, console: Console) -> None:
    """Each party's treaty counts: ceiling, margin and the verdict in words (basis; range)."""
    from detente.cli.treaty import verdict_style

    first = next(iter(a.counts.values()))
    style = "" if first.in_force else "yellow"
    console.print(escape(first.standing), style=style, soft_wrap=True)
    table = Table(title=f"Counted under {a.resolved.treaty.name} rules")
    for col in ("party", "limit", "count", "ceiling", "margin", "verdict (basis; range)"):
        justify = "right" if col in ("count", "ceiling", "margin") else "left"
        table.add_column(col, justify=justify, overflow="fold")
    for label, result in a.counts.items():
        for x in result.limits:
            verdict = f"[{verdict_style(x.verdict, x.basis)}]{escape(x.status_text)}[/]"
            table.add_row(
                label, escape(x.name), f"{x.count:,.0f}", f"{x.limit:,.0f}", f"{x.margin:,.0f}",
                verdict,
            )  # fmt: skip
        for b in result.bans:
            verdict = f"[{verdict_style(b.verdict, b.basis)}]{escape(b.status_text)}[/]"
            table.add_row(label, escape(f"ban: {b.name}"), "", "", "", verdict)
    console.print(table)


def _posture(posture: str) -> str:
    """A posture's words (``day_to_day`` -> ``day-to-day``)."""
    return FIELD_WORDS.get(posture, posture)


def print_postures(a, console: Console) -> None:
    """FSI under every posture, without and with launch under attack."""
    for pair in a.resolved.pairs():
        first, second = pair
        table = Table(title=f"FSI by posture, {first}-{second}")
        table.add_column(f"{first} / {second} posture")
        for lua in ("no LUA", f"{first} LUA", f"{second} LUA", "both LUA"):
            table.add_column(lua, justify="right")
        rows: dict[tuple, dict] = {}
        for c in a.postures:
            if c.pair == pair:
                key = (c.posture[first], c.posture[second])
                rows.setdefault(key, {})[(c.lua[first], c.lua[second])] = c.fsi
        for (p, q), by_lua in rows.items():
            cells = [
                by_lua[k] for k in ((False, False), (True, False), (False, True), (True, True))
            ]
            table.add_row(f"{_posture(p)} / {_posture(q)}", *(f"{v:.4f}" for v in cells))
        console.print(table)
    for note in a.posture_notes:
        console.print(escape(note))


def assess_command(
    scenario: Path = typer.Argument(..., help="Scenario YAML file (see docs/scenarios.md)."),
    out: Path = typer.Option(
        None, "--out", "-o", help="Output folder (default: reports/<scenario name>/)."
    ),
    samples: int = typer.Option(
        None,
        "--samples",
        "-n",
        help=f"Monte Carlo samples, 1 to {MAX_SAMPLES:,} "
        "(default: the scenario's samples; none: no Monte Carlo).",
    ),
    seed: int = typer.Option(None, "--seed", help="Monte Carlo seed (default: the scenario's)."),
) -> None:
    """Assess a scenario: forces, treaty compliance, stability, upload, uncertainty, report."""
    run_assessment(scenario, out, samples, seed)


def run_assessment(scenario: Path, out: Path | None, samples: int | None, seed: int | None):
    """Assess, print the summary and write the report; returns the assessment."""
    from detente.analysis.assess import assess
    from detente.model.scenario import load_scenario
    from detente.report.assessment import write_report

    if samples is not None and not 1 <= samples <= MAX_SAMPLES:
        raise InputError(f"--samples must be from 1 to {MAX_SAMPLES:,} (got {samples:,})")
    if seed is not None and seed < 0:
        raise InputError("--seed must not be negative")
    loaded = load_scenario(scenario)
    n = samples if samples is not None else loaded.samples
    console = Console()
    if n and n > PROGRESS_FROM:
        with Progress(
            TextColumn("Monte Carlo"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
            console=Console(stderr=True), transient=True,
        ) as bar:  # fmt: skip
            task = bar.add_task("samples", total=n)
            a = assess(loaded, samples, seed, lambda done, total: bar.update(task, completed=done))
    else:
        a = assess(loaded, samples, seed)
    written = write_report(a, out if out is not None else report_folder(loaded.name))
    print_summary(a, console, written)
    return a


def register(app: typer.Typer) -> None:
    """Add ``assess`` to ``app``."""
    app.command("assess")(assess_command)
