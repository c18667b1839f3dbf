"""detente: an open workbench for nuclear arms-control and strategic-stability analysis.

The front door for notebooks and scripts (see ``docs/api.md``)::

    import detente as dt
    res = dt.stability("us-2025", "ru-2025", posture="generated")
    res.fsi, res.to_frame(), res.plot()

``import detente`` is light: the functions below load their modules on first use.
"""

from detente.version import __version__

__all__ = [
    "__version__",
    "assess",
    "count",
    "detect",
    "history",
    "load_force",
    "stability",
    "system",
    "upload",
]

_API = frozenset(__all__) - {"__version__"}


def __getattr__(name: str):
    """Load a front-door function from :mod:`detente.api` on first use."""
    if name in _API:
        from detente import api

        return getattr(api, name)
    raise AttributeError(f"module 'detente' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
