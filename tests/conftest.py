"""Shared test fixtures: the ``detente`` command run as a user would, one Chromium and one
``detente serve`` per test process; the ``slow`` marker; and the Hypothesis profiles.

Slow tests (``make test-slow``; ``make test`` and ``make test-quick`` skip them, CI runs both):
those marked ``slow``, and those slow by nature, marked here: a real browser (``browser``), the
installed console script in a subprocess (``e2e``), and the real server (fixture
``live_server``).

Hypothesis profiles (``--hypothesis-profile NAME`` or ``HYPOTHESIS_PROFILE=NAME``): every
property test states its ``max_examples`` for the ``ci`` profile; ``default`` (``make test-quick``
and a bare ``pytest``, the inner loop) runs a third of them (at least :data:`MIN_EXAMPLES`),
``ci`` (``make test`` and CI) runs them as written, ``thorough`` (``make test-thorough``)
five times as many.

A subprocess costs about 2 s of start-up a call (imports), so :func:`detente_cli` runs the
command in this process by default: :func:`detente.cli.main` with the argv, environment,
working directory, standard streams, warnings and exit status that the installed console
script would have. Tests marked ``e2e`` run the installed console script in a real subprocess
instead; keep a handful of those (one per kind of output: a table, machine-readable output,
a one-line error).
"""

from __future__ import annotations

import asyncio
import io
import locale
import os
import socket
import subprocess
import sys
import time
import traceback
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest
from hypothesis import is_hypothesis_test, settings
from processes import stop

#: The console script installed next to this interpreter.
DETENTE = Path(sys.executable).with_name("detente")

#: Markers whose tests are slow by nature (a real browser, a real subprocess).
SLOW_BY_NATURE = ("browser", "e2e")
#: Fixtures whose tests are slow by nature (a real server with its worker processes).
SLOW_FIXTURES = ("live_server",)
#: Test modules of slow tests only that cost seconds to collect (schemathesis builds its cases
#: at collection): not collected at all when slow tests are deselected (``-m "not slow"``).
SLOW_TO_COLLECT = ("test_web_fuzz.py",)
#: How long a browser test's ``expect`` waits for its condition [ms] (Playwright's default,
#: 5 s, is too short on a loaded machine; a test that passes passes as soon as it holds).
EXPECT_TIMEOUT_MS = 30_000

#: Share of each property test's stated ``max_examples`` that a Hypothesis profile runs.
EXAMPLES_SCALE = {"default": 1 / 3, "ci": 1.0, "thorough": 5.0}
#: Fewest examples a scaled-down property test runs.
MIN_EXAMPLES = 5

settings.register_profile("ci", settings.get_profile("default"))
settings.register_profile("thorough", settings.get_profile("default"))
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    """Skip :data:`SLOW_TO_COLLECT` when the run deselects slow tests."""
    if collection_path.name in SLOW_TO_COLLECT and config.option.markexpr == "not slow":
        return True
    return None


def _scale_examples(test, scale: float) -> None:
    """Run ``scale`` times the examples the property test ``test`` states (its settings are
    read when it runs; Hypothesis keeps them on the wrapped test)."""
    stated = test._hypothesis_internal_use_settings
    n = stated.max_examples
    scaled = max(min(n, MIN_EXAMPLES), round(n * scale))
    test._hypothesis_internal_use_settings = settings(stated, max_examples=scaled)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every ``browser`` and ``e2e`` test, and every test of the live server, ``slow``
    too (``make test`` skips them, ``make test-slow`` runs them), and scale property tests'
    examples to the Hypothesis profile."""
    scale = EXAMPLES_SCALE.get(settings.get_current_profile_name(), 1.0)
    scaled = set()
    for item in items:
        if any(item.get_closest_marker(name) for name in SLOW_BY_NATURE) or any(
            name in getattr(item, "fixturenames", ()) for name in SLOW_FIXTURES
        ):
            item.add_marker(pytest.mark.slow)
        test = getattr(item, "obj", None)
        if scale != 1.0 and is_hypothesis_test(test) and id(test) not in scaled:
            scaled.add(id(test))
            _scale_examples(test, scale)


def _pipe() -> io.TextIOWrapper:
    """A text stream that stands in for a pipe: the locale's encoding, not a terminal."""
    return io.TextIOWrapper(
        io.BytesIO(), encoding=locale.getpreferredencoding(False), newline="", write_through=True
    )


def _read(stream: io.TextIOWrapper) -> str:
    """What a parent reading the pipe in text mode sees (universal newlines)."""
    stream.seek(0)
    return stream.read().replace("\r\n", "\n").replace("\r", "\n")


def _show_warning(message, category, filename, lineno, file=None, line=None) -> None:
    """Print a warning on the current ``sys.stderr``, as a fresh interpreter does."""
    sys.stderr.write(warnings.formatwarning(message, category, filename, lineno, line))


def _interpreter_warning_filters() -> None:
    """The warning filters of a fresh interpreter (pytest's own filters do not apply)."""
    warnings.resetwarnings()
    for category in (ResourceWarning, ImportWarning, PendingDeprecationWarning):
        warnings.simplefilter("ignore", category)
    warnings.simplefilter("ignore", DeprecationWarning)
    warnings.filterwarnings("default", category=DeprecationWarning, module="__main__")
    warnings.showwarning = _show_warning


def _exit_status(code: object) -> int:
    """The exit status of ``sys.exit(code)``; a message is printed on stderr, status 1."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    print(code, file=sys.stderr)
    return 1


def run_in_process(
    args: Sequence[str],
    monkeypatch: pytest.MonkeyPatch,
    *,
    columns: int | None = None,
    cwd: str | os.PathLike | None = None,
    input: str | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run ``detente ARGS`` through :func:`detente.cli.main` in this process.

    The environment is this one plus ``NO_COLOR=1`` (and ``COLUMNS`` when given), stdout and
    stderr are fresh pipes that are not terminals, stdin holds ``input`` (empty by default),
    warnings follow a fresh interpreter's filters and print on stderr, an uncaught exception
    prints its traceback and gives status 1, and ``sys.exit`` gives its status.
    """
    from detente.cli import main

    stdout, stderr = _pipe(), _pipe()
    with monkeypatch.context() as m:
        m.setattr(sys, "argv", [str(DETENTE), *args])
        # click names the program after argv[0] unless __main__ is a package's (python -m).
        m.setattr(sys.modules["__main__"], "__package__", None, raising=False)
        m.setattr(sys, "stdin", io.StringIO(input or ""))
        m.setenv("NO_COLOR", "1")
        if columns is not None:
            m.setenv("COLUMNS", str(columns))
        if cwd is not None:
            m.chdir(cwd)
        with warnings.catch_warnings(), redirect_stdout(stdout), redirect_stderr(stderr):
            _interpreter_warning_filters()
            try:
                main()
                code = 0
            except SystemExit as exc:
                code = _exit_status(exc.code)
            except Exception:
                traceback.print_exc()
                code = 1
    return subprocess.CompletedProcess(
        [str(DETENTE), *args], code, stdout=_read(stdout), stderr=_read(stderr)
    )


@pytest.fixture(scope="session")
def compiled_kernel():
    """The compiled stability kernel, compiled (or loaded from numba's cache) once per
    session; skips where numba is not installed."""
    from detente.kernels import compiled

    if not compiled.available():
        pytest.skip("numba is not installed")
    return compiled.load()


@pytest.fixture
def detente_cli(request, monkeypatch) -> Callable[..., subprocess.CompletedProcess[str]]:
    """Run ``detente ARGS`` as a user would: in process, or in a subprocess when marked ``e2e``.

    Returns ``run(*args, columns=None, timeout=120, **kwargs)``: the completed process with
    text stdout and stderr. ``NO_COLOR`` is set; ``columns`` sets the terminal width that rich
    assumes; ``kwargs`` are ``cwd`` and ``input`` (in a subprocess, anything that
    :func:`subprocess.run` takes). ``timeout`` [s] applies to the subprocess only (in process,
    pytest-timeout guards every test).
    """
    end_to_end = request.node.get_closest_marker("e2e") is not None

    def run(
        *args: str, columns: int | None = None, timeout: float = 120, **kwargs
    ) -> subprocess.CompletedProcess[str]:
        if not end_to_end:
            return run_in_process(args, monkeypatch, columns=columns, **kwargs)
        env = {**os.environ, "NO_COLOR": "1"}
        if columns is not None:
            env["COLUMNS"] = str(columns)
        return subprocess.run(
            [str(DETENTE), *args],
            capture_output=True,
            text=True,
            env=env,
            timeout=timeout,
            **kwargs,
        )

    return run


@pytest.fixture
def detente_main(monkeypatch) -> Callable[..., tuple[int, str, str]]:
    """Run ``detente ARGS`` in this process (:func:`run_in_process`, no start-up cost).

    Returns ``run(*args)``: the exit status (0 when the command ends without one), stdout and
    stderr.
    """

    def run(*args: str) -> tuple[int, str, str]:
        done = run_in_process(args, monkeypatch)
        return done.returncode, done.stdout, done.stderr

    return run


@pytest.fixture(scope="session")
def browser() -> Iterator:
    """Debian's Chromium, headless, driven by Playwright: one per test process, started by the
    first browser test (each test opens a fresh context of its own); skips where
    /usr/bin/chromium is absent.

    While Playwright's synchronous API is started, its event loop counts as running in this
    thread; :func:`_no_event_loop_outside_the_browser` hides it from the other tests (so that
    ``asyncio.run`` works in them)."""
    from chromium import ARGS, CHROMIUM

    if not CHROMIUM.exists():
        pytest.skip("/usr/bin/chromium is absent (`make browser` installs it)")
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=EXPECT_TIMEOUT_MS)
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture(autouse=True)
def _no_event_loop_outside_the_browser(request) -> Iterator[None]:
    """Run a test that does not drive the browser with no event loop running in this thread,
    as in a fresh process, even after the session's browser started Playwright's loop."""
    if "browser" in request.fixturenames:
        yield
        return
    loop = asyncio._get_running_loop()
    if loop is None:
        yield
        return
    asyncio._set_running_loop(None)
    try:
        yield
    finally:
        asyncio._set_running_loop(loop)


@pytest.fixture
def offline_pages(browser) -> Iterator:
    """:class:`chromium.OfflinePages` of a fresh context: a file opens with no network and no
    page error (checked after the test)."""
    from chromium import OfflinePages

    pages = OfflinePages(browser)
    try:
        yield pages
    finally:
        pages.context.close()
    pages.check()


def _free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def live_server(tmp_path_factory) -> Iterator[str]:
    """``detente serve`` in a subprocess on a free loopback port, its worker processes warm;
    yields its base URL. One per test process, shared by the browser and hostile tests."""
    port = _free_port()
    log = tmp_path_factory.mktemp("serve") / "serve.log"
    code = "from detente.cli import main; main()"
    with open(log, "wb") as out:  # a file, not a pipe nobody reads: the server never blocks
        proc = subprocess.Popen(
            [sys.executable, "-c", code, "serve", "--host", "127.0.0.1", "--port", str(port)],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        import httpx

        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(f"{base}/api/health", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"detente serve did not start:\n{log.read_text()}")
            time.sleep(0.2)
        httpx.post(f"{base}/api/risk", json={"samples": 10}, timeout=120)  # workers warm
        httpx.post(f"{base}/api/scenario/parse", json={"text": "a: 1"}, timeout=120)
        yield base
    finally:
        stop(proc)
