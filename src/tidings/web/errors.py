"""Error pages: the same layout as every other page, with a way back to the front page."""

from __future__ import annotations

from fastapi import Request, Response
from starlette.exceptions import HTTPException

from tidings.web.context import web_context
from tidings.web.headers import SECURITY_HEADERS

_TITLES = {
    404: ("Page not found", "There is no article or page at this address."),
    405: ("Method not allowed", "This address can only be read, not changed."),
    500: ("Something went wrong", "Tidings could not show this page. The error has been logged."),
}


def _render(request: Request, status: int, headers: dict[str, str] | None = None) -> Response:
    title, message = _TITLES.get(status, ("Request not understood", "Tidings could not answer this request."))
    return web_context(request).templates.TemplateResponse(
        request,
        "error.html",
        {"status": status, "title": title, "message": message},
        status_code=status,
        headers=headers,
    )


async def render_http_error(request: Request, exc: Exception) -> Response:
    if not isinstance(exc, HTTPException):
        raise exc
    return _render(request, exc.status_code, headers=dict(exc.headers or {}))


async def render_server_error(request: Request, _exc: Exception) -> Response:
    # Starlette runs this outermost, outside SecurityHeaders, so the headers are set here too.
    return _render(request, 500, headers=SECURITY_HEADERS)
