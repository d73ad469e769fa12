"""The reader's pages for signed-in readers and for everyone: per-user read and saved state, comments,
copy diffs, full coverage, source and publisher pages, and the front page's ranking and counts.

Permissions are tested both ways: what a user may do, and that another user cannot touch it."""

from __future__ import annotations

import re
from datetime import timedelta
from html.parser import HTMLParser

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.web_support import NOW, client, csrf, post, sign_up
from tests.web_support import article_id as find_article
from tidings.store import Store, pages
from tidings.store import schema as t
from tidings.web import articles as article_pages
from tidings.web.diff import word_diff

HEATWAVE = "Heatwave warning extended"
DERAILMENT = "Hundreds evacuated after freight train"
DERAILMENT_WIRE = "Eastmoor derailment"
CEASEFIRE = "Russian ally names"


@pytest.fixture
def store(sample_copy: Store) -> Store:
    return sample_copy


@pytest.fixture
def ada(store: Store) -> TestClient:
    """The first user: the admin."""
    c = client(store)
    assert sign_up(c, "ada").status_code == 303
    return c


@pytest.fixture
def bob(store: Store, ada: TestClient) -> TestClient:
    """A second, ordinary user."""
    del ada  # made first, so ada is the admin
    c = client(store)
    assert sign_up(c, "bob").status_code == 303
    return c


def _text(html: str) -> str:
    main = html.split("<main", 1)[1].split(">", 1)[1].split("</main>", 1)[0]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", main)).strip()


# Read and saved ------------------------------------------------------------------------------------------


def test_opening_an_article_marks_it_read_for_that_reader_only(
    store: Store, ada: TestClient, bob: TestClient
) -> None:
    heat = find_article(store, HEATWAVE)
    assert "read" not in _text(ada.get("/").text).split()
    ada.get(f"/articles/{heat}")
    front = ada.get("/").text
    assert re.search(r'class="story-article is-read".*?Heatwave', front, re.S) is None  # lead is the h2
    assert 'class="story-title is-read"' in front
    assert "story-title is-read" not in bob.get("/").text
    response = post(ada, f"/articles/{heat}/unread", page=f"/articles/{heat}")
    assert response.status_code == 303
    assert response.headers["location"] == "/"
    assert "story-title is-read" not in ada.get("/").text


def test_saving_is_per_reader(store: Store, ada: TestClient, bob: TestClient) -> None:
    heat = find_article(store, HEATWAVE)
    response = post(ada, f"/articles/{heat}/save", {"next": f"/articles/{heat}"}, page=f"/articles/{heat}")
    assert response.status_code == 303
    assert response.headers["location"] == f"/articles/{heat}"
    assert "Heatwave warning extended" in _text(ada.get("/saved").text)
    assert "Saved ✓" in ada.get(f"/articles/{heat}").text
    assert "Heatwave" not in _text(bob.get("/saved").text)
    assert "Nothing saved yet" in bob.get("/saved").text
    # Bob "unsaving" it changes only Bob's list.
    post(bob, f"/articles/{heat}/unsave", page="/saved")
    assert "Heatwave warning extended" in _text(ada.get("/saved").text)
    post(ada, f"/articles/{heat}/unsave", page="/saved")
    assert "Nothing saved yet" in ada.get("/saved").text


def test_saving_twice_keeps_one_entry(store: Store, ada: TestClient) -> None:
    heat = find_article(store, HEATWAVE)
    for _ in range(2):
        assert post(ada, f"/articles/{heat}/save").status_code == 303
    with store.engine.connect() as c:
        assert len(c.execute(select(t.saved_articles)).all()) == 1


@pytest.mark.parametrize("path", ["/articles/999999/save", "/articles/999999/read"])
def test_saving_a_missing_article_is_404(ada: TestClient, path: str) -> None:
    assert post(ada, path).status_code == 404


@pytest.mark.parametrize("action", ["save", "unsave", "read", "unread"])
def test_anonymous_state_changes_go_to_log_in(store: Store, action: str) -> None:
    c = client(store)
    token = csrf(c, "/login")
    response = c.post(f"/articles/1/{action}", data={"csrf": token})
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login?next=")


def test_state_changes_need_the_token(ada: TestClient, store: Store) -> None:
    heat = find_article(store, HEATWAVE)
    assert ada.post(f"/articles/{heat}/save", data={}).status_code == 403
    assert "Nothing saved yet" in ada.get("/saved").text


def test_deleting_an_article_takes_its_saves_and_reads_with_it(store: Store, ada: TestClient) -> None:
    heat = find_article(store, HEATWAVE)
    post(ada, f"/articles/{heat}/save")
    with store.engine.begin() as c:
        c.execute(t.copies.update().where(t.copies.c.article_id == heat).values(article_id=None))
        c.execute(t.articles.delete().where(t.articles.c.id == heat))
    assert ada.get("/saved").status_code == 200
    assert "Nothing saved yet" in ada.get("/saved").text


# Comments ------------------------------------------------------------------------------------------------


def _comment(c: TestClient, article: int, body: str) -> int:
    response = post(c, f"/articles/{article}/comments", {"body": body}, page=f"/articles/{article}")
    assert response.status_code == 303, response.text
    found = re.search(r"#comment-(\d+)$", response.headers["location"])
    assert found
    return int(found.group(1))


def test_comments_are_written_rendered_and_counted(store: Store, ada: TestClient) -> None:
    heat = find_article(store, HEATWAVE)
    cid = _comment(ada, heat, "Hot *indeed*. See [the forecast](https://weather.example/f?a=1&b=2).")
    html = ada.get(f"/articles/{heat}").text
    assert f'id="comment-{cid}"' in html
    assert "Hot <em>indeed</em>." in html
    assert (
        '<a href="https://weather.example/f?a=1&amp;b=2" rel="nofollow noopener noreferrer ugc">'
        "the forecast</a>" in html
    )
    assert "Comments (1)" in _text(html)
    assert "1 publisher · 3 copies · 1 comment" in _text(client(store).get("/").text)


@pytest.mark.parametrize(
    "payload",
    [
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        "[click](javascript:alert(1))",
        "[click](JAVASCRIPT:alert(1))",
        "[click](jav&#x09;ascript:alert(1))",
        "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
        "<svg onload=alert(1)>",
        "<a href='javascript:alert(1)'>x</a>",
        "![x](javascript:alert(1))",
        '<div style="background:url(javascript:alert(1))">x</div>',
        "<iframe src=https://evil.example></iframe>",
        "`<script>alert(1)</script>`",
        "<<script>script>alert(1)<</script>/script>",
    ],
)
def test_comment_markup_is_sanitised(store: Store, ada: TestClient, payload: str) -> None:
    heat = find_article(store, HEATWAVE)
    cid = _comment(ada, heat, payload)
    html = ada.get(f"/articles/{heat}").text
    comment = html.split(f'id="comment-{cid}"', 1)[1]
    body = comment.split('<div class="comment-body">', 1)[1].split("</div>", 1)[0]
    tags = _Tags(body)
    assert {tag for tag, _ in tags.found} <= {"p", "em", "strong", "code", "pre", "a", "br"}
    for tag, attrs in tags.found:
        assert not [name for name, _ in attrs if name.startswith("on") or name == "style"], (tag, attrs)
        for name, value in attrs:
            if name == "href":
                assert (value or "").startswith(("http://", "https://", "mailto:")), value


class _Tags(HTMLParser):
    def __init__(self, html: str) -> None:
        super().__init__()
        self.found: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, attrs))


def test_comment_order(store: Store, ada: TestClient) -> None:
    heat = find_article(store, HEATWAVE)
    first = _comment(ada, heat, "first comment")
    second = _comment(ada, heat, "second comment")
    oldest = ada.get(f"/articles/{heat}").text
    newest = ada.get(f"/articles/{heat}?comments_order=newest").text
    assert oldest.index(f"comment-{first}") < oldest.index(f"comment-{second}")
    assert newest.index(f'id="comment-{second}"') < newest.index(f'id="comment-{first}"')


def test_only_the_author_edits_and_deletes(store: Store, ada: TestClient, bob: TestClient) -> None:
    heat = find_article(store, HEATWAVE)
    cid = _comment(bob, heat, "bob's view")
    # Ada (even as admin) cannot edit or delete Bob's words; the comment answers as if it did not exist.
    assert ada.get(f"/comments/{cid}/edit").status_code == 404
    assert post(ada, f"/comments/{cid}/edit", {"body": "ada was here"}).status_code == 404
    assert post(ada, f"/comments/{cid}/delete").status_code == 404
    assert "bob's view" in _text(ada.get(f"/articles/{heat}").text)
    assert (
        "Edit"
        not in _text(ada.get(f"/articles/{heat}").text).split("Comments", 1)[1].split("Your comment")[0]
    )
    # Bob can.
    page = bob.get(f"/comments/{cid}/edit")
    assert page.status_code == 200
    assert "bob&#39;s view</textarea>" in page.text
    assert post(bob, f"/comments/{cid}/edit", {"body": "bob's second view"}).status_code == 303
    text = _text(bob.get(f"/articles/{heat}").text)
    assert "bob's second view" in text
    assert "edited" in text
    assert post(bob, f"/comments/{cid}/delete").status_code == 303
    assert "bob's second view" not in _text(bob.get(f"/articles/{heat}").text)


def test_admins_hide_and_show(store: Store, ada: TestClient, bob: TestClient) -> None:
    heat = find_article(store, HEATWAVE)
    cid = _comment(bob, heat, "spam spam spam")
    assert post(bob, f"/comments/{cid}/hide").status_code == 403  # not an admin
    assert post(ada, f"/comments/{cid}/hide").status_code == 303
    assert "spam spam spam" not in bob.get(f"/articles/{heat}").text
    assert "spam spam spam" not in client(store).get(f"/articles/{heat}").text
    assert "comment" not in _text(client(store).get("/").text)  # hidden comments are not counted
    admin_view = _text(ada.get(f"/articles/{heat}").text)
    assert "spam spam spam" in admin_view
    assert "hidden" in admin_view
    assert post(ada, f"/comments/{cid}/show").status_code == 303
    assert "spam spam spam" in bob.get(f"/articles/{heat}").text


@pytest.mark.parametrize("body", ["", "   \n  ", "x" * 10_001])
def test_empty_or_huge_comments_are_refused(store: Store, ada: TestClient, body: str) -> None:
    heat = find_article(store, HEATWAVE)
    response = post(ada, f"/articles/{heat}/comments", {"body": body})
    assert response.status_code == 400
    assert "comment" in _text(response.text).lower()
    with store.engine.connect() as c:
        assert c.execute(select(t.comments)).first() is None


def test_comment_on_a_missing_article_is_404(ada: TestClient) -> None:
    assert post(ada, "/articles/999999/comments", {"body": "hello"}).status_code == 404


def test_anonymous_readers_see_comments_but_no_form(store: Store, ada: TestClient) -> None:
    heat = find_article(store, HEATWAVE)
    _comment(ada, heat, "visible to all")
    html = client(store).get(f"/articles/{heat}").text
    assert "visible to all" in html
    assert 'name="body"' not in html
    assert "to comment" in _text(html)


@pytest.mark.parametrize("path", ["/comments/abc/edit", "/comments/0/edit", "/comments/999/edit"])
def test_bad_comment_ids_are_404(ada: TestClient, path: str) -> None:
    assert ada.get(path).status_code == 404


# Copies and their diffs ----------------------------------------------------------------------------------


def test_each_copy_links_to_its_diff(store: Store) -> None:
    heat = find_article(store, HEATWAVE)
    c = client(store)
    html = c.get(f"/articles/{heat}").text
    links = re.findall(rf'href="(/articles/{heat}/copies/\d+)"', html)
    assert len(links) == 3
    for link in links:
        page = c.get(link)
        assert page.status_code == 200
        assert "What " in _text(page.text)


def test_truncated_copy_shows_what_it_cut(store: Store) -> None:
    heat = find_article(store, HEATWAVE)
    c = client(store)
    html = c.get(f"/articles/{heat}").text
    wirely = re.search(
        rf'href="(/articles/{heat}/copies/\d+)">Compare<span class="visually-hidden"> Wirely', html
    )
    assert wirely
    page = c.get(wirely.group(1)).text
    assert "Changed: truncated" in _text(page)
    assert "<del>" in page
    removed = int(re.search(r"(\d+) missing", _text(page)).group(1))  # type: ignore[union-attr]
    assert removed > 20


def test_copy_of_another_article_is_404(store: Store) -> None:
    heat, ceasefire = find_article(store, HEATWAVE), find_article(store, CEASEFIRE)
    with store.engine.connect() as c:
        other = c.execute(select(t.copies.c.id).where(t.copies.c.article_id == ceasefire)).scalars().first()
    assert client(store).get(f"/articles/{heat}/copies/{other}").status_code == 404
    assert client(store).get(f"/articles/{heat}/copies/99999").status_code == 404
    assert client(store).get(f"/articles/{heat}/copies/x").status_code == 404


def test_word_diff_marks_cuts_and_insertions_and_escapes() -> None:
    html, stats = word_diff(
        ["The cat sat on the mat.", "It was “warm” <b>today</b>."],
        ["The dog sat on the mat.", "Read more: <script>x</script>", 'It was "warm" <b>today</b>.'],
    )
    assert "The <del>cat</del> <ins>dog</ins> sat on the mat." in html
    assert "<ins>Read more: &lt;script&gt;x&lt;/script&gt;</ins>" in html
    assert "It was “warm” &lt;b&gt;today&lt;/b&gt;." in html  # quote marks alone are no change
    assert (stats.removed, stats.added) == (1, 4)


def test_word_diff_is_bounded_on_huge_input() -> None:
    html, stats = word_diff(["a " * 50_000 + "b"], ["a " * 50_000 + "c"])
    assert stats.removed == stats.added == 50_001  # too long to align word by word: shown whole
    assert html.count("<del>") == 1


# Full coverage -------------------------------------------------------------------------------------------


def test_story_coverage_and_timeline(store: Store) -> None:
    derail = find_article(store, DERAILMENT)
    html = client(store).get(f"/articles/{derail}").text
    text = _text(html)
    assert "Full coverage: 2 articles · 2 publishers · 3 copies" in text
    assert html.count('class="timeline-point') == 2
    assert html.count("timeline-point is-current") == 1
    assert "Coverage timeline, from 1 Jul 2025, 20:00 UTC to 1 Jul 2025, 22:00 UTC" in text
    assert "Eastmoor derailment" in text.split("More on this story", 1)[1]


def test_timeline_places_articles_by_time() -> None:
    items = [
        {"id": 1, "published_at": "2025-07-01T00:00:00+00:00"},
        {"id": 2, "published_at": "2025-07-01T12:00:00+00:00"},
        {"id": 3, "published_at": "2025-07-02T00:00:00+00:00"},
        {"id": 4, "published_at": None},
    ]
    line = article_pages.timeline(items, current=2, width=124)
    assert line is not None
    assert [(p["item"]["id"], p["x"], p["current"]) for p in line["points"]] == [
        (1, 12, False),
        (2, 62, True),
        (3, 112, False),
    ]
    assert article_pages.timeline(items[:1], current=1) is None


def test_single_article_has_no_coverage_section(store: Store) -> None:
    flixo = find_article(store, "Streaming app Flixo")
    text = _text(client(store).get(f"/articles/{flixo}").text)
    assert "More on this story" not in text


# Front page ----------------------------------------------------------------------------------------------


def test_front_page_counts_publishers_and_copies(store: Store) -> None:
    text = _text(client(store).get("/").text)
    assert "Carried by HarborNews, Briefly24, Wirely 1 publisher · 3 copies" in text
    derail = text.index("Hundreds evacuated after freight train")
    assert "2 publishers · 3 copies" in text[derail : derail + 600]


def test_front_page_sections_link_to_source_pages(store: Store) -> None:
    html = client(store).get("/").text
    sections = html.split('aria-labelledby="sections-heading"', 1)[1].split("</nav>", 1)[0]
    assert 'href="/sources/Briefly24"' in sections
    assert 'href="/sources/Daily8"' in sections


def test_breadth_lifts_a_story_and_age_pulls_it_down() -> None:
    recent, older = NOW - timedelta(hours=1), NOW - timedelta(hours=3)
    assert pages.hotness(5, 9, older, NOW) > pages.hotness(1, 1, recent, NOW)
    assert pages.hotness(1, 1, recent, NOW) > pages.hotness(1, 1, older, NOW)
    assert pages.hotness(5, 9, NOW - timedelta(days=3), NOW) < pages.hotness(1, 1, recent, NOW)
    assert pages.hotness(1, 1, None, NOW) == 0.0


def test_front_page_ranks_only_a_window_and_then_goes_by_time(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pages, "RANK_WINDOW", 4)
    everything = pages.front_page(store, NOW, limit=100)
    in_pages = [s["id"] for n in range(0, 20, 3) for s in pages.front_page(store, NOW, limit=3, offset=n)]
    assert sorted(in_pages) == sorted(s["id"] for s in everything)  # each story once, on one page
    assert len(in_pages) == len(set(in_pages)) == 14


# Source and publisher pages ------------------------------------------------------------------------------


def test_source_page_lists_what_a_site_carried(store: Store) -> None:
    text = _text(client(store).get("/sources/Daily8").text)
    assert text.startswith("Source Daily8")
    assert "Russian ally names" in text
    assert "Heatwave" not in text


def test_publisher_page(store: Store) -> None:
    response = client(store).get("/publishers/The%20Northern%20Ledger")
    assert response.status_code == 200
    text = _text(response.text)
    assert "Heatwave warning extended" in text
    assert "Hundreds evacuated" in text
    assert "Russia" not in text


@pytest.mark.parametrize(
    "path",
    [
        "/sources/Nowhere",
        "/publishers/Nobody",
        "/sources/",
        "/sources/x?page=0",
        "/sources/" + "a" * 400,
        "/sources/Daily8?page=2",
        "/sources/Daily8?page=01",
        "/publishers/The%20Northern%20Ledger?page=2",
        "/search?q=heatwave&page=2",
        "/entities?page=99",
    ],
)
def test_unknown_sources_publishers_and_pages_past_the_end_are_404(store: Store, path: str) -> None:
    assert client(store).get(path).status_code == 404


def test_page_one_of_a_listing_is_there_even_when_empty(store: Store, ada: TestClient) -> None:
    assert ada.get("/saved?page=1").status_code == 200
    assert ada.get("/saved?page=2").status_code == 404
    assert client(store).get("/search?q=zzyzx").status_code == 200


def test_odd_site_names_round_trip_through_their_links(store: Store) -> None:
    odd = 'Ev/il ?#%"<x>'
    with store.engine.begin() as c:
        c.execute(t.documents.update().where(t.documents.c.site == "Daily8").values(site=odd))
    c = client(store)
    html = c.get("/sources/Daily8".replace("Daily8", "PressBee")).text
    assert "Russian ally names" in html
    link = re.search(r'href="(/sources/Ev[^"]*)"', c.get("/").text)
    assert link
    assert "<x>" not in link.group(1)
    page = c.get(link.group(1).replace("&amp;", "&"))
    assert page.status_code == 200
    assert "Ev/il ?#%&#34;&lt;x&gt;" in page.text


# Installable app -------------------------------------------------------------------------------------------


def test_manifest_and_service_worker(store: Store) -> None:
    c = client(store)
    manifest = c.get("/manifest.webmanifest")
    assert manifest.status_code == 200
    assert manifest.headers["content-type"].startswith("application/manifest+json")
    data = manifest.json()
    assert data["start_url"] == "/"
    assert data["display"] == "standalone"
    for icon in data["icons"]:
        assert c.get(icon["src"]).status_code == 200
    worker = c.get("/sw.js")
    assert worker.status_code == 200
    assert worker.headers["content-type"].startswith("text/javascript")
    assert worker.headers["cache-control"] == "no-cache"
    assert "default-src 'self'" in worker.headers["content-security-policy"]
    assert '"/offline"' in worker.text
    offline = c.get("/offline")
    assert offline.status_code == 200
    assert "You are offline" in offline.text
    page = c.get("/").text
    assert '<link rel="manifest" href="/manifest.webmanifest">' in page


def test_saved_articles_are_marked_for_the_offline_cache(store: Store, ada: TestClient) -> None:
    heat = find_article(store, HEATWAVE)
    assert 'data-saved="true"' not in ada.get(f"/articles/{heat}").text
    post(ada, f"/articles/{heat}/save")
    assert 'data-saved="true"' in ada.get(f"/articles/{heat}").text
    assert 'data-offline-list="saved"' in ada.get("/saved").text


def test_marking_read_by_hand(store: Store, ada: TestClient, bob: TestClient) -> None:
    flixo = find_article(store, "Streaming app Flixo")
    response = post(ada, f"/articles/{flixo}/read", {"next": "/"})
    assert response.status_code == 303
    assert response.headers["location"] == "/"
    assert re.search(rf'is-read">\s*<a href="/articles/{flixo}"', ada.get("/").text)
    assert not re.search(rf'is-read">\s*<a href="/articles/{flixo}"', bob.get("/").text)


@pytest.mark.parametrize("path", ["/logout", "/articles/1/save", "/comments/1/hide", "/subscriptions/import"])
def test_forms_answer_only_posts(store: Store, path: str) -> None:
    response = client(store).get(path)
    assert response.status_code == 405
    assert "Method not allowed" in response.text


def test_front_page_ranking_is_shared_but_counts_and_marks_are_fresh(store: Store, ada: TestClient) -> None:
    flixo = find_article(store, "Streaming app Flixo")
    before = _text(ada.get("/").text)  # ranks and caches the page
    assert "1 publisher · 1 copy · 1 comment" not in before
    _comment(ada, flixo, "fresh")
    ada.get(f"/articles/{flixo}")  # read
    page = ada.get("/").text
    assert "Streaming app Flixo fined €12m over hidden subscription fees" in _text(page)
    assert re.search(rf'is-read">\s*<a href="/articles/{flixo}"', page)
    text = _text(page)
    start = text.index("Streaming app Flixo")
    assert "1 comment" in text[start : start + 300]
