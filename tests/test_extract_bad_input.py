"""Hostile and broken pages: each gives a clear result (an article, or none with a reason), never a crash,
never a pathological blow-up. The time bound here is a hang guard (without the guards, 100,000 nested
<div>s take an HTML5 parser minutes), not a speed measurement; speed is measured by `tidings bench extract`.
"""

from __future__ import annotations

import resource
import time
from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from tidings.extract import HtmlResult, read_html
from tidings.extract.guard import MAX_CHARS, prepare

FETCHED = datetime(2025, 7, 2, 12, tzinfo=UTC)
HANG = 10.0  # seconds: far above the real cost (well under 2 s), far below a quadratic blow-up
SENTENCE = "The council voted on Tuesday to extend the tram line to the eastern suburbs of the city. "
PARAGRAPH = f"<p>{SENTENCE * 4}</p>\n"


def bounded(make: Callable[[], str]) -> HtmlResult:
    html = make()
    peak_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    result = read_html(html, FETCHED)
    assert time.perf_counter() - start < HANG
    peak_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    assert (peak_after - peak_before) * 1024 < 1_500_000_000  # ru_maxrss is in KiB on Linux
    return result


def body_text(result: HtmlResult) -> str:
    return " ".join(p for c in result.copies for p in c.body)


@pytest.mark.parametrize(
    ("name", "opening", "closing"),
    [
        ("balanced divs", "<div>", "</div>"),
        ("unclosed divs", "<div>", ""),
        ("unclosed blockquotes", "<blockquote>", ""),
        ("unclosed custom elements", "<x-box>", ""),
        ("nested tables", "<table><tr><td>", ""),
    ],
)
def test_a_dom_nested_100000_levels_deep(name: str, opening: str, closing: str) -> None:
    result = bounded(lambda: "<html><body>" + opening * 100_000 + PARAGRAPH + closing * 100_000)
    assert SENTENCE.strip() in body_text(result), name
    assert "nested too deeply" in (result.reason or "")


def test_stray_end_tags_under_a_deep_stack() -> None:
    result = bounded(lambda: "<html><body>" + "<span>" * 2400 + PARAGRAPH + "</div>" * 400_000)
    assert SENTENCE.strip() in body_text(result)


def test_a_30_megabyte_page() -> None:
    result = bounded(lambda: "<html><body><article>" + PARAGRAPH * (30_000_000 // len(PARAGRAPH)))
    assert result.copies
    assert "cut" in (result.reason or "")
    assert len(body_text(result)) <= MAX_CHARS


def test_a_30_megabyte_script_before_the_article() -> None:
    result = bounded(
        lambda: (
            "<html><head><script>var x = '"
            + "x" * 30_000_000
            + "';</script></head><body><article>"
            + PARAGRAPH * 5
            + "</article></body></html>"
        )
    )
    assert body_text(result).count(SENTENCE.strip()) == 20


def test_millions_of_tags() -> None:
    result = bounded(lambda: "<html><body>" + "<b>x</b>" * 3_000_000)
    assert result.copies or result.reason


def test_unclosed_scripts_flood() -> None:
    result = bounded(lambda: "<html><body>" + PARAGRAPH + "<script>a" * 1_000_000)
    assert result.copies or result.reason


def test_malformed_markup() -> None:
    result = bounded(
        lambda: "<html><body><p>Unclosed <b>bold <i>italic</p><div><p>" + PARAGRAPH + "</span></table>"
    )
    assert SENTENCE.strip() in body_text(result)


@pytest.mark.parametrize(
    "page",
    [
        "",
        "   ",
        "<html></html>",
        "<html><body></body></html>",
        "<html><body><nav><a href='/'>Home</a></nav><footer>© 2025</footer></body></html>",
        "<html><body><script>document.write('x')</script></body></html>",
    ],
    ids=["empty", "blank", "no body", "empty body", "only chrome", "only script"],
)
def test_no_article_gives_a_reason(page: str) -> None:
    result = bounded(lambda: page)
    assert result.copies == []
    assert result.reason


def test_binary_bytes_decoded_as_text_do_not_crash() -> None:
    junk = bytes(range(256)).decode("latin-1") * 100
    result = bounded(lambda: f"<html><body><p>{junk}</p></body></html>")
    assert isinstance(result, HtmlResult)


def test_guard_leaves_ordinary_pages_alone() -> None:
    page = "<html><body>" + "<div>" * 40 + PARAGRAPH * 50 + "</div>" * 40 + "</body></html>"
    prepared = prepare(page)
    assert prepared.html == page
    assert prepared.note is None
