"""Acceptance: the two seed pages, ingested in either order, give exactly what expected.json says."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from tests.conftest import DATA, SEEDS, CliRun, export, seed_path

_EXPECTED_PATH = SEEDS / "expected.json" if SEEDS.name == "seeds" else DATA / "seeds-expected.json"
EXPECTED = json.loads(_EXPECTED_PATH.read_text(encoding="utf-8"))


def fold(text: str | None) -> str:
    """The comparison the seeds' README asks for: typographic quotes to straight, white space collapsed."""
    text = (text or "").replace("‘", "'").replace("’", "'").replace("“", '"').replace("”", '"')
    return re.sub(r"\s+", " ", text).strip()


def ingest_seeds(tidings: CliRun, order: list[dict[str, str]]) -> list[dict[str, Any]]:
    for entry in order:
        result = tidings(
            "ingest",
            seed_path(entry["file"]),
            "--site",
            entry["site"],
            "--fetched-at",
            EXPECTED["fetched_at"],
        )
        assert result.exit_code == 0, result.output
    return export(tidings)


ORDERS = {"pressbee-first": EXPECTED["ingest"], "daily8-first": list(reversed(EXPECTED["ingest"]))}


@pytest.fixture(params=list(ORDERS))
def articles(request: pytest.FixtureRequest, tidings: CliRun) -> list[dict[str, Any]]:
    return ingest_seeds(tidings, ORDERS[request.param])


def by_title(articles: list[dict[str, Any]], title: str) -> dict[str, Any]:
    found = [a for a in articles if fold(a["title"]) == fold(title)]
    assert len(found) == 1, f"{title!r}: {[a['title'] for a in articles]}"
    return found[0]


def test_exactly_the_expected_articles(articles: list[dict[str, Any]]) -> None:
    assert sorted(fold(a["title"]) for a in articles) == sorted(
        fold(e["title"]) for e in EXPECTED["articles"]
    )


def test_each_article_matches(articles: list[dict[str, Any]]) -> None:
    for expected in EXPECTED["articles"]:
        got = by_title(articles, expected["title"])
        assert got["publisher"] == expected["publisher"]
        assert got["published_at"] == expected["published_at"]
        assert sorted(c["site"] for c in got["copies"]) == sorted(expected["copies"])
        if "dek" in expected:
            assert fold(got["dek"]) == fold(expected["dek"])
        if "body" in expected:
            assert [fold(p) for p in got["body"]] == [fold(p) for p in expected["body"]]
        if "body_starts" in expected:
            assert fold(" ".join(got["body"])).startswith(fold(expected["body_starts"]))
        assert got["story_id"] is not None
        assert got["language"] == "en"


def test_no_chrome_anywhere(articles: list[dict[str, Any]]) -> None:
    for article in articles:
        text = "\n".join([article["title"] or "", article["dek"] or "", *article["body"]])
        for chrome in EXPECTED["never_in_any_body"]:
            assert chrome not in text, f"{chrome!r} in {article['title']!r}"


def test_copies_record_what_each_site_did(articles: list[dict[str, Any]]) -> None:
    ceasefire = by_title(articles, EXPECTED["articles"][0]["title"])
    changes = {c["site"]: c["changes"] for c in ceasefire["copies"]}
    assert "teaser inserted" in changes["PressBee"]
    assert "teaser inserted" not in changes["Daily8"]
    for copy in ceasefire["copies"]:
        assert copy["fetched_at"] == "2025-07-02T12:00:00+00:00"
        assert copy["path"]


def test_typography_is_the_best_the_copies_offer(articles: list[dict[str, Any]]) -> None:
    ceasefire = by_title(articles, EXPECTED["articles"][0]["title"])
    assert ceasefire["title"] == EXPECTED["articles"][0]["title"]  # ‘first step’ mended, not ‘first step'
    assert ceasefire["body"][4].startswith("“That’s the position")  # the spliced teaser turned this mark


def test_both_orders_give_the_same_articles(tidings: CliRun) -> None:
    first = ingest_seeds(tidings, ORDERS["pressbee-first"])
    assert ingest_seeds(tidings, ORDERS["daily8-first"]) == first  # a second ingest changes nothing
