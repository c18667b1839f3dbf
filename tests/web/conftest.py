"""Fixtures of the web tests: an in-process client, and the real server on a free loopback port."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from detente.web.app import create_app

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def client() -> Iterator[TestClient]:
    """The app in process (lifespan run, so the stability batcher has its event loop)."""
    with TestClient(create_app()) as c:
        yield c


@pytest.fixture(scope="session")
def live_server() -> Iterator[str]:
    """``detente serve`` in a subprocess on a free loopback port; yields its base URL."""
    port = free_port()
    cmd = [sys.executable, "-c", "from detente.cli import main; main()", "serve"]
    proc = subprocess.Popen(
        [*cmd, "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        cwd=ROOT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/api/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                out = proc.stdout.read().decode() if proc.stdout else ""
                raise RuntimeError(f"detente serve did not start:\n{out}")
            time.sleep(0.2)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.fixture(scope="module")
def browser() -> Iterator:
    """Debian's Chromium, headless, driven by Playwright."""
    from chromium import ARGS, CHROMIUM
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture
def visit(browser, live_server, tmp_path):
    """A recorded page on the live server; fails the test on any request off 127.0.0.1."""
    from browser_visit import Visit

    v = Visit(browser, live_server, tmp_path)
    yield v
    v.check_local_only()
    v.context.close()
