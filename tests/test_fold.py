"""Folding across sites: the invented aggregators' copies fold into the articles folded.json lists, in any
order, and the canonical text is what the copies agree on."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import DUMPS, CliRun, export
from tidings.fold import Rules, build, containment, fingerprints
from tidings.models import Copy, StoredCopy

FOLDED = json.loads((DUMPS / "folded.json").read_text(encoding="utf-8"))
SITE_NAMES = {
    p.name: json.loads((p / "expected.json").read_text())["site"] for p in DUMPS.iterdir() if p.is_dir()
}


def _fold(text: str) -> str:
    return text.replace("‘", "'").replace("’", "'").replace("“", '"').replace("”", '"')


def _pages() -> list[tuple[str, Path]]:
    return [
        (folder, page) for folder in sorted(SITE_NAMES) for page in sorted((DUMPS / folder).glob("page*.txt"))
    ]


def _ingest(tidings: CliRun, pages: list[tuple[str, Path]]) -> list[dict[str, Any]]:
    for folder, page in pages:
        result = tidings(
            "ingest", page, "--site", SITE_NAMES[folder], "--fetched-at", "2025-07-02T12:00:00+00:00"
        )
        assert result.exit_code == 0, result.output
    return export(tidings)


def _grouping(articles: list[dict[str, Any]]) -> set[frozenset[tuple[str, str]]]:
    names = {v: k for k, v in SITE_NAMES.items()}
    return {frozenset((names[c["site"]], Path(c["path"]).name) for c in a["copies"]) for a in articles}


@pytest.mark.parametrize("order", ["forward", "reverse"])
def test_copies_fold_into_the_expected_articles(tidings: CliRun, order: str) -> None:
    pages = _pages() if order == "forward" else list(reversed(_pages()))
    articles = _ingest(tidings, pages)
    expected = {frozenset(tuple(c) for c in a["copies"]) for a in FOLDED["articles"]}
    assert _grouping(articles) == expected
    for want in FOLDED["articles"]:
        got = next(
            a
            for a in articles
            if _grouping([a]) == {frozenset(tuple(c) for c in want["copies"])}
            and _fold(a["title"]) == _fold(want["title"])
        )
        assert got["publisher"] == want["publisher"]
        assert got["published_at"] == want["published_at"]


def test_truncated_copy_keeps_the_full_body(tidings: CliRun) -> None:
    articles = _ingest(tidings, _pages())
    heat = next(a for a in articles if len(a["copies"]) == 3)
    assert len(heat["body"]) == 6
    truncated = [c for c in heat["copies"] if "truncated" in c["changes"]]
    assert [c["site"] for c in truncated] == ["Wirely"]


def test_order_does_not_change_canonical_articles(tidings: CliRun, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from tidings.cli import main

    forward = _ingest(tidings, _pages())
    other_db = f"sqlite:///{tmp_path / 'other.db'}"
    runner = CliRunner()

    def other(*args: str | Path) -> Any:
        return runner.invoke(main, [*map(str, args), "--db", other_db], catch_exceptions=False)

    backward = _ingest(other, list(reversed(_pages())))

    def key(a: dict[str, Any]) -> tuple[Any, ...]:
        return (a["title"], a["dek"], a["publisher"], a["published_at"], tuple(a["body"]))

    assert sorted(map(key, forward)) == sorted(map(key, backward))


def _stored(copy_id: int, body: list[str], **extra: Any) -> StoredCopy:
    return StoredCopy(
        copy_id,
        Copy(title=extra.pop("title", "T"), body=tuple(body), **extra),
        "site",
        None,
        None,
        datetime(2025, 1, 1, tzinfo=UTC),
        f"{copy_id:064d}",
    )


PARAGRAPHS = [
    "The council voted on Tuesday to approve the new tram line after a debate that lasted most of the day.",
    "Supporters said the line would cut journey times by a third and take thousands of cars off the road.",
    "Opponents warned that the cost had already doubled and that the works would close shops for a year.",
]


def test_a_teaser_one_copy_spliced_in_is_dropped() -> None:
    spliced = [PARAGRAPHS[0], "Read more Unrelated headline about weather" + PARAGRAPHS[1], PARAGRAPHS[2]]
    article = build([_stored(1, spliced), _stored(2, PARAGRAPHS)])
    assert list(article.body) == PARAGRAPHS
    assert "teaser inserted" in article.copy_changes[1]


def test_a_dek_only_one_copy_has_is_kept() -> None:
    article = build(
        [_stored(1, PARAGRAPHS, dek="A short standfirst about the tram vote"), _stored(2, PARAGRAPHS)]
    )
    assert article.dek == "A short standfirst about the tram vote"


def test_containment_catches_an_excerpt() -> None:
    long_body = tuple(f"{p} It was item number {i} on the agenda." for i in range(6) for p in PARAGRAPHS)
    other_body = (
        "A wholly different article about a football match that ended in a draw after extra time and "
        "penalties.",
    )
    full, excerpt, other = fingerprints(
        [Copy(title=None, body=long_body), Copy(title=None, body=long_body[:6]), Copy(None, other_body)],
        Rules(),
    )
    assert 0 < len(excerpt.keys) < len(excerpt.shingles)  # sampled, so the subset property must hold
    assert containment(excerpt.shingles, full.shingles) == 1.0
    assert set(excerpt.keys.tolist()) <= set(full.keys.tolist())
    assert containment(other.shingles, full.shingles) == 0.0


def test_two_articles_about_one_event_share_a_story_but_not_an_article(tidings: CliRun) -> None:
    articles = _ingest(tidings, _pages())
    derailment = [a for a in articles if "derail" in (a["title"] or "").casefold()]
    assert len(derailment) == 2  # two publishers' own texts: never folded into one
    assert derailment[0]["story_id"] == derailment[1]["story_id"]
    others = {a["story_id"] for a in articles if a not in derailment}
    assert derailment[0]["story_id"] not in others


def _at(copy_id: int, body: list[str], site: str, minutes: int = 0, **extra: Any) -> StoredCopy:
    return StoredCopy(
        copy_id,
        Copy(title=extra.pop("title", "Tram line approved"), body=tuple(body), **extra),
        site,
        None,
        None,
        datetime(2025, 1, 1, tzinfo=UTC) + timedelta(minutes=minutes),
        f"{copy_id:064d}",
    )


def test_the_publishers_own_copy_is_the_source_of_truth() -> None:
    own = _at(1, PARAGRAPHS, "citygazette", publisher="The City Gazette")
    edited = [p.replace("approve", "back") for p in PARAGRAPHS]
    longer = _at(
        2,
        [*edited, "Follow Newsbee on Telegram for the latest news"],
        "newsbee",
        publisher="The City Gazette",
    )
    also = _at(3, edited, "daily9", publisher="The City Gazette")
    article = build([longer, also, own])
    assert list(article.body) == PARAGRAPHS
    assert article.copy_changes[1] == ()
    assert "edited" in article.copy_changes[2]


def test_a_new_version_updates_the_text() -> None:
    update = "Update, Wednesday: the council said work would start in March."
    first = _at(1, PARAGRAPHS, "citygazette", publisher="The City Gazette")
    later = _at(2, [*PARAGRAPHS, update], "citygazette", minutes=90, publisher="The City Gazette")
    aggregator = _at(3, PARAGRAPHS, "newsbee", publisher="The City Gazette")
    assert list(build([aggregator, first, later]).body) == [*PARAGRAPHS, update]


def test_without_the_publisher_copies_outvote_an_edit_and_chrome_goes() -> None:
    edited = [PARAGRAPHS[0].replace("approve", "back"), *PARAGRAPHS[1:]]
    base = _at(1, ["By Jo Smith | 3 hours ago", *edited, "Share this story"], "one")
    others = [_at(i, PARAGRAPHS, f"site{i}") for i in (2, 3)]
    article = build([base, *others])
    assert list(article.body) == PARAGRAPHS
    assert "edited" in article.copy_changes[1]


def test_a_dek_a_site_put_into_the_body_is_the_dek() -> None:
    dek = "A short standfirst about the tram vote and what comes next."
    article = build([_at(1, [dek, *PARAGRAPHS], "one"), _at(2, PARAGRAPHS, "two", dek=dek)])
    assert article.dek == dek
    assert list(article.body) == PARAGRAPHS


def test_what_each_copy_changed() -> None:
    own = _at(1, PARAGRAPHS, "citygazette", publisher="The City Gazette")
    cut = _at(2, [PARAGRAPHS[0], PARAGRAPHS[1][:40] + "…"], "bee", truncated=True)
    renamed = _at(3, PARAGRAPHS, "daily9", title="Council backs tram after marathon debate")
    article = build([own, cut, renamed])
    assert article.copy_changes == {1: (), 2: ("truncated",), 3: ("retitled",)}
