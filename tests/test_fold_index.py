"""The fold index in a real store: copies placed in batches, articles joined when a copy shows them to be
one, the same articles in any order, new versions, the levelled postings table, rebuilding the index."""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

import pytest

from tidings import fold
from tidings.bench.syndication import Item, chunks
from tidings.models import Copy
from tidings.store import Store
from tidings.store import fold_index as index_sql

RULES = fold.Rules()
LEAD = (
    "The harbour authority in Port Ellery approved a plan on Tuesday to dredge the northern channel, "
    "with 1,200 jobs at the container terminal depending on deeper berths, officials said."
)
BODY = [
    LEAD,
    *(
        f"Paragraph {n}: the authority's chair, Maren Oakes, said the {word} work would start in "
        f"{month} and cost about £{n * 3 + 11}m, paid for by a levy on ships calling at the port."
        for n, (word, month) in enumerate(
            zip(
                ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth"),
                ("March", "April", "May", "June", "July", "August", "September", "October"),
                strict=True,
            ),
            start=2,
        )
    ),
]


@pytest.fixture
def store(tmp_path: Path) -> Store:
    s = Store(f"sqlite:///{tmp_path / 'fold.db'}")
    s.migrate()
    return s


def _place(store: Store, copies: Sequence[Copy], first_id: int = 1) -> list[int]:
    with store.begin() as tx:
        placements = fold.place(
            fold.fingerprints(copies, RULES), range(first_id, first_id + len(copies)), tx, RULES
        )
    return [p.article_id for p in placements]


def _final(store: Store) -> dict[int, int]:
    with store.begin() as tx:
        return dict(tx.fold_copy_articles())


def _groups(assignment: dict[int, int]) -> set[frozenset[int]]:
    members: dict[int, set[int]] = defaultdict(set)
    for copy_id, article_id in assignment.items():
        members[article_id].add(copy_id)
    return {frozenset(m) for m in members.values()}


def test_a_copy_that_joins_two_articles_makes_them_one(store: Store) -> None:
    opening = Copy("Dredging", tuple(BODY[:4]))  # the first part, as an aggregator shows it
    middle = Copy("Dredging", tuple(BODY[3:]))  # a copy that starts further in: no lead in common
    full = Copy("Dredging", tuple(BODY))
    first = _place(store, [opening])
    second = _place(store, [middle], first_id=2)
    assert first != second  # nothing ties them yet
    third = _place(store, [full], first_id=3)
    assert third == first  # the older article keeps its identity
    assert set(_final(store).values()) == set(first)
    with store.begin() as tx:
        assert tx.fold_merged_into(second[0]) == first[0]
        assert tx.fold_lookup([]) == []


def test_same_articles_in_any_order(tmp_path: Path) -> None:
    items = [it for chunk in chunks(600, seed=11) for it in chunk.items]
    results = []
    for n, order in enumerate((items, items[::-1], random.Random(3).sample(items, len(items)))):
        store = Store(f"sqlite:///{tmp_path / f'order{n}.db'}")
        store.migrate()
        ids = {id(it): i for i, it in enumerate(items)}
        for start in range(0, len(order), 97):  # batches of an odd size: copies of one article straddle them
            part = order[start : start + 97]
            with store.begin() as tx:
                fold.place(
                    fold.fingerprints([it.copy for it in part], RULES),
                    [ids[id(it)] + 1 for it in part],
                    tx,
                    RULES,
                )
        results.append(_groups(_final(store)))
        store.close()
    assert results[0] == results[1] == results[2]


def test_a_new_version_joins_its_article(store: Store) -> None:
    article = _place(store, [Copy("Dredging", tuple(BODY))])
    update = Copy(
        "Dredging",
        (*BODY, "Update, Wednesday: the port said the first ships would use the deeper berths in 2027."),
    )
    correction = Copy(
        "Dredging", ("Correction: an earlier version of this article gave the wrong month.", *BODY)
    )
    assert _place(store, [update, correction], first_id=2) == article * 2


def test_one_batch_folds_among_itself(store: Store) -> None:
    excerpt = Copy("Dredging", (BODY[0], BODY[1][:80] + "…"), truncated=True)
    other = Copy(
        "Weather",
        ("A wholly different report about rain over the hills for most of the weekend, forecasters said.",)
        * 3,
    )
    placed = _place(store, [Copy("Dredging", tuple(BODY)), other, excerpt])
    assert placed[0] == placed[2] != placed[1]


def test_levels_merge_without_changing_what_is_found(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(index_sql, "LEVEL_ROWS", 64)
    items: list[Item] = [it for chunk in chunks(300, seed=5) for it in chunk.items]
    merging = _placements_in_one(store, items)
    with store.begin() as tx:
        levels = tx.fold_index_stats()
    assert max(levels) >= 2  # level 0 filled and was merged down, more than once
    monkeypatch.setattr(index_sql, "LEVEL_ROWS", 1 << 30)
    plain = Store(store.url.replace("fold.db", "plain.db"))
    plain.migrate()
    assert _groups(merging) == _groups(_placements_in_one(plain, items))


def test_boilerplate_keys_are_dropped_when_their_level_merges(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(index_sql, "LEVEL_ROWS", 64)
    monkeypatch.setattr(index_sql, "HOT_POSTINGS", 3)
    _placements_in_one(store, [it for chunk in chunks(300, seed=5) for it in chunk.items])
    with store.begin() as tx:
        crowded = tx.c.exec_driver_sql(
            "SELECT level, anchor FROM fold_anchors WHERE level > 0 "
            "GROUP BY level, anchor HAVING count(*) > 3"
        ).all()
        total = tx.c.exec_driver_sql("SELECT count(*) FROM fold_anchors WHERE level > 0").scalar()
    assert crowded == []
    assert total


def _placements_in_one(store: Store, items: Sequence[Item]) -> dict[int, int]:
    for start in range(0, len(items), 50):
        part = items[start : start + 50]
        with store.begin() as tx:
            fold.place(
                fold.fingerprints([it.copy for it in part], RULES),
                range(start + 1, start + 1 + len(part)),
                tx,
                RULES,
            )
    return _final(store)


def test_lookup_counts_postings_and_marks_boilerplate(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(index_sql, "LEVEL_ROWS", 64)  # postings spread over several levels
    _placements_in_one(store, [it for chunk in chunks(300, seed=5) for it in chunk.items])
    with store.begin() as tx:
        counts = dict(tx.c.exec_driver_sql("SELECT anchor, count(*) FROM fold_anchors GROUP BY anchor").all())
        keys = sorted(counts)
        every = tx.fold_lookup(keys)
        bounded = tx.fold_lookup(keys, most=2)
    assert {k for k, n in counts.items() if n > 2}  # the corpus has keys several articles share
    hot = {k for k, a in bounded if a == -1}
    assert hot == {k for k, n in counts.items() if n > 2}
    assert sorted(p for p in bounded if p[0] not in hot) == sorted(p for p in every if counts[p[0]] <= 2)
    assert len([k for k, a in bounded if a == -1]) == len(hot)  # each boilerplate key once


def test_boilerplate_keys_find_nothing(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    """A key more articles hold than HOT_KEY is not a way in: a copy that shares only such keys with an
    article is compared with nothing and starts an article of its own."""
    monkeypatch.setattr(fold, "HOT_KEY", 0)
    first = _place(store, [Copy("Dredging", tuple(BODY))])
    again = _place(store, [Copy("Dredging", tuple(BODY))], first_id=2)
    assert first != again
    monkeypatch.setattr(fold, "HOT_KEY", 24)
    third = _place(store, [Copy("Dredging", tuple(BODY))], first_id=3)
    assert third in (first, again)
