"""Liveness check for process supervisors and load balancers."""

from __future__ import annotations

from fastapi.responses import PlainTextResponse


def check_health() -> PlainTextResponse:
    return PlainTextResponse("ok")
