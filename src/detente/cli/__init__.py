"""Command-line interface: ``detente``.

Each topic lives in its own module that exposes ``register(app)``; this module only assembles
them and turns :class:`detente.errors.DetenteError` into one line on stderr and exit status 2.

A plain ``detente stability A B`` of two bundled forces is answered first by the light start
(:mod:`detente.cli.quick`: no typer, rich or pydantic, from prepared inputs), in less than
twice the time of ``python -c "import numpy"`` (``docs/cli.md``); anything it does not answer
goes to typer.

Topics are registered lazily: ``detente stability ...`` imports the stability topic alone
(its analysis, numpy, pydantic), not the web layer, sweeps or reports, so a one-off answer
starts quickly. Help, an unknown command and ``detente.cli.app`` register every topic.
"""

from __future__ import annotations

import functools
import importlib
import sys
from collections.abc import Iterable
from typing import TYPE_CHECKING

from detente.errors import DetenteError, printable

if TYPE_CHECKING:
    import typer


def _root() -> None:
    """An open workbench for nuclear arms-control and strategic-stability analysis."""


@functools.cache
def _typer_app() -> typer.Typer:
    """The typer app, without topics (typer is imported here: the light start needs none)."""
    import typer

    app = typer.Typer(
        name="detente",
        help="An open workbench for nuclear arms-control and strategic-stability analysis.",
        no_args_is_help=True,
        add_completion=False,
        pretty_exceptions_enable=False,
    )
    app.callback()(_root)
    return app


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
# The topic that registers each top-level command (the rest are named after their topic).
COMMANDS: dict[str, str] = {
    **{topic: topic for topic in TOPICS if topic != "system"},
    "count": "treaty",
    "sweep-report": "sweep",
    "stability-system": "system",
}
_registered: set[str] = set()


def _app() -> None:
    """Run the typer app on ``sys.argv``."""
    _typer_app()()


def _register(topics: Iterable[str]) -> typer.Typer:
    """Register ``topics`` (once each) on the app and return it."""
    app = _typer_app()
    for topic in topics:
        if topic not in _registered:
            importlib.import_module(f"detente.cli.{topic}").register(app)
            _registered.add(topic)
    return app


def _topics_for(args: list[str]) -> Iterable[str]:
    """The topics a command line needs: its command's alone, or all of them (help, an
    unknown command: the listing and click's suggestions need every command)."""
    command = next((a for a in args if not a.startswith("-")), None)
    if command in COMMANDS and not {"--help", "-h"} & set(args[: args.index(command)]):
        return (COMMANDS[command],)
    return TOPICS


def __getattr__(name: str) -> typer.Typer:
    """``detente.cli.app``: the app with every topic registered (for tests and tools)."""
    if name == "app":
        return _register(TOPICS)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


#: Exit status of an unexpected error (a bug): EX_SOFTWARE of sysexits.h.
EXIT_INTERNAL = 70
#: Exit status after Ctrl-C: 128 + SIGINT.
EXIT_INTERRUPTED = 130


def main() -> None:
    """Run the CLI; user errors become one line on stderr and exit status 2.

    Usage errors (unknown option, bad value) are reported by click itself, also with status 2.
    Any other exception is a bug: one line naming it, exit status 70, unless ``--debug`` (any
    place on the command line) asks for the traceback. Ctrl-C outside a sweep ends with one
    line and status 130.
    """
    debug = "--debug" in sys.argv[1:]
    if debug:
        sys.argv = [a for a in sys.argv if a != "--debug"]
    try:
        if sys.argv[1:2] == ["stability"]:
            from detente.cli import quick

            if quick.answer(sys.argv[1:]):
                return
        _register(_topics_for(sys.argv[1:]))
        _app()
    except DetenteError as exc:
        print(f"error: {printable(str(exc))}", file=sys.stderr)
        sys.exit(2)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        sys.exit(EXIT_INTERRUPTED)
    except Exception as exc:
        if debug:
            raise
        what = printable(str(exc).strip().splitlines()[0] if str(exc).strip() else "")
        print(
            f"internal error ({type(exc).__name__}{': ' + what if what else ''}); "
            "rerun with --debug for the traceback",
            file=sys.stderr,
        )
        sys.exit(EXIT_INTERNAL)
