"""Comments on articles: signed-in readers write, edit and delete their own; admins hide and show any.

Text is kept as written and rendered as markdown-lite through an allowlist sanitiser when shown.
"""

from __future__ import annotations

from typing import Any

from fastapi import Request, Response
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException

from tidings.store import comments
from tidings.store.accounts import User
from tidings.web import render
from tidings.web.auth import CheckedForm, CurrentVisitor, SignedIn
from tidings.web.context import Web
from tidings.web.markdown import render as render_markdown
from tidings.web.params import positive_id

MAX_COMMENT = 10_000
_NO_TEXT = f"A comment needs some text, at most {MAX_COMMENT:,} characters."


def _text(form: FormData) -> str | None:
    """The comment's text, or None when it is empty or too long."""
    value = form.get("body")
    if not isinstance(value, str):
        return None
    text = value.replace("\r\n", "\n").strip()
    return text if 0 < len(text) <= MAX_COMMENT else None


def _anchor(article_id: int, comment_id: int | None = None) -> str:
    return f"/articles/{article_id}#" + (f"comment-{comment_id}" if comment_id else "comments")


def add_comment(article_id: str, web: Web, user: SignedIn, form: CheckedForm) -> Response:
    number = positive_id(article_id)
    text = _text(form)
    if text is None:
        raise HTTPException(status_code=400, detail=_NO_TEXT)
    made = comments.add_comment(web.store, number, user.id, text, web.clock())
    if made is None:
        raise HTTPException(status_code=404)
    return render.redirect(_anchor(number, made))


def _own(comment_id: str, web: Web, user: User) -> dict[str, Any]:
    found = comments.comment(web.store, positive_id(comment_id))
    # Another reader's comment answers as if it did not exist.
    if found is None or found["user_id"] != user.id:
        raise HTTPException(status_code=404)
    return found


def show_edit(
    request: Request, comment_id: str, web: Web, visitor: CurrentVisitor, user: SignedIn
) -> Response:
    found = _own(comment_id, web, user)
    return render.page(
        request,
        web,
        visitor,
        "comment_edit.html",
        {"comment": found, "preview": render_markdown(found["body"])},
    )


def edit_comment(comment_id: str, web: Web, user: SignedIn, form: CheckedForm) -> Response:
    found = _own(comment_id, web, user)
    text = _text(form)
    if text is None:
        raise HTTPException(status_code=400, detail=_NO_TEXT)
    comments.edit_comment(web.store, found["id"], user.id, text, web.clock())
    return render.redirect(_anchor(found["article_id"], found["id"]))


def delete_comment(comment_id: str, web: Web, user: SignedIn, form: CheckedForm) -> Response:
    del form  # checked for its CSRF token
    found = _own(comment_id, web, user)
    comments.delete_comment(web.store, found["id"], user.id)
    return render.redirect(_anchor(found["article_id"]))


def _moderate(comment_id: str, web: Web, user: User, hidden: bool) -> Response:
    if not user.is_admin:
        raise HTTPException(status_code=403)
    found = comments.comment(web.store, positive_id(comment_id))
    if found is None:
        raise HTTPException(status_code=404)
    comments.set_hidden(web.store, found["id"], hidden)
    return render.redirect(_anchor(found["article_id"], found["id"]))


def hide_comment(comment_id: str, web: Web, user: SignedIn, form: CheckedForm) -> Response:
    del form
    return _moderate(comment_id, web, user, hidden=True)


def show_comment(comment_id: str, web: Web, user: SignedIn, form: CheckedForm) -> Response:
    del form
    return _moderate(comment_id, web, user, hidden=False)
