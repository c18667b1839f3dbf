"""``detente serve``: the web app (interactive stability explorer and JSON API)."""

from __future__ import annotations

import typer


def serve(
    host: str = typer.Option("127.0.0.1", help="Address to listen on (loopback by default)."),
    port: int = typer.Option(8000, min=1, max=65535, help="Port to listen on."),
) -> None:
    """Serve the explorer page and the JSON API (schema at /api/openapi.json)."""
    import uvicorn

    from detente.web.app import create_app

    typer.echo(f"detente serve: http://{host}:{port}/  (Ctrl+C to stop)")
    uvicorn.run(create_app(), host=host, port=port, log_level="warning")


def register(app: typer.Typer) -> None:
    """Add ``detente serve`` to ``app``."""
    app.command("serve")(serve)
