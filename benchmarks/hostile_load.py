"""Cheap endpoints under heavy load, on loopback (a bounded run, not a timed test).

Starts its own server (``uvicorn`` with :func:`detente.web.app.create_app`) on a free port of
127.0.0.1, waits until its worker processes are warm, then keeps ``--heavy`` requests at the
web caps in flight (assessments with the most Monte Carlo samples, risk with the most samples,
Open Skies at the work cap, the default agreement grid) for ``--seconds``, while one probe
client asks ``GET /api/health`` and ``POST /api/stability`` in turn. Reports the probe's
latency percentiles and how the heavy requests were answered (200, 503 busy or over budget);
the last line is ``key=value`` pairs: health and stability p50 and p99 [ms], probes, failed
probes, heavy answers by status.

Usage::

    .venv/bin/python benchmarks/hostile_load.py [--heavy 20] [--seconds 30]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from collections import Counter
from pathlib import Path

import httpx
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from web_load import HOST, free_port, start_server

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = (ROOT / "examples" / "new-start-expiry.yaml").read_text(encoding="utf-8")
#: Pause of a heavy client after a 503 "busy" before it asks again [s].
BACKOFF_S = 0.5
#: Requests at the web app's caps, sent in turn by the heavy clients.
HEAVY = [
    ("/api/assess", {"yaml": SCENARIO, "samples": 20_000}),
    ("/api/risk", {"samples": 20_000}),
    ("/api/verify/open-skies", {"replicates": 1_000, "years": 20, "sites": 20, "quota": 1}),
    (
        "/api/agreement",
        {"criteria": [{"party": "US", "fsi_min": 0.5}]},
    ),
]


async def heavy_client(client: httpx.AsyncClient, k: int, stop: float, out: Counter) -> None:
    """Send heavy requests one after the other until ``stop``."""
    i = k
    while time.perf_counter() < stop:
        path, body = HEAVY[i % len(HEAVY)]
        i += 1
        try:
            r = await client.post(path, json=body, timeout=120)
            out[r.status_code] += 1
            if r.status_code == 503:
                busy = "busy" in r.json()["detail"]
                out["busy" if busy else "budget"] += 1
                if busy:  # asked again at once, a refused client would load only itself
                    await asyncio.sleep(BACKOFF_S)
        except httpx.HTTPError:
            out["error"] += 1


async def probe(client: httpx.AsyncClient, stop: float) -> dict[str, list[float]]:
    """Health and stability in turn until ``stop``; latencies [s] (errors count as failures)."""
    times: dict[str, list[float]] = {"health": [], "stability": [], "failed": []}
    body = {"forces": ["us-2025", "ru-2025"], "params": {"de": 0.7}}
    while time.perf_counter() < stop:
        for name in ("health", "stability"):
            t0 = time.perf_counter()
            if name == "health":
                r = await client.get("/api/health", timeout=60)
            else:
                r = await client.post("/api/stability", json=body, timeout=60)
            times[name if r.status_code == 200 else "failed"].append(time.perf_counter() - t0)
        await asyncio.sleep(0.05)
    return times


async def run(port: int, heavy: int, seconds: float) -> dict:
    """``heavy`` heavy clients and one probe for ``seconds``."""
    base = f"http://{HOST}:{port}"
    limits = httpx.Limits(max_connections=heavy + 5)
    async with httpx.AsyncClient(base_url=base, limits=limits) as client:
        for path, body in HEAVY:  # warm every worker path once
            await client.post(path, json=body, timeout=120)
        statuses: Counter = Counter()
        stop = time.perf_counter() + seconds
        tasks = [heavy_client(client, k, stop, statuses) for k in range(heavy)]
        results = await asyncio.gather(probe(client, stop), *tasks)
    times = results[0]

    def pct(name: str, q: float) -> float:
        values = np.asarray(times[name]) * 1e3
        return float(np.percentile(values, q)) if values.size else float("nan")

    return {
        "health_p50_ms": pct("health", 50),
        "health_p99_ms": pct("health", 99),
        "stability_p50_ms": pct("stability", 50),
        "stability_p99_ms": pct("stability", 99),
        "probes": len(times["health"]) + len(times["stability"]),
        "probe_failures": len(times["failed"]),
        "heavy": statuses[200] + statuses[503] + statuses["error"],
        "heavy_200": statuses[200],
        "heavy_503": statuses[503],
        "heavy_503_budget": statuses["budget"],
        "heavy_other": statuses["error"]
        + sum(v for k, v in statuses.items() if isinstance(k, int) and k not in (200, 503)),
    }


def main(argv: list[str] | None = None) -> dict:
    """Run the load test and print its report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--heavy", type=int, default=20, help="heavy requests in flight")
    parser.add_argument("--seconds", type=float, default=30.0, help="length of the run [s]")
    args = parser.parse_args(argv)
    if not (1 <= args.heavy <= 200 and 0 < args.seconds <= 600):
        parser.error("heavy in 1..200, seconds in (0, 600]")
    port = free_port()
    server = start_server(port)
    try:
        r = asyncio.run(run(port, args.heavy, args.seconds))
    finally:
        server.terminate()
        server.wait(timeout=30)
    print(
        f"{args.heavy} heavy requests in flight for {args.seconds:g} s on {HOST}: "
        f"{r['heavy']} answered ({r['heavy_200']} x 200, {r['heavy_503']} x 503, "
        f"{r['heavy_other']} other)"
    )
    print(
        f"GET /api/health p50 {r['health_p50_ms']:.1f} ms, p99 {r['health_p99_ms']:.1f} ms; "
        f"POST /api/stability p50 {r['stability_p50_ms']:.1f} ms, "
        f"p99 {r['stability_p99_ms']:.1f} ms; {r['probe_failures']} failed probes"
    )
    print(" ".join(f"{k}={v:.2f}" if isinstance(v, float) else f"{k}={v}" for k, v in r.items()))
    return r


if __name__ == "__main__":
    main()
