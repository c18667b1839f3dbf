"""What a reader waits for and what axe-core finds: the page's time to the first number on
loopback, the sizes and load times of an assessment report and of a sweep report, and axe-core's
serious and critical violations on the page, /sources and both reports, with screenshots at
1280 and 390 px in ``test-artifacts/measure-*.png``.

Run: ``.venv/bin/python benchmarks/page_and_reports.py`` (Debian's Chromium; starts ``detente
serve`` on a free loopback port and stops it). The last line is machine-readable.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from a11y import axe_violations  # noqa: E402
from chromium import ARGS, ARTIFACTS, CHROMIUM  # noqa: E402

WIDTHS = (1280, 390)
RUNS = 5
CLI = "from detente.cli import main; main()"


def _tag() -> str:
    """``other-`` when ``detente`` is imported from another checkout (a before/after run)."""
    import detente

    return "" if Path(detente.__file__).resolve().is_relative_to(ROOT) else "other-"


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _serve() -> tuple[subprocess.Popen, str]:
    port = _port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from detente.cli import main; main()",
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        cwd=ROOT,
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            if httpx.get(f"{base}/api/health", timeout=1).status_code == 200:
                return proc, base
        except httpx.TransportError:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError("detente serve did not start")


def _reports(out: Path) -> dict[str, Path]:
    from detente.analysis.assess import assess
    from detente.report.assessment import write_report
    from detente.sweep.runner import run_sweep
    from detente.sweep.spec import load_spec
    from detente.sweep.store import SweepStore

    a = assess(ROOT / "examples" / "new-start-expiry.yaml", samples=2000, seed=7)
    report = write_report(a, out / "assess")["report.html"]
    run_sweep(load_spec(ROOT / "examples" / "sweep-after-new-start.yaml"), out / "s.duckdb")
    from detente.sweep.report import write_report as write_sweep_report

    with SweepStore(out / "s.duckdb", read_only=True) as store:
        sweep = write_sweep_report(store, out / "sweep.html")
    return {"report": report, "sweep-report": sweep}


def _wait(page, js: str, timeout_s: float = 60.0) -> None:
    """Poll ``js`` in the page until true (``wait_for_function`` evaluates a string with
    ``eval``, which the app's Content-Security-Policy refuses)."""
    deadline = time.monotonic() + timeout_s
    while not page.evaluate(js):
        if time.monotonic() > deadline:
            raise TimeoutError(js)
        time.sleep(0.02)


def _first_number(browser, base: str) -> list[float]:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(base + "/")  # warm the server's caches
    _wait(page, "performance.getEntriesByName('detente:first-number').length > 0")
    times = []
    for k in range(RUNS):
        page.goto(f"{base}/?run={k}")
        _wait(page, "performance.getEntriesByName('detente:first-number').length > 0")
        times.append(
            page.evaluate("performance.getEntriesByName('detente:first-number')[0].startTime")
        )
    page.close()
    return times


def _visit(browser, name: str, url: str, ready: str) -> dict[str, float]:
    out: dict[str, float] = {}
    for width in WIDTHS:
        page = browser.new_page(viewport={"width": width, "height": 900})
        t0 = time.monotonic()
        page.goto(url, wait_until="load")
        out[f"load_s_{width}"] = time.monotonic() - t0
        _wait(page, ready)
        out[f"ready_s_{width}"] = time.monotonic() - t0
        if page.evaluate("typeof window.detenteDrawAll === 'function'"):  # a lazy report
            page.evaluate("window.detenteDrawAll()")
            out[f"all_drawn_s_{width}"] = time.monotonic() - t0
        page.wait_for_timeout(500)
        out[f"axe_{width}"] = len(axe_violations(page))
        shot = ARTIFACTS / f"measure-{_tag()}{name}-{width}.png"
        page.screenshot(path=str(shot), full_page=True)
        page.close()
    return out


def main() -> None:
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    out = Path(tempfile.mkdtemp(prefix="detente-measure-"))
    files = _reports(out)
    proc, base = _serve()
    drawn = (  # the first figure in view (a lazy report draws it when it comes near)
        "(() => { const d = document.querySelector('.js-plotly-plot, .lazy-figure');"
        " if (d) d.scrollIntoView(); return document.querySelectorAll('.main-svg').length > 0; })()"
    )
    number = "/^\\d\\.\\d{2}$/.test(document.getElementById('fsi').textContent)"
    results: dict[str, dict[str, float]] = {}
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
            first = _first_number(browser, base)
            print(f"first number on loopback [ms]: {', '.join(f'{t:.0f}' for t in first)}")
            results["page"] = _visit(browser, "page", base + "/", f"({number}) && ({drawn})")
            results["sources"] = _visit(browser, "sources", base + "/sources", "true")
            for name, path in files.items():
                results[name] = _visit(browser, name, path.as_uri(), drawn)
                results[name]["bytes"] = path.stat().st_size
            browser.close()
    finally:
        proc.terminate()
        proc.wait(timeout=20)
    for name, r in results.items():
        print(
            name,
            ", ".join(f"{k} {v:.2f}" if isinstance(v, float) else f"{k} {v}" for k, v in r.items()),
        )
    first.sort()
    axe = sum(v for r in results.values() for k, v in r.items() if k.startswith("axe"))
    print(
        f"first_number_ms_median={first[len(first) // 2]:.0f} "
        f"report_bytes={results['report']['bytes']} "
        f"sweep_report_bytes={results['sweep-report']['bytes']} "
        f"axe_serious_critical={axe}"
    )


if __name__ == "__main__":
    main()
