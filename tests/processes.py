"""Child processes the tests start (a server, Dask's scheduler and workers): one way to stop
them."""

from __future__ import annotations

import subprocess


def stop(proc: subprocess.Popen, timeout: float = 30) -> None:
    """Terminate ``proc`` and wait for it; kill it if it has not ended within ``timeout`` [s]."""
    proc.terminate()
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
