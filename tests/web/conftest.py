"""Fixtures of the web tests: an in-process client, and a recorded page on the real server
(``browser`` and ``live_server`` are shared, in tests/conftest.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from detente.web.app import Settings, create_app

#: Time budget of the shared in-process app [s]: the default (10 s) answers 503 when the
#: test machine is loaded; the budget's own tests make apps of their own.
LOADED_MACHINE_BUDGET_S = 120.0


@pytest.fixture(scope="session")
def client() -> Iterator[TestClient]:
    """The app in process (lifespan run, so the stability batcher has its event loop), with a
    time budget that a loaded machine does not run past."""
    with TestClient(create_app(Settings(time_budget_s=LOADED_MACHINE_BUDGET_S))) as c:
        yield c


@pytest.fixture
def visit(browser, live_server, tmp_path):
    """A recorded page on the live server; fails the test on any request off 127.0.0.1."""
    from browser_visit import Visit

    v = Visit(browser, live_server, tmp_path)
    try:
        yield v
    finally:
        v.context.close()
    v.check_local_only()
