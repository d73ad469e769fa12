"""Tidings on PostgreSQL: a real server on 127.0.0.1 (`tests/pgserver.py`), every migration, the seed
acceptance run again on it, the bundled sample giving what SQLite gives, the reader and its search, and two
workers ingesting at once.

Skipped where PostgreSQL is not installed, unless `TIDINGS_REQUIRE_POSTGRES=1` (set by `.ci/run`, which
installs it): then a missing server fails the run instead of passing it silently.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, inspect, select

from tests.conftest import assert_two_workers_fold_as_one
from tests.pgserver import PostgresServer, binaries
from tests.test_fold_index import test_joined_articles_hand_over_their_copies_and_earlier_joins  # noqa: F401

# The seed acceptance, collected again here: with `db_url` below, each runs against PostgreSQL.
from tests.test_seeds import (  # noqa: F401
    articles,
    test_both_orders_give_the_same_articles,
    test_copies_record_what_each_site_did,
    test_each_article_matches,
    test_exactly_the_expected_articles,
    test_no_chrome_anywhere,
)
from tests.test_stories import test_articles_a_fold_join_absorbs_leave_their_stories  # noqa: F401
from tests.web_support import client, csrf, sign_up
from tidings import pipeline, settings
from tidings.store import Store, queries
from tidings.store import schema as t

BIN = binaries()
REQUIRED = os.environ.get("TIDINGS_REQUIRE_POSTGRES") == "1"
pytestmark = pytest.mark.skipif(
    BIN is None and not REQUIRED, reason="PostgreSQL is not installed (`.ci/run` installs it in CI)"
)


@pytest.fixture(scope="module")
def postgres() -> Iterator[PostgresServer]:
    if BIN is None:
        pytest.fail("TIDINGS_REQUIRE_POSTGRES=1 but no initdb/pg_ctl: install Debian's postgresql")
    # Not under pytest's tmp_path: its parents are private to this user, and the server may run as another.
    root = Path(tempfile.mkdtemp(prefix="tidings-pg-"))
    server = PostgresServer(root, BIN).start()
    yield server
    server.stop()
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def db_url(postgres: PostgresServer) -> str:
    """Overrides conftest's SQLite URL for every test here, the imported seed tests included."""
    return postgres.new_database()


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    made = Store(db_url)
    made.migrate()
    yield made
    made.close()


def _sample(url: str) -> Store:
    store = Store(url)
    store.migrate()
    report = pipeline.ingest_sample(store, settings.load({"db": url}, environ={}))
    assert not report.failures
    return store


def _comparable(store: Store) -> tuple[list[dict[str, Any]], list[list[str]]]:
    """Every article without its ids and clocks, and the stories as groups of headlines."""
    shown, stories = [], {}
    for article in queries.export_articles(store):
        stories.setdefault(article["story_id"], []).append(article["title"])
        shown.append(
            {
                "title": article["title"],
                "dek": article["dek"],
                "body": article["body"],
                "publisher": article["publisher"],
                "published_at": article["published_at"],
                "copies": sorted(
                    (c["site"] or "", c["title"] or "", tuple(c["changes"])) for c in article["copies"]
                ),
            }
        )
    return sorted(shown, key=lambda a: a["title"]), sorted(sorted(group) for group in stories.values())


def test_every_migration_applies_and_again_changes_nothing(store: Store) -> None:
    names = set(inspect(store.engine).get_table_names())
    assert {"documents", "copies", "articles", "fold_signatures", "sources", "users", "comments"} <= names
    store.migrate()  # at head already
    with store.engine.connect() as c:
        assert c.execute(select(func.count()).select_from(t.articles)).scalar_one() == 0


def test_the_sample_gives_what_it_gives_on_sqlite(db_url: str, tmp_path: Path) -> None:
    on_postgres = _sample(db_url)
    on_sqlite = _sample(f"sqlite:///{tmp_path / 'sample.db'}")
    try:
        got, expected = _comparable(on_postgres), _comparable(on_sqlite)
        assert len(got[0]) == 15
        assert got == expected
    finally:
        on_postgres.close()
        on_sqlite.close()


def test_the_reader_and_its_search_on_postgres(db_url: str) -> None:
    store = _sample(db_url)
    try:
        web = client(store)
        front = web.get("/")
        assert front.status_code == 200
        assert "Heatwave warning extended" in front.text
        found = web.get("/search", params={"q": "evacuations"})  # stemmed: "evacuated" in a body
        assert found.status_code == 200
        assert "Hundreds evacuated" in found.text
        assert "Heatwave" not in found.text.split('class="article-list search-results"', 1)[-1]
        hostile = web.get("/search", params={"q": "\" OR 1=1 -- ' \\ % _ (*)"})
        assert hostile.status_code == 200
        assert sign_up(web, "ada").status_code == 303
        article = web.get("/").text.split('href="/articles/', 1)[1].split('"', 1)[0]
        page = f"/articles/{article}"
        posted = web.post(f"{page}/comments", data={"csrf": csrf(web, page), "body": "Seen on PostgreSQL"})
        assert posted.status_code == 303
        assert "Seen on PostgreSQL" in web.get(page).text
    finally:
        store.close()


def test_two_workers_ingesting_at_once_fold_as_one(db_url: str, tmp_path: Path) -> None:
    assert_two_workers_fold_as_one(db_url, tmp_path)
