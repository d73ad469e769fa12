"""`tidings fold-report`: the articles several sites carried and what each did, for a database or for
files ingested on the spot; bad input reported one line per file, the rest reported."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import DUMPS, CliRun

FETCHED = "2025-07-02T12:00:00+00:00"


def _jsonl(output: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in output.splitlines() if line.startswith("{")]


def test_report_on_folders_names_sites_and_changes(tidings: CliRun) -> None:
    result = tidings("fold-report", DUMPS, "--site-from-folder", "--fetched-at", FETCHED)
    assert result.exit_code == 0, result.output
    heat = next(block for block in result.stdout.split("\n#") if "Heatwave warning extended" in block)
    assert "3 copies on 3 sites: briefly24, harbornews, wirely" in heat
    assert "- wirely: truncated" in heat
    assert "7 articles with 2 or more copies" in result.stderr


def test_report_on_the_database_as_json_lines(tidings: CliRun) -> None:
    for site in ("briefly24", "harbornews", "wirely"):
        assert tidings("ingest", DUMPS / site, "--site", site, "--fetched-at", FETCHED).exit_code == 0
    result = tidings("fold-report", "--format", "jsonl", "--min-copies", "3")
    assert result.exit_code == 0, result.output
    articles = _jsonl(result.stdout)
    assert len(articles) == 1
    copies = articles[0]["copies"]
    assert isinstance(copies, list)
    assert sorted(c["site"] for c in copies) == ["briefly24", "harbornews", "wirely"]
    assert {tuple(c["changes"]) for c in copies if c["site"] == "wirely"} == {("truncated",)}


def test_empty_corpus_reports_nothing(tidings: CliRun, tmp_path: Path) -> None:
    result = tidings("fold-report", tmp_path)
    assert result.exit_code == 0
    assert result.stdout == ""
    assert "0 articles with 2 or more copies" in result.stderr


def test_bad_files_reported_and_the_rest_still_folded(tidings: CliRun, tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    for site in ("briefly24", "wirely"):
        (corpus / site).mkdir(parents=True)
        for page in (DUMPS / site).glob("page*.txt"):
            (corpus / site / page.name).write_bytes(page.read_bytes())
    (corpus / "wirely" / "binary.txt").write_bytes(bytes(range(256)) * 40)
    (corpus / "wirely" / "empty.txt").write_bytes(b"")
    missing = tmp_path / "nowhere"
    result = tidings("fold-report", corpus, missing, "--site-from-folder", "--fetched-at", FETCHED)
    assert result.exit_code == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("tidings:")]
    assert len(errors) == 3, result.stderr
    assert "Halden Rovers end 41-year wait" in result.stdout  # carried by both sites: still found


def test_hostile_titles_cannot_drive_the_terminal(tidings: CliRun, tmp_path: Path) -> None:
    body = "\n".join(
        f"Paragraph {i} of the story says something long enough to count as prose for the extractor here."
        for i in range(5)
    )
    for site in ("one", "two"):
        (tmp_path / site).mkdir()
        title = "Evil \x1b[2J\x1b]0;pwned\x07 headline" if site == "one" else "Evil headline"
        (tmp_path / site / "page.txt").write_text(f"{title}\n\n{body}\n", encoding="utf-8")
    result = tidings("fold-report", tmp_path, "--site-from-folder", "--fetched-at", FETCHED)
    assert result.exit_code == 0, result.output
    assert "\x1b" not in result.stdout
    assert "\x07" not in result.stdout
    assert "2 copies on 2 sites: one, two" in result.stdout


@pytest.mark.parametrize("option", [("--min-copies", "0"), ("--format", "xml")])
def test_bad_options_are_refused(tidings: CliRun, option: tuple[str, str]) -> None:
    result = tidings("fold-report", *option)
    assert result.exit_code == 2
    assert "Invalid value" in result.output


def test_the_program_freezes_what_it_loaded_before_it_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    """`tidings` (the console script and `python -m tidings`) sets its loaded code aside from the
    garbage collector before the command runs: a long fold otherwise walks it at every full collection."""
    import tidings.cli

    calls: list[str] = []
    monkeypatch.setattr(tidings.cli.gc, "freeze", lambda: calls.append("freeze"))
    monkeypatch.setattr(tidings.cli, "main", lambda: calls.append("main"))
    tidings.cli.entry()
    assert calls == ["freeze", "main"]
