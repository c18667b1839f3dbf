"""detente: an open workbench for nuclear arms-control and strategic-stability analysis."""

__version__ = "0.1.0"
