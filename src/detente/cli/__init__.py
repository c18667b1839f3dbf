"""Command-line interface: ``detente``.

Each topic lives in its own module that exposes ``register(app)``; this module only assembles
them and turns :class:`detente.errors.DetenteError` into one line on stderr and exit status 2.
"""

from __future__ import annotations

import importlib
import sys

import typer

from detente.errors import DetenteError

app = typer.Typer(
    name="detente",
    help="An open workbench for nuclear arms-control and strategic-stability analysis.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

# Topic modules, each with a ``register(app)`` function. Add one line per new topic.
TOPICS: tuple[str, ...] = (
    "run",
    "stability",
    "treaty",
    "verify",
    "risk",
    "sweep",
    "data",
    "serve",
    "upload",
    "assess",
    "system",
)

for _topic in TOPICS:
    importlib.import_module(f"detente.cli.{_topic}").register(app)


def main() -> None:
    """Run the CLI; user errors become one line on stderr and exit status 2.

    Usage errors (unknown option, bad value) are reported by click itself, also with status 2.
    """
    try:
        app()
    except DetenteError as exc:
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(2)
