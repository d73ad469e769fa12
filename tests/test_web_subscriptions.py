"""The subscriptions page (`web.subscriptions` over the feeds area's `subscriptions`): the list with status
and errors for every reader, adding (with discovery, against a real feed server on loopback), removing and
OPML in and out for the admin only."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from tests.feedserver import FeedServer, items, rss
from tests.web_support import client, csrf, post, sign_up
from tidings.store import Store
from tidings.subscriptions import list_sources

OPML = b"""<?xml version="1.0" encoding="UTF-8"?>
<opml version="2.0"><head><title>Feeds</title></head><body>
<outline text="News"><outline type="rss" text="Harbour &lt;script&gt;alert(1)&lt;/script&gt;"
  xmlUrl="https://harbour.example/feed.xml" htmlUrl="https://harbour.example/"/></outline>
<outline type="rss" text="Bad" xmlUrl="javascript:alert(1)"/>
<outline type="rss" text="Quay" xmlUrl="https://quay.example/rss"/>
</body></opml>"""


_LAUGH = "".join(f'<!ENTITY l{n} "{("&l" + str(n - 1) + ";") * 10}">' for n in range(1, 9))
_BOMB = (
    f'<?xml version="1.0"?><!DOCTYPE o [<!ENTITY l0 "lol">{_LAUGH}]>'
    '<opml><body><outline text="&l8;" xmlUrl="https://x.example/"/></body></opml>'
).encode()


@pytest.fixture
def store(sample_copy: Store) -> Store:
    return sample_copy


@pytest.fixture
def feeds() -> Iterator[FeedServer]:
    with FeedServer() as server:
        yield server


@pytest.fixture
def admin(store: Store, feeds: FeedServer) -> TestClient:
    c = client(store, fetch_allow_hosts=feeds.host)
    assert sign_up(c, "admin").status_code == 303
    return c


@pytest.fixture
def reader(store: Store, admin: TestClient) -> TestClient:
    del admin
    c = client(store)
    assert sign_up(c, "reader").status_code == 303
    return c


def _import(c: TestClient, data: bytes, name: str = "feeds.opml") -> object:
    token = csrf(c, "/subscriptions")
    return c.post("/subscriptions/import", data={"csrf": token}, files={"opml": (name, data, "text/x-opml")})


def _text(page: str) -> str:
    main = page.split("<main", 1)[1].split(">", 1)[1].split("</main>", 1)[0]
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", main)).strip())


def test_admin_subscribes_through_discovery(store: Store, admin: TestClient, feeds: FeedServer) -> None:
    feeds.route("/feed.xml", rss(items(2), title="Harbour Times"))
    feeds.route(
        "/",
        '<html><head><link rel="alternate" type="application/rss+xml" href="/feed.xml"></head></html>',
        content_type="text/html",
    )
    response = post(admin, "/subscriptions", {"url": feeds.url("/")}, page="/subscriptions")
    assert response.status_code == 303
    page = admin.get(response.headers["location"])
    text = _text(page.text)
    assert "Subscribed." in text
    assert "Harbour Times" in text
    assert feeds.url("/feed.xml") in text
    assert "new" in text  # not fetched yet
    again = post(admin, "/subscriptions", {"url": feeds.url("/feed.xml")}, page="/subscriptions")
    assert "already subscribed" in _text(admin.get(again.headers["location"]).text)
    assert [s.url for s in list_sources(store)] == [feeds.url("/feed.xml")]


def test_failed_subscription_says_why(admin: TestClient, feeds: FeedServer) -> None:
    feeds.route("/page", "<html><body>No feed here</body></html>", content_type="text/html")
    response = post(admin, "/subscriptions", {"url": feeds.url("/page")}, page="/subscriptions")
    assert response.status_code == 400
    assert "no feed found" in _text(response.text)
    refused = post(admin, "/subscriptions", {"url": "http://10.0.0.1/feed"}, page="/subscriptions")
    assert refused.status_code == 400
    assert "form-error" in refused.text
    for bad in ("", "javascript:alert(1)", "ftp://example.com/feed", "x" * 3000):
        response = post(admin, "/subscriptions", {"url": bad}, page="/subscriptions")
        assert response.status_code == 400, bad
        assert "<script" not in _text(response.text)


def test_opml_round_trip(store: Store, admin: TestClient) -> None:
    response = _import(admin, OPML)
    assert response.status_code == 303  # type: ignore[attr-defined]
    text = _text(admin.get(response.headers["location"]).text)  # type: ignore[attr-defined]
    assert "Imported 2 new feeds, 1 skipped as invalid." in text
    assert "Harbour <script>alert(1)</script>" in text  # shown as text
    assert "<script>alert" not in admin.get("/subscriptions").text
    exported = admin.get("/subscriptions.opml")
    assert exported.status_code == 200
    assert exported.headers["content-type"].startswith("text/x-opml")
    assert "attachment" in exported.headers["content-disposition"]
    assert b"https://quay.example/rss" in exported.content
    again = _import(admin, exported.content)
    assert "Imported 0 new feeds, 2 already here." in _text(admin.get(again.headers["location"]).text)  # type: ignore[attr-defined]
    assert len(list_sources(store)) == 2


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "That file is empty."),
        (b"not xml at all", "Not an OPML file"),
        (_BOMB, "Not an OPML file"),
        (b"<opml>" + b"<outline>" * 2000, "Not an OPML file"),
        (b"x" * 1_600_000, "too large"),
    ],
)
def test_bad_opml_files_get_a_reason(store: Store, admin: TestClient, data: bytes, message: str) -> None:
    response = _import(admin, data)
    assert response.status_code == 400  # type: ignore[attr-defined]
    assert message in _text(response.text)  # type: ignore[attr-defined]
    assert list_sources(store) == []


def test_import_without_a_file(admin: TestClient) -> None:
    response = post(admin, "/subscriptions/import", page="/subscriptions")
    assert response.status_code == 400
    assert "Choose an OPML file" in response.text


def test_admin_unsubscribes(store: Store, admin: TestClient) -> None:
    _import(admin, OPML)
    [first, *_] = list_sources(store)
    response = post(admin, f"/subscriptions/{first.id}/delete", page="/subscriptions")
    assert response.status_code == 303
    assert "Unsubscribed." in _text(admin.get(response.headers["location"]).text)
    assert first.id not in [s.id for s in list_sources(store)]
    assert post(admin, f"/subscriptions/{first.id}/delete", page="/subscriptions").status_code == 404
    assert post(admin, "/subscriptions/abc/delete", page="/subscriptions").status_code == 404


def test_readers_see_but_do_not_change(store: Store, admin: TestClient, reader: TestClient) -> None:
    _import(admin, OPML)
    page = reader.get("/subscriptions")
    assert page.status_code == 200
    assert "quay.example" in page.text
    assert 'name="url"' not in page.text
    assert "Unsubscribe" not in page.text
    assert reader.get("/subscriptions.opml").status_code == 200
    [first, *_] = list_sources(store)
    assert (
        post(reader, "/subscriptions", {"url": "https://x.example/feed"}, page="/subscriptions").status_code
        == 403
    )
    assert post(reader, f"/subscriptions/{first.id}/delete", page="/subscriptions").status_code == 403
    assert _import(reader, OPML).status_code == 403  # type: ignore[attr-defined]
    assert len(list_sources(store)) == 2


def test_anonymous_visitors_are_sent_to_log_in(store: Store) -> None:
    c = client(store)
    for path in ("/subscriptions", "/subscriptions.opml"):
        response = c.get(path)
        assert response.status_code == 303
        assert response.headers["location"].startswith("/login?next=")


def test_status_and_errors_are_shown(store: Store, admin: TestClient) -> None:
    from sqlalchemy import update

    from tidings.store import schema as t

    _import(admin, OPML)
    with store.engine.begin() as c:
        c.execute(
            update(t.sources)
            .where(t.sources.c.url == "https://quay.example/rss")
            .values(status="error", last_error="HTTP 503 <b>Service</b> Unavailable", failures=3)
        )
    text = _text(admin.get("/subscriptions").text)
    assert "error" in text
    assert "Last error (3 in a row): HTTP 503 <b>Service</b> Unavailable" in text


def test_notices_come_from_codes_not_the_address_bar(admin: TestClient) -> None:
    page = admin.get("/subscriptions", params={"done": "Your account is locked, call 555"})
    assert "555" not in page.text
    page = admin.get("/subscriptions", params={"done": "imported", "added": "99999999999", "existing": "-1"})
    assert "Imported 0 new feeds." in _text(page.text)
