"""Bounded load test of ``POST /api/stability`` on loopback (not a timed test).

Starts its own server (``uvicorn`` with :func:`detente.web.app.create_app`) on a free port of
127.0.0.1, then runs ``--clients`` concurrent keep-alive clients, each sending its next request
as soon as the previous answer arrives, until ``--requests`` answers or ``--seconds`` have
passed, whichever comes first. Each request asks for the stability of the bundled US and
Russian forces with its own damage expectancy (so every answer is computed, not repeated).
Reports requests per second, latency percentiles and errors; the last line is

    requests_per_s=<float> p50_ms=<float> p99_ms=<float> errors=<int> requests=<int>

Usage::

    .venv/bin/python benchmarks/web_load.py [--clients 50] [--requests 5000] [--seconds 30]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import socket
import subprocess
import sys
import time
import urllib.request

import numpy as np

HOST = "127.0.0.1"


def free_port() -> int:
    """A free TCP port on the loopback interface."""
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def start_server(port: int) -> subprocess.Popen:
    """The web app under uvicorn on ``127.0.0.1:port``; returns once it answers."""
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "--factory",
            "detente.web.app:create_app",
            "--host",
            HOST,
            "--port",
            str(port),
            "--log-level",
            "warning",
            "--no-access-log",
        ]
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://{HOST}:{port}/api/health", timeout=1) as r:
                if r.status == 200:
                    return proc
        except OSError:
            time.sleep(0.2)
        if proc.poll() is not None:
            break
    proc.kill()
    raise RuntimeError("the server did not start")


def request_bytes(port: int, i: int) -> bytes:
    """Request ``i``: US vs Russia with DE from 0.500 to 0.899 (each answer is computed)."""
    de = 0.5 + (i % 400) / 1000
    body = json.dumps({"forces": ["us-2025", "ru-2025"], "params": {"de": de}}).encode()
    head = (
        f"POST /api/stability HTTP/1.1\r\nHost: {HOST}:{port}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


async def one(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, data: bytes) -> int:
    """Send one request on a keep-alive connection; the response status."""
    writer.write(data)
    await writer.drain()
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    length = next(int(x.split(":", 1)[1]) for x in lines if x.lower().startswith("content-length:"))
    body = await reader.readexactly(length)
    if status == 200:
        json.loads(body)["fsi"]
    return status


async def run(port: int, clients: int, requests: int, seconds: float) -> dict:
    """Closed-loop load: ``clients`` connections until ``requests`` answers or ``seconds``."""
    latencies: list[float] = []
    errors = 0
    issued = 0
    stop = time.perf_counter() + seconds

    async def client() -> None:
        nonlocal errors, issued
        reader, writer = await asyncio.open_connection(HOST, port)
        try:
            while issued < requests and time.perf_counter() < stop:
                i = issued
                issued += 1
                t0 = time.perf_counter()
                try:
                    status = await one(reader, writer, request_bytes(port, i))
                except (OSError, ValueError, KeyError, asyncio.IncompleteReadError):
                    errors += 1
                    writer.close()
                    reader, writer = await asyncio.open_connection(HOST, port)
                    continue
                latencies.append(time.perf_counter() - t0)
                errors += status != 200
        finally:
            writer.close()

    start = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(clients)))
    elapsed = time.perf_counter() - start
    lat = np.asarray(latencies) * 1e3
    return {
        "requests": len(latencies),
        "errors": errors,
        "seconds": elapsed,
        "requests_per_s": len(latencies) / elapsed,
        "p50_ms": float(np.percentile(lat, 50)),
        "p90_ms": float(np.percentile(lat, 90)),
        "p99_ms": float(np.percentile(lat, 99)),
        "max_ms": float(lat.max()),
    }


def main(argv: list[str] | None = None) -> dict:
    """Run the load test and print its report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50, help="concurrent clients")
    parser.add_argument("--requests", type=int, default=5000, help="most requests in all")
    parser.add_argument("--seconds", type=float, default=30.0, help="longest run [s]")
    parser.add_argument("--warmup", type=int, default=200, help="requests before measuring")
    args = parser.parse_args(argv)
    if not (1 <= args.clients <= 1000 and args.requests >= 1 and args.seconds > 0):
        parser.error("clients in 1..1000, requests >= 1, seconds > 0")
    port = free_port()
    server = start_server(port)
    try:
        asyncio.run(run(port, min(args.clients, 10), args.warmup, 30.0))
        report = asyncio.run(run(port, args.clients, args.requests, args.seconds))
    finally:
        server.terminate()
        server.wait(timeout=10)
    print(
        f"POST /api/stability, {args.clients} concurrent clients on {HOST}: "
        f"{report['requests']} requests in {report['seconds']:.1f} s, {report['errors']} errors"
    )
    print(
        f"latency p50 {report['p50_ms']:.1f} ms, p90 {report['p90_ms']:.1f} ms, "
        f"p99 {report['p99_ms']:.1f} ms, max {report['max_ms']:.1f} ms"
    )
    print(
        f"requests_per_s={report['requests_per_s']:.1f} p50_ms={report['p50_ms']:.2f} "
        f"p99_ms={report['p99_ms']:.2f} errors={report['errors']} requests={report['requests']}"
    )
    return report


if __name__ == "__main__":
    main()
