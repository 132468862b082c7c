"""Serve a benchmark's own ASGI app with the uvicorn options of `pivotal serve` (app/cli.py),
so that it is compared with Pivotal on the same stack."""

from __future__ import annotations

import argparse


def serve_like_pivotal(app: str, *, description: str | None, default_port: int) -> None:
    """Run `app` ("module:attribute") in one uvicorn process, as `pivotal serve` would."""
    import uvicorn

    from app.cli import UVICORN_OPTIONS

    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=default_port)
    args = parser.parse_args()
    uvicorn.run(
        app,
        host=args.host,
        port=args.port,
        workers=1,
        **UVICORN_OPTIONS,
    )
