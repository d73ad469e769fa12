"""`tidings ingest` on bad input: one clear line naming the file, the rest of the batch ingested, exit 1,
nothing already stored changed."""

from __future__ import annotations

import gzip
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import CliRun, assert_two_workers_fold_as_one, export, seed_path

GOOD = "A headline for a small test page\n" + "\n".join(
    f"Paragraph {i} of the article says something long enough to count as prose for the extractor."
    for i in range(4)
)


@pytest.fixture
def stored(tidings: CliRun) -> list[dict[str, object]]:
    """A database that already holds the seed article."""
    result = tidings(
        "ingest",
        seed_path("001_ae48cccfe7820d61.txt"),
        "--site",
        "Daily8",
        "--fetched-at",
        "2025-07-02T12:00:00+00:00",
    )
    assert result.exit_code == 0
    return export(tidings)


def _assert_one_error(output: str, path: Path, reason: str) -> None:
    lines = [line for line in output.splitlines() if str(path) in line]
    assert len(lines) == 1, output
    assert reason in lines[0]


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("empty.txt", b"", "empty file"),
        ("blank.txt", b"  \n\n \t\n", "empty file"),
        ("binary.txt", bytes(range(256)) * 50, "binary"),
        ("image.html", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 200, "binary"),
        ("bomb.txt.gz", gzip.compress(b"a" * 30_000_000), "decompresses to more than"),
        ("broken.txt.gz", b"\x1f\x8b\x08\x00garbage", "corrupt gzip"),
    ],
)
def test_bad_file_reported_and_batch_goes_on(
    tidings: CliRun, stored: list[dict[str, object]], tmp_path: Path, name: str, content: bytes, reason: str
) -> None:
    bad = tmp_path / name
    bad.write_bytes(content)
    good = tmp_path / "good.txt"
    good.write_text(GOOD, encoding="utf-8")
    result = tidings("ingest", bad, good)
    assert result.exit_code == 1
    _assert_one_error(result.stderr, bad, reason)
    assert "1 failures" in result.stdout
    after = export(tidings)
    assert after[: len(stored)] == stored  # nothing already stored changed
    assert any(a["title"] == "A headline for a small test page" for a in after)


def test_file_over_the_size_limit(tidings: CliRun, tmp_path: Path) -> None:
    huge = tmp_path / "huge.txt"
    with huge.open("wb") as handle:
        handle.truncate(50 * 1024 * 1024)  # 50 MB, sparse: refused on its size before it is read
    result = tidings("ingest", huge)
    assert result.exit_code == 1
    _assert_one_error(result.stderr, huge, "too large")


def test_legacy_encoding_is_decoded(tidings: CliRun, tmp_path: Path) -> None:
    page = tmp_path / "cp1251.txt"
    text = "Заголовок новости о выборах в городе\n" + "\n".join(
        f"Абзац {i}: городской совет во вторник одобрил новый бюджет, и это длинное предложение."
        for i in range(4)
    )
    page.write_bytes(text.encode("cp1251"))
    result = tidings("ingest", page)
    assert result.exit_code == 0, result.output
    (article,) = export(tidings)
    assert article["body"][0].startswith("Абзац 0: городской совет")
    assert article["language"] == "ru"


def test_missing_path_and_unreadable_file_in_folder(tidings: CliRun, tmp_path: Path) -> None:
    folder = tmp_path / "batch"
    folder.mkdir()
    (folder / "good.txt").write_text(GOOD, encoding="utf-8")
    dangling = folder / "gone.txt"
    dangling.symlink_to(tmp_path / "nowhere.txt")
    fifo = folder / "pipe.txt"
    os.mkfifo(fifo)
    missing = tmp_path / "missing.txt"
    result = tidings("ingest", folder, missing)
    assert result.exit_code == 1
    _assert_one_error(result.stderr, missing, "no such file")
    _assert_one_error(result.stderr, dangling, "no such file")
    _assert_one_error(result.stderr, fifo, "not a regular file")
    assert "1 new articles" in result.stdout


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their mode")
def test_permission_denied(tidings: CliRun, tmp_path: Path) -> None:
    locked = tmp_path / "locked.txt"
    locked.write_text(GOOD, encoding="utf-8")
    locked.chmod(0)
    result = tidings("ingest", locked)
    assert result.exit_code == 1
    _assert_one_error(result.stderr, locked, "ermission denied")


def test_same_document_twice_changes_nothing(tidings: CliRun, stored: list[dict[str, object]]) -> None:
    result = tidings("ingest", seed_path("001_ae48cccfe7820d61.txt"), "--site", "Daily8")
    assert result.exit_code == 0
    assert "1 already stored" in result.stdout
    assert export(tidings) == stored


def test_bad_fetched_at_is_a_usage_error(tidings: CliRun, tmp_path: Path) -> None:
    result = tidings("ingest", tmp_path, "--fetched-at", "yesterday-ish")
    assert result.exit_code == 2
    assert "ISO-8601" in result.output


def test_fetch_time_defaults_to_file_mtime(tidings: CliRun, tmp_path: Path) -> None:
    page = tmp_path / "page.txt"
    page.write_text(
        "A headline of a page with a time\nA headline of a page with a time\n3 hours ago\n"
        + GOOD.split("\n", 1)[1],
        encoding="utf-8",
    )
    os.utime(page, (1751457600, 1751457600))  # 2025-07-02T12:00:00Z
    assert tidings("ingest", page).exit_code == 0
    (article,) = export(tidings)
    assert article["published_at"] == "2025-07-02T09:00:00+00:00"
    assert article["copies"][0]["fetched_at"] == "2025-07-02T12:00:00+00:00"


def test_html_page(tidings: CliRun, tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    page.write_text(
        "<!doctype html><html lang='en'><head><title>Ignored</title>"
        "<meta property='og:title' content='Harbour bridge reopens after repairs'>"
        "<meta property='og:site_name' content='The Example Courier'>"
        "<meta property='article:published_time' content='2025-07-01T08:00:00+00:00'></head><body>"
        "<nav><a href='/'>Home</a> <a href='/world'>World</a></nav><article><h1>Harbour bridge reopens</h1>"
        + "".join(
            f"<p>Paragraph {i} about the bridge, long enough to be read as a paragraph of prose.</p>"
            for i in range(3)
        )
        + "</article><footer>Share this story on social media</footer></body></html>",
        encoding="utf-8",
    )
    assert tidings("ingest", page, "--site", "courier").exit_code == 0
    (article,) = export(tidings)
    # The headline the page shows wins over the social-card title (the extractor measures titles that way).
    assert article["title"] == "Harbour bridge reopens"
    assert article["publisher"] == "The Example Courier"
    assert article["published_at"] == "2025-07-01T08:00:00+00:00"
    assert len(article["body"]) == 3
    assert "Share" not in " ".join(article["body"])


def test_console_script_and_module_entry_point(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'x.db'}"
    page = tmp_path / "page.txt"
    page.write_text(GOOD, encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "tidings", "ingest", str(page), "--db", db],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "1 new articles" in result.stdout
    missing = subprocess.run(
        [sys.executable, "-m", "tidings", "ingest", str(tmp_path / "nope"), "--db", db],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert missing.returncode == 1
    assert missing.stderr.strip().count("\n") == 0  # one line, no traceback
    assert "no such file" in missing.stderr


def test_bad_database_url() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "tidings", "export", "--db", "nosuchdb://x"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 1
    assert "cannot open database" in result.stderr
    assert "Traceback" not in result.stderr


def test_pages_without_a_site_do_not_share_a_template(tidings: CliRun) -> None:
    """Ingested with no --site and no URL, pages of different sites must not pool their lines: an article
    two sites carried would make its own headline look like template chrome."""
    from tidings.pipeline import SAMPLE_DIR

    result = tidings("ingest", SAMPLE_DIR)
    assert result.exit_code == 0, result.output
    titles = {a["title"] for a in export(tidings)}
    assert "Heatwave warning extended as forecasters warn of ‘exceptional’ 38C" in titles
    assert "Harbourline Airways to cut 1,200 jobs as fuel costs bite" in titles
    assert not [t for t in titles if "›" in t]


def test_two_workers_ingesting_at_once_into_one_sqlite_file(db_url: str, tmp_path: Path) -> None:
    assert_two_workers_fold_as_one(db_url, tmp_path)
