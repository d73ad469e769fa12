"""`tidings bench web`'s synthetic store: it loads quickly in bulk and the reader works on it (search index
included), so the benchmark measures real pages over real queries."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from tidings import settings
from tidings.bench import web as bench
from tidings.store import Store, queries
from tidings.store.search import Filters, parse_query, search
from tidings.web import create_app


def test_synthetic_store_serves_every_page(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'b.db'}"
    corpus = bench.build_store(url, 120)
    assert corpus.articles == 120
    store = Store(url)
    assert queries.counts(store)["articles"] == 120
    assert search(store, parse_query(bench.TOPICS[0]), Filters(), limit=5)
    client = TestClient(create_app(store, settings.load({"db": url}, environ={}), clock=lambda: bench.NOW))
    for path in ("/", "/?page=2", "/articles/1", "/articles/120", f"/search?q={bench.TOPICS[1]}", "/healthz"):
        assert client.get(path).status_code == 200, path
    store.close()
