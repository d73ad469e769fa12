"""Search (`store.search`, `web.search`): FTS5 over titles and bodies kept in step with the articles,
filters, highlighted snippets that stay escaped, the portable fallback, and hostile queries."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import text

from tests.web_support import article_id as find_article
from tests.web_support import client
from tidings import pipeline, settings
from tidings.store import Store
from tidings.store.search import MARK_END, MARK_START, Filters, parse_query, search, snippet
from tidings.web.search import marked

HEATWAVE = "Heatwave warning extended"


@pytest.fixture
def store(sample_copy: Store) -> Store:
    return sample_copy


def _titles(store: Store, q: str, **filters: object) -> list[str]:
    return [
        re.sub(f"[{MARK_START}{MARK_END}]", "", r["title"])
        for r in search(store, parse_query(q), Filters(**filters), limit=50)  # type: ignore[arg-type]
    ]


def _results(html: str) -> str:
    return (
        html.split('class="article-list search-results"', 1)[1].split("</ol>", 1)[0]
        if "search-results" in html
        else ""
    )


# The index ----------------------------------------------------------------------------------------------


def test_words_from_titles_and_bodies_are_found(store: Store) -> None:
    assert _titles(store, "heatwave")[0].startswith(HEATWAVE)
    # A word only in a body, stemmed: "evacuations" finds "evacuated".
    found = _titles(store, "evacuations")
    assert any(t.startswith("Hundreds evacuated") for t in found)
    assert _titles(store, "zzyzx") == []


def test_title_matches_rank_first(store: Store) -> None:
    found = _titles(store, "water")
    assert found[0].startswith("Southvale Water")


def test_phrases_must_match_in_order(store: Store) -> None:
    assert any(t.startswith("Hundreds evacuated") for t in _titles(store, '"freight train"'))
    assert _titles(store, '"train freight"') == []


def test_the_index_follows_the_articles(store: Store, tmp_path: Path) -> None:
    """A new article is searchable as soon as it is stored; a re-folded one by its new text."""
    page = tmp_path / "page.txt"
    page.write_text(
        "Quokka census finds record numbers on Wadjemup island\n\n"
        "Quokka census finds record numbers on Wadjemup island\n\n"
        "The Island Courier3 hours ago\n"
        "Rangers counted more quokkas on the island this spring than in any survey since counting began, "
        "with numbers up by a fifth on the last census three years ago.\n"
        "The rise follows a wet winter that left more vegetation across the island's interior.\n",
        encoding="utf-8",
    )
    conf = settings.load({"db": store.url}, environ={})
    report = pipeline.ingest_paths(
        store, [page], conf, site="IslandNews", fetched_at=datetime(2025, 7, 2, 12, tzinfo=UTC)
    )
    assert not report.failures
    assert _titles(store, "quokkas") == ["Quokka census finds record numbers on Wadjemup island"]
    with store.engine.begin() as c:
        c.execute(text("UPDATE articles SET title = 'Wallaby survey' WHERE title LIKE 'Quokka%'"))
    assert _titles(store, "wallaby") == ["Wallaby survey"]
    assert _titles(store, "wadjemup") == []  # the old title is gone from the index
    with store.engine.begin() as c:
        c.execute(
            text(
                "UPDATE copies SET article_id = NULL WHERE article_id IN "
                "(SELECT id FROM articles WHERE title = 'Wallaby survey')"
            )
        )
        c.execute(text("DELETE FROM articles WHERE title = 'Wallaby survey'"))
    assert _titles(store, "wallaby") == []


def test_filters(store: Store) -> None:
    assert _titles(store, "train", publisher="the northern ledger") == [
        "Hundreds evacuated after freight train carrying chlorine derails near Eastmoor"
    ]
    assert _titles(store, "train", publisher="Coastal Wire Service") == [
        "Eastmoor derailment: investigators examine track after chemical train accident"
    ]
    assert _titles(store, "heatwave", site="Wirely")[0].startswith(HEATWAVE)
    assert _titles(store, "heatwave", site="Daily8") == []
    july2 = datetime(2025, 7, 2, tzinfo=UTC)
    assert _titles(store, "train", since=july2) == []
    assert len(_titles(store, "train", before=july2)) == 2


def test_the_portable_fallback_finds_the_same_articles(store: Store) -> None:
    fts = sorted(_titles(store, "chlorine"))
    with store.engine.begin() as c:
        c.execute(text("DROP TABLE article_search"))
    assert sorted(_titles(store, "chlorine")) == fts
    [row] = search(store, parse_query("chlorine"), Filters(publisher="The Northern Ledger"), limit=5)
    assert f"{MARK_START}chlorine{MARK_END}" in row["title"]
    assert f"{MARK_START}chlorine{MARK_END}" in row["snippet"]


# Query parsing and snippets ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "phrases"),
    [
        ("heat wave", (("heat",), ("wave",))),
        ('"freight train" chlorine', (("freight", "train"), ("chlorine",))),
        (
            "title:x OR y* NEAR(a b) -c ^d",
            (("title",), ("x",), ("OR",), ("y",), ("NEAR",), ("a",), ("b",), ("c",), ("d",)),
        ),
        ('"unclosed phrase', (("unclosed",), ("phrase",))),
        ("", ()),
        ("!!! ??? ***", ()),
        ("a" * 500, (("a" * 64,),)),
    ],
)
def test_queries_are_words_and_phrases_never_syntax(raw: str, phrases: tuple[tuple[str, ...], ...]) -> None:
    assert parse_query(raw).phrases == phrases


def test_query_size_is_bounded() -> None:
    assert len(parse_query(" ".join(f"w{n}" for n in range(1000))).words) == 12


def test_snippet_centres_on_the_first_match() -> None:
    body = [
        "Nothing here.",
        " ".join(f"w{n}" for n in range(100)) + " target " + " ".join("x" * 3 for _ in range(50)),
    ]
    found = snippet(body, parse_query("target"))
    assert found.startswith("…")
    assert found.endswith("…")
    assert f"{MARK_START}target{MARK_END}" in found
    assert len(found.split()) <= 31


def test_marks_become_balanced_escaped_html() -> None:
    value = f"<b>{MARK_START}heat{MARK_END}</b> & {MARK_START}wave {MARK_END}{MARK_END}{MARK_START}open"
    assert (
        str(marked(value)) == "&lt;b&gt;<mark>heat</mark>&lt;/b&gt; &amp; <mark>wave </mark><mark>open</mark>"
    )
    assert str(marked(None)) == ""


# The page -----------------------------------------------------------------------------------------------


def test_search_page_highlights_matches(store: Store) -> None:
    html = client(store).get("/search", params={"q": "heatwave"}).text
    results = _results(html)
    assert "<mark>Heatwave</mark> warning extended" in results
    heat = find_article(store, HEATWAVE)
    assert f'href="/articles/{heat}"' in results
    assert 'value="heatwave"' in html


def test_search_page_with_filters_and_bad_dates(store: Store) -> None:
    c = client(store)
    html = c.get(
        "/search", params={"q": "train", "publisher": "The Northern Ledger", "since": "2025-07-01"}
    ).text
    assert "Hundreds evacuated" in _results(html)
    assert "Eastmoor derailment" not in _results(html)
    bad = c.get("/search", params={"q": "train", "since": "yesterday", "until": "2025-13-40"})
    assert bad.status_code == 200
    assert "The “from” date is not a date" in bad.text
    assert "The “to” date is not a date" in bad.text
    assert "Hundreds evacuated" in _results(bad.text)


def test_search_page_paginates(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    from tidings.web import search as search_page

    monkeypatch.setattr(search_page, "PER_PAGE", 2)
    c = client(store)
    first = c.get("/search", params={"q": "the"}).text
    assert 'rel="next" href="/search?page=2&amp;q=the&amp;' in first
    second = c.get("/search", params={"q": "the", "page": "2"}).text
    assert _results(first) != _results(second)
    assert c.get("/search", params={"q": "the", "page": "999"}).status_code == 404


def test_search_page_without_a_query(store: Store) -> None:
    response = client(store).get("/search")
    assert response.status_code == 200
    assert "No articles match" not in response.text
    assert "search-results" not in response.text


@pytest.mark.parametrize(
    "q",
    [
        '"',
        '""""',
        "NEAR(",
        "title:heat",
        "heat*",
        "-heat",
        "^heat",
        "heat AND OR NOT",
        "'; DROP TABLE articles; --",
        "\x00\x01\x02",
        MARK_START + "heat" + MARK_END,
        "x" * 6_000,
        "🔥 heatwave",
        "%_%",
    ],
)
def test_hostile_queries_are_answered(store: Store, q: str) -> None:
    response = client(store).get("/search", params={"q": q})
    assert response.status_code == 200
    assert "Traceback" not in response.text
    assert client(store).get("/").status_code == 200  # nothing was dropped


def test_results_escape_what_sites_sent(store: Store) -> None:
    with store.engine.begin() as c:
        c.execute(
            text(
                "UPDATE articles SET "
                "title = 'Heatwave <script>alert(1)</script> <img src=x onerror=alert(2)>', "
                "body = '[\"Heatwave <svg onload=alert(3)> hits\"]' WHERE title LIKE 'Heatwave%'"
            )
        )
    html = client(store).get("/search", params={"q": "heatwave"}).text
    results = _results(html)
    assert "<script" not in results
    assert "<img" not in results
    assert "<svg" not in results
    assert "<mark>Heatwave</mark> &lt;script&gt;alert(1)&lt;/script&gt;" in results
    assert "<mark>Heatwave</mark> &lt;svg onload=alert(3)&gt; hits" in results


def test_empty_store_search(tmp_path: Path) -> None:
    store = Store(f"sqlite:///{tmp_path / 'e.db'}")
    store.migrate()
    response = client(store).get("/search", params={"q": "anything"})
    assert response.status_code == 200
    assert "No articles match" in response.text


def test_empty_articles_stay_out_of_the_index_until_they_have_text(tmp_path: Path) -> None:
    """Fold inserts new articles empty: the search index takes an article when it has text (on insert
    or on the update that saves its canonical text), and downgrading puts the empty ones back."""
    from alembic import command
    from alembic.config import Config

    from tidings.store.db import _MIGRATIONS

    store = Store(f"sqlite:///{tmp_path / 'search.db'}")
    store.migrate()
    with store.begin() as tx:
        empty, later = tx.fold_new_articles(2)
        tx.c.execute(
            text(
                "INSERT INTO articles (id, title, body, created_at, updated_at) "
                "VALUES (:id, 'Dredging begins', '[\"The harbour is dredged.\"]', 'x', 'x')"
            ),
            {"id": later + 1},
        )
    indexed = "SELECT rowid FROM article_search ORDER BY rowid"
    with store.engine.begin() as c:
        assert c.exec_driver_sql(indexed).scalars().all() == [later + 1]
        c.exec_driver_sql(f"UPDATE articles SET body = '[\"Quay walls are rebuilt.\"]' WHERE id = {later}")
        found = "SELECT rowid FROM article_search WHERE article_search MATCH 'quay'"
        assert c.exec_driver_sql(found).scalars().all() == [later]
    config = Config()
    config.set_main_option("script_location", str(_MIGRATIONS))
    with store.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0008_reader_stemming")
    with store.engine.begin() as c:
        assert c.exec_driver_sql(indexed).scalars().all() == [empty, later, later + 1]
    store.migrate()
