"""Default model constants, read from ``data/parameters.yaml`` with their provenance."""

from __future__ import annotations

import functools
from typing import Any

from detente.model.catalog import DATA_DIR, check_source_ids
from detente.model.provenance import Provenance, is_sourced_value
from detente.model.yamlio import load_yaml


@functools.cache
def _table() -> dict[str, dict[str, Any]]:
    doc = load_yaml(DATA_DIR / "parameters.yaml")
    check_source_ids(doc)
    out: dict[str, dict[str, Any]] = {}
    for group, entries in doc.data.items():
        for name, entry in entries.items():
            if not is_sourced_value(entry):
                raise doc.error((group, name), "expected {value, source, status, ...}")
            out.setdefault(group, {})[name] = entry
    return out


def default(group: str, name: str) -> Any:
    """The default value of a model constant, e.g. ``default("kent_thaler", "alpha")``."""
    return _table()[group][name]["value"]


def provenance(group: str, name: str) -> Provenance:
    """Where a default comes from."""
    entry = _table()[group][name]
    return Provenance.model_validate({k: v for k, v in entry.items() if k != "value"})
