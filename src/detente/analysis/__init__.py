"""Assemble model objects into kernel calls and typed results."""
