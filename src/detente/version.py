"""The package's version, in one place: ``detente.__version__`` and the figures' stamp
(:func:`detente.report.publish.stamp`) read it without importing the front door."""

__version__ = "0.1.0"
