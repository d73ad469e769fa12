"""Line-based extraction on pages of three invented aggregators, each with its own template (see
tests/data/dumps/README.md): the same rules that read the seed pages, no site named in the code."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Any

import pytest

from tests.conftest import DUMPS, REPO
from tidings.extract import SiteTemplate, extract_text, learn_shapes
from tidings.extract.dates import find_time
from tidings.extract.teasers import cut_inline_teasers
from tidings.models import Copy

FETCHED = datetime(2025, 7, 2, 12, tzinfo=UTC)
SITES = sorted(p.name for p in DUMPS.iterdir() if p.is_dir())


def fold(text: str | None) -> str:
    text = (text or "").replace("‘", "'").replace("’", "'").replace("“", '"').replace("”", '"')
    return re.sub(r"\s+", " ", text).strip()


def pages() -> list[tuple[str, str, dict[str, Any]]]:
    cases = []
    for site in SITES:
        expected = json.loads((DUMPS / site / "expected.json").read_text(encoding="utf-8"))
        for page, copies in expected["pages"].items():
            cases.append(
                (
                    site,
                    page,
                    {"site": expected["site"], "copies": copies, "never": expected["never_in_any_body"]},
                )
            )
    return cases


@pytest.mark.parametrize(("site", "page", "expected"), pages(), ids=lambda v: v if isinstance(v, str) else "")
def test_page(site: str, page: str, expected: dict[str, Any]) -> None:
    text = (DUMPS / site / page).read_text(encoding="utf-8")
    got = extract_text(text, FETCHED, expected["site"])
    assert [fold(c.title) for c in got] == [fold(c["title"]) for c in expected["copies"]]
    for copy, want in zip(got, expected["copies"], strict=True):
        _check_copy(copy, want)
        shown = "\n".join([copy.title or "", copy.dek or "", *copy.body]).casefold()
        for chrome in expected["never"]:
            assert chrome.casefold() not in shown, chrome


def _check_copy(copy: Copy, want: dict[str, Any]) -> None:
    assert fold(copy.dek) == fold(want["dek"])
    assert copy.publisher == want["publisher"]
    assert copy.author == want["author"]
    assert (copy.published_at.isoformat() if copy.published_at else None) == want["published_at"]
    assert [fold(p) for p in copy.body] == [fold(p) for p in want["body"]]
    assert copy.truncated == want.get("truncated", False)


def test_publisher_glued_to_relative_time() -> None:
    text = "A headline that is long enough\nA headline that is long enough\nThe Daily Planet4 hours ago\n" + (
        "This is the first paragraph of the article, and it is long enough to be prose.\n" * 3
    )
    (copy,) = extract_text(text, FETCHED, "Aggregator")
    assert copy.publisher == "The Daily Planet"
    assert copy.published_at == datetime(2025, 7, 2, 8, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("15 hours ago", datetime(2025, 7, 1, 21, tzinfo=UTC)),
        ("time2 hours ago", datetime(2025, 7, 2, 10, tzinfo=UTC)),
        ("Updated 45 minutes ago", datetime(2025, 7, 2, 11, 15, tzinfo=UTC)),
        ("an hour ago", datetime(2025, 7, 2, 11, tzinfo=UTC)),
        ("5h ago", datetime(2025, 7, 2, 7, tzinfo=UTC)),
        ("vor 3 Stunden", datetime(2025, 7, 2, 9, tzinfo=UTC)),
        ("il y a 2 jours", datetime(2025, 6, 30, 12, tzinfo=UTC)),
        ("Yesterday at 14:30", datetime(2025, 7, 1, 14, 30, tzinfo=UTC)),
        ("The Ledger • 12 June 2025, 14:30 GMT", datetime(2025, 6, 12, 14, 30, tzinfo=UTC)),
        ("2025-07-01T21:00:00Z", datetime(2025, 7, 1, 21, tzinfo=UTC)),
        ("Jul 1, 2025", datetime(2025, 7, 1, tzinfo=UTC)),
    ],
)
def test_times(text: str, expected: datetime) -> None:
    found = find_time(text, FETCHED)
    assert found is not None
    assert found.when == expected


def test_a_name_with_today_is_not_a_date() -> None:
    assert find_time("Russia Today", FETCHED) is None
    assert find_time("USA Today", FETCHED) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Read more Another headline here”That’s what he said to reporters on Monday.",
            "”That’s what he said to reporters on Monday.",
        ),
        ("He scored twice.READ ALSO The long road back from relegation", "He scored twice."),
        (
            "READ ALSO Mortgage approvals rise for third month in a rowAnnual inflation fell to 2.6% in May.",
            "Annual inflation fell to 2.6% in May.",
        ),
        (
            "Watch this space, analysts said on Monday after the vote.",
            "Watch this space, analysts said on Monday after the vote.",
        ),
        ("McDonald’s said it would open 40 restaurants.", "McDonald’s said it would open 40 restaurants."),
    ],
)
def test_inline_teasers(text: str, expected: str) -> None:
    assert cut_inline_teasers(text)[0] == expected


def test_template_line_with_the_headline_in_it_is_learned() -> None:
    footers = [
        "many thanks for reading ( first headline here )",
        "many thanks for reading ( another one entirely )",
    ]
    template = SiteTemplate(shapes=learn_shapes([footers]))
    assert template.slot("Many thanks for reading ( A third Headline, with words )") == (
        "A third Headline, with words"
    )
    page = (
        "Intro line that is not a headline at all\n"
        + ("Body text of the article goes here and it is long enough to be prose.\n" * 3)
        + "Many thanks for reading ( The Real Headline Of This Page )"
    )
    (copy,) = extract_text(page, FETCHED, "Site", template)
    assert copy.title == "The Real Headline Of This Page"
    assert all("thanks" not in p for p in copy.body)


def test_nothing_names_a_seed_site() -> None:
    source = "\n".join(p.read_text(encoding="utf-8") for p in (REPO / "src" / "tidings").rglob("*.py"))
    for name in ("pressbee", "daily8", "russia today", "harbornews", "briefly24", "wirely"):
        assert name not in source.casefold()


def test_headline_without_a_byline_above_an_untitled_body() -> None:
    page = (
        "World Business Science Sport Weather Opinion\n"
        "Council approves the new tram line\n"
        "The vote ends a decade of debate over how to link the eastern suburbs to the centre\n"
        + "Paragraph text of the article that is long enough to be read as prose here.\n"
        * 3
    )
    (copy,) = extract_text(page, FETCHED, "Site")
    assert copy.title == "Council approves the new tram line"
    assert copy.dek == "The vote ends a decade of debate over how to link the eastern suburbs to the centre"


def test_hard_wrapped_paragraphs_are_joined() -> None:
    page = (
        "A headline for the wrapped page\nA headline for the wrapped page\n2 hours ago\n\n"
        "The first paragraph was wrapped by the scraper at a fixed width so that\n"
        "it continues on the next line, which starts in lower case.\n\n"
        "The second paragraph is on one line and ends like a sentence should end.\n"
    )
    (copy,) = extract_text(page, FETCHED, "Site")
    assert copy.body[0] == (
        "The first paragraph was wrapped by the scraper at a fixed width so that it continues on the next "
        "line, which starts in lower case."
    )
    assert len(copy.body) == 2


def _headed_page(*top: str) -> str:
    body = "Paragraph text of the article that is long enough to be read as prose here.\n" * 3
    return "\n".join([*top, "By Ann Example", "Coastal Wire • 2 July 2025, 09:00 GMT"]) + "\n" + body


@pytest.mark.parametrize("crumb", ["Wirely › Sports", "News » World » Europe", "Home > Business > Markets"])
def test_a_breadcrumb_is_never_the_headline_even_when_the_site_is_unknown(crumb: str) -> None:
    page = _headed_page(crumb, "Harbour board votes to close the old ferry terminal")
    (copy,) = extract_text(page, FETCHED, None)
    assert copy.title == "Harbour board votes to close the old ferry terminal"
    assert crumb not in "\n".join([copy.dek or "", *copy.body])


def test_a_headline_with_an_arrow_in_a_sentence_stays() -> None:
    (copy,) = extract_text(
        _headed_page("Inflation > 5% for a third month as energy bills climb again"), FETCHED, None
    )
    assert copy.title == "Inflation > 5% for a third month as energy bills climb again"
