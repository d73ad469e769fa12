"""The fold index in a real store: copies placed in batches, articles joined when a copy shows them to be
one, the same articles in any order, new versions, the levelled postings table, rebuilding the index."""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

import numpy as np
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
        counted = dict(
            tx.c.exec_driver_sql(
                "SELECT level, count(*) FROM fold_anchors WHERE level > 0 GROUP BY level"
            ).all()
        )
        kept = {level: rows for level, rows in tx.fold_index_stats().items() if level > 0 and rows}
    assert crowded == []
    assert total
    assert kept == counted  # what a level holds is kept count of, not counted again at each merge


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
    # and with its postings of the articles the other keys found, those only
    found = {a for k, a in bounded if k not in hot}
    assert {p for p in bounded if p[0] in hot and p[1] >= 0} == {
        p for p in every if p[0] in hot and p[1] in found
    }
    assert any(p[0] in hot and p[1] >= 0 for p in bounded)


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


def test_the_key_filter_lets_every_held_key_through_and_few_others() -> None:
    from tidings.store.keyfilter import FIRST_KEYS, KeyFilter

    rng = np.random.default_rng(3)
    held = rng.integers(0, 1 << 48, 3 * FIRST_KEYS + 17, dtype=np.int64)  # filters for 1, 2 and 4 times
    f = KeyFilter()
    for part in np.array_split(held, 7):
        f.add(part)
    assert len(f.parts) == 3
    assert f.may_hold(held).all()
    others = rng.integers(1 << 48, 1 << 49, 100_000, dtype=np.int64)
    assert f.may_hold(others).mean() < 0.01
    assert not KeyFilter().may_hold(held[:10]).any()
    assert len(KeyFilter().may_hold(held[:0])) == 0


def test_a_worker_finds_what_other_workers_posted_since(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each worker's key filter catches up with the key log, also after a transaction of its own was rolled
    back and another worker's took the log row it had written."""
    from tidings.store.keyfilter import FoldCache

    monkeypatch.setattr(FoldCache, "LOAD_SHARE", 0.0)  # read the log at once, however short the run
    url = f"sqlite:///{tmp_path / 'shared.db'}"
    a, b = Store(url), Store(url)
    a.migrate()
    texts = [
        tuple(p.replace("Port Ellery", town).replace("Maren Oakes", chair) for p in BODY)
        for town, chair in (
            ("Kessing", "Ola Brandt"),
            ("Marlow Bay", "Ines Varga"),
            ("Tollard", "Ruth Amsel"),
        )
    ]
    first = _place(a, [Copy("Dredging", tuple(BODY))])
    assert a.fold_cache.filter is not None
    assert a.fold_cache.tick == 1
    with pytest.raises(RuntimeError, match="rolled back"):
        _place_then_fail(a, Copy("Kessing", texts[0]))
    assert a.fold_cache.tick == 1
    second = _place(b, [Copy("Marlow Bay", texts[1]), Copy("Dredging", tuple(BODY[:5]))], first_id=2)
    assert second[1] == first[0]  # b read a's keys from the log
    with b.begin() as tx:
        assert tx._log_head()[0] == 2  # b's row took the tick a's rolled-back row had
    again = _place(a, [Copy("Marlow Bay", texts[1][:6]), Copy("Tollard", texts[2])], first_id=4)
    assert again[0] == second[0]  # a found b's article: its filter read the row past its own tick
    assert again[1] not in (first[0], second[0])
    with a.begin() as tx:
        keys = sorted({int(k) for (k,) in tx.c.exec_driver_sql("SELECT anchor FROM fold_anchors").all()})
        absent = [k + 1 for k in keys if k + 1 not in set(keys)]
        assert set(tx._may_be_held(keys + absent)) >= set(keys)
        assert len(tx._may_be_held(absent)) < len(absent) / 20


def _place_then_fail(store: Store, copy: Copy) -> None:
    with store.begin() as tx:  # the store's own write, rolled back
        fold.place(fold.fingerprints([copy], RULES), [2], tx, RULES)
        raise RuntimeError("rolled back")


def test_the_key_log_holds_what_a_store_had_before_it(tmp_path: Path) -> None:
    """Upgrading a store whose index predates the key log logs every key it holds."""
    from alembic import command
    from alembic.config import Config

    from tidings.store.db import _MIGRATIONS

    url = f"sqlite:///{tmp_path / 'old.db'}"
    store = Store(url)
    config = Config()
    config.set_main_option("script_location", str(_MIGRATIONS))
    with store.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "heads")
        command.downgrade(config, "0003_fold")
    with store.engine.begin() as connection:
        assert "fold_keys" not in {r[0] for r in connection.exec_driver_sql("SELECT name FROM sqlite_master")}
    with store.begin() as tx:
        tx.c.exec_driver_sql(
            "INSERT INTO fold_anchors (level, anchor, article_id) VALUES (0, 5, 1), (1, 7, 2), (1, 5, 3)"
        )
    store.migrate()
    with store.begin() as tx:
        (blob,) = tx.c.exec_driver_sql("SELECT keys FROM fold_keys").one()
        assert np.frombuffer(blob, dtype="<i8").tolist() == [5, 7]
        assert tx._may_be_held([5, 7]) == [5, 7]
