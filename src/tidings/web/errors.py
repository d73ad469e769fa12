"""Error pages: the same layout as every other page, with a way back to the front page.

A page that needs a signed-in reader (401) sends the visitor to the log-in page and back again.
"""

from __future__ import annotations

from http import HTTPStatus
from urllib.parse import urlencode, urlsplit

from fastapi import Request, Response
from starlette.exceptions import HTTPException

from tidings.web.auth import visitor_or_anonymous
from tidings.web.context import web_context
from tidings.web.headers import SECURITY_HEADERS
from tidings.web.render import local_path, page, redirect

_TITLES = {
    400: ("Request not understood", "Tidings could not answer this request."),
    403: ("Not allowed", "You cannot do that here."),
    404: ("Page not found", "There is no article or page at this address."),
    405: ("Method not allowed", "This address can only be read, not changed."),
    413: ("Too large", "What you sent is larger than Tidings accepts."),
    500: ("Something went wrong", "Tidings could not show this page. The error has been logged."),
}
_EXPIRED_FORM = (
    "Form expired",
    "This form was sent without a valid token, or from another site. Go back, reload the page and try again.",
)


def _render(
    request: Request, status: int, headers: dict[str, str] | None = None, detail: str | None = None
) -> Response:
    title, message = _TITLES.get(status, _TITLES[400])
    if status == 403 and detail == "csrf":
        title, message = _EXPIRED_FORM
    elif status == 400 and detail:
        message = detail  # what was wrong with the request, in the handler's words
    return page(
        request,
        web_context(request),
        visitor_or_anonymous(request),
        "error.html",
        {"status": status, "title": title, "message": message},
        status_code=status,
        headers=headers,
    )


def _login_redirect(request: Request) -> Response:
    if request.method in ("GET", "HEAD"):
        back = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    else:  # after log-in, back to the page the form was on
        referer = urlsplit(request.headers.get("referer", ""))
        back = referer.path + (f"?{referer.query}" if referer.query else "")
    return redirect("/login?" + urlencode({"next": local_path(back)}))


async def render_http_error(request: Request, exc: Exception) -> Response:
    if not isinstance(exc, HTTPException):
        raise exc
    if exc.status_code == 401:
        return _login_redirect(request)
    # Starlette's default detail is the status phrase ("Bad Request"): only a handler's own words count.
    detail = exc.detail if isinstance(exc.detail, str) and exc.detail != _phrase(exc.status_code) else None
    return _render(request, exc.status_code, headers=dict(exc.headers or {}), detail=detail)


async def render_server_error(request: Request, _exc: Exception) -> Response:
    # Starlette runs this outermost, outside SecurityHeaders, so the headers are set here too.
    return _render(request, 500, headers=SECURITY_HEADERS)


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""
