"""One article: its clean text, who published it, every site that carried it and what each did to it,
the rest of its story (full coverage), comments, and the reader's own read/saved state."""

from __future__ import annotations

from typing import Any

from fastapi import Request, Response
from starlette.exceptions import HTTPException

from tidings.store import comments, pages, queries, reading
from tidings.text import reading_minutes
from tidings.web import render
from tidings.web.auth import CheckedForm, CurrentVisitor, SignedIn
from tidings.web.context import Web
from tidings.web.diff import line_diff, word_diff
from tidings.web.markdown import render as render_markdown
from tidings.web.params import positive_id
from tidings.web.present import parse_time
from tidings.web.related import related_stories


def show_article(
    request: Request, article_id: str, web: Web, visitor: CurrentVisitor, comments_order: str = "oldest"
) -> Response:
    found = queries.article(web.store, positive_id(article_id))
    if found is None:
        raise HTTPException(status_code=404)
    newest_first = comments_order == "newest"
    listed = comments.article_comments(
        web.store, found["id"], newest_first=newest_first, with_hidden=visitor.is_admin
    )
    for item in listed:
        item["html"] = render_markdown(item["body"])
    read = saved = False
    if visitor.user is not None and request.method == "GET":
        # Opening an article marks it read; "Mark unread" undoes it.
        reading.mark_read(web.store, visitor.user.id, found["id"], web.clock())
        read = True
        saved = found["id"] in reading.states(web.store, visitor.user.id, [found["id"]])[1]
    coverage = pages.story_coverage(web.store, found["story_id"]) if found["story_id"] is not None else None
    return render.page(
        request,
        web,
        visitor,
        "article.html",
        {
            "article": found,
            "minutes": reading_minutes(found["body"]),
            "comments": listed,
            "newest_first": newest_first,
            "read": read,
            "saved": saved,
            "coverage": coverage,
            "timeline": timeline(coverage["articles"], found["id"]) if coverage else None,
            "related": related_stories(web.store, found["story_id"]),
        },
    )


def timeline(items: list[dict[str, Any]], current: int, width: int = 600) -> dict[str, Any] | None:
    """Where each dated article of a story falls between the first and the last, for a small SVG."""
    dated = [(parse_time(i["published_at"]), i) for i in items]
    points = [(moment, item) for moment, item in dated if moment is not None]
    if len(points) < 2:
        return None
    start, end = min(m for m, _ in points), max(m for m, _ in points)
    span = (end - start).total_seconds() or 1.0
    margin = 12
    return {
        "width": width,
        "start": start.isoformat(),
        "end": end.isoformat(),
        "points": [
            {
                "x": round(margin + (width - 2 * margin) * (moment - start).total_seconds() / span, 1),
                "item": item,
                "current": item["id"] == current,
            }
            for moment, item in sorted(points, key=lambda p: p[0])
        ],
    }


def show_copy(request: Request, article_id: str, copy_id: str, web: Web, visitor: CurrentVisitor) -> Response:
    """One copy against the canonical article: what its site cut, added or changed, word by word."""
    found = queries.article(web.store, positive_id(article_id))
    copy = pages.copy_text(web.store, positive_id(article_id), positive_id(copy_id))
    if found is None or copy is None:
        raise HTTPException(status_code=404)
    body, stats = word_diff(found["body"], copy["body"])
    return render.page(
        request,
        web,
        visitor,
        "copy.html",
        {
            "article": found,
            "copy": copy,
            "title_diff": line_diff(found["title"], copy["title"]),
            "dek_diff": line_diff(found["dek"], copy["dek"]) if (found["dek"] or copy["dek"]) else None,
            "body_diff": body,
            "stats": stats,
        },
    )


def _back(form: Any, article_id: int) -> str:
    return render.local_path(form.get("next"), f"/articles/{article_id}")


def _article_or_404(ok: bool) -> None:
    if not ok:
        raise HTTPException(status_code=404)


def save_article(article_id: str, web: Web, user: SignedIn, form: CheckedForm) -> Response:
    number = positive_id(article_id)
    _article_or_404(reading.save(web.store, user.id, number, web.clock()))
    return render.redirect(_back(form, number))


def unsave_article(article_id: str, web: Web, user: SignedIn, form: CheckedForm) -> Response:
    number = positive_id(article_id)
    reading.unsave(web.store, user.id, number)
    return render.redirect(_back(form, number))


def mark_unread(article_id: str, web: Web, user: SignedIn, form: CheckedForm) -> Response:
    number = positive_id(article_id)
    reading.mark_unread(web.store, user.id, number)
    # Back to the front page: staying on the article would mark it read again.
    return render.redirect(render.local_path(form.get("next"), "/"))


def mark_read(article_id: str, web: Web, user: SignedIn, form: CheckedForm) -> Response:
    number = positive_id(article_id)
    _article_or_404(reading.mark_read(web.store, user.id, number, web.clock()))
    return render.redirect(render.local_path(form.get("next"), "/"))
