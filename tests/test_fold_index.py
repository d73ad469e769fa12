"""The fold index in a real store: copies placed in batches, articles joined when a copy shows them to be
one, the same articles in any order, new versions, the log workers replay, rebuilding the index."""

from __future__ import annotations

import contextlib
import gc
import json
import random
import sqlite3
from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import insert

from tidings import fold
from tidings.bench.syndication import Item, chunks
from tidings.models import Copy
from tidings.store import Store, Transaction, fold_mirror, stories
from tidings.store import fold_index as index_sql
from tidings.store import schema as t

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
        assert tx.fold_lookup(np.zeros(0, dtype=np.int64)).shape == (0, 2)


def test_joined_articles_hand_over_their_copies_and_earlier_joins(store: Store) -> None:
    """A join moves the absorbed articles' copies to the one kept and deletes them, keeping what readers
    did with them (comments, saves, reads); an article joined into one that is later absorbed points to
    the last (on PostgreSQL too: `test_postgres` runs it)."""
    texts = [tuple(f"{place} {n} opened its new library today." for n in range(9)) for place in "ABC"]
    a, b, c = (_place(store, [Copy(text[0], text)], first_id=i + 1)[0] for i, text in enumerate(texts))
    assert len({a, b, c}) == 3
    early, late = datetime(2026, 5, 1, tzinfo=UTC), datetime(2026, 5, 2, tzinfo=UTC)
    with store.engine.begin() as conn:
        for user in (1, 2):
            conn.execute(
                insert(t.users).values(
                    id=user, username=f"u{user}", username_key=f"u{user}", password_hash="x", created_at=early
                )
            )
        # user 1 saved the kept article late and an absorbed one early; user 2 read and commented on c
        saves = [
            {"user_id": 1, "article_id": a, "saved_at": late},
            {"user_id": 1, "article_id": c, "saved_at": early},
        ]
        conn.execute(insert(t.saved_articles), saves)
        conn.execute(insert(t.article_reads).values(user_id=2, article_id=c, read_at=late))
        conn.execute(insert(t.comments).values(article_id=c, user_id=2, body="Good news.", created_at=late))
    with store.begin() as tx:
        tx.fold_merge(b, [c])
    with store.begin() as tx:
        tx.fold_merge(a, [b])
    with store.begin() as tx:
        assert (tx.fold_merged_into(b), tx.fold_merged_into(c), tx.fold_merged_into(a)) == (a, a, None)
        assert dict(tx.fold_copy_articles()) == {1: a, 2: a, 3: a}
        assert len(tx.fold_signatures([a])) == 3
        assert tx.c.exec_driver_sql("SELECT id FROM articles ORDER BY id").scalars().all() == [a]
        rows = tx.c.exec_driver_sql("SELECT user_id, article_id FROM saved_articles").all()
        assert [tuple(r) for r in rows] == [(1, a)]  # one save, the one it had
        rows = tx.c.exec_driver_sql("SELECT user_id, article_id FROM article_reads").all()
        assert [tuple(r) for r in rows] == [(2, a)]
        rows = tx.c.exec_driver_sql("SELECT article_id, body FROM comments").all()
        assert [tuple(r) for r in rows] == [(a, "Good news.")]


def test_a_story_a_join_leaves_without_articles_is_emptied(store: Store) -> None:
    """An absorbed article whose story had no other article, joined into one in no story (folded by a
    tool, never clustered): the story is listed nowhere and no lookup finds it."""
    texts = [tuple(f"{place} {n} opened its new library today." for n in range(9)) for place in "AB"]
    a, b = (_place(store, [Copy(text[0], text)], first_id=i + 1)[0] for i, text in enumerate(texts))
    when = datetime(2026, 5, 1, tzinfo=UTC)
    with store.begin() as tx:
        story = tx.save_story(None, "Library opens", when, {"library": 1.0, "opens": 0.5})
        tx.set_article_story(b, story)
    assert [s["id"] for s in stories.list_stories(store)] == [story]
    with store.begin() as tx:
        tx.fold_merge(a, [b])
    assert stories.list_stories(store) == []
    assert story not in store.story_cache.info
    with store.begin() as tx:
        row = tx.c.exec_driver_sql(f"SELECT article_count, centroid FROM stories WHERE id = {story}").one()
        assert tuple(row) == (0, None)


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


def test_runs_merge_without_changing_what_is_found(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    items: list[Item] = [it for chunk in chunks(300, seed=5) for it in chunk.items]
    monkeypatch.setattr(fold_mirror, "RUN_GROWTH", 0)  # never merged: a run per transaction
    apart = _placements_in_one(store, items)
    with store.begin() as tx:
        stats = tx.fold_index_stats()
    assert stats["runs"] == _logged(store, fold_mirror.POSTED) > 5
    monkeypatch.setattr(fold_mirror, "RUN_GROWTH", 1 << 30)  # always merged: one run
    merged = Store(store.url.replace("fold.db", "merged.db"))
    merged.migrate()
    assert _groups(apart) == _groups(_placements_in_one(merged, items))
    with merged.begin() as tx:
        assert tx.fold_index_stats()["runs"] == 1
        assert tx.fold_index_stats()["postings"] == stats["postings"]


def _logged(store: Store, kind: int) -> int:
    with store.begin() as tx:
        return int(tx.c.exec_driver_sql(f"SELECT count(*) FROM fold_log WHERE kind = {kind}").scalar() or 0)


def test_boilerplate_keys_are_dropped_when_runs_merge(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fold_mirror, "HOT_POSTINGS", 3)
    _placements_in_one(store, [it for chunk in chunks(300, seed=5) for it in chunk.items])
    postings = _logged_postings(store)
    crowded = {k for k, articles in postings.items() if len(articles) > 3}
    assert crowded  # the corpus has keys more than three articles share
    mirror = store.fold_mirror
    for run_keys, _ in mirror.postings.runs:
        _, counts = np.unique(run_keys, return_counts=True)
        assert counts.max() <= 3
    assert set(mirror.postings.hot.tolist()) <= crowded
    with store.begin() as tx:
        assert tx.fold_index_stats()["boilerplate"] == len(mirror.postings.hot)
        rows = tx.fold_lookup(np.array(sorted(crowded), dtype=np.int64), most=24)
    assert sorted(rows.tolist()) == sorted([k, -1] for k in crowded)  # a way in to nothing


def _logged_postings(store: Store) -> dict[int, set[int]]:
    """Every key's articles, read from the log (joined articles followed)."""
    held: dict[int, set[int]] = defaultdict(set)
    with store.begin() as tx:
        for data in tx.c.exec_driver_sql("SELECT data FROM fold_log WHERE kind = 0 ORDER BY tick").scalars():
            keys, articles = fold_mirror.unpack_pairs(bytes(data))
            for k, a in zip(keys.tolist(), articles.tolist(), strict=True):
                held[k].add(a)
        into = {a: tx.fold_merged_into(a) for articles in held.values() for a in articles}
    return {k: {into[a] or a for a in articles} for k, articles in held.items()}


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
    monkeypatch.setattr(fold_mirror, "RUN_GROWTH", 0)  # postings spread over many runs
    _placements_in_one(store, [it for chunk in chunks(300, seed=5) for it in chunk.items])
    logged = _logged_postings(store)
    counts = {k: len(a) for k, a in logged.items()}
    keys = np.array(sorted(counts), dtype=np.int64)
    with store.begin() as tx:
        every = [tuple(p) for p in tx.fold_lookup(keys).tolist()]
        bounded = [tuple(p) for p in tx.fold_lookup(keys, most=2).tolist()]
    assert sorted(every) == sorted((k, a) for k, articles in logged.items() for a in articles)
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
    with store.begin() as tx:
        assert tx.fold_lookup(np.zeros(0, dtype=np.int64)).shape == (0, 2)
        assert tx.fold_lookup(keys + 1, most=2).shape == (0, 2)  # keys no article has


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


def test_a_worker_finds_what_other_workers_posted_since(tmp_path: Path) -> None:
    """Each worker's copy of the index catches up with the log, also after a transaction of its own was
    rolled back and another worker's took the log row it had written."""
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
    assert a.fold_mirror.tick == 2  # its own rows (key counts, postings), taken in when it committed
    with pytest.raises(RuntimeError, match="rolled back"):
        _place_then_fail(a, Copy("Kessing", texts[0]))
    assert a.fold_mirror.tick == 2
    second = _place(b, [Copy("Marlow Bay", texts[1]), Copy("Dredging", tuple(BODY[:5]))], first_id=2)
    assert second[1] == first[0]  # b read a's postings from the log
    with b.begin() as tx:
        assert tx._fold_head() == 4  # b's rows took the ticks a's rolled-back rows had
    again = _place(a, [Copy("Marlow Bay", texts[1][:6]), Copy("Tollard", texts[2])], first_id=4)
    assert again[0] == second[0]  # a found b's article: it read the row past its own tick
    assert again[1] not in (first[0], second[0])
    fresh = Store(url)  # a worker started now reads the whole log
    keys = np.array(sorted(_logged_postings(a)), dtype=np.int64)
    for most in (None, 1):
        with a.begin() as tx:
            seen_by_a = sorted(tx.fold_lookup(keys, most=most).tolist())
        with fresh.begin() as tx:
            assert sorted(tx.fold_lookup(keys, most=most).tolist()) == seen_by_a
    assert a.fold_mirror.tick == fresh.fold_mirror.tick == 6
    assert b.fold_mirror.tick == 4  # b reads a's rows when it next looks something up
    with a.begin() as tx, fresh.begin() as other:
        ids = list(range(1, 8))
        assert _known_counts(tx, ids) == _known_counts(other, ids)
        assert sorted(_known_counts(tx, ids)) == sorted({*first, *second, *again})


def _known_counts(tx: Transaction, ids: list[int]) -> dict[int, int]:
    """`fold_key_counts` as a dict of the articles whose count is known."""
    counts = tx.fold_key_counts(np.array(ids, dtype=np.int64))
    assert counts.dtype == np.int64
    assert counts.shape == (len(ids),)
    return {a: c for a, c in zip(ids, counts.tolist(), strict=True) if c >= 0}


def test_joined_articles_and_an_emptied_index_reach_other_workers(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'shared.db'}"
    a, b = Store(url), Store(url)
    a.migrate()
    opening = Copy("Dredging", tuple(BODY[:4]))
    middle = Copy("Dredging", tuple(BODY[3:]))
    first, second = _place(a, [opening]), _place(a, [middle], first_id=2)
    keys = np.array(sorted(_logged_postings(a)), dtype=np.int64)
    with b.begin() as tx:
        assert {a for _, a in tx.fold_lookup(keys).tolist()} == {first[0], second[0]}
    with b.begin() as tx:
        counted = _known_counts(tx, [first[0], second[0]])
    assert _place(a, [Copy("Dredging", tuple(BODY))], first_id=3) == first  # joins the two
    fewest = min(*counted.values(), fold.fingerprints([Copy("Dredging", tuple(BODY))], RULES)[0].key_count)
    with b.begin() as tx:
        assert _known_counts(tx, [first[0], second[0]]) == {first[0]: fewest}
        assert {a for _, a in tx.fold_lookup(keys).tolist()} == {first[0]}
        assert tx.fold_lookup(keys, most=1)[:, 1].tolist() == [first[0]] * len(keys)
    with a.begin() as tx:
        tx.fold_clear()
        assert tx.fold_lookup(keys).shape == (0, 2)  # the transaction sees its own emptied index
    with b.begin() as tx:
        assert tx.fold_lookup(keys).shape == (0, 2)
        assert tx.fold_index_stats()["postings"] == 0
        assert _known_counts(tx, [first[0]]) == {}
    assert _place(b, [Copy("Dredging", tuple(BODY))], first_id=4) not in (first, second)


def test_a_log_with_rows_missing_is_a_clear_error(store: Store) -> None:
    _place(store, [Copy("Dredging", tuple(BODY))])
    rain = ("Rain over the hills for most of the weekend, forecasters said.",) * 3
    _place(store, [Copy("Weather", rain)], first_id=2)
    with store.begin() as tx:
        tx.c.exec_driver_sql("DELETE FROM fold_log WHERE tick = 1")
    with Store(store.url).begin() as tx, pytest.raises(index_sql.FoldLogError, match="rows before it"):
        tx.fold_lookup(np.array([1, 2], dtype=np.int64))
    with store.begin() as tx:
        tx.c.exec_driver_sql("DELETE FROM fold_log")
        tx.c.exec_driver_sql("INSERT INTO fold_log (tick, kind, data) VALUES (1, 7, x'')")
    with Store(store.url).begin() as tx, pytest.raises(ValueError, match="unknown kind 7"):
        tx.fold_lookup(np.array([1, 2], dtype=np.int64))


def _place_then_fail(store: Store, copy: Copy) -> None:
    with store.begin() as tx:  # the store's own write, rolled back
        fold.place(fold.fingerprints([copy], RULES), [2], tx, RULES)
        raise RuntimeError("rolled back")


def test_the_log_holds_what_a_store_had_before_it(tmp_path: Path) -> None:
    """Upgrading a store whose postings were in the levelled table carries them over into the log;
    downgrading marks the index to be rebuilt from the copies' text."""
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
        command.downgrade(config, "0011_fold_keys")
    with store.engine.begin() as connection:
        assert "fold_log" not in {r[0] for r in connection.exec_driver_sql("SELECT name FROM sqlite_master")}
        connection.exec_driver_sql(
            "INSERT INTO fold_anchors (level, anchor, article_id) VALUES (0, 5, 1), (1, 7, 2), (1, 5, 3)"
        )
    store.migrate()
    with store.begin() as tx:
        assert "fold_anchors" not in {
            r[0] for r in tx.c.exec_driver_sql("SELECT name FROM sqlite_master").all()
        }
        found = tx.fold_lookup(np.array([5, 7, 9], dtype=np.int64))
        assert sorted(found.tolist()) == [[5, 1], [5, 3], [7, 2]]
        assert not tx.fold_needs_reindex()
    _place(store, [Copy("Dredging", tuple(BODY))], first_id=1)
    with store.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0011_fold_keys")
    with store.engine.begin() as connection:
        assert connection.exec_driver_sql("SELECT level FROM fold_levels").scalars().all() == [-1]


def test_a_new_store_has_16_kib_pages_and_an_older_one_keeps_its_own(tmp_path: Path) -> None:
    """A new store's pages hold rows of a few kilobytes whole; a store made with SQLite's default pages
    keeps them and what it holds, and folds as a new one does."""
    old_path = tmp_path / "old.db"
    with contextlib.closing(sqlite3.connect(old_path)) as c:
        c.execute("PRAGMA page_size=4096")
        c.execute("PRAGMA journal_mode=WAL")
        c.execute("CREATE TABLE kept (note TEXT)")
        c.execute("INSERT INTO kept VALUES ('made before')")
        c.commit()
    copies = [Copy("Dredging", tuple(BODY)), Copy("Dredging", tuple(BODY[:4]))]
    for name, size in (("new.db", 16384), ("old.db", 4096)):
        store = Store(f"sqlite:///{tmp_path / name}")
        store.migrate()
        with store.engine.connect() as c:
            assert c.exec_driver_sql("PRAGMA page_size").scalar() == size
        assert _place(store, copies) == [1, 1]
        store.close()
    with contextlib.closing(sqlite3.connect(old_path)) as c:
        assert c.execute("SELECT note FROM kept").fetchall() == [("made before",)]


def test_postings_of_articles_joined_since_count_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fold_mirror, "RUN_GROWTH", 0)  # never merged
    mirror = fold_mirror.FoldMirror()
    for tick, keys in ((1, [5, 6, 7]), (2, [5, 6])):  # keys 5 and 6 in articles 1 and 2, key 7 in 1 only
        posted = fold_mirror.pack_pairs(np.array(keys), np.full(len(keys), tick))
        mirror.apply(tick, fold_mirror.POSTED, posted)
    assert len(mirror.postings.runs) == 2
    rows = mirror.lookup(np.array([5, 6, 7, 8], dtype=np.int64), 1, fold_mirror.Pending())
    assert sorted(rows.tolist()) == [[5, -1], [5, 1], [6, -1], [6, 1], [7, 1]]  # 5 and 6 are over the bound
    mirror.apply(3, fold_mirror.JOINED, fold_mirror.pack_join(1, [2]))
    rows = mirror.lookup(np.array([5, 6, 7, 8], dtype=np.int64), 1, fold_mirror.Pending())
    assert sorted(rows.tolist()) == [[5, 1], [6, 1], [7, 1]]  # one article each now
    pending = fold_mirror.Pending()
    pending.add(4, fold_mirror.POSTED, fold_mirror.pack_pairs(np.array([7]), np.array([9])))
    rows = mirror.lookup(np.array([5, 6, 7], dtype=np.int64), 1, pending)
    assert sorted(rows.tolist()) == [[5, 1], [6, 1], [7, -1], [7, 1]]  # and the transaction's own


def test_rebuilding_the_index_keeps_every_copy_where_it_was(tmp_path: Path) -> None:
    """The index rebuilt from the copies' text (a store from before word hashes, or downgraded) finds
    what it found before, and posts each (key, article) once though the copies come in small batches."""
    from tidings import pipeline, settings

    items = [it for chunk in chunks(120, seed=4) for it in chunk.items]
    lines = [
        json.dumps({"id": str(n), "title": it.copy.title or "", "text": "\n\n".join(it.copy.body)})
        for n, it in enumerate(items)
    ]
    source = tmp_path / "records.jsonl"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    store = Store(f"sqlite:///{tmp_path / 'rebuilt.db'}")
    store.migrate()
    pipeline.ingest_records(store, [source], settings.load({}, environ={}))
    before, counted = _final(store), _shingle_counts(store)
    keys = np.array(sorted(_logged_postings(store)), dtype=np.int64)
    with store.begin() as tx:
        found = sorted(tx.fold_lookup(keys).tolist())
    with store.begin() as tx:
        pipeline.reindex_fold(tx, RULES, batch=3)  # batches smaller than some articles
    assert _final(store) == before
    assert _shingle_counts(store) == counted  # as folding counted them
    with store.begin() as tx:
        assert sorted(tx.fold_lookup(keys).tolist()) == found
        rows = tx.c.exec_driver_sql("SELECT data FROM fold_log WHERE kind = 0").scalars().all()
    posted = np.concatenate([np.stack(fold_mirror.unpack_pairs(bytes(r)), axis=1) for r in rows])
    assert len(np.unique(posted, axis=0)) == len(posted)
    assert len(rows) > 10


def test_the_key_filter_is_built_again_as_one_when_its_chain_grows() -> None:
    """Each filter of a chain costs an absent key a probe: past two, the postings build one filter for all
    their keys, which still lets every key they hold through."""
    rng = np.random.default_rng(5)
    postings = fold_mirror.Postings()
    held = []
    for _ in range(6):
        keys = rng.integers(0, 1 << 60, 100_000, dtype=np.int64)
        postings.add(keys, rng.integers(1, 1000, len(keys)))
        held.append(keys)
        assert len(postings.filter.parts) <= 2
    assert postings.filter.may_hold(np.concatenate(held)).all()
    assert postings.filter.may_hold(rng.integers(1 << 61, 1 << 62, 100_000, dtype=np.int64)).mean() < 0.01


def _signatures_in_sql(store: Store, ids: Sequence[int]) -> list[tuple[int, int, int, bytes]]:
    with store.engine.begin() as c:
        rows = c.exec_driver_sql(
            "SELECT article_id, key_count, shingle_count, words FROM fold_signatures "
            "ORDER BY article_id, copy_id"
        ).all()
    return [(int(a), int(k), int(n), bytes(w)) for a, k, n, w in rows if a in ids]


def _shingle_counts(store: Store) -> dict[int, int | None]:
    with store.engine.begin() as c:
        rows = c.exec_driver_sql("SELECT copy_id, shingle_count FROM fold_signatures").all()
    return {int(copy): count for copy, count in rows}


def test_each_copy_keeps_its_count_of_distinct_shingles(tmp_path: Path) -> None:
    """Folding stores each copy's distinct shingles, whether it met candidates or started an article;
    copies stored without a count (before it was kept) are counted when read, and fold the same."""
    copies = [it.copy for chunk in chunks(160, seed=3) for it in chunk.items]
    whole = Store(f"sqlite:///{tmp_path / 'whole.db'}")
    whole.migrate()
    placed = _place(whole, copies)
    counts = _shingle_counts(whole)
    fps = fold.fingerprints(copies, RULES)
    assert counts == {n + 1: fold.shingle_count(fp) for n, fp in enumerate(fps)}
    assert len(set(placed)) < len(copies) - 10  # copies met candidates, others started articles
    url = f"sqlite:///{tmp_path / 'older.db'}"
    older = Store(url)
    older.migrate()
    half = len(copies) // 2
    _place(older, copies[:half])
    with older.engine.begin() as c:
        c.exec_driver_sql("UPDATE fold_signatures SET shingle_count = NULL")
    later = Store(url)  # a worker that holds none of them
    assert _place(later, copies[half:], first_id=half + 1) == placed[half:]
    assert all(_shingle_counts(later)[n] == counts[n] for n in range(half + 1, len(copies) + 1))


def test_a_workers_recent_articles_stay_true_to_the_store(tmp_path: Path) -> None:
    """A worker keeps the copies of the articles it started or read; another worker's new copy, its
    join or a rolled-back transaction never leave it reading stale copies."""
    url = f"sqlite:///{tmp_path / 'shared.db'}"
    a, b = Store(url), Store(url)
    a.migrate()
    first = _place(a, [Copy("Dredging", tuple(BODY[:5]))])[0]
    assert a.fold_mirror.signatures.get(first) is not None  # kept when it committed
    _place(b, [Copy("Dredging", tuple(BODY))], first_id=2)  # b gives it a second copy
    with a.begin() as tx:
        assert tx.fold_signatures([first]) == _signatures_in_sql(a, [first])
        assert len(tx.fold_signatures([first])) == 2
    kept = a.fold_mirror.signatures.get(first)
    assert kept is not None
    assert len(kept) == 2
    # b starts another article, then joins it to the first with a copy of both
    rain = tuple(f"Rain over {place} for most of the weekend, forecasters said." for place in "ABCDEFGH")
    other = _place(b, [Copy("Weather", rain)], first_id=3)[0]
    with a.begin() as tx:
        tx.fold_signatures([first, other])
    assert a.fold_mirror.signatures.get(other) is not None
    with b.begin() as tx:
        tx.fold_merge(first, [other])
    with a.begin() as tx:
        assert tx.fold_signatures([first, other]) == _signatures_in_sql(a, [first, other])
        assert [row[0] for row in tx.fold_signatures([first])] == [first] * 3
    # a transaction that rolls back keeps nothing: the id it took goes to b's article
    tollard = Copy("Tollard", tuple(f"Tollard {n} voted on the budget tonight." for n in range(9)))
    with pytest.raises(RuntimeError, match="rolled back"):
        _place_and_look_then_fail(a, tollard, other + 1)
    assert a.fold_mirror.signatures.get(other + 1) is None
    late = _place(b, [Copy("Kessing", tuple(f"Kessing {n} opened its new library." for n in range(9)))], 5)
    with a.begin() as tx:
        assert tx.fold_signatures(late) == _signatures_in_sql(a, late)
    # a transaction sees its own new copies of an article the worker holds
    with a.begin() as tx:
        fold.place(fold.fingerprints([Copy("Dredging", tuple(BODY[2:]))], RULES), [6], tx, RULES)
        assert len(tx.fold_signatures([first])) == 4
    with a.begin() as tx:
        assert tx.fold_signatures([first]) == _signatures_in_sql(a, [first])


def _place_and_look_then_fail(store: Store, copy: Copy, article: int) -> None:
    with store.begin() as tx:
        fold.place(fold.fingerprints([copy], RULES), [10], tx, RULES)
        assert tx.fold_signatures([article])  # it sees its own new article
        raise RuntimeError("rolled back")


def test_recent_articles_keep_to_their_budget() -> None:
    recent = fold_mirror.Signatures(budget=3 * (100 + 100))
    for article in range(1, 5):
        recent.put(article, [(article, 3, 40, bytes(100))])
    assert recent.get(1) is None  # the least recently used went
    assert recent.get(2) is not None  # ... and reading one makes it recent
    recent.put(5, [(5, 3, 40, bytes(100))])
    assert recent.get(3) is None
    assert recent.get(2) is not None
    recent.put(6, [(6, 3, 40, bytes(10_000))])  # larger than the whole budget: not kept
    assert recent.get(6) is None
    assert recent.size == 3 * 200
    recent.drop([2, 4, 5, 7])
    assert recent.size == 0
    assert not recent.held
    # a batch put at once keeps to the budget as one at a time does: the oldest go
    recent.put_many((article, [(article, 3, 40, bytes(100))]) for article in range(10, 14))
    assert sorted(recent.held) == [11, 12, 13]
    assert recent.size == 3 * 200


def test_postings_in_any_order_make_the_same_run() -> None:
    """A batch logs its postings in (key, article) order and they are taken as they come; postings in
    another order are sorted first: the runs and the filter are the same."""
    rng = np.random.default_rng(3)
    keys = rng.integers(0, 2**47, 3000)
    keys[::7] = keys[0]  # a key several articles hold
    articles = rng.integers(1, 10**6, 3000).astype(np.int32)
    order = np.lexsort((articles, keys))
    ordered, shuffled = fold_mirror.Postings(), fold_mirror.Postings()
    ordered.add(keys[order], articles[order])
    shuffled.add(keys, articles)
    assert len(ordered.runs) == len(shuffled.runs) == 1
    for a, b in zip(ordered.runs[0], shuffled.runs[0], strict=True):
        assert np.array_equal(a, b)
    probe = np.concatenate([keys, keys + 1])
    assert np.array_equal(ordered.filter.may_hold(probe), shuffled.filter.may_hold(probe))
    assert ordered.filter.may_hold(keys).all()


def test_spans_are_found_where_a_binary_search_finds_them() -> None:
    """The postings of sought keys (a sorted run, keys repeated, some sought absent, some sought
    twice) lie where numpy's searchsorted puts them; keys not sought are left alone."""
    rng = np.random.default_rng(3)
    for trial in range(600):
        if trial % 2:  # a run many fence keys long
            top = 2**62 if trial % 4 == 1 else 3000  # hashes over a wide range, or many repeated keys
            run = np.sort(rng.integers(-top, top, int(rng.integers(0, 5000)))).astype(np.int64)
            run[: len(run) // 3] = np.sort(rng.integers(-top, -top + 5, len(run) // 3))  # crowded
            picked = rng.choice(run, int(rng.integers(0, 40))) if len(run) else run
            sought = np.sort(np.concatenate([picked, rng.integers(-top, top, int(rng.integers(0, 20)))]))
        else:
            run = np.sort(rng.integers(0, 50, int(rng.integers(0, 60)))).astype(np.int64)
            sought = np.sort(rng.integers(-5, 60, int(rng.integers(0, 30)))).astype(np.int64)
        where = np.arange(len(sought), dtype=np.int64) * 2
        lo = np.full(2 * len(sought), -7, dtype=np.int64)
        hi = np.full(2 * len(sought), -7, dtype=np.int64)
        fold_mirror._find(run, run[:: fold_mirror.FENCE].copy(), sought, where, lo, hi)
        assert (lo[where] == np.searchsorted(run, sought, "left")).all()
        assert (hi[where] == np.searchsorted(run, sought, "right")).all()
        assert (lo[1::2] == -7).all()
        assert (hi[1::2] == -7).all()


def test_aliases_follow_joins_by_id() -> None:
    """An absorbed article reads as the one it ended in, through later joins; other ids, below or past
    every absorbed one, are left as they are."""
    aliases = fold_mirror.Aliases()
    aliases.join(5, [7, 9])
    assert aliases.resolve(np.array([7, 8, 9], dtype=np.int64)).tolist() == [5, 8, 5]
    aliases.join(3, [5])
    ids = np.array([1, 3, 5, 7, 9, 10, 1000], dtype=np.int64)
    assert aliases.resolve(ids).tolist() == [1, 3, 3, 3, 3, 10, 1000]
    assert aliases.resolve(np.zeros(0, dtype=np.int64)).tolist() == []


def test_recent_signatures_leave_the_garbage_collector_alone() -> None:
    """The entries hold tuples of ints and bytes alone, which the collector stops tracking: a full
    collection in a worker holding a million articles' signatures need not walk them."""
    recent = fold_mirror.Signatures()
    recent.put_many([(1, [(1, 3, 40, b"x" * 8), (1, 4, 40, b"y" * 8)]), (2, ((2, 3, 40, b"z" * 8),))])
    recent.put(3, [(3, 5, 40, b"w" * 8)])
    gc.collect()
    gc.collect()  # an outer tuple is let go once those inside it are
    assert len(recent.held) == 3
    assert not any(gc.is_tracked(entry) for entry in recent.held.values())
