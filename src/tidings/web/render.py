"""Answering a request: a page (the layout needs the visitor) or a redirect after a form.

Every page goes through `page`, so each one knows who is reading, carries the CSRF token its forms need,
and is never kept by shared caches (pages differ by reader).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi import Request, Response
from fastapi.responses import RedirectResponse

from tidings.web.auth import Visitor, set_anon_cookie
from tidings.web.context import WebContext


def page(
    request: Request,
    web: WebContext,
    visitor: Visitor,
    template: str,
    context: Mapping[str, Any],
    *,
    status_code: int = 200,
    headers: Mapping[str, str] | None = None,
) -> Response:
    response = web.templates.TemplateResponse(
        request,
        template,
        {"visitor": visitor, "csrf": visitor.csrf, "now": web.clock(), **context},
        status_code=status_code,
        headers=dict(headers or {}),
    )
    response.headers.setdefault("Cache-Control", "private, no-cache")
    set_anon_cookie(request, response, web, visitor)
    return response


def local_path(target: object, default: str = "/") -> str:
    """`target` when it is a path on this site ("/..."), else `default`: no open redirects."""
    if not isinstance(target, str) or not target.startswith("/") or target.startswith("//"):
        return default
    if "\\" in target or any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in target) or len(target) > 2000:
        return default
    return target


def redirect(target: str) -> RedirectResponse:
    """After a form: see the result with a GET (303), never re-POST on reload."""
    return RedirectResponse(target, status_code=303)
