"""Validated, immutable model objects and their loading from YAML.

The classes below load their modules (and pydantic) on first use, so that a module of this
package that needs no model class (:mod:`detente.model.datacache`) stays light to import.
"""

__all__ = [
    "Alert",
    "Force",
    "Holding",
    "Launchers",
    "Provenance",
    "Sourced",
    "Stockpile",
    "System",
    "Warhead",
]

_HOME = {name: "force" for name in __all__} | {"Provenance": "provenance", "Sourced": "provenance"}


def __getattr__(name: str):
    """Load a model class from its module on first use."""
    if name in _HOME:
        import importlib

        return getattr(importlib.import_module(f"detente.model.{_HOME[name]}"), name)
    raise AttributeError(f"module 'detente.model' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
