"""``detente run``: the main job of ``make run``, the assessment of the default scenario."""

from __future__ import annotations

from pathlib import Path

import typer

from detente.errors import InputError

#: The default scenario: the situation after New START's expiry (examples/).
DEFAULT_SCENARIO = Path(__file__).resolve().parents[3] / "examples" / "new-start-expiry.yaml"
DEFAULT_OUT = Path("reports") / "new-start-expiry"


def run_command(
    out: Path = typer.Option(DEFAULT_OUT, "--out", "-o", help="Output folder of the report."),
    samples: int = typer.Option(
        None, "--samples", "-n", help="Monte Carlo samples (default: the scenario's)."
    ),
    seed: int = typer.Option(None, "--seed", help="Monte Carlo seed (default: the scenario's)."),
) -> None:
    """Assess examples/new-start-expiry.yaml: treaty counts, FSI under every posture, upload,
    uncertainty; prints a summary and where the HTML report is."""
    from detente.cli.assess import run_assessment

    if not DEFAULT_SCENARIO.is_file():
        raise InputError(
            "the default scenario is missing (run from a clone of the repository)",
            file=DEFAULT_SCENARIO,
        )
    run_assessment(DEFAULT_SCENARIO, out, samples, seed)


def register(app: typer.Typer) -> None:
    """Add ``run`` to ``app``."""
    app.command("run")(run_command)
