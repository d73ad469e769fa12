"""Sign up, log in, log out. The first account made is the admin; log-ins are rate limited."""

from __future__ import annotations

import re
from datetime import timedelta

from fastapi import Request, Response
from starlette.datastructures import FormData

from tidings.store import accounts
from tidings.web import auth
from tidings.web.auth import CheckedForm, CurrentVisitor, Visitor
from tidings.web.context import Web, WebContext
from tidings.web.render import local_path, page, redirect

USERNAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{2,31}")
MIN_PASSWORD = 8
MAX_PASSWORD = 1024  # argon2 takes any length; a cap keeps one request's work bounded
FAILURE_WINDOW = timedelta(minutes=15)
CLIENT_FACTOR = 4  # one address may fail this many times more often than one user name


def _field(form: FormData, name: str, limit: int = 4096) -> str:
    value = form.get(name)
    return value[:limit] if isinstance(value, str) else ""


def _signup_open(web: WebContext) -> bool:
    return bool(web.settings.signup_open) or accounts.user_count(web.store) == 0


def _form_page(
    request: Request,
    web: WebContext,
    visitor: Visitor,
    template: str,
    *,
    error: str | None = None,
    username: str = "",
    status_code: int = 200,
    headers: dict[str, str] | None = None,
    form: FormData | None = None,
) -> Response:
    target = local_path(form.get("next") if form is not None else request.query_params.get("next"))
    return page(
        request,
        web,
        visitor,
        template,
        {"error": error, "username": username, "next": target, "signup_open": _signup_open(web)},
        status_code=status_code,
        headers=headers,
    )


def show_signup(request: Request, web: Web, visitor: CurrentVisitor) -> Response:
    if visitor.user is not None:
        return redirect("/")
    status = 200 if _signup_open(web) else 403
    return _form_page(request, web, visitor, "signup.html", status_code=status)


def sign_up(request: Request, web: Web, visitor: CurrentVisitor, form: CheckedForm) -> Response:
    username = _field(form, "username", 100).strip()
    password = _field(form, "password", MAX_PASSWORD + 1)
    error = None
    if not _signup_open(web):
        return _form_page(request, web, visitor, "signup.html", status_code=403, form=form)
    if not USERNAME.fullmatch(username):
        error = (
            "Choose a user name of 3 to 32 letters, digits, dots, dashes or underscores, "
            "starting with a letter or digit."
        )
    elif not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        error = f"Choose a password of {MIN_PASSWORD} to {MAX_PASSWORD} characters."
    elif password != _field(form, "confirm", MAX_PASSWORD + 1):
        error = "The two passwords differ."
    if error is None:
        user = accounts.create_user(
            web.store, username, username.casefold(), auth.hash_password(web.hasher, password), web.clock()
        )
        if user is not None:
            response = redirect(local_path(form.get("next")))
            auth.start_session(request, response, web, user)
            return response
        error = "That user name is taken."
    return _form_page(
        request, web, visitor, "signup.html", error=error, username=username, status_code=400, form=form
    )


def show_login(request: Request, web: Web, visitor: CurrentVisitor) -> Response:
    if visitor.user is not None:
        return redirect(local_path(request.query_params.get("next")))
    return _form_page(request, web, visitor, "login.html")


def log_in(request: Request, web: Web, visitor: CurrentVisitor, form: CheckedForm) -> Response:
    username = _field(form, "username", 100).strip()
    password = _field(form, "password", MAX_PASSWORD + 1)
    key = username.casefold()
    client = auth.client_address(request, web)
    now = web.clock()
    limit = int(web.settings.login_max_failures)
    by_name, by_client = accounts.login_failures(web.store, key, client, now - FAILURE_WINDOW)
    if by_name >= limit or by_client >= limit * CLIENT_FACTOR:
        return _form_page(
            request,
            web,
            visitor,
            "login.html",
            error="Too many failed attempts. Wait 15 minutes, then try again.",
            username=username,
            status_code=429,
            headers={"Retry-After": str(int(FAILURE_WINDOW.total_seconds()))},
            form=form,
        )
    found = accounts.login_record(web.store, key) if len(password) <= MAX_PASSWORD else None
    if found is None:
        auth.waste_a_verification(web, password[:MAX_PASSWORD])
    elif auth.check_password(web.hasher, found[1], password):
        user, stored = found
        if web.hasher.check_needs_rehash(stored):
            accounts.set_password_hash(web.store, user.id, auth.hash_password(web.hasher, password))
        accounts.clear_login_failures(web.store, key)
        response = redirect(local_path(form.get("next")))
        auth.start_session(request, response, web, user)
        return response
    accounts.record_login_failure(web.store, key, client, now)
    return _form_page(
        request,
        web,
        visitor,
        "login.html",
        error="Wrong user name or password.",
        username=username,
        status_code=400,
        form=form,
    )


def log_out(web: Web, visitor: CurrentVisitor, form: CheckedForm) -> Response:
    del form  # checked for its CSRF token: nobody can sign a reader out from another site
    response = redirect("/")
    auth.end_session(response, web, visitor)
    return response
