"""Validated, immutable model objects and their loading from YAML."""

from detente.model.force import Alert, Force, Holding, Launchers, Stockpile, System, Warhead
from detente.model.provenance import Provenance, Sourced

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
