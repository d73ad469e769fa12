"""The reader web app: server-rendered pages over the store's read queries.

`create_app` builds the app from a store and settings; `routes` lists every page it serves.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from argon2 import PasswordHasher
from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException

from tidings.settings import Settings
from tidings.store import Store
from tidings.web import errors, routes
from tidings.web.context import WebContext
from tidings.web.headers import SecurityHeaders
from tidings.web.limits import BodyLimit
from tidings.web.templating import build_templates

STATIC_DIR = Path(__file__).parent / "static"


def _utc_now() -> datetime:
    return datetime.now(UTC)


def create_app(
    store: Store,
    settings: Settings,
    *,
    clock: Callable[[], datetime] = _utc_now,
    password_hasher: PasswordHasher | None = None,
) -> FastAPI:
    """The reader app over `store`. `clock` gives "now" (tests pin it); `password_hasher` defaults to
    argon2id with argon2-cffi's recommended cost (tests pass a cheaper one)."""
    # The HTML pages are not an API; the OpenAPI docs arrive with the JSON API (and need their own CSP).
    app = FastAPI(title="Tidings", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.tidings = WebContext(
        store=store,
        settings=settings,
        templates=build_templates(),
        clock=clock,
        hasher=password_hasher or PasswordHasher(),
    )
    app.include_router(routes.router())
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.add_exception_handler(HTTPException, errors.render_http_error)
    app.add_exception_handler(Exception, errors.render_server_error)
    app.add_middleware(BodyLimit)
    app.add_middleware(SecurityHeaders)
    return app


__all__ = ["create_app"]
