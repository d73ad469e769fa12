"""Who is asking: session cookies, the signed-in user, CSRF tokens, and password hashing.

A signed-in reader holds a random session token in an HttpOnly, SameSite=Lax cookie (Secure over TLS);
the store keeps only its SHA-256. Every visitor also has a CSRF token: an HMAC of their session token (or,
before signing in, of a random anonymous token kept in a cookie) under the app's key. Every POST must carry
it in the `csrf` field, and a cross-site Origin or Sec-Fetch-Site is refused outright.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Annotated

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from fastapi import Depends, Request, Response
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException

from tidings.store import accounts
from tidings.store.accounts import User
from tidings.web.context import Web, WebContext, web_context

SESSION_COOKIE = "tidings_session"
ANON_COOKIE = "tidings_anon"
CSRF_FIELD = "csrf"
_TOKEN = re.compile(r"[A-Za-z0-9_-]{43}")  # secrets.token_urlsafe(32)
MAX_FORM_FIELDS = 50


@dataclass(frozen=True, slots=True)
class Visitor:
    """The person behind a request: a user (signed in) or not, and the CSRF token their forms carry."""

    user: User | None
    csrf: str
    session_token: str | None = None
    new_anon_token: str | None = None  # to be set as a cookie on the response

    @property
    def is_admin(self) -> bool:
        return self.user is not None and self.user.is_admin


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def _csrf_token(web: WebContext, kind: str, token: str) -> str:
    digest = hmac.new(web.secret_key().encode(), f"{kind}:{token}".encode(), hashlib.sha256)
    return digest.hexdigest()


def _cookie(request: Request, name: str) -> str | None:
    value = request.cookies.get(name)
    return value if value is not None and _TOKEN.fullmatch(value) else None


def current_visitor(request: Request, web: Web) -> Visitor:
    cached = getattr(request.state, "visitor", None)
    if isinstance(cached, Visitor):
        return cached
    visitor = _find_visitor(request, web)
    request.state.visitor = visitor
    return visitor


def _find_visitor(request: Request, web: WebContext) -> Visitor:
    token = _cookie(request, SESSION_COOKIE)
    if token is not None:
        user = accounts.session_user(web.store, hash_token(token), web.clock())
        if user is not None:
            return Visitor(user=user, csrf=_csrf_token(web, "session", token), session_token=token)
    anon = _cookie(request, ANON_COOKIE)
    if anon is not None:
        return Visitor(user=None, csrf=_csrf_token(web, "anon", anon))
    fresh = secrets.token_urlsafe(32)
    return Visitor(user=None, csrf=_csrf_token(web, "anon", fresh), new_anon_token=fresh)


def visitor_or_anonymous(request: Request) -> Visitor:
    """For error pages: the visitor if they can be found, else an anonymous one (the store may be down)."""
    try:
        return current_visitor(request, web_context(request))
    except Exception:
        return Visitor(user=None, csrf="")


CurrentVisitor = Annotated[Visitor, Depends(current_visitor)]


def is_https(request: Request, web: WebContext) -> bool:
    if web.settings.trust_proxy_headers:
        forwarded = request.headers.get("x-forwarded-proto", "").split(",")[0].strip().lower()
        if forwarded:
            return forwarded == "https"
    return request.url.scheme == "https"


def client_address(request: Request, web: WebContext) -> str:
    if web.settings.trust_proxy_headers:
        hops = [h.strip() for h in request.headers.get("x-forwarded-for", "").split(",") if h.strip()]
        if hops:
            return hops[-1]  # the address our own proxy saw; earlier hops are the client's to invent
    return request.client.host if request.client else "unknown"


def _own_origin(request: Request, web: WebContext) -> str:
    host = request.headers.get("host", "")
    if web.settings.trust_proxy_headers:
        host = request.headers.get("x-forwarded-host", "").split(",")[0].strip() or host
    return f"{'https' if is_https(request, web) else 'http'}://{host}".lower()


def _same_site(request: Request, web: WebContext) -> bool:
    if request.headers.get("sec-fetch-site", "same-origin") not in ("same-origin", "none"):
        return False
    origin = request.headers.get("origin")
    return origin is None or origin.lower() == _own_origin(request, web)


async def checked_form(request: Request, web: Web, visitor: CurrentVisitor) -> AsyncIterator[FormData]:
    """The POSTed form, once its CSRF token and origin check out (403 otherwise); uploaded files are
    closed when the request is done."""
    form = await request.form(max_files=1, max_fields=MAX_FORM_FIELDS)
    try:
        sent = form.get(CSRF_FIELD)
        if (
            not isinstance(sent, str)
            or not hmac.compare_digest(sent.encode(), visitor.csrf.encode())
            or not _same_site(request, web)
            or visitor.new_anon_token is not None  # a token that was never handed out
        ):
            raise HTTPException(status_code=403, detail="csrf")
        yield form
    finally:
        await form.close()


CheckedForm = Annotated[FormData, Depends(checked_form)]


def signed_in(visitor: CurrentVisitor) -> User:
    """The signed-in user; anyone else is sent to the log-in page (see errors: 401 redirects)."""
    if visitor.user is None:
        raise HTTPException(status_code=401)
    return visitor.user


SignedIn = Annotated[User, Depends(signed_in)]


# sessions -----------------------------------------------------------------------------
def start_session(request: Request, response: Response, web: WebContext, user: User) -> None:
    """A fresh session for `user` (a new token: a session fixed before log-in never carries over)."""
    token = secrets.token_urlsafe(32)
    now = web.clock()
    lifetime = timedelta(days=web.settings.session_days)
    accounts.create_session(web.store, user.id, hash_token(token), now, now + lifetime)
    _set_cookie(request, response, web, SESSION_COOKIE, token, int(lifetime.total_seconds()))
    response.delete_cookie(ANON_COOKIE, path="/")


def end_session(response: Response, web: WebContext, visitor: Visitor) -> None:
    if visitor.session_token is not None:
        accounts.delete_session(web.store, hash_token(visitor.session_token))
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="lax")


def set_anon_cookie(request: Request, response: Response, web: WebContext, visitor: Visitor) -> None:
    if visitor.new_anon_token is not None:
        _set_cookie(request, response, web, ANON_COOKIE, visitor.new_anon_token, None)


def _set_cookie(
    request: Request, response: Response, web: WebContext, name: str, value: str, max_age: int | None
) -> None:
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        path="/",
        httponly=True,
        samesite="lax",
        secure=is_https(request, web),
    )


# passwords -----------------------------------------------------------------------------
def hash_password(hasher: PasswordHasher, password: str) -> str:
    return hasher.hash(password)


def check_password(hasher: PasswordHasher, stored: str, password: str) -> bool:
    try:
        return hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


def waste_a_verification(web: WebContext, password: str) -> None:
    """As long as a real check takes, so a wrong user name answers no faster than a wrong password."""
    check_password(web.hasher, web.dummy_hash(), password)
