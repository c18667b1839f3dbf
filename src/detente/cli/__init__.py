"""Command-line interface: ``detente``.

Each topic lives in its own module that exposes ``register(app)``; this module only assembles
them and turns :class:`detente.errors.DetenteError` into one line on stderr and exit status 2.
"""

from __future__ import annotations

import importlib
import sys

import typer

from detente.errors import DetenteError, printable

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
        app()
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
