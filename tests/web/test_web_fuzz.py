"""The API fuzzed against its own OpenAPI schema with schemathesis: no input gives a 5xx."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from detente.web.app import create_app

schema = schemathesis.openapi.from_asgi("/api/openapi.json", create_app())


@pytest.mark.slow
@schema.parametrize()
@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
    database=None,
)
def test_api_never_answers_5xx(case):
    case.call_and_validate(checks=[not_a_server_error])
