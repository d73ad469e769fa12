"""Quality gate for the enrich stage on the labelled sets (`tests/data/enrich/`, see its README).

Floors sit a little under the figures `tidings bench enrich` printed when they were set; raise them when
the rules improve, lower them only on purpose. The development set was in view while the rules were
written, so its floors are high; the held-out set's are the ones that say how the rules generalise.
"""

from __future__ import annotations

import pytest

from tidings import enrich
from tidings.bench.enrich import SETS, Counts, Scores, evaluate, load

FLOORS = {
    # set: {measure: (precision, recall)}
    "development": {
        "pairs": (0.95, 0.92),
        "quotes": (0.95, 0.90),
        "mentions": (0.94, 0.93),
        "PERSON": (0.90, 0.96),
        "PLACE": (0.96, 0.94),
        "ORG": (0.92, 0.82),
    },
    "held out": {
        "pairs": (0.80, 0.70),
        "quotes": (0.85, 0.70),
        "mentions": (0.88, 0.88),
        "PERSON": (0.90, 0.95),
        "PLACE": (0.92, 0.90),
        "ORG": (0.70, 0.65),
    },
}


@pytest.fixture(scope="module")
def scores() -> dict[str, Scores]:
    engine = enrich.load_engine("")
    return evaluate({name: load(path) for name, path in SETS.items()}, lambda a: enrich.enrich(a, engine))


def _measure(scores: Scores, name: str) -> Counts:
    if name == "pairs":
        return scores.pairs
    if name == "quotes":
        return scores.quotes
    if name == "mentions":
        return scores.all_mentions
    return scores.mentions[name]


@pytest.mark.parametrize(
    ("part", "name"), [(part, name) for part, floors in FLOORS.items() for name in floors]
)
def test_floor(scores: dict[str, Scores], part: str, name: str) -> None:
    counts = _measure(scores[part], name)
    precision, recall = FLOORS[part][name]
    assert counts.expected > 0
    assert counts.precision >= precision, f"{part} {name}: precision {counts.precision:.3f} < {precision}"
    assert counts.recall >= recall, f"{part} {name}: recall {counts.recall:.3f} < {recall}"


def test_sets_are_the_size_the_readme_says() -> None:
    sizes = {name: load(path) for name, path in SETS.items()}
    assert len(sizes["development"]) == 53
    assert sum(len(r["paragraphs"]) for r in sizes["development"]) == 61
    assert len(sizes["held out"]) == 22
    assert sum(len(r["paragraphs"]) for r in sizes["held out"]) == 25
