"""`tidings extract`: one result per input in four formats, files of every readable kind, URLs through a
real HTTP server on loopback, and a clear one-line error for every input that cannot be read."""

from __future__ import annotations

import gzip
import http.server
import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from tests.conftest import DUMPS
from tidings.cli import main

TITLE = "Council approves the eastern tram line"
PARAGRAPHS = [
    "The city council voted on Tuesday to extend the tram line to the eastern suburbs, ending a decade "
    "of debate over how to link the new districts with the centre.",
    "Construction is due to start next spring and the first trams should run within three years, the "
    "transport department said in a statement after the vote.",
]
PAGE = f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{TITLE} | Herald</title>
<meta property="og:site_name" content="The Example Herald">
<meta property="article:published_time" content="2025-07-01T09:30:00+00:00">
<meta name="author" content="Anna Keller"></head>
<body><nav><a href="/">Home</a> <a href="/news">News</a></nav>
<article><h1>{TITLE}</h1><p>{PARAGRAPHS[0]}</p><h2>What happens next</h2><ul><li>Planning in autumn</li></ul>
<blockquote><p>A great day for the east, said the mayor.</p></blockquote><p>{PARAGRAPHS[1]}</p></article>
<footer>© 2025 The Example Herald</footer></body></html>"""


def run(*args: str | Path, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(main, ["extract", *map(str, args)], env=env, catch_exceptions=False)


def lines(result: Result) -> list[dict[str, Any]]:
    return [json.loads(line) for line in result.stdout.splitlines() if line.strip()]


@pytest.fixture
def page(tmp_path: Path) -> Path:
    path = tmp_path / "page.html"
    path.write_text(PAGE, encoding="utf-8")
    return path


def test_jsonl_fields(page: Path) -> None:
    result = run(page, "--url", "https://herald.example/tram")
    assert result.exit_code == 0, result.output
    (item,) = lines(result)
    assert item["path"] == str(page)
    assert item["url"] == "https://herald.example/tram"
    assert item["title"] == TITLE
    assert item["body"][0] == PARAGRAPHS[0]
    assert item["body"][-1] == PARAGRAPHS[1]
    assert item["author"] == "Anna Keller"
    assert item["publisher"] == "The Example Herald"
    assert item["published_at"] == "2025-07-01T09:30:00+00:00"
    assert item["language"] == "en"
    assert item["canonical_url"] == "https://herald.example/tram"
    for key in ("dek", "image", "error"):
        assert key in item
    assert "Home" not in " ".join(item["body"])


def test_gzip_htm_and_text_dump(tmp_path: Path) -> None:
    gz = tmp_path / "page.htm.gz"
    gz.write_bytes(gzip.compress(PAGE.encode("utf-8")))
    dump = DUMPS / "harbornews" / "page1.txt"
    expected = json.loads((DUMPS / "harbornews" / "expected.json").read_text(encoding="utf-8"))
    result = run(gz, dump, "--fetched-at", "2025-07-02T12:00:00+00:00")
    assert result.exit_code == 0, result.output
    html_item, dump_item = lines(result)
    assert html_item["title"] == TITLE
    assert dump_item["path"] == str(dump)
    assert dump_item["title"] == expected["pages"]["page1.txt"][0]["title"]
    assert dump_item["body"]


def test_json_text_and_markdown(page: Path) -> None:
    as_json = json.loads(run(page, "--format", "json").stdout)
    assert [item["title"] for item in as_json] == [TITLE]
    text = run(page, "--format", "text").stdout
    assert text.startswith(f"==> {page} <==\n{TITLE}\n")
    assert PARAGRAPHS[1] in text
    markdown = run(page, "--format", "markdown").stdout
    assert f"# {TITLE}" in markdown
    assert "## What happens next" in markdown
    assert "- Planning in autumn" in markdown
    assert "> A great day for the east, said the mayor." in markdown


def test_bad_inputs_get_one_line_errors_and_the_rest_goes_on(page: Path, tmp_path: Path) -> None:
    empty = tmp_path / "empty.html"
    empty.write_bytes(b"")
    binary = tmp_path / "binary.html"
    binary.write_bytes(bytes(range(256)) * 64)
    corrupt = tmp_path / "corrupt.html.gz"
    corrupt.write_bytes(b"\x1f\x8b" + b"not gzip at all")
    nothing = tmp_path / "nothing.html"
    nothing.write_text("<html><body><nav><a href='/'>Home</a></nav></body></html>", encoding="utf-8")
    missing = tmp_path / "missing.html"
    result = run(empty, binary, corrupt, missing, nothing, page)
    assert result.exit_code == 1
    items = lines(result)
    assert [i["path"] for i in items] == [str(p) for p in (empty, binary, corrupt, missing, nothing, page)]
    errors = [i["error"] for i in items]
    assert errors[0] == "empty file"
    assert "binary" in errors[1]
    assert "gzip" in errors[2]
    assert errors[3] == "no such file or directory"
    assert errors[4] == "no article text found"  # read, but no article: a result, not a failure
    assert errors[5] is None
    assert items[5]["title"] == TITLE
    complaints = result.stderr.splitlines()
    assert len(complaints) == 4
    assert all(c.startswith("tidings: ") and ": " in c[9:] for c in complaints)


def test_a_wrong_charset_declaration(tmp_path: Path) -> None:
    page = tmp_path / "latin.html"
    text = PAGE.replace('charset="utf-8"', 'charset="iso-8859-1"').replace(
        PARAGRAPHS[0], "Grüße aus Köln – die Straßenbahn fährt bald in den Osten der Stadt, sagte der Rat."
    )
    page.write_bytes(text.encode("utf-8"))
    (item,) = lines(run(page))
    assert item["body"][0].startswith("Grüße aus Köln – die Straßenbahn")


def test_a_folder_is_read_recursively(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "one.html").write_text(PAGE, encoding="utf-8")
    (tmp_path / "two.htm").write_text(PAGE, encoding="utf-8")
    (tmp_path / "ignored.png").write_bytes(b"\x89PNG")
    items = lines(run(tmp_path))
    assert sorted(Path(i["path"]).name for i in items) == ["one.html", "two.htm"]


class _Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        if self.path == "/article":
            body = PAGE.encode("utf-8")
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        else:
            self.send_error(404)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[str]:
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_urls_are_fetched(server: str) -> None:
    env = {"TIDINGS_FETCH_ALLOW_HOSTS": "127.0.0.1"}
    result = run(f"{server}/article", f"{server}/missing", env=env)
    assert result.exit_code == 1
    found, missing = lines(result)
    assert found["url"] == f"{server}/article"
    assert found["title"] == TITLE
    assert "404" in missing["error"]


def test_loopback_is_refused_unless_allowed(server: str) -> None:
    result = run(f"{server}/article", env={"TIDINGS_FETCH_ALLOW_HOSTS": ""})
    assert result.exit_code == 1
    assert "refused" in lines(result)[0]["error"]


def test_ingest_learns_an_html_sites_chrome(tmp_path: Path, db_url: str) -> None:
    """Through the pipeline: a line every page of a site carries is learned from its first pages and
    dropped from the next one's article (no rule names it)."""
    promo = "Herald reporters across the region"
    stories = {
        "tram line": "Trams will reach the eastern suburbs by 2028 after councillors backed the plan",
        "harbour bridge": "Engineers found rust in three girders of the old harbour bridge last winter",
        "school budget": "Every primary school gets two more teaching assistants under next year's budget",
    }
    for i, (topic, lead) in enumerate(stories.items()):
        words = lead.split()
        body = "".join(
            f"<p>{' '.join(words[k:] + words[:k])}, officials said on day {k} of the {topic} debate.</p>"
            for k in range(4)
        )
        article = PAGE[PAGE.index("<article>") : PAGE.index("</article>")]
        page = PAGE.replace(article, f"<article><h1>{TITLE}</h1>{body}<p>{promo}</p>").replace(
            TITLE, f"Council decides on the {topic}"
        )
        (tmp_path / f"page{i}.html").write_text(page, encoding="utf-8")
    runner = CliRunner()
    for i in range(3):
        result = runner.invoke(
            main, ["ingest", str(tmp_path / f"page{i}.html"), "--site", "herald", "--db", db_url]
        )
        assert result.exit_code == 0, result.output
    exported = runner.invoke(main, ["export", "--db", db_url])
    articles = {a["title"]: a for a in map(json.loads, exported.stdout.splitlines())}
    assert promo in articles["Council decides on the tram line"]["body"]  # not yet known as chrome
    assert promo not in articles["Council decides on the school budget"]["body"]
