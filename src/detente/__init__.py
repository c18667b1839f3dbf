"""detente: an open workbench for nuclear arms-control and strategic-stability analysis.

``import detente`` is light: ``detente.history`` loads its module on first use.
"""

__version__ = "0.1.0"


def __getattr__(name: str):
    """``detente.history(...)``: the history tables as a DataFrame (loaded on first use)."""
    if name == "history":
        from detente.analysis.history import history

        return history
    raise AttributeError(f"module 'detente' has no attribute {name!r}")
