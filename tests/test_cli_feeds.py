"""The feed commands end to end: subscribe (with discovery), sources, unsubscribe, OPML in and out, refresh,
against a real HTTP server; bad, hostile and empty input gets one clear line."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import CliRun
from tests.feedserver import FeedServer, items, rss


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[FeedServer]:
    with FeedServer() as running:
        monkeypatch.setenv("TIDINGS_FETCH_ALLOW_HOSTS", running.host)
        monkeypatch.setenv("TIDINGS_FETCH_HOST_DELAY", "0")
        monkeypatch.setenv("TIDINGS_FETCH_TOTAL_TIMEOUT", "5")
        yield running


def sources(tidings: CliRun) -> list[dict[str, object]]:
    result = tidings("sources", "--json")
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.stdout.splitlines()]


def test_subscribe_to_a_feed_then_refresh_and_list(tidings: CliRun, server: FeedServer) -> None:
    server.route("/feed.xml", rss(items(3)))
    result = tidings("subscribe", server.url("/feed.xml"), "--category", "News/Local")
    assert result.exit_code == 0, result.output
    assert "subscribed to [1] Harbour Times" in result.output
    refreshed = tidings("refresh")
    assert refreshed.exit_code == 0, refreshed.output
    assert "1 sources refreshed" in refreshed.output
    assert "3 new entries" in refreshed.output
    [listed] = sources(tidings)
    assert listed["status"] == "ok"
    assert listed["category"] == "News/Local"
    assert (listed["entries"], listed["articles"]) == (3, 3)
    text = tidings("sources").output
    assert "[1] Harbour Times" in text
    assert "3 entries, 3 articles" in text
    assert "last fetch" in text
    assert "next in" in text
    again = tidings("refresh")
    assert "nothing to refresh" in again.output


def test_subscribe_discovers_the_feed_a_page_announces(tidings: CliRun, server: FeedServer) -> None:
    page = (
        "<html><head><title>Harbour Times</title>"
        '<link rel="stylesheet" href="/style.css">'
        '<link rel="alternate" type="application/rss+xml" title="News" href="/feeds/news.rss">'
        "</head><body>Welcome</body></html>"
    )
    server.route("/", page, content_type="text/html; charset=utf-8")
    server.route("/feeds/news.rss", rss(items(1)))
    result = tidings("subscribe", server.url("/"))
    assert result.exit_code == 0, result.output
    assert f"<{server.url('/feeds/news.rss')}>" in result.output


def test_subscribe_finds_a_feed_at_a_usual_path(tidings: CliRun, server: FeedServer) -> None:
    server.route("/blog", "<html><body>No feed links here</body></html>", content_type="text/html")
    server.route("/atom.xml", rss(items(1)))
    result = tidings("subscribe", server.url("/blog"))
    assert result.exit_code == 0, result.output
    assert f"<{server.url('/atom.xml')}>" in result.output


def test_subscribing_twice_keeps_one_source(tidings: CliRun, server: FeedServer) -> None:
    server.route("/feed.xml", rss(items(1)))
    tidings("subscribe", server.url("/feed.xml"))
    second = tidings("subscribe", server.url("/feed.xml") + "?utm_source=newsletter")
    assert second.exit_code == 0
    assert "already subscribed" in second.output
    assert len(sources(tidings)) == 1


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("file:///etc/passwd", "only http and https"),
        ("ftp://example.com/feed", "only http and https"),
        ("http://169.254.169.254/latest/meta-data/", "link-local address"),
        ("http://10.0.0.1/feed", "private address"),
        ("http://[::1]/feed", "loopback address"),
        ("http://0x7f.1/feed", "loopback address"),
    ],
)
def test_subscribe_refuses_what_it_must_not_fetch(tidings: CliRun, url: str, message: str) -> None:
    result = tidings("subscribe", url)
    assert result.exit_code == 1
    assert message in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert sources(tidings) == []


def test_subscribe_to_a_page_without_feed(tidings: CliRun, server: FeedServer) -> None:
    server.route("/", "<html><body>Just a page</body></html>", content_type="text/html")
    result = tidings("subscribe", server.url("/"))
    assert result.exit_code == 1
    assert "no feed found" in result.output
    server.route("/img", b"\x89PNG\r\n\x1a\n", content_type="image/png")
    assert "content type image/png" in tidings("subscribe", server.url("/img")).output


def test_unsubscribe_by_id_or_url_keeps_the_articles(tidings: CliRun, server: FeedServer) -> None:
    server.route("/feed.xml", rss(items(2)))
    tidings("subscribe", server.url("/feed.xml"))
    tidings("refresh")
    assert tidings("unsubscribe", "99").exit_code == 1
    result = tidings("unsubscribe", server.url("/feed.xml"))
    assert result.exit_code == 0, result.output
    assert "unsubscribed from [1]" in result.output
    assert sources(tidings) == []
    exported = tidings("export")
    assert len(exported.stdout.splitlines()) == 2


OPML = """<?xml version="1.0" encoding="UTF-8"?>
<opml version="2.0"><head><title>My feeds</title></head><body>
  <outline text="News">
    <outline text="Local">
      <outline type="rss" text="Harbour Times" xmlUrl="{url}" htmlUrl="https://harbour.example/"/>
    </outline>
    <outline type="rss" text="Wire" xmlUrl="https://wire.example/rss?utm_source=opml"/>
  </outline>
  <outline type="rss" text="Tagged" xmlUrl="https://tagged.example/feed" category="/Tech/Web"/>
  <outline type="rss" text="Loose" xmlUrl="https://loose.example/atom.xml"/>
  <outline type="rss" text="Bad" xmlUrl="ftp://bad.example/feed"/>
  <outline text="An empty folder"/>
</body></opml>"""


def test_opml_import_and_export_round_trip(tidings: CliRun, server: FeedServer, tmp_path: Path) -> None:
    path = tmp_path / "feeds.opml"
    path.write_text(OPML.format(url=server.url("/feed.xml")), encoding="utf-8")
    result = tidings("opml", "import", path)
    assert result.exit_code == 1  # one entry was skipped, and said so
    assert "4 sources added, 0 already subscribed, 1 skipped" in result.output
    assert "ftp://bad.example/feed" in result.output
    categories = {s["url"]: s["category"] for s in sources(tidings)}
    assert categories == {
        server.url("/feed.xml"): "News/Local",
        "https://wire.example/rss": "News",
        "https://tagged.example/feed": "Tech/Web",
        "https://loose.example/atom.xml": None,
    }
    again = tidings("opml", "import", path)
    assert "0 sources added, 4 already subscribed" in again.output

    out = tmp_path / "out.opml"
    assert tidings("opml", "export", "-o", out).exit_code == 0
    exported = out.read_bytes()
    assert exported.startswith(b"<?xml")
    assert b'text="Local"' in exported
    # The export reads back as the same subscriptions, in the same categories.
    from tidings.fetch.opml import parse_opml

    assert {(f.url, f.category) for f in parse_opml(exported)} == set(categories.items())
    assert tidings("opml", "export").stdout.startswith("<?xml")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty file"),
        (b"<html><body>not opml</body></html>", "not an OPML file"),
        (b"<opml><head/></opml>", "no <body>"),
        (b"<opml><body><outline", "not valid XML"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "not valid XML"),
        (
            b'<?xml version="1.0"?><!DOCTYPE opml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
            b'<opml><body><outline text="&xxe;" xmlUrl="https://x.example/&xxe;"/></body></opml>',
            "references external entity",
        ),
        (
            b'<?xml version="1.0"?><!DOCTYPE opml ['
            + b"".join(
                b'<!ENTITY l%d "%s">' % (i, b"&l%d;" % (i - 1) * 10 if i else b"lol") for i in range(10)
            )
            + b']><opml><body><outline text="&l9;" xmlUrl="https://lol.example/feed"/></body></opml>',
            "amplification",
        ),
    ],
)
def test_opml_import_of_bad_files(tidings: CliRun, tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "bad.opml"
    path.write_bytes(content)
    result = tidings("opml", "import", path)
    assert result.exit_code == 1
    assert message in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert "root:" not in result.output
    assert sources(tidings) == []


def test_opml_import_of_a_missing_file(tidings: CliRun, tmp_path: Path) -> None:
    result = tidings("opml", "import", tmp_path / "nope.opml")
    assert result.exit_code != 0
    assert "nope.opml" in result.output


def test_refresh_reports_failures_and_exits_1(tidings: CliRun, server: FeedServer) -> None:
    server.route("/good.xml", rss(items(1)))
    server.route("/bad.xml", "oops", status=500, content_type="text/plain")
    tidings("subscribe", "--no-discover", server.url("/good.xml"))
    tidings("subscribe", "--no-discover", server.url("/bad.xml"))
    result = tidings("refresh")
    assert result.exit_code == 1
    assert f"tidings: {server.url('/bad.xml')}: HTTP 500" in result.output
    assert "2 sources refreshed" in result.output
    assert "(1 failed)" in result.output
    statuses = {s["url"]: s["status"] for s in sources(tidings)}
    assert statuses == {server.url("/good.xml"): "ok", server.url("/bad.xml"): "error"}
    forced = tidings("refresh", "--source", server.url("/good.xml"))
    assert "1 sources refreshed" in forced.output
    assert "no source" in tidings("refresh", "--source", "42").output


def test_discovery_as_a_whole_is_bounded(
    tidings: CliRun, server: FeedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TIDINGS_FETCH_TOTAL_TIMEOUT", "0.5")
    monkeypatch.setenv("TIDINGS_FETCH_READ_TIMEOUT", "5")
    server.route("/", "<html><body>No feed here</body></html>", content_type="text/html")
    for path in ("/feed", "/rss", "/feed.xml", "/rss.xml", "/atom.xml", "/index.xml"):
        server.route(path, "<html>slow</html>", content_type="text/html", delay=0.4)
    result = tidings("subscribe", server.url("/"))
    assert result.exit_code == 1
    assert "no feed found within 1 s" in result.output


def test_a_bad_allowlist_is_one_clear_line(tidings: CliRun, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TIDINGS_FETCH_ALLOW_HOSTS", "10.0.0.0/99")
    result = tidings("subscribe", "https://example.com/feed.xml")
    assert result.exit_code == 1
    assert "fetch_allow_hosts: '10.0.0.0/99' is not a network" in result.output
