"""Quality gate for folding, on a small generated syndication corpus (the benchmark's generator, fixed
seed): the floors are pinned and may only be raised, or lowered on purpose with a reason in the commit.

`tidings bench fold` measures the same on larger corpora, beside datasketch."""

from __future__ import annotations

import pytest

from tidings import fold
from tidings.bench.fold import Canonical, Scores, quality

FLOORS = {"precision": 0.999, "recall": 0.995}  # the targets
CANONICAL_FLOORS = {"body": 0.93, "typography": 0.85, "title": 0.97, "dek": 0.97}
CHANGE_FLOORS = (0.83, 0.88)  # precision, recall of each change a copy is said to have made


@pytest.fixture(scope="module")
def measured() -> dict[str, object]:
    return quality(1000, seed=4, rules=fold.Rules(), peer=False, canonical=250)


def test_copies_found_and_none_confused(measured: dict[str, object]) -> None:
    scores = measured["tidings"]
    assert isinstance(scores, Scores)
    assert scores.precision >= FLOORS["precision"]
    assert scores.recall >= FLOORS["recall"]
    assert scores.merged == 0


def test_no_hard_negative_folded(measured: dict[str, object]) -> None:
    scores = measured["tidings"]
    assert isinstance(scores, Scores)
    assert set(scores.negatives) == {"same event", "templated", "follow-up"}
    assert all(folded == 0 for folded, _ in scores.negatives.values()), scores.negatives


def test_the_order_of_ingestion_does_not_matter(measured: dict[str, object]) -> None:
    assert measured["same_in_reverse"] is True


def test_canonical_text_and_changes(measured: dict[str, object]) -> None:
    canonical = measured["canonical"]
    assert isinstance(canonical, Canonical)
    assert canonical.articles >= 200
    for name, floor in CANONICAL_FLOORS.items():
        assert getattr(canonical, name) >= floor, name
    for change, (precision, recall) in canonical.changes.items():
        assert precision >= CHANGE_FLOORS[0], change
        assert recall >= CHANGE_FLOORS[1], change


def test_the_throughput_bench_runs_both_systems_in_turns(monkeypatch: pytest.MonkeyPatch) -> None:
    """`tidings bench fold`'s throughput: Tidings and datasketch each fold the whole corpus in their own
    process, taking turns; a process that fails is reported with its last error line, not waited on."""
    from tidings.bench import fold as bench

    ours, peer = bench._side_by_side(["tidings", "peer"], 2500, 1, 0)  # two chunks: two turns each
    assert ours["documents"] == peer["documents"] == 2500
    assert min(ours["cpu"], peer["cpu"]) > 0
    assert ours["placed"] == 2500

    command = bench._command
    monkeypatch.setattr(
        bench, "_command", lambda system, *rest, **kw: [*command(system, *rest, **kw)[:-4], "x", "0", "turns"]
    )  # the seed "x" is not a number
    with pytest.raises(RuntimeError, match=r"tidings at 50: its process ended \(code 1\).*ValueError"):
        bench._side_by_side(["tidings"], 50, 1, 0)
