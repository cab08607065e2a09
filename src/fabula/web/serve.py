"""``fabula serve``: the web app on uvicorn, bound to loopback by default; and :func:`background`, the same app
on a free loopback port in a thread (for tests, screenshots and notebooks)."""

from __future__ import annotations

import ipaddress
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

import typer

from fabula.web.settings import Settings, default_workers


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def serve(
    host: Annotated[str, typer.Option(help="Address to listen on (loopback by default: only this computer).")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[
        int | None, typer.Option(help="Analysis processes (default: the CPUs, at most 4).", min=1)
    ] = None,
    max_upload_mb: Annotated[float, typer.Option(help="Largest upload in MB (413 beyond).", min=0.001)] = 20.0,
    timeout: Annotated[float, typer.Option(help="Longest analysis in seconds (504 beyond).", min=0.1)] = 300.0,
    max_queue: Annotated[int, typer.Option(help="Analyses queued or running at once (503 beyond).", min=1)] = 64,
) -> None:
    """Serve the web app (paste or upload a story, read the report, download JSON/TSV) and the HTTP API
    (OpenAPI at /api/openapi.json)."""
    import uvicorn

    from fabula.web.app import create_app

    if not _is_loopback(host):
        typer.echo(
            f"fabula: warning: listening on {host}: anyone who can reach this address can use the app", err=True
        )
    settings = Settings(
        workers=workers or default_workers(),
        max_upload_mb=max_upload_mb,
        timeout_s=timeout,
        max_queue=max_queue,
    )
    typer.echo(f"fabula: serving on http://{host}:{port}/ (Ctrl-C to stop)", err=True)
    uvicorn.run(
        create_app(settings), host=host, port=port, log_level="info", server_header=False, timeout_graceful_shutdown=5
    )


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port free on ``host`` right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        port: int = s.getsockname()[1]
        return port


@contextmanager
def background(settings: Settings | None = None, host: str = "127.0.0.1", start_timeout_s: float = 60.0) -> Iterator[str]:
    """Run the app with uvicorn in a thread on a free loopback port; yields its base URL (``http://127.0.0.1:N``)
    once it answers, and stops it (and its process pool) on exit."""
    import uvicorn

    from fabula.web.app import create_app

    port = free_port(host)
    config = uvicorn.Config(
        create_app(settings), host=host, port=port, log_level="warning", lifespan="on", server_header=False,
        timeout_graceful_shutdown=5,
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="fabula-web", daemon=True)
    thread.start()
    deadline = time.monotonic() + start_timeout_s
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            raise RuntimeError("the web app did not start")
        time.sleep(0.02)
    try:
        yield f"http://{host}:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)
