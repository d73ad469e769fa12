"""The reader in a real browser: headless Chromium (Debian's `chromium`, driven by Playwright) against
`uvicorn` serving the app on 127.0.0.1 over a SQLite store with the bundled sample.

A reader signs up, reads an article, compares a copy, comments, saves, searches and reads offline; the
front page and an article page are photographed at phone and desktop widths into `test-artifacts/`. An
XSS corpus planted in every field that comes from outside must never run a script, with the CSP
enforced and with it bypassed (so escaping alone is tested too).
"""

from __future__ import annotations

import json
import shutil
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import uvicorn
from sqlalchemy import insert, select, update

from tests.conftest import REPO
from tests.web_support import CHEAP_HASHER, PASSWORD, sample_store
from tidings import settings
from tidings.store import Store
from tidings.store import schema as t
from tidings.web import create_app

CHROMIUM = shutil.which("chromium")
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (`.ci/run` installs it in CI)"),
]
ARTIFACTS = REPO / "test-artifacts"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
HEATWAVE = "Heatwave warning extended"

# Every payload calls __xss(), which the page's init script defines: if any of them runs, the flag is set.
XSS = (
    "<script>__xss()</script>",
    "<img src=x onerror=__xss()>",
    "<svg onload=__xss()>",
    "<svg><script>__xss()</script></svg>",
    '"><script>__xss()</script>',
    "'><img src=x onerror=__xss()>",
    '<a href="javascript:__xss()" id=xsslink>click</a>',
    '<iframe src="javascript:__xss()"></iframe>',
    '<iframe srcdoc="<script>parent.__xss()</script>"></iframe>',
    "<body onload=__xss()>",
    "<details open ontoggle=__xss()>",
    "<input autofocus onfocus=__xss()>",
    "<style>@import 'javascript:__xss()';</style><div style=\"background:url(javascript:__xss())\">",
    "<math><mtext><table><mglyph><style><img src=x onerror=__xss()>",
    "<scr<script>ipt>__xss()</scr</script>ipt>",
    "&lt;script&gt;__xss()&lt;/script&gt;",
    "%3Cscript%3E__xss()%3C/script%3E",
    '<a href="&#106;avascript:__xss()">x</a><a href="jav&#x09;ascript:__xss()">y</a>',
    '<object data="javascript:__xss()"></object><embed src="javascript:__xss()">',
    '<base href="javascript:__xss()//"><meta http-equiv="refresh" content="0;url=javascript:__xss()">',
    '<form action="javascript:__xss()"><button id=xssbutton>go</button></form>',
    "{{ __xss() }} ${__xss()} {% raw %}",
    "\u202e<script>__xss()</script>",
)
PAYLOAD = " ".join(XSS)
INIT_SCRIPT = "window.__xss = () => { window.__xssFired = (window.__xssFired || 0) + 1; };"


@dataclass
class Server:
    url: str
    store: Store
    root_article: int
    hostile_article: int


def _plant_hostile(store: Store) -> tuple[int, int]:
    """An article whose every outside field carries the corpus, in a story with a clean one."""
    with store.engine.begin() as c:
        clean = c.execute(select(t.articles.c.id).where(t.articles.c.title.like(f"{HEATWAVE}%"))).scalar_one()
        story = c.execute(select(t.articles.c.story_id).where(t.articles.c.id == clean)).scalar_one()
        doc = c.execute(
            insert(t.documents).values(
                sha256="f" * 64,
                site="Evil<script>__xss()</script>Site",
                url="javascript:__xss()",
                path=None,
                kind="text",
                encoding="utf-8",
                fetched_at=c.execute(select(t.documents.c.fetched_at)).scalars().first(),
                ingested_at=c.execute(select(t.documents.c.ingested_at)).scalars().first(),
                content=PAYLOAD.encode(),
            )
        ).inserted_primary_key[0]
        now = c.execute(select(t.articles.c.created_at)).scalars().first()
        article = c.execute(
            insert(t.articles).values(
                title=f"Heatwave {XSS[0]} {XSS[1]}",
                dek=PAYLOAD,
                body=json.dumps([PAYLOAD, "heatwave second paragraph"]),
                publisher=f"Publisher {XSS[2]}",
                author=f"Author {XSS[5]}",
                published_at=now,
                language='en" onmouseover="__xss()',
                image="javascript:__xss()",
                story_id=story,
                created_at=now,
                updated_at=now,
            )
        ).inserted_primary_key[0]
        for position, url in enumerate(("javascript:__xss()", 'https://evil.example/"onmouseover="__xss()')):
            copy_doc = doc
            if position:
                copy_doc = c.execute(
                    insert(t.documents).values(
                        sha256="e" * 64,
                        site=f"Feed {XSS[6]}",
                        url=url,
                        kind="text",
                        encoding="utf-8",
                        fetched_at=now,
                        ingested_at=now,
                        content=b"x",
                    )
                ).inserted_primary_key[0]
            c.execute(
                insert(t.copies).values(
                    document_id=copy_doc,
                    position=0,
                    article_id=article,
                    title=f"Retitled {XSS[3]}",
                    dek=None,
                    body=json.dumps([XSS[4]]),
                    truncated=False,
                    extract_changes="[]",
                    changes='["retitled", "<script>__xss()</script>"]',
                    shingles=b"",
                )
            )
        c.execute(update(t.stories).where(t.stories.c.id == story).values(title=f"Story {XSS[1]}"))
        # A feed whose every field is hostile, as a feed could name itself or a fetch could fail.
        c.execute(
            insert(t.sources).values(
                url='https://feed.example/rss?x="><script>__xss()</script>',
                kind="feed",
                title=f"Feed {XSS[0]} {XSS[2]}",
                site_url="javascript:__xss()",
                category=f"News/{XSS[1]}",
                added_at=now,
                status="error",
                last_result=XSS[3],
                last_error=f"HTTP 500 {XSS[6]}",
                failures=2,
            )
        )
    return clean, int(article)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    folder = tmp_path_factory.mktemp("browser")
    path = sample_store(folder)
    store = Store(f"sqlite:///{path}")
    clean, hostile = _plant_hostile(store)
    conf = settings.load({"db": store.url}, environ={})
    app = create_app(store, conf, password_hasher=CHEAP_HASHER)
    config = uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="off")
    running = uvicorn.Server(config)
    thread = threading.Thread(target=running.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not running.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.02)
    port = running.servers[0].sockets[0].getsockname()[1]
    yield Server(url=f"http://127.0.0.1:{port}", store=store, root_article=clean, hostile_article=hostile)
    running.should_exit = True
    thread.join(timeout=10)
    store.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield launched
        launched.close()


class Watch:
    """What a page did that it must not: dialogs, script run by a payload, CSP violations, page errors."""

    def __init__(self, page: Any) -> None:
        self.dialogs: list[str] = []
        self.console: list[str] = []
        self.errors: list[str] = []
        page.on("dialog", self._dialog)
        page.on("console", lambda message: self.console.append(message.text))
        page.on("pageerror", lambda error: self.errors.append(str(error)))

    def _dialog(self, dialog: Any) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def csp_violations(self) -> list[str]:
        return [m for m in self.console if "Content Security Policy" in m]


def _new_page(
    browser: Any, *, viewport: dict[str, int] = DESKTOP, bypass_csp: bool = False
) -> tuple[Any, Any]:
    context = browser.new_context(viewport=viewport, bypass_csp=bypass_csp, service_workers="allow")
    context.add_init_script(INIT_SCRIPT)
    return context, context.new_page()


def _shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name), full_page=True)


# The reader's journey --------------------------------------------------------------------------------------


def test_reader_journey(browser: Any, server: Server) -> None:
    context, page = _new_page(browser)
    watch = Watch(page)
    try:
        page.goto(server.url + "/")
        assert page.locator("h1").first.text_content() == "Top stories"
        # Keyboard: the first Tab reaches the skip link, which leads to the content.
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.className") == "skip-link"

        page.get_by_role("link", name="Sign up").first.click()
        page.get_by_label("User name").fill("reader1")
        page.get_by_label("Password", exact=True).fill(PASSWORD)
        page.get_by_label("Password again").fill(PASSWORD)
        page.get_by_role("button", name="Create account").click()
        page.wait_for_url(server.url + "/")
        assert "reader1" in page.locator(".account-links").inner_text()

        page.get_by_role("link", name=f"{HEATWAVE} as forecasters warn of ‘exceptional’ 38C").first.click()
        page.wait_for_url(f"**/articles/{server.root_article}")
        assert page.locator("h1").inner_text().startswith(HEATWAVE)
        assert "The Northern Ledger" in page.locator(".byline").inner_text()

        # The copies, and what one of them did: Wirely cut the article short.
        carried = page.locator(".copies")
        assert "Wirely" in carried.inner_text()
        carried.locator(".copy", has_text="Wirely").get_by_role("link", name="Compare").click()
        assert "What Wirely did to this article" in page.locator("h1").inner_text()
        assert page.locator(".diff-body del").count() >= 1
        page.go_back()

        # A comment, in markdown-lite.
        page.get_by_label("Your comment").fill("Stay *cool*, everyone. **Water** first.")
        page.get_by_role("button", name="Post comment").click()
        comment = page.locator(".comment").last
        assert comment.locator("em").inner_text() == "cool"
        assert comment.locator("strong").inner_text() == "Water"

        # Save it, find it among the saved, and let the service worker keep it for offline reading.
        page.get_by_role("button", name="Save for later").click()
        assert page.get_by_role("button", name="Saved ✓ — remove").is_visible()
        page.get_by_role("link", name="Saved").click()
        assert HEATWAVE in page.locator(".saved-list").inner_text()
        page.wait_for_selector("[data-offline-ready='1']", timeout=15_000)

        # Search from the header.
        page.get_by_label("Search articles").fill("chlorine")
        page.get_by_label("Search articles").press("Enter")
        page.wait_for_url("**/search?q=chlorine")
        assert page.locator(".search-results mark").first.inner_text().lower() == "chlorine"

        # Offline: the saved article is still there; another page gives the offline page.
        context.set_offline(True)
        page.goto(f"{server.url}/articles/{server.root_article}")
        assert page.locator("h1").inner_text().startswith(HEATWAVE)
        page.goto(f"{server.url}/search?q=offline")
        assert page.locator("h1").inner_text() == "You are offline"
        context.set_offline(False)

        assert watch.dialogs == []
        assert watch.errors == []
        assert watch.csp_violations() == []
    finally:
        context.close()


@pytest.mark.parametrize(("width", "viewport"), [("phone", PHONE), ("desktop", DESKTOP)])
def test_screenshots(browser: Any, server: Server, width: str, viewport: dict[str, int]) -> None:
    for scheme in ("light", "dark"):
        context = browser.new_context(viewport=viewport, color_scheme=scheme)
        page = context.new_page()
        watch = Watch(page)
        try:
            for name, path in (("front", "/"), ("article", f"/articles/{server.root_article}")):
                page.goto(server.url + path)
                # Nothing wider than the screen: no sideways scrolling on a phone.
                assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
                _shot(page, f"{name}-{width}-{scheme}.png")
            assert watch.csp_violations() == []
        finally:
            context.close()
    assert (ARTIFACTS / f"front-{width}-light.png").stat().st_size > 10_000


# XSS --------------------------------------------------------------------------------------------------------


def _hostile_paths(server: Server) -> list[str]:
    with server.store.engine.connect() as c:
        copies = list(
            c.execute(select(t.copies.c.id).where(t.copies.c.article_id == server.hostile_article)).scalars()
        )
    return [
        "/",
        f"/articles/{server.hostile_article}",
        f"/articles/{server.root_article}",
        *(f"/articles/{server.hostile_article}/copies/{copy}" for copy in copies),
        "/search?q=heatwave",
        "/search?q=" + "%3Cscript%3E__xss()%3C%2Fscript%3E",
        "/sources/" + "Evil%3Cscript%3E__xss()%3C%2Fscript%3ESite",
        "/publishers/" + "Publisher%20%3Csvg%20onload%3D__xss()%3E",
        "/saved",
        "/subscriptions",
    ]


def _assert_inert(page: Any) -> None:
    """No element carries an event handler or a script URL, and the only scripts are ours."""
    found = page.evaluate(
        """() => {
            const bad = [];
            for (const el of document.querySelectorAll('*')) {
                for (const attr of el.attributes) {
                    const value = attr.value.trim().toLowerCase();
                    const handler = attr.name.startsWith('on') || attr.name === 'srcdoc';
                    if (handler || value.startsWith('javascript:')) {
                        bad.push(el.tagName + ' ' + attr.name + '=' + attr.value);
                    }
                }
            }
            for (const s of document.scripts) {
                const ours = s.src && new URL(s.src).pathname === '/static/tidings.js';
                if (!ours) bad.push('script ' + s.outerHTML);
            }
            const never = ['iframe', 'object', 'embed', 'base', 'svg script', 'img', 'meta[http-equiv]'];
            for (const tag of never) {
                for (const el of document.querySelectorAll(tag)) bad.push(el.outerHTML);
            }
            return bad;
        }"""
    )
    assert found == []


@pytest.mark.parametrize("bypass_csp", [False, True], ids=["csp", "escaping-alone"])
def test_xss_corpus_never_runs(browser: Any, server: Server, bypass_csp: bool) -> None:
    context, page = _new_page(browser, bypass_csp=bypass_csp)
    watch = Watch(page)
    try:
        # A signed-in reader posts the corpus as comments and saves the hostile article.
        page.goto(server.url + "/signup")
        page.get_by_label("User name").fill(f"xss{int(bypass_csp)}")
        page.get_by_label("Password", exact=True).fill(PASSWORD)
        page.get_by_label("Password again").fill(PASSWORD)
        page.get_by_role("button", name="Create account").click()
        page.goto(f"{server.url}/articles/{server.hostile_article}")
        for payload in (PAYLOAD, "[link](javascript:__xss()) <a href=javascript:__xss()>a</a>"):
            page.get_by_label("Your comment").fill(payload)
            page.get_by_role("button", name="Post comment").click()
        page.get_by_role("button", name="Save for later").click()
        for path in _hostile_paths(server):
            page.goto(server.url + path)
            page.wait_for_load_state("load")
            # Interact the way a reader would: hover, focus and click what is there.
            for selector in ("main a", "main button", "main input"):
                for element in page.locator(selector).all()[:15]:
                    box = element.bounding_box()
                    if element.is_visible() and box is not None and box["y"] >= 0:
                        element.hover(timeout=2000)
            page.keyboard.press("Tab")
            _assert_inert(page)
            assert page.evaluate("window.__xssFired") is None, path
        page.goto(f"{server.url}/articles/{server.hostile_article}")
        assert "<script>__xss()</script>" in page.locator("h1").inner_text()  # shown, as text
        assert watch.dialogs == []
        assert watch.csp_violations() == []
    finally:
        context.close()
