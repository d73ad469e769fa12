"""The refresh against a real HTTP server and a real database: entries become documents and articles, a
feed that has not changed costs a conditional request, and every hostile or broken case ends with a clear
status on the source and nothing lost from earlier fetches."""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from tests.feedserver import FeedServer, article_html, items, rss, wait_until
from tidings import pipeline, refresh, settings, subscriptions
from tidings.models import Source
from tidings.store import Store
from tidings.store import schema as t


@pytest.fixture
def server() -> Iterator[FeedServer]:
    with FeedServer() as running:
        yield running


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    opened = Store(db_url)
    opened.migrate()
    yield opened
    opened.close()


@pytest.fixture
def conf(db_url: str, server: FeedServer) -> settings.Settings:
    return settings.load(
        {
            "db": db_url,
            "fetch_allow_hosts": server.host,
            "fetch_host_delay": 0,
            "fetch_read_timeout": 1.0,
            "fetch_total_timeout": 3.0,
            "fetch_max_bytes": 2_000_000,
            "max_document_bytes": 4_000_000,
        },
        environ={},
    )


def add(store: Store, url: str) -> Source:
    with store.begin() as tx:
        source_id = tx.add_source(url, datetime.now(UTC))
        assert source_id is not None
        source = tx.source(source_id)
    assert source is not None
    return source


def run(store: Store, conf: settings.Settings, *sources: Source) -> refresh.RefreshReport:
    """Refresh these sources now (as they stand in the store), due or not."""
    return refresh.refresh(store, conf, refresh.claim_due(store, ids=[s.id for s in sources]))


def state(store: Store, source: Source) -> Source:
    [found] = [s for s in subscriptions.list_sources(store) if s.id == source.id]
    return found


def counts(store: Store) -> tuple[int, int, int]:
    with store.engine.connect() as c:
        return tuple(  # type: ignore[return-value]
            c.execute(select(func.count()).select_from(table)).scalar_one()
            for table in (t.documents, t.articles, t.feed_entries)
        )


def test_entries_become_articles_and_an_unchanged_feed_costs_a_conditional_request(
    server: FeedServer, store: Store, conf: settings.Settings
) -> None:
    server.route("/feed.xml", rss(items(5)), etag='"v1"')
    source = add(store, server.url("/feed.xml"))
    first = run(store, conf, source)
    assert first.results[0].status == "ok", first.results[0].result
    assert (first.new_entries, first.documents, first.new_articles) == (5, 5, 5)
    after = state(store, source)
    assert (after.status, after.entry_count, after.article_count) == ("ok", 5, 5)
    assert after.title == "Harbour Times"
    assert after.last_result == "5 new entries"
    assert after.etag == '"v1"'
    assert after.next_fetch_at is not None
    assert after.next_fetch_at > datetime.now(UTC)

    second = run(store, conf, source)
    assert second.results[0].result == "not modified (304)"
    assert second.new_entries == 0
    assert server.seen("/feed.xml")[-1].headers["if-none-match"] == '"v1"'
    assert counts(store) == (5, 5, 5)


def test_a_server_without_validators_gets_the_body_hash_check(
    server: FeedServer, store: Store, conf: settings.Settings
) -> None:
    server.route("/feed.xml", rss(items(3)))
    source = add(store, server.url("/feed.xml"))
    run(store, conf, source)
    again = run(store, conf, source)
    assert again.results[0].result == "unchanged"


def test_only_new_entries_are_taken_in_and_identity_survives_guid_and_tracking_changes(
    server: FeedServer, store: Store, conf: settings.Settings
) -> None:
    server.route("/feed.xml", rss(items(3)))
    source = add(store, server.url("/feed.xml"))
    run(store, conf, source)
    # The feed re-spells its three entries (new GUIDs, tracking parameters, an upper-case host) and adds one.
    respelled = items(3)
    for n, item in enumerate(respelled):
        item["guid"] = f"https://harbour.example/?p={n}&v=2"
        item["link"] = item["link"].replace("harbour.example", "HARBOUR.example") + "?utm_source=rss&fbclid=x"
    server.route("/feed.xml", rss([*items(1, start=3), *respelled]))
    report = run(store, conf, source)
    assert report.new_entries == 1
    assert state(store, source).entry_count == 4


def test_an_entry_with_a_teaser_is_read_from_its_page(
    server: FeedServer, store: Store, conf: settings.Settings
) -> None:
    page = (
        "<!DOCTYPE html><html><head><title>Quay plan approved</title></head><body><article>"
        f"<h1>Quay plan approved</h1>{article_html(7, 'Quay approved')}</article></body></html>"
    )
    server.route("/news/quay.html", page, content_type="text/html; charset=utf-8")
    teaser = {"title": "Quay plan approved", "link": server.url("/news/quay.html"), "description": "The…"}
    server.route("/feed.xml", rss([teaser]))
    source = add(store, server.url("/feed.xml"))
    report = run(store, conf, source)
    assert report.documents == 1
    assert server.routes["/news/quay.html"].hits == 1
    with store.engine.connect() as c:
        url = c.execute(select(t.documents.c.url)).scalar_one()
    assert url == server.url("/news/quay.html")


def test_robots_disallow_falls_back_to_the_feeds_own_text(
    server: FeedServer, store: Store, conf: settings.Settings
) -> None:
    server.route("/robots.txt", "User-agent: *\nDisallow: /news/\n", content_type="text/plain")
    server.route("/news/quay.html", "<html><body>never fetched</body></html>", content_type="text/html")
    teaser = {
        "title": "Quay plan approved",
        "link": server.url("/news/quay.html"),
        "description": "The council approved the quay plan on Tuesday…",
    }
    server.route("/feed.xml", rss([teaser]))
    source = add(store, server.url("/feed.xml"))
    report = run(store, conf, source)
    assert report.results[0].status == "ok"
    assert server.routes["/news/quay.html"].hits == 0
    with store.engine.connect() as c:
        status, error = c.execute(select(t.feed_entries.c.status, t.feed_entries.c.error)).one()
    assert status == "ingested"
    assert "robots.txt disallows" in error


def test_a_feed_that_moves_permanently_updates_the_source(
    server: FeedServer, store: Store, conf: settings.Settings
) -> None:
    server.route("/new-feed.xml", rss(items(2)))
    server.redirect("/feed.xml", "/new-feed.xml", 301)
    source = add(store, server.url("/feed.xml"))
    report = run(store, conf, source)
    assert report.new_entries == 2
    moved = state(store, source)
    assert moved.url == server.url("/new-feed.xml")
    assert "moved permanently" in (moved.last_result or "")
    run(store, conf, moved)
    assert server.routes["/new-feed.xml"].hits == 2
    assert server.routes["/feed.xml"].hits == 1


def test_a_feed_that_disappears_is_marked_gone_and_keeps_its_articles(
    server: FeedServer, store: Store, conf: settings.Settings
) -> None:
    server.route("/feed.xml", rss(items(2)))
    source = add(store, server.url("/feed.xml"))
    run(store, conf, source)
    server.route("/feed.xml", "gone", status=410, content_type="text/plain")
    report = run(store, conf, source)
    assert report.results[0].status == "gone"
    gone = state(store, source)
    assert (gone.status, gone.next_fetch_at, gone.article_count) == ("gone", None, 2)
    assert "410" in (gone.last_error or "")
    assert refresh.claim_due(store, now=datetime.now(UTC) + timedelta(days=30)) == []
    assert counts(store) == (2, 2, 2)


def test_429_backs_off_at_least_as_long_as_retry_after_and_keeps_the_validators(
    server: FeedServer, store: Store, conf: settings.Settings
) -> None:
    server.route("/feed.xml", rss(items(2)), etag='"v1"')
    source = add(store, server.url("/feed.xml"))
    run(store, conf, source)
    server.route("/feed.xml", "busy", status=429, content_type="text/plain", headers={"Retry-After": "7200"})
    run(store, conf, source)
    busy = state(store, source)
    assert busy.status == "error"
    assert busy.failures == 1
    assert busy.etag == '"v1"'
    assert busy.next_fetch_at is not None
    assert busy.next_fetch_at >= datetime.now(UTC) + timedelta(seconds=7100)
    assert "HTTP 429" in (busy.last_result or "")
    assert "next try in 2.0 h" in (busy.last_result or "")
    assert counts(store) == (2, 2, 2)


def test_a_feed_that_keeps_failing_backs_off_further_each_time(
    server: FeedServer, store: Store, conf: settings.Settings
) -> None:
    server.route("/feed.xml", "down", status=503, content_type="text/plain")
    source = add(store, server.url("/feed.xml"))
    waits = []
    for _ in range(3):
        run(store, conf, source)
        now = datetime.now(UTC)
        failing = state(store, source)
        assert failing.next_fetch_at is not None
        waits.append((failing.next_fetch_at - now).total_seconds())
    assert failing.failures == 3
    assert "failed 3 times in a row" in (failing.last_result or "")
    assert waits[0] < waits[1] < waits[2]
    server.route("/feed.xml", rss(items(1)))
    run(store, conf, source)
    healed = state(store, source)
    assert (healed.status, healed.failures, healed.last_error) == ("ok", 0, None)


BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE rss [
<!ENTITY lol "lol">
<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
<!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
<!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
<!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
<!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
<!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
<!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
<!ENTITY xxe SYSTEM "file://{secret}">
<!ENTITY % remote SYSTEM "http://{host}/evil.dtd">
%remote;
]>
<rss version="2.0"><channel><title>&lol9;</title><link>https://lol.example/</link>
<item><title>Laughs &lol9;</title><link>https://lol.example/a</link><guid>a</guid>
<description>Secret: &xxe; and &lol5;</description></item>
</channel></rss>"""


def test_entity_bombs_and_external_entities_are_not_expanded(
    server: FeedServer, store: Store, conf: settings.Settings, tmp_path: Path
) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOPSECRET-CONTENT", encoding="utf-8")
    server.route("/evil.dtd", '<!ENTITY leak "LEAKED-DTD">', content_type="application/xml-dtd")
    server.route("/feed.xml", BILLION_LAUGHS.format(secret=secret, host=server.host))
    source = add(store, server.url("/feed.xml"))
    report = run(store, conf, source)
    assert report.results[0].status == "ok"
    assert server.routes["/evil.dtd"].hits == 0
    with store.engine.connect() as c:
        stored = b"".join(c.execute(select(t.documents.c.content)).scalars())
        titles = " ".join(filter(None, c.execute(select(t.sources.c.title)).scalars()))
    assert b"TOPSECRET" not in stored
    assert b"lollollol" not in stored
    assert "lollollol" not in titles
    assert len(stored) < 10_000


@pytest.mark.parametrize(
    ("body", "ctype", "message"),
    [
        (b"", "application/rss+xml", "empty body"),
        (b"this is plain text, not a feed", "text/plain", "not a feed"),
        (b"<!DOCTYPE html><html><body><p>A page</p></body></html>", "text/html", "an HTML page, not a feed"),
        (b"<rss><channel><title>Broken", "application/rss+xml", "malformed feed"),
        (b"<?xml version='1.0'?><catalog><book/></catalog>", "application/xml", "not a feed"),
        (
            b'{"version": "https://jsonfeed.org/version/1.1", "items": 5}',
            "application/feed+json",
            "not a list",
        ),
        (b'{"title": "no version"}', "application/json", "without a jsonfeed.org version"),
        (b"{broken json", "application/json", "invalid JSON"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00", "application/rss+xml", "binary data"),
        (b"<rss>" + b"\x00" * 2000, "application/rss+xml", "binary data"),
        (b"<rss><channel><item><title>Cut short", "application/rss+xml", None),
    ],
)
def test_malformed_feeds_leave_a_clear_status_and_lose_nothing(
    server: FeedServer, store: Store, conf: settings.Settings, body: bytes, ctype: str, message: str | None
) -> None:
    server.route("/feed.xml", rss(items(2)))
    source = add(store, server.url("/feed.xml"))
    run(store, conf, source)
    server.route("/feed.xml", body, content_type=ctype)
    run(store, conf, source)
    after = state(store, source)
    if message is None:  # a feed cut short is read as far as it goes: one entry, with nothing in it
        assert after.status == "ok"
        assert after.last_result == "1 new entry"
        assert counts(store) == (2, 2, 3)
    else:
        assert after.status == "error"
        assert message in (after.last_error or ""), after.last_error
        assert counts(store) == (2, 2, 2)
    assert after.article_count == 2


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        ("slow", "read timeout"),
        ("endless", "body too large"),
        ("bomb", "decompresses to more than"),
        ("private", "refused to connect to 169.254.169.254: link-local address"),
        ("loopback", "refused to connect to 127.0.0.2"),
        ("image", "content type image/png"),
    ],
)
def test_hostile_responses_leave_a_clear_status_and_lose_nothing(
    server: FeedServer, store: Store, conf: settings.Settings, setup: str, message: str
) -> None:
    server.route("/feed.xml", rss(items(2)))
    source = add(store, server.url("/feed.xml"))
    run(store, conf, source)
    if setup == "slow":
        server.route("/feed.xml", rss(items(3)), delay=2)
    elif setup == "endless":
        server.route("/feed.xml", endless=True)
    elif setup == "bomb":
        bomb = gzip.compress(b"<rss>" + b" " * 30_000_000)
        server.route("/feed.xml", bomb, headers={"Content-Encoding": "gzip"})
    elif setup == "private":
        server.redirect("/feed.xml", "http://169.254.169.254/latest/meta-data/")
    elif setup == "loopback":
        server.redirect("/feed.xml", f"http://127.0.0.2:{server.port}/feed.xml")
    elif setup == "image":
        server.route("/feed.xml", b"\x89PNG\r\n", content_type="image/png")
    report = run(store, conf, source)
    assert report.results[0].status == "error"
    after = state(store, source)
    assert after.status == "error"
    assert message in (after.last_error or ""), after.last_error
    assert counts(store) == (2, 2, 2)


def test_a_feed_of_100000_entries_is_read_up_to_the_cap(
    server: FeedServer, store: Store, conf: settings.Settings
) -> None:
    entries = "".join(
        f"<item><title>Entry {n}</title><link>https://big.example/{n}</link><guid>{n}</guid></item>"
        for n in range(100_000)
    )
    body = f'<?xml version="1.0"?><rss version="2.0"><channel><title>Big</title>{entries}</channel></rss>'
    server.route("/feed.xml", body)
    capped = conf.replace(
        feed_max_entries=50,
        fetch_total_timeout=20.0,
        fetch_max_bytes=20_000_000,
        max_document_bytes=20_000_000,
    )
    source = add(store, server.url("/feed.xml"))
    due = refresh.claim_due(store, ids=[source.id])
    report = refresh.refresh(store, capped, due, sink=lambda _doc: pipeline.DocumentOutcome())
    result = report.results[0]
    assert result.status == "ok", result.result
    assert result.new_entries == 50
    assert "99,950 older entries beyond the cap of 50 skipped" in result.result
    with store.engine.connect() as c:
        titles = list(c.execute(select(t.feed_entries.c.title).order_by(t.feed_entries.c.id)).scalars())
    assert len(titles) == 50
    assert set(titles) == {f"Entry {n}" for n in range(50)}  # the newest, as the feed lists them


def test_atom_rss1_and_json_feed(server: FeedServer, store: Store, conf: settings.Settings) -> None:
    body = article_html(1, "Atom entry")
    atom = f"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Atom News</title><link href="https://atom.example/"/>
<id>urn:atom</id><updated>2025-07-01T10:00:00Z</updated>
<entry><title>Atom story</title><link href="https://atom.example/a"/><id>urn:a</id>
<updated>2025-07-01T10:00:00Z</updated><content type="html"><![CDATA[{body}]]></content></entry></feed>"""
    rdf = f"""<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"
 xmlns:content="http://purl.org/rss/1.0/modules/content/">
<channel rdf:about="https://rdf.example/"><title>RDF News</title><link>https://rdf.example/</link></channel>
<item rdf:about="https://rdf.example/a"><title>RDF story</title><link>https://rdf.example/a</link>
<content:encoded><![CDATA[{article_html(2, "RDF entry")}]]></content:encoded></item></rdf:RDF>"""
    jsonfeed = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": "JSON News",
        "home_page_url": "https://json.example/",
        "items": [
            {
                "id": "1",
                "url": "https://json.example/1",
                "title": "JSON story",
                "content_html": article_html(3),
            },
            {
                "id": 2,
                "url": "https://json.example/2",
                "title": "Numeric id (1.0 feeds)",
                "content_text": "x " * 400,
            },
            {"no_id": True},
            "not an object",
        ],
    }
    server.route("/atom.xml", atom, content_type="application/atom+xml")
    server.route("/rdf.xml", rdf, content_type="application/rdf+xml")
    server.route("/feed.json", json.dumps(jsonfeed), content_type="application/feed+json")
    sources = [add(store, server.url(p)) for p in ("/atom.xml", "/rdf.xml", "/feed.json")]
    report = run(store, conf, *sources)
    assert sorted(r.new_entries for r in report.results) == [1, 1, 2]
    assert [state(store, s).title for s in sources] == ["Atom News", "RDF News", "JSON News"]


def test_a_failing_document_does_not_stop_the_others(
    server: FeedServer, store: Store, conf: settings.Settings
) -> None:
    server.route("/feed.xml", rss(items(3)))
    source = add(store, server.url("/feed.xml"))
    seen: list[str] = []

    def sink(document: Any) -> Any:
        seen.append(document.url)
        if len(seen) == 2:
            raise RuntimeError("boom")
        return pipeline.ingest_document(store, document, conf)

    report = refresh.refresh(store, conf, refresh.claim_due(store, ids=[source.id]), sink=sink)
    assert report.results[0].failed_entries == 1
    assert "1 not ingested" in report.results[0].result
    with store.engine.connect() as c:
        statuses = sorted(c.execute(select(t.feed_entries.c.status)).scalars())
    assert statuses == ["failed", "ingested", "ingested"]
    # The next refresh fetches the whole feed again (no validators kept) and retries only the failed entry.
    again = refresh.refresh(store, conf, refresh.claim_due(store, ids=[source.id]), sink=sink)
    assert (again.results[0].new_entries, again.results[0].documents) == (1, 1)
    assert seen[3:] == [seen[1]]
    with store.engine.connect() as c:
        statuses = sorted(c.execute(select(t.feed_entries.c.status)).scalars())
    assert statuses == ["ingested", "ingested", "ingested"]


def test_due_sources_are_claimed_once(store: Store, server: FeedServer) -> None:
    add(store, server.url("/a.xml"))
    add(store, server.url("/b.xml"))
    assert len(refresh.claim_due(store)) == 2
    assert refresh.claim_due(store) == []  # leased to the first refresher


def test_the_background_refresher_refreshes_due_feeds(
    server: FeedServer, store: Store, conf: settings.Settings
) -> None:
    server.route("/feed.xml", rss(items(2)))
    source = add(store, server.url("/feed.xml"))
    worker = refresh.BackgroundRefresher(store, conf.replace(refresh_every=1)).start()
    try:
        assert wait_until(lambda: state(store, source).status == "ok", timeout=15)
    finally:
        worker.stop()
    assert not worker.thread.is_alive()
    assert state(store, source).article_count == 2


def test_an_entry_linking_to_a_private_address_is_not_fetched(
    server: FeedServer, store: Store, conf: settings.Settings
) -> None:
    teaser = {
        "title": "Cloud metadata",
        "link": "http://169.254.169.254/latest/meta-data/iam/",
        "description": "A teaser whose link points inside the network…",
    }
    server.route("/feed.xml", rss([teaser]))
    source = add(store, server.url("/feed.xml"))
    report = run(store, conf, source)
    assert report.results[0].status == "ok"
    with store.engine.connect() as c:
        status, error = c.execute(select(t.feed_entries.c.status, t.feed_entries.c.error)).one()
    assert status == "ingested"  # from the feed's own text
    assert "refused to connect to 169.254.169.254: link-local address" in error


def test_serve_starts_the_background_refresher_unless_turned_off(store: Store, db_url: str) -> None:
    from tidings.cli.serve import _start_refresher

    off = settings.load({"db": db_url, "refresh_every": 0}, environ={})
    assert _start_refresher(store, off) is None
    worker = _start_refresher(store, off.replace(refresh_every=3600))
    assert worker is not None
    try:
        assert wait_until(lambda: worker.runs >= 1)
        assert worker.thread.is_alive()
    finally:
        worker.stop()
    assert not worker.thread.is_alive()


@pytest.mark.parametrize("ctype", ["text/html; charset=utf-8", "text/plain", "application/octet-stream", ""])
def test_a_feed_served_with_the_wrong_content_type_is_still_read(
    server: FeedServer, store: Store, conf: settings.Settings, ctype: str
) -> None:
    server.route("/feed.xml", rss(items(2)), content_type=ctype)
    source = add(store, server.url("/feed.xml"))
    report = run(store, conf, source)
    assert (report.results[0].status, report.new_entries) == ("ok", 2)
