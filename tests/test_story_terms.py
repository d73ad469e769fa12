"""A worker's term ids (`store.story_index.TermTable`, over the compiled table of `store.term_ids`)."""

from __future__ import annotations

import pytest

from tidings.store import story_index
from tidings.store.story_index import TermTable


def test_each_term_keeps_one_id_as_the_table_grows(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(story_index, "TERMS_AT_FIRST", 4)
    table = TermTable()
    first = table.ids_of(["quake", "sonoma", "", "zürich", "東京", "6.1"]).tolist()
    assert first == [0, 1, 2, 3, 4, 5]
    assert table.ids_of(["東京", "napa", "quake"]).tolist() == [4, 6, 0]
    words = [f"w{n}" for n in range(50_000)]
    ids = table.ids_of(words).tolist()
    assert ids == list(range(7, 50_007))
    assert table.ids_of(words[::-1]).tolist() == ids[::-1]  # found again after the table grew, any order
    assert [table.texts[i] for i in table.ids_of(["zürich", "w123", "napa"]).tolist()] == [
        "zürich",
        "w123",
        "napa",
    ]
    assert len(table.df) >= len(table.texts) == 50_007
    assert table.ids_of([]).tolist() == []


def test_a_term_holding_a_nul_is_refused_and_damages_nothing() -> None:
    table = TermTable()
    table.ids_of(["a"])
    for bad in (["b\x00c"], ["d", "e\x00"], ["\x00"]):
        with pytest.raises(ValueError, match="NUL"):
            table.ids_of(bad)
    assert table.texts == ["a"]
    assert table.ids_of(["b", "a", "d"]).tolist() == [1, 0, 2]
    assert table.texts == ["a", "b", "d"]


def test_a_huge_number_of_terms_in_one_call() -> None:
    table = TermTable()
    many = [f"term{n}" for n in range(300_000)]
    ids = table.ids_of(many)
    assert len(set(ids.tolist())) == 300_000  # no two terms share an id
    assert table.ids_of(["term299999"]).tolist() == [299_999]


def test_the_term_index_finds_what_a_plain_one_does_through_relists_drops_and_rebuilds() -> None:
    """Random relists (terms kept, left and new), drops and slot reuse, with the arena rebuilt many times:
    every lookup gives what dictionaries of postings give."""
    import math
    import random

    import numpy as np

    from tidings.store.story_lookup import StoryLookup

    rng = random.Random(7)
    index = StoryLookup(5)
    plain: dict[int, dict[int, float]] = {}  # story -> {term: weight}
    seen: dict[int, float] = {}
    rebuilt = 0
    for step in range(3000):
        story = rng.randrange(60)
        if rng.random() < 0.15:
            index.drop(story)
            plain.pop(story, None)
        else:
            ids = np.array(sorted(rng.sample(range(300), 8)), np.int64)
            weights = np.array([rng.choice([0.1, 0.2, 0.5, 1.0]) for _ in ids])
            listed = np.array(rng.sample(ids.tolist(), rng.randint(0, 5)), np.int64)
            seen[story] = math.inf if rng.random() < 0.2 else float(step)
            before = index.used
            index.put(story, seen[story], ids, weights, listed)
            rebuilt += index.used < before
            weight_of = dict(zip(ids.tolist(), weights.tolist(), strict=True))
            plain[story] = {t: weight_of[t] for t in listed.tolist()}
        query = np.array(rng.sample(range(300), 6), np.int64)
        qw = np.array([rng.random() for _ in query])
        since = -math.inf if rng.random() < 0.3 else float(step - 500)
        expected: dict[int, float] = {}
        for term, w in zip(query.tolist(), qw.tolist(), strict=True):
            for s, terms in plain.items():
                if term in terms:
                    expected[s] = expected.get(s, 0.0) + w * terms[term]
        expected = {s: v for s, v in expected.items() if v >= 0.05 and seen[s] >= since}
        assert index.find(query, qw, since, 0.05) == expected, step
    assert rebuilt > 3  # the arena was rebuilt along the way
    assert index.terms() == {t for terms in plain.values() for t in terms}


def test_the_term_index_makes_room_for_new_term_ids() -> None:
    import numpy as np

    from tidings.store.story_lookup import StoryLookup

    index = StoryLookup(3)
    far = np.array([7, 5000, 90_000], np.int64)
    index.put(1, 0.0, far, np.array([0.5, 0.25, 0.125]), far[1:])
    assert len(index.head) > 90_000
    assert index.find(np.array([5000, 90_000, 7]), np.ones(3), 0.0, 0.0) == {1: 0.375}
    assert index.find(np.array([123_456]), np.ones(1), 0.0, 0.0) == {}  # a term no story was listed under
