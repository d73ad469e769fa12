"""The reader web app (`tidings.web`): pages, escaping, security headers and error pages, in-process."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tidings import pipeline, settings
from tidings.store import Store, queries
from tidings.web import create_app, present, stories

DUMPS = Path(__file__).parent / "data" / "dumps"
FETCHED = datetime(2025, 7, 2, 12, tzinfo=UTC)
NOW = datetime(2025, 7, 2, 12, tzinfo=UTC)
SITES = (("Briefly24", "briefly24"), ("HarborNews", "harbornews"), ("Wirely", "wirely"))
SCRIPT = "<script>alert(1)</script>"

HEATWAVE = "Heatwave warning extended as forecasters warn of 'exceptional' 38C"
DERAILMENT_LEDGER = "Hundreds evacuated after freight train carrying chlorine derails near Eastmoor"
DERAILMENT_WIRE = "Eastmoor derailment: investigators examine track after chemical train accident"


class _Page(HTMLParser):
    """The visible text of a page (quotes straightened, white space collapsed) and its links."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.links: list[tuple[dict[str, str | None], str]] = []
        self._open_link: dict[str, str | None] | None = None
        self._link_text: list[str] = []
        self.feed(html)
        self.text = _normalise(" ".join(self.parts))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self._open_link, self._link_text = dict(attrs), []

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._open_link is not None:
            self.links.append((self._open_link, _normalise(" ".join(self._link_text))))
            self._open_link = None

    def handle_data(self, data: str) -> None:
        self.parts.append(data)
        if self._open_link is not None:
            self._link_text.append(data)

    def href_of(self, text: str) -> list[str | None]:
        return [attrs.get("href") for attrs, shown in self.links if shown == _normalise(text)]


_STRAIGHT_QUOTES = str.maketrans("‘’“”", "''\"\"")


def _normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text.translate(_STRAIGHT_QUOTES)).strip()


def _ingest(store: Store, conf: settings.Settings, path: Path, site: str, **options: Any) -> None:
    report = pipeline.ingest_paths(store, [path], conf, site=site, fetched_at=FETCHED, **options)
    assert not report.failures, report.failures


def _store(path: Path, **overrides: Any) -> tuple[Store, settings.Settings]:
    url = f"sqlite:///{path / 't.db'}"
    store = Store(url)
    store.migrate()
    return store, settings.load({"db": url, **overrides}, environ={})


def _client(store: Store, conf: settings.Settings) -> TestClient:
    return TestClient(create_app(store, conf, clock=lambda: NOW))


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """All three invented aggregators. A permissive story threshold puts the two Eastmoor derailment
    articles (different publishers, one event) into one story."""
    store, conf = _store(tmp_path_factory.mktemp("corpus"), story_min_similarity=0.15)
    for site, folder in SITES:
        _ingest(store, conf, DUMPS / folder, site)
    yield store
    store.close()


@pytest.fixture
def client(corpus: Store) -> TestClient:
    return _client(corpus, settings.load({"db": corpus.url}, environ={}))


def _article_id(store: Store, title: str) -> int:
    ids = [a["id"] for a in queries.export_articles(store) if _normalise(a["title"]) == title]
    assert len(ids) == 1, (title, ids)
    return int(ids[0])


def _page(client: TestClient, path: str) -> _Page:
    response = client.get(path)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/html")
    return _Page(response.text)


# Front page ----------------------------------------------------------------------------------------------


def test_front_page_lists_every_headline_newest_first(client: TestClient) -> None:
    expected = json.loads((DUMPS / "briefly24" / "expected.json").read_text(encoding="utf-8"))
    titles = {_normalise(copy["title"]) for page in expected["pages"].values() for copy in page}
    text = _page(client, "/").text
    for title in titles:
        assert title in text
    newest, middle, oldest = (
        text.index(_normalise(t))
        for t in (
            "Halden Rovers end 41-year wait for national title with overtime win",  # 2 Jul 11:15
            "Streaming app Flixo fined €12m over hidden subscription fees",  # 2 Jul 10:00
            "Port Halden approves congestion charge after 11-hour council debate",  # 30 Jun
        )
    )
    assert newest < middle < oldest


def test_front_page_shows_publisher_times_and_sites(client: TestClient) -> None:
    text = _page(client, "/").text
    assert (
        f"{HEATWAVE} The Northern Ledger · 2 Jul 2025, 09:00 UTC (3 hours ago) "
        "Carried by Briefly24, HarborNews, Wirely" in text
    )
    assert (
        "Port Halden approves congestion charge after 11-hour council debate The Halden Herald · "
        "30 Jun 2025, 12:00 UTC (2 days ago) Carried by Briefly24, HarborNews" in text
    )


def test_front_page_headline_links_to_its_article(client: TestClient, corpus: Store) -> None:
    page = _page(client, "/")
    assert page.href_of(HEATWAVE) == [f"/articles/{_article_id(corpus, HEATWAVE)}"]


def test_front_page_story_lists_each_of_its_articles(client: TestClient, corpus: Store) -> None:
    page = _page(client, "/")
    assert f"/articles/{_article_id(corpus, DERAILMENT_WIRE)}" in page.href_of(DERAILMENT_WIRE)
    assert f"/articles/{_article_id(corpus, DERAILMENT_LEDGER)}" in page.href_of(DERAILMENT_LEDGER)


def test_front_page_paginates(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(stories, "PER_PAGE", 4)
    first = _page(client, "/")
    assert [a.get("href") for a, _ in first.links if a.get("rel") == "next"] == ["/?page=2"]
    assert not [a for a, _ in first.links if a.get("rel") == "prev"]
    second = _page(client, "/?page=2")
    assert [a.get("href") for a, _ in second.links if a.get("rel") == "prev"] == ["/"]
    assert "Page 2" in second.text
    # The two pages show different stories.
    first_heads = {h for a, h in first.links if (a.get("href") or "").startswith("/articles/")}
    second_heads = {h for a, h in second.links if (a.get("href") or "").startswith("/articles/")}
    assert first_heads
    assert second_heads
    assert not first_heads & second_heads
    last = _page(client, "/?page=3")  # 10 stories: 4 + 4 + 2
    assert not [a for a, _ in last.links if a.get("rel") == "next"]
    assert client.get("/?page=4").status_code == 404


@pytest.mark.parametrize("page", ["0", "-1", "abc", "1.5", "99999999999999999999"])
def test_front_page_bad_page_number_is_404(client: TestClient, page: str) -> None:
    assert client.get("/", params={"page": page}).status_code == 404


def test_empty_database_front_page(tmp_path: Path) -> None:
    store, conf = _store(tmp_path)
    response = _client(store, conf).get("/")
    assert response.status_code == 200
    text = _Page(response.text).text
    assert "No stories yet — run tidings ingest" in text
    assert "Page 1" not in text


# Article page --------------------------------------------------------------------------------------------


def test_article_page_shows_clean_article(client: TestClient, corpus: Store) -> None:
    expected = json.loads((DUMPS / "harbornews" / "expected.json").read_text(encoding="utf-8"))
    source = expected["pages"]["page1.txt"][0]
    response = client.get(f"/articles/{_article_id(corpus, HEATWAVE)}")
    assert response.status_code == 200
    text = _Page(response.text).text
    assert _normalise(source["dek"]) in text
    assert "By Anna Keller · The Northern Ledger" in text
    assert "2 Jul 2025, 09:00 UTC (3 hours ago)" in text
    assert '<time datetime="2025-07-02T09:00:00+00:00">' in response.text
    assert "1 min read" in text
    for paragraph in source["body"]:
        assert _normalise(paragraph) in text
    # Chrome from the aggregator pages never reaches the reader.
    assert "Read more:" not in text
    assert "Share this story" not in text


def test_article_page_lists_every_copy_and_what_it_changed(client: TestClient, corpus: Store) -> None:
    text = _page(client, f"/articles/{_article_id(corpus, HEATWAVE)}").text
    carried = text[text.index("Also carried by") :]
    assert "Briefly24 fetched 2 Jul 2025, 12:00 UTC Changed: teaser inserted" in carried
    assert "HarborNews fetched 2 Jul 2025, 12:00 UTC Changed: teaser inserted" in carried
    assert "Wirely fetched 2 Jul 2025, 12:00 UTC Changed: truncated" in carried


def test_article_page_links_other_articles_in_its_story(client: TestClient, corpus: Store) -> None:
    page = _page(client, f"/articles/{_article_id(corpus, DERAILMENT_WIRE)}")
    more = page.text[page.text.index("More on this story") :]
    assert f"{DERAILMENT_LEDGER} The Northern Ledger · 1 Jul 2025, 20:00 UTC (16 hours ago)" in more
    assert page.href_of(DERAILMENT_LEDGER) == [f"/articles/{_article_id(corpus, DERAILMENT_LEDGER)}"]


def test_article_page_links_related_stories(client: TestClient, corpus: Store) -> None:
    from sqlalchemy import select

    from tidings.store import schema as t

    with corpus.engine.connect() as c:
        pairs = c.execute(select(t.story_related.c.story_id, t.story_related.c.related_id)).all()
        assert pairs  # the premise: the stories area relates some stories of this corpus
        story, related = pairs[0]
        article = c.execute(select(t.articles.c.id).where(t.articles.c.story_id == story)).scalars().first()
        targets = set(c.execute(select(t.articles.c.id).where(t.articles.c.story_id == related)).scalars())
    page = _page(client, f"/articles/{article}")
    related_part = page.text[page.text.index("Related stories") :]
    links = [a.get("href") for a, shown in page.links if shown and shown in related_part]
    assert any(href in {f"/articles/{n}" for n in targets} for href in links)


LIGHTHOUSE = """Lighthouse keepers return to Skerry Point after fifty years
The lighthouse at Skerry Point will be staffed again from September, the coastal trust said on Monday, half \
a century after its last keeper left the rock.
Two volunteers will live in the restored cottages for six months at a time, logging the weather and guiding \
visitors around the tower and its museum.
"People want to see a lighthouse that is lived in, not a museum piece," said trust director Moira Flett.
The trust raised more than four hundred thousand pounds for the restoration, most of it in small donations.
"""


def test_article_without_publisher_is_credited_via_its_site(tmp_path: Path) -> None:
    store, conf = _store(tmp_path)
    (tmp_path / "page.txt").write_text(LIGHTHOUSE, encoding="utf-8")
    _ingest(store, conf, tmp_path / "page.txt", "Coastwatch", url="javascript:alert(3)")
    [found] = queries.export_articles(store)
    assert found["publisher"] is None  # the premise of this test
    response = _client(store, conf).get(f"/articles/{found['id']}")
    page = _Page(response.text)
    assert "via Coastwatch" in page.text
    assert "time unknown" in page.text
    # A copy URL that is not http(s) is shown as plain text, never as a link.
    assert "javascript:" not in response.text
    assert page.href_of("Coastwatch") == []


# Escaping and headers ------------------------------------------------------------------------------------

HOSTILE = f"""Evilsite
Menu

Mayor {SCRIPT} resigns after budget row

Mayor {SCRIPT} resigns after budget row

The Daily <b>Bold</b>3 hours ago
The mayor of Port Evil resigned on Tuesday {SCRIPT} after a long row over the city budget that split the \
council and angered residents across the region.
Council members said the decision came as a surprise, although tensions had been building for months over \
spending on roads, schools and the new tram line.
"We will elect a new leader within six weeks," said deputy mayor Jane <img src=x onerror=alert(2)> Doe, who \
will run the city until then.
"""


@pytest.fixture
def hostile(tmp_path: Path) -> tuple[TestClient, int]:
    store, conf = _store(tmp_path)
    (tmp_path / "page.txt").write_text(HOSTILE, encoding="utf-8")
    _ingest(store, conf, tmp_path / "page.txt", "Evil<i>site</i>", url='https://evil.example/a?b=1&c="><x')
    [found] = queries.export_articles(store)
    # The premise of these tests: the hostile markup reached the store as text.
    assert SCRIPT in found["title"]
    assert SCRIPT in found["body"][0]
    return _client(store, conf), int(found["id"])


def test_front_page_escapes_what_sites_send(hostile: tuple[TestClient, int]) -> None:
    client, _ = hostile
    html = client.get("/").text
    assert SCRIPT not in html
    assert "<i>" not in html
    assert "Mayor &lt;script&gt;alert(1)&lt;/script&gt; resigns after budget row" in html
    assert "Evil&lt;i&gt;site&lt;/i&gt;" in html


def test_article_page_escapes_what_sites_send(hostile: tuple[TestClient, int]) -> None:
    client, article_id = hostile
    html = client.get(f"/articles/{article_id}").text
    assert SCRIPT not in html
    assert "<img" not in html
    assert "<b>" not in html
    assert "<i>" not in html
    assert "<title>Mayor &lt;script&gt;alert(1)&lt;/script&gt; resigns after budget row" in html
    assert "resigned on Tuesday &lt;script&gt;alert(1)&lt;/script&gt; after" in html
    assert "Jane &lt;img src=x onerror=alert(2)&gt; Doe" in html


def test_copy_links_are_escaped_and_open_without_referrer(hostile: tuple[TestClient, int]) -> None:
    client, article_id = hostile
    response = client.get(f"/articles/{article_id}")
    assert 'href="https://evil.example/a?b=1&amp;c=&#34;&gt;&lt;x" rel="noopener noreferrer"' in response.text
    links = _Page(response.text).links
    [(attrs, shown)] = [(a, s) for a, s in links if "evil.example" in (a.get("href") or "")]
    assert attrs["href"] == 'https://evil.example/a?b=1&c="><x'
    assert shown == "Evil<i>site</i>"


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/articles/1",
        "/articles/abc",
        "/nowhere",
        "/healthz",
        "/static/tidings.css",
        "/search?q=heat",
        "/login",
        "/signup",
        "/saved",
        "/subscriptions",
        "/sw.js",
        "/manifest.webmanifest",
        "/offline",
    ],
)
def test_every_response_has_security_headers(client: TestClient, path: str) -> None:
    headers = client.get(path, follow_redirects=False).headers
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    policy = [p.strip() for p in headers["content-security-policy"].split(";")]
    assert "default-src 'self'" in policy
    assert "style-src 'self'" in policy
    assert "unsafe-inline" not in headers["content-security-policy"]
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"]


def test_pages_have_no_inline_script_or_style(client: TestClient, corpus: Store) -> None:
    for path in ("/", f"/articles/{_article_id(corpus, HEATWAVE)}", "/articles/0"):
        html = client.get(path).text
        # Script only from our own static files, never inline.
        scripts = re.findall(r"<script\b[^>]*>(.*?)</script>", html, flags=re.S)
        assert scripts
        assert all(body == "" for body in scripts)
        assert html.count("<script") == html.count('<script src="/static/')
        assert "<style" not in html
        assert " style=" not in html
        assert '<html lang="en">' in html
        assert '<link rel="stylesheet" href="/static/tidings.css">' in html


def test_server_error_page_keeps_security_headers(tmp_path: Path) -> None:
    # A database that was never migrated: every query fails.
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    app = create_app(Store(url), settings.load({"db": url}, environ={}), clock=lambda: NOW)
    response = TestClient(app, raise_server_exceptions=False).get("/")
    assert response.status_code == 500
    assert "Something went wrong" in response.text
    assert "Traceback" not in response.text
    assert "sqlite" not in response.text.lower()
    assert "default-src 'self'" in response.headers["content-security-policy"]


# Errors and health ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/articles/999999",
        "/articles/0",
        "/articles/abc",
        "/articles/-1",
        "/articles/1.5",
        "/articles/01",
        "/articles/99999999999999999999",
        "/articles/%C2%B2",
        "/articles/",
        "/no/such/page",
    ],
)
def test_unknown_pages_are_404_pages(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    text = _Page(response.text).text
    assert "Page not found" in text
    assert "Back to the latest stories" in text


def test_healthz(client: TestClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.text == "ok"


# Presentation helpers ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("2025-07-02T11:59:30+00:00", "just now"),
        ("2025-07-02T11:59:00+00:00", "1 minute ago"),
        ("2025-07-02T11:15:00+00:00", "45 minutes ago"),
        ("2025-07-01T21:00:00+00:00", "15 hours ago"),
        ("2025-07-01T12:00:00+00:00", "1 day ago"),
        ("2025-05-01T12:00:00+00:00", "2 months ago"),
        ("2023-07-01T12:00:00+00:00", "2 years ago"),
        ("2025-07-02T15:00:00+00:00", "in 3 hours"),
        ("2025-07-02T14:00:00+02:00", "just now"),
        ("2025-07-02T09:00:00", "3 hours ago"),
    ],
)
def test_relative_time(value: str, shown: str) -> None:
    assert present.relative_time(value, NOW) == shown


def test_absolute_time_is_utc() -> None:
    assert present.absolute_time("2025-07-01T21:00:00+00:00") == "1 Jul 2025, 21:00 UTC"
    assert present.absolute_time("2025-07-02T01:30:00+02:00") == "1 Jul 2025, 23:30 UTC"
    assert present.absolute_time(None) == "time unknown"


@pytest.mark.parametrize(
    ("url", "linked"),
    [
        ("https://example.com/a", True),
        ("http://example.com/", True),
        ("javascript:alert(1)", False),
        ("data:text/html,<x>", False),
        ("//example.com/a", False),
        ("/relative", False),
        (None, False),
    ],
)
def test_external_url_only_links_http(url: str | None, linked: bool) -> None:
    assert (present.external_url(url) is not None) is linked


@pytest.mark.parametrize("path", ["/", "/healthz"])
def test_head_requests_are_answered(client: TestClient, path: str) -> None:
    response = client.head(path)
    assert response.status_code == 200
    assert response.content == b""
