"""Pure numpy kernels: no I/O, no pydantic, no printing; a leading batch axis throughout."""
