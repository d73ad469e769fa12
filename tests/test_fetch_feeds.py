"""Feed parsing, entry identity and documents, discovery, OPML and the schedule, without a network."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from tests.feedserver import article_html, items, rss
from tidings.fetch.discover import common_feed_urls, feed_links
from tidings.fetch.entries import entry_document, identities, is_full
from tidings.fetch.feeds import Feed, FeedEntry, FeedError, looks_like_feed, parse_feed
from tidings.fetch.opml import OpmlFeed, parse_opml, write_opml
from tidings.fetch.schedule import Bounds, backoff, next_interval, typical_gap
from tidings.models import DocumentKind

BASE = "https://harbour.example/feed.xml"


def entry(**fields: object) -> FeedEntry:
    values: dict[str, object] = {
        "guid": None,
        "link": None,
        "title": None,
        "content_html": None,
        "summary_html": None,
        "published_at": None,
        "updated_at": None,
        "author": None,
    }
    values.update(fields)
    return FeedEntry(**values)  # type: ignore[arg-type]


def test_rss2_entries_newest_first_with_content_and_dates() -> None:
    feed = parse_feed(rss(items(3)), base_url=BASE)
    assert (feed.kind, feed.title, feed.site_url) == ("rss", "Harbour Times", "https://harbour.example/")
    first = feed.entries[0]
    assert first.title == "Harbour story number 0"
    assert first.link == "https://harbour.example/news/story-0"
    assert first.guid == "urn:harbour:0"
    assert first.published_at == datetime(2025, 7, 1, 0, 0, tzinfo=UTC)
    assert first.content_html is not None
    assert "Story 0, part 0" in first.content_html


def test_rss091_relative_links_and_hub() -> None:
    body = b"""<?xml version="1.0"?>
<!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN"
 "http://my.netscape.com/publish/formats/rss-0.91.dtd">
<rss version="0.91"><channel><title>Old &amp; Gold</title><link>http://old.example/</link>
<atom:link xmlns:atom="http://www.w3.org/2005/Atom" rel="hub" href="https://hub.example/"/>
<item><title>Caf&#233; opens</title><link>/news/cafe</link><description>A caf&#233;.</description></item>
</channel></rss>"""
    feed = parse_feed(body, base_url="http://old.example/rss.xml")
    assert feed.title == "Old & Gold"
    assert feed.entries[0].title == "Café opens"
    assert feed.entries[0].link == "http://old.example/news/cafe"
    assert feed.hub == "https://hub.example/"


def test_entry_cap_cuts_before_parsing() -> None:
    feed = parse_feed(rss(items(30)), base_url=BASE, max_entries=5)
    assert [e.title for e in feed.entries] == [f"Harbour story number {n}" for n in range(5)]
    assert feed.skipped_entries == 25


def test_entry_cap_on_rss1_closes_the_right_elements() -> None:
    entries = "".join(
        f'<item rdf:about="https://r.example/{n}"><title>R{n}</title><link>https://r.example/{n}</link></item>'
        for n in range(10)
    )
    body = (
        '<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
        'xmlns="http://purl.org/rss/1.0/"><channel rdf:about="https://r.example/"><title>R</title>'
        f"<link>https://r.example/</link></channel>{entries}</rdf:RDF>"
    ).encode()
    feed = parse_feed(body, base_url="https://r.example/rss", max_entries=3)
    assert [e.title for e in feed.entries] == ["R0", "R1", "R2"]
    assert feed.skipped_entries == 7


def test_json_feed_versions_and_validation() -> None:
    data = {
        "version": "https://jsonfeed.org/version/1",
        "title": "J",
        "home_page_url": "https://j.example/",
        "hubs": [{"type": "WebSub", "url": "https://hub.example/"}],
        "items": [
            {
                "id": "a",
                "url": "/a",
                "title": "A",
                "content_html": "<p>Hi<script>alert(1)</script></p>",
                "date_published": "2025-07-01T10:00:00Z",
                "authors": [{"name": "Ann"}, {"url": "no name"}],
            },
            {"id": 7, "external_url": "https://elsewhere.example/b", "content_text": "One.\n\nTwo & three."},
            {"id": "", "title": "empty id"},
            {"id": True, "title": "boolean id"},
            ["not", "an", "object"],
        ],
    }
    feed = parse_feed(json.dumps(data).encode(), base_url="https://j.example/feed.json")
    assert (feed.kind, feed.title, feed.hub) == ("json", "J", "https://hub.example/")
    assert [e.guid for e in feed.entries] == ["a", "7"]
    first, second = feed.entries
    assert first.link == "https://j.example/a"
    assert first.author == "Ann"
    assert first.published_at == datetime(2025, 7, 1, 10, 0, tzinfo=UTC)
    assert "<script>" not in (first.content_html or "")
    assert second.content_html == "<p>One.</p><p>Two &amp; three.</p>"
    assert second.link == "https://elsewhere.example/b"
    assert feed.skipped_entries == 3


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"", "empty body"),
        (b"   \n ", "empty body"),
        (b"<!DOCTYPE html><html><head><title>x</title></head></html>", "an HTML page"),
        (b"<html><body>hi</body></html>", "an HTML page"),
        (b"[1, 2, 3]", "not an object"),
        (b'{"version": "https://jsonfeed.org/version/1.1"}', "not a list"),
        (b'{"version": 2, "items": []}', "without a jsonfeed.org version"),
        (b"{" * 100_000, "invalid JSON"),
        (b"just words", "not a feed"),
        (b"<notes><note>x</note></notes>", "not a feed"),
    ],
)
def test_what_is_not_a_feed(body: bytes, message: str) -> None:
    with pytest.raises(FeedError, match=message):
        parse_feed(body, base_url=BASE, content_type="text/plain")


def test_looks_like_feed() -> None:
    assert looks_like_feed(rss(items(1)))
    assert looks_like_feed(b'\xef\xbb\xbf<?xml version="1.0"?>\n<!-- hi -->\n<feed xmlns="x">')
    assert looks_like_feed(b'{"version": "https://jsonfeed.org/version/1.1", "items": []}')
    assert not looks_like_feed(b"<!DOCTYPE html><html></html>")
    assert not looks_like_feed(b'{"version": "1.0"}')


def test_identities_use_links_then_guids_and_ignore_shared_links() -> None:
    entries = (
        entry(link="https://a.example/x?utm_source=rss", guid="1", title="X"),
        entry(link="https://a.example/", guid="2", title="Home 1"),
        entry(link="https://a.example/", guid="3", title="Home 2"),
        entry(title="No link, no guid", summary_html="text"),
    )
    ids = identities(entries)
    assert ids[0].url_key == "a.example/x"
    assert ids[1].url_key is None
    assert ids[2].url_key is None
    assert ids[1].guid == "2"
    assert (ids[3].url_key, ids[3].guid) == (None, None)
    assert len({i.content_hash for i in ids}) == 4


def test_full_content_or_teaser() -> None:
    assert is_full(entry(content_html=article_html(1)))
    assert not is_full(entry(summary_html="A short teaser about the quay."))
    assert not is_full(entry(content_html=article_html(1) + "<p>Continue reading…</p>"))
    assert not is_full(entry(content_html=article_html(1) + "<p>Read more</p>"))


def test_entry_document_carries_metadata() -> None:
    feed = Feed(kind="rss", title="Harbour Times", site_url="https://harbour.example/", entries=())
    when = datetime(2025, 7, 1, 9, 30, tzinfo=UTC)
    made = entry_document(
        entry(
            title='Quay "plan" <approved>',
            link="https://www.harbour.example/a?utm_medium=rss",
            content_html=article_html(1),
            author="Ann Lee",
            published_at=when,
        ),
        feed,
        when + timedelta(hours=1),
    )
    assert made is not None
    assert made.kind is DocumentKind.HTML
    assert made.url == "https://www.harbour.example/a"
    assert made.site == "harbour.example"
    assert "<title>Quay &quot;plan&quot; &lt;approved&gt;</title>" in made.text
    assert '<meta name="author" content="Ann Lee">' in made.text
    assert "2025-07-01T09:30:00+00:00" in made.text
    assert entry_document(entry(), feed, when) is None


def test_discovery_reads_alternate_links() -> None:
    html = """<html><head><base href="https://cdn.example/site/">
    <link rel="alternate" type="application/atom+xml" href="atom.xml">
    <link rel="alternate stylesheet" type="text/css" href="x.css">
    <link rel="Alternate" type="application/feed+json; charset=utf-8" href="https://j.example/feed.json">
    <link rel="alternate" type="application/rss+xml" href="javascript:alert(1)">
    <link rel="alternate" type="application/atom+xml" href="atom.xml">
    </head><body><a rel="alternate" type="application/rss+xml" href="/rss">RSS</a></body></html>"""
    assert feed_links(html, "https://site.example/") == [
        "https://cdn.example/site/atom.xml",
        "https://j.example/feed.json",
        "https://cdn.example/rss",
    ]
    assert common_feed_urls("https://site.example/blog/post?x=1")[0] == "https://site.example/feed"


def test_opml_round_trip_with_nested_categories_and_odd_characters() -> None:
    feeds = [
        OpmlFeed("https://a.example/feed", "A & B <news>", "https://a.example/", "News/Local"),
        OpmlFeed("https://b.example/feed", "B\x00\x07 bell", None, "News"),
        OpmlFeed("https://c.example/feed", None, None, None),
    ]
    back = parse_opml(write_opml(feeds))
    assert {(f.url, f.title, f.category) for f in back} == {
        ("https://a.example/feed", "A & B <news>", "News/Local"),
        ("https://b.example/feed", "B bell", "News"),
        ("https://c.example/feed", "https://c.example/feed", None),
    }


def test_opml_size_cap() -> None:
    from tidings.fetch.opml import OpmlError

    with pytest.raises(OpmlError, match="too large"):
        parse_opml(b"<opml>" + b" " * 2000 + b"</opml>", max_bytes=1000)


def test_schedule_adapts_within_bounds() -> None:
    bounds = Bounds(600, 86400)
    hourly = [datetime(2025, 7, 1, h, tzinfo=UTC) for h in range(10)]
    assert typical_gap(hourly) == 3600
    assert next_interval(3600, True, hourly, bounds) == 1800  # twice per typical gap
    minutely = [datetime(2025, 7, 1, 10, m, tzinfo=UTC) for m in range(10)]
    assert next_interval(3600, True, minutely, bounds) == 600  # never below the floor
    assert next_interval(3600, False, [], bounds) == 5400  # quiet: half again as long
    assert next_interval(80000, False, [], bounds) == 86400  # never above the ceiling
    assert next_interval(None, True, [], bounds) == 1800  # no dates: twice as often


def test_backoff_doubles_and_honours_retry_after() -> None:
    bounds = Bounds(600, 86400)
    assert [backoff(n, bounds) for n in (1, 2, 3, 4)] == [600, 1200, 2400, 4800]
    assert backoff(50, bounds) == 86400
    assert backoff(1, bounds, retry_after=7200) == 7200
    assert backoff(1, bounds, retry_after=10**9) == 86400


def test_a_page_is_decoded_with_the_charset_its_server_names() -> None:
    from tidings.fetch.decode import DocumentError
    from tidings.fetch.entries import page_document
    from tidings.fetch.http import Response

    text = "<html><body><p>Новости дня: съезд открылся в Москве</p></body></html>"

    def page(content_type: str, body: bytes) -> Response:
        return Response(
            url="https://news.example/a",
            status=200,
            body=body,
            content_type=content_type,
            etag=None,
            last_modified=None,
            fetched_at=datetime(2025, 7, 1, tzinfo=UTC),
        )

    cp1251 = text.encode("cp1251")
    assert page_document(page("text/html; charset=windows-1251", cp1251)).text == text
    assert page_document(page('text/html; charset="utf-8"', text.encode())).text == text
    # A header that is wrong for the bytes loses to what the bytes are.
    assert page_document(page("text/html; charset=ascii", text.encode())).text == text
    with pytest.raises(DocumentError, match="not a web page"):
        page_document(page("application/octet-stream", b"\x00\x01"))
