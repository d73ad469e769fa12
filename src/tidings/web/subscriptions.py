"""The subscriptions page: the feeds this Tidings reads, how fetching each one stands (last result, last
error, next fetch), and, for the admin, adding (with feed discovery), removing and OPML in and out.

Sources belong to the whole server (the feeds area's `subscriptions` module keeps them), so changing them
is the admin's; every signed-in reader may see them and download them as OPML.
"""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import Request, Response
from starlette.datastructures import FormData, UploadFile
from starlette.exceptions import HTTPException

from tidings import subscriptions
from tidings.store.accounts import User
from tidings.web import render
from tidings.web.auth import CheckedForm, CurrentVisitor, SignedIn, Visitor
from tidings.web.context import Web, WebContext
from tidings.web.params import positive_id

MAX_OPML_BYTES = 1_500_000  # below the request cap (web.limits), so a too-large file gets a clear answer
MAX_URL = 2000


def _page(
    request: Request,
    web: WebContext,
    visitor: Visitor,
    *,
    error: str | None = None,
    notice: str | None = None,
    url: str = "",
    status_code: int = 200,
) -> Response:
    return render.page(
        request,
        web,
        visitor,
        "subscriptions.html",
        {
            "sources": subscriptions.list_sources(web.store),
            "error": error,
            "notice": notice or _notice(request),
            "url": url,
        },
        status_code=status_code,
    )


def list_subscriptions(request: Request, web: Web, visitor: CurrentVisitor, user: SignedIn) -> Response:
    del user  # signed in: that is all a reader needs to see the list
    return _page(request, web, visitor)


def _admin(user: User) -> None:
    if not user.is_admin:
        raise HTTPException(status_code=403)


def _field(form: FormData, name: str, limit: int) -> str:
    value = form.get(name)
    return value.strip()[:limit] if isinstance(value, str) else ""


def add_subscription(
    request: Request, web: Web, visitor: CurrentVisitor, user: SignedIn, form: CheckedForm
) -> Response:
    _admin(user)
    url = _field(form, "url", MAX_URL + 1)
    category = _field(form, "category", 500) or None
    if not url or len(url) > MAX_URL:
        return _page(request, web, visitor, error="Give the address of a feed or a site.", status_code=400)
    try:
        made = subscriptions.subscribe(web.store, web.settings, url, category=category)
    except subscriptions.SubscribeError as exc:
        return _page(request, web, visitor, error=str(exc), url=url, status_code=400)
    return render.redirect(_done(done="added" if made.created else "existing", source=made.source.id))


def remove_subscription(source_id: str, web: Web, user: SignedIn, form: CheckedForm) -> Response:
    del form  # checked for its CSRF token
    _admin(user)
    gone = subscriptions.unsubscribe(web.store, str(positive_id(source_id)))
    if gone is None:
        raise HTTPException(status_code=404)
    return render.redirect(_done(done="removed"))


def import_subscriptions(
    request: Request, web: Web, visitor: CurrentVisitor, user: SignedIn, form: CheckedForm
) -> Response:
    _admin(user)
    upload = form.get("opml")
    if not isinstance(upload, UploadFile):
        return _page(request, web, visitor, error="Choose an OPML file to import.", status_code=400)
    data = upload.file.read(MAX_OPML_BYTES + 1)
    if not data:
        return _page(request, web, visitor, error="That file is empty.", status_code=400)
    if len(data) > MAX_OPML_BYTES:
        return _page(request, web, visitor, error="That file is too large to import.", status_code=400)
    try:
        report = subscriptions.import_opml(web.store, data, max_bytes=MAX_OPML_BYTES)
    except subscriptions.OpmlError as exc:
        return _page(request, web, visitor, error=f"Not an OPML file: {exc}", status_code=400)
    return render.redirect(
        _done(done="imported", added=report.added, existing=report.existing, invalid=len(report.invalid))
    )


def export_subscriptions(web: Web, user: SignedIn) -> Response:
    del user
    return Response(
        subscriptions.export_opml(web.store),
        media_type="text/x-opml; charset=utf-8",
        headers={
            "Content-Disposition": 'attachment; filename="tidings-subscriptions.opml"',
            "Cache-Control": "private, no-cache",
        },
    )


def _done(**values: object) -> str:
    return "/subscriptions?" + urlencode({k: str(v) for k, v in values.items()})


def _notice(request: Request) -> str | None:
    """What the last form did, told by a code and counts (never by free text from the address bar)."""
    query = request.query_params
    done = query.get("done")

    def number(name: str) -> int:
        raw = query.get(name, "0")
        return int(raw) if raw.isdigit() and len(raw) < 9 else 0

    if done == "added":
        return "Subscribed."
    if done == "existing":
        return "That feed was already subscribed."
    if done == "removed":
        return "Unsubscribed. The articles it brought stay."
    if done == "imported":
        added, existing, invalid = number("added"), number("existing"), number("invalid")
        text = f"Imported {added} new feed{'' if added == 1 else 's'}"
        text += f", {existing} already here" if existing else ""
        text += f", {invalid} skipped as invalid" if invalid else ""
        return text + "."
    return None
