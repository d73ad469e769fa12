"""`tidings bench stories`: story clustering against labelled events, and clustering throughput.

Quality: ECB+ (`../shared/data/stories-dev/ecbplus.jsonl`, see its README) goes through the real ingest
path, `tidings ingest --format jsonl` into a fresh SQLite store, with the settings Tidings ships, in date
order and in shuffled orders; BCubed precision/recall/F1 and pairwise F1 of the stories against the gold
events, mean and spread across orders. Beside it, in the same run, scikit-learn's TF-IDF with average-linkage
agglomerative clustering, its threshold tuned on the gold labels (an upper bound for that method, not a
fair score). Enrichment (key points, quotes, keywords) is left out of the timed path by default since
clustering reads none of it (`--with-enrich` keeps it).

Calibration (`--calibrate`): the join and merge thresholds and the number weight over a grid, replayed in
memory (the same clustering code over `cluster.memory.MemoryStoryIndex`); chosen by cross-validation
across topics (five folds of topics: choose on four, score on the fifth), so the held-out figure says what
to expect on events not seen.

Throughput: synthetic articles (events with their own names, words and figures over a Zipfian background,
400 a day) fill stores of `--sizes` articles through the same clustering (the first transaction after,
which also fills the worker's cache, timed apart); then, in each of `--rounds` rounds, every store in turn
clusters `--measure` more articles `--batch` to a transaction, as `ingest --format jsonl` does, and a fifth
as many one transaction each: articles clustered per second of process CPU time (wall clock beside),
beside the same clustering over an in-memory index of the same articles (no database) and term
extraction alone. The shared machine's speed drifts between runs and within one; taking the sizes in turn,
round after round, puts the drift on every size alike, and the cost ratio between the largest and the
smallest store is given round by round.
"""

from __future__ import annotations

import argparse
import gc
import itertools
import json
import random
import statistics
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert

from tidings import cluster, pipeline, settings
from tidings.cluster.memory import MemoryStoryIndex
from tidings.models import CanonicalArticle
from tidings.records import paragraphs
from tidings.store import Store, Transaction, queries
from tidings.store import schema as t

DEFAULT_DATA = (
    Path(__file__).resolve().parents[3].parent / "shared" / "data" / "stories-dev" / "ecbplus.jsonl"
)

# ----------------------------------------------------------------------------------------------- metrics


def bcubed(pred: Mapping[str, object], gold: Mapping[str, object]) -> tuple[float, float, float]:
    """Item-averaged BCubed precision, recall and F1 (Amigó et al. 2009) over the items of `gold`."""
    items = [i for i in gold if i in pred]
    if not items:
        return 0.0, 0.0, 0.0
    by_pred: dict[object, set[str]] = {}
    by_gold: dict[object, set[str]] = {}
    for i in items:
        by_pred.setdefault(pred[i], set()).add(i)
        by_gold.setdefault(gold[i], set()).add(i)
    p = r = 0.0
    for i in items:
        mine, truth = by_pred[pred[i]], by_gold[gold[i]]
        both = len(mine & truth)
        p += both / len(mine)
        r += both / len(truth)
    p, r = p / len(items), r / len(items)
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def pairwise_f1(pred: Mapping[str, object], gold: Mapping[str, object]) -> float:
    items = [i for i in gold if i in pred]
    joint = Counter((pred[i], gold[i]) for i in items)

    def pairs(counts: Iterable[int]) -> int:
        return sum(n * (n - 1) // 2 for n in counts)

    both = pairs(joint.values())
    found = pairs(Counter(pred[i] for i in items).values())
    true = pairs(Counter(gold[i] for i in items).values())
    p, r = (both / found if found else 0.0), (both / true if true else 0.0)
    return 2 * p * r / (p + r) if p + r else 0.0


@dataclass(frozen=True, slots=True)
class Score:
    p: float
    r: float
    f1: float
    pairwise: float

    @staticmethod
    def of(pred: Mapping[str, object], gold: Mapping[str, object]) -> Score:
        p, r, f = bcubed(pred, gold)
        return Score(p, r, f, pairwise_f1(pred, gold))


# ------------------------------------------------------------------------------------------ the dataset


@dataclass(frozen=True, slots=True)
class Item:
    id: str
    title: str
    text: str
    date: str | None
    story: str
    group: str


def load(path: Path) -> list[Item]:
    items = []
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                r = json.loads(line)
                items.append(Item(r["id"], r["title"], r["text"], r.get("date"), r["story"], r["group"]))
    return items


def orders(items: list[Item], shuffles: int, seed: int) -> dict[str, list[Item]]:
    """Date order (undated after the dated, in file order) and `shuffles` random orders."""
    dated = sorted((i for i in items if i.date), key=lambda i: i.date or "")
    out = {"date order": dated + [i for i in items if not i.date]}
    for n in range(shuffles):
        shuffled = list(items)
        random.Random(seed + n).shuffle(shuffled)
        out[f"shuffled #{n + 1}"] = shuffled
    return out


def _when(item: Item) -> datetime | None:
    return datetime.fromisoformat(item.date).replace(tzinfo=UTC) if item.date else None


# ---------------------------------------------------------------------------------- the real ingest path


def ingest_order(
    order: list[Item], conf: settings.Settings, with_enrich: bool
) -> tuple[dict[str, int], float]:
    """Ingest the records in this order into a fresh SQLite store: (record id -> story id, seconds)."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "records.jsonl"
        with path.open("w", encoding="utf-8") as out:
            for i in order:
                out.write(
                    json.dumps({"id": i.id, "title": i.title, "text": i.text, "published_at": i.date}) + "\n"
                )
        url = f"sqlite:///{folder}/stories.db"
        store = Store(url)
        store.migrate()
        started = time.perf_counter()
        with _Enrichment(with_enrich):
            report = pipeline.ingest_records(store, [path], conf.replace(db=url))
        seconds = time.perf_counter() - started
        if report.failures:
            raise SystemExit(
                f"bench stories: {len(report.failures)} records failed, e.g. {report.failures[0]}"
            )
        stories = {
            copy["ref"]: article["story_id"]
            for article in queries.export_articles(store)
            for copy in article["copies"]
        }
        store.close()
    return stories, seconds


def _no_enrichment(
    tx: Transaction, article_id: int, article: CanonicalArticle, settings: settings.Settings
) -> bool:
    del tx, article_id, article, settings
    return False


class _Enrichment:
    """Enrichment off for the timed path unless asked for: clustering reads none of what it makes."""

    def __init__(self, keep: bool) -> None:
        self.keep = keep
        self.saved: Callable[..., bool] | None = None

    def __enter__(self) -> None:
        if not self.keep:
            self.saved = pipeline._enrich
            pipeline._enrich = _no_enrichment

    def __exit__(self, *_exc: object) -> None:
        if self.saved is not None:
            pipeline._enrich = self.saved


# ------------------------------------------------------------------------------- the peer (scikit-learn)


def peer_agglomerative(items: list[Item], gold: Mapping[str, str]) -> tuple[Score, float, float]:
    """scikit-learn TF-IDF (sublinear tf, English stop words) over title + text, average-linkage
    agglomerative clustering on cosine distance (SciPy's, one tree cut at every threshold), the
    threshold tuned on the gold labels."""
    import numpy as np
    from scipy.cluster.hierarchy import fcluster, linkage  # type: ignore[import-untyped]
    from sklearn.feature_extraction.text import TfidfVectorizer  # type: ignore[import-untyped]

    started = time.perf_counter()
    matrix = TfidfVectorizer(sublinear_tf=True, stop_words="english").fit_transform(
        [i.title + "\n" + i.text for i in items]
    )
    tree = linkage(matrix.toarray(), method="average", metric="cosine")
    best: tuple[Score, float] | None = None
    for threshold in np.arange(0.70, 0.96, 0.01):
        labels = fcluster(tree, t=float(threshold), criterion="distance")
        score = Score.of({i.id: int(label) for i, label in zip(items, labels, strict=True)}, gold)
        if best is None or score.f1 > best[0].f1:
            best = (score, float(threshold))
    assert best is not None
    return best[0], best[1], time.perf_counter() - started


# -------------------------------------------------------------------------------------------- quality


def quality(items: list[Item], shuffles: int, seed: int, with_enrich: bool) -> int:
    gold = {i.id: i.story for i in items}
    conf = settings.load({}, environ={})
    params = pipeline.story_params(conf)
    print(
        f"stories: ECB+ ({len(items)} articles, {len(set(gold.values()))} events, "
        f"{len({i.group for i in items})} topics), real ingest path (jsonl into SQLite), shipped settings "
        f"(join {conf.story_min_similarity}, merge {conf.story_merge_similarity}, absorb {params.absorb} "
        f"at {params.outgrown:g}x, "
        f"window {conf.story_window_days} days){'' if with_enrich else ', enrichment off'}"
    )
    print(
        f"  {'order':<16}{'BCubed P':>10}{'R':>8}{'F1':>8}{'pairwise F1':>13}{'stories':>9}{'articles/s':>12}"
    )
    scores = []
    for name, order in orders(items, shuffles, seed).items():
        stories, seconds = ingest_order(order, conf, with_enrich)
        score = Score.of(stories, gold)
        scores.append(score)
        print(
            f"  {name:<16}{score.p:>10.3f}{score.r:>8.3f}{score.f1:>8.3f}{score.pairwise:>13.3f}"
            f"{len(set(stories.values())):>9}{len(order) / seconds:>12.1f}"
        )
    f1s = [s.f1 for s in scores]
    mean = Score(*(statistics.mean(getattr(s, k) for s in scores) for k in ("p", "r", "f1", "pairwise")))
    print(f"  {'mean':<16}{mean.p:>10.3f}{mean.r:>8.3f}{mean.f1:>8.3f}{mean.pairwise:>13.3f}")
    print(f"  spread of BCubed F1 across orders (max - min): {max(f1s) - min(f1s):.3f}")
    peer, threshold, seconds = peer_agglomerative(items, gold)
    print(
        f"  peer: scikit-learn TF-IDF + average-linkage agglomerative, threshold {threshold:.2f} tuned on "
        f"the gold labels (offline, sees every article at once), {seconds:.1f} s:"
    )
    print(f"  {'peer':<16}{peer.p:>10.3f}{peer.r:>8.3f}{peer.f1:>8.3f}{peer.pairwise:>13.3f}")
    ratio_f1, ratio_pairwise = mean.f1 / peer.f1, mean.pairwise / peer.pairwise
    print(f"  ratio Tidings / peer: BCubed F1 {ratio_f1:.3f}, pairwise F1 {ratio_pairwise:.3f}")
    return 0


# ---------------------------------------------------------------------------------------- calibration


def _terms(items: list[Item]) -> dict[str, cluster.Terms]:
    return {i.id: cluster.text_terms(i.title, "", paragraphs(i.text, i.title)) for i in items}


def replay(
    order: Sequence[Item], terms: Mapping[str, cluster.Terms], params: cluster.Params
) -> dict[str, int]:
    """The clustering alone, over an in-memory index: record id -> story id."""
    index = MemoryStoryIndex()
    for item in order:
        placement = cluster.place(terms[item.id], _when(item), index, params)
        index.add_member(placement.story_id, item.id)
    return {str(k): v for k, v in index.labels().items()}


def calibrate(items: list[Item], shuffles: int, seed: int, folds: int = 5) -> int:
    terms = _terms(items)
    gold = {i.id: i.story for i in items}
    topics = sorted({i.group for i in items}, key=lambda g: (len(g), g))
    fold_of = {g: n % folds for n, g in enumerate(topics)}
    shipped = pipeline.story_params(settings.load({}, environ={}))
    # The number weight (4, from a 60-setting sweep over join x merge x {3, 4, 5}) is held at the shipped
    # value; the sweep is over the thresholds and the absorption of fragments.
    grid = [
        replace(shipped, join=j, merge=m, absorb=a, outgrown=o)
        for j in (0.16, 0.18, 0.20)
        for m in (0.16, 0.18, 0.20)
        for a in (0.0, 0.10, 0.12, 0.14)
        for o in ((8.0,) if a == 0.0 else (4.0, 8.0, 12.0))
    ]
    runs = orders(items, shuffles, seed)
    print(
        f"stories calibration: {len(grid)} settings x {len(runs)} orders, in memory; {folds}-fold "
        f"cross-validation across {len(topics)} topics"
    )
    results: list[list[dict[str, int]]] = []
    started = time.perf_counter()
    for params in grid:
        results.append([replay(order, terms, params) for order in runs.values()])
    print(f"  ({time.perf_counter() - started:.0f} s)")

    def f1_on(pred_runs: list[dict[str, int]], keep: Callable[[Item], bool]) -> float:  # over orders
        subset = {i.id: i.story for i in items if keep(i)}
        return statistics.mean(Score.of(pred, subset).f1 for pred in pred_runs)

    print(
        f"  {'held-out fold':<14}{'join':>6}{'merge':>7}{'absorb':>8}{'outgrown':>10}{'train F1':>10}"
        f"{'held-out F1':>13}"
    )
    held = []
    for k in range(folds):
        train = [f1_on(r, _not_in_fold(fold_of, k)) for r in results]
        best = max(range(len(grid)), key=lambda n: (train[n], -n))
        test = f1_on(results[best], _in_fold(fold_of, k))
        held.append(test)
        p = grid[best]
        print(
            f"  {k + 1:<14}{p.join:>6.2f}{p.merge:>7.2f}{p.absorb:>8.2f}{p.outgrown:>10.0f}"
            f"{train[best]:>10.3f}{test:>13.3f}"
        )
    spread = max(held) - min(held)
    print(f"  held-out BCubed F1, mean over folds: {statistics.mean(held):.3f} (spread {spread:.3f})")
    overall = [f1_on(r, _everything) for r in results]
    best = max(range(len(grid)), key=lambda n: (overall[n], -n))
    p = grid[best]
    shipped_n = next((n for n, g in enumerate(grid) if g == shipped), None)
    print(
        f"  chosen on all topics: join {p.join}, merge {p.merge}, absorb {p.absorb}, outgrown {p.outgrown}: "
        f"F1 {overall[best]:.3f}"
    )
    if shipped_n is not None:
        print(f"  shipped settings: F1 {overall[shipped_n]:.3f}")
    del gold
    return 0


def _in_fold(fold_of: Mapping[str, int], k: int) -> Callable[[Item], bool]:
    return lambda item: fold_of[item.group] == k


def _not_in_fold(fold_of: Mapping[str, int], k: int) -> Callable[[Item], bool]:
    return lambda item: fold_of[item.group] != k


def _everything(_item: Item) -> bool:
    return True


# ----------------------------------------------------------------------------------------- throughput

_SYLLABLES = ("ka", "lo", "mi", "ra", "tu", "ne", "sa", "vo", "re", "di", "pa", "lu", "mo", "ta", "ze", "ni")


class Synthetic:
    """Articles about generated events: each event has its own names (people, places), words and figures;
    every article mixes some of them with background words drawn from a Zipfian vocabulary."""

    def __init__(self, seed: int, per_day: int = 400, start: datetime | None = None) -> None:
        self.rng = random.Random(seed)
        self.per_day = per_day
        self.start = start or datetime(2024, 1, 1, tzinfo=UTC)
        self.words = [self._word(2 + n % 3) for n in range(30_000)]
        # Cumulative Zipfian weights, summed once (`choices` would sum them again at every call).
        self.cum_weights = list(itertools.accumulate(1 / (rank + 1) for rank in range(len(self.words))))
        self.count = 0
        self.events: list[tuple[list[str], list[str], list[str], int]] = []

    def _word(self, syllables: int) -> str:
        return "".join(self.rng.choice(_SYLLABLES) for _ in range(syllables))

    def _event(self) -> tuple[list[str], list[str], list[str], int]:
        # Most events are covered by one to five articles, a few by many.
        if not self.events or self.rng.random() < 0.35:
            names = [self._word(3).capitalize() for _ in range(self.rng.randint(3, 6))]
            words = self.rng.choices(self.words[200:], k=12)
            figures = [str(self.rng.randint(2, 9999)) for _ in range(3)]
            self.events.append((names, words, figures, self.count))
            self.events = self.events[-300:]
        return self.rng.choice(self.events[-300:])

    def article(self) -> CanonicalArticle:
        """A synthetic article: twelve sentences in three paragraphs and a headline."""
        names, words, figures, _ = self._event()
        rng = self.rng
        when = self.start + timedelta(days=self.count / self.per_day)
        self.count += 1
        sentences = []
        for _ in range(12):
            parts = rng.choices(self.words, cum_weights=self.cum_weights, k=14)
            parts[rng.randrange(14)] = rng.choice(words)
            parts[rng.randrange(14)] = rng.choice(names)
            if rng.random() < 0.4:
                parts[rng.randrange(14)] = rng.choice(figures)
            sentences.append(" ".join(parts).capitalize() + ".")
        body = (" ".join(sentences[:4]), " ".join(sentences[4:8]), " ".join(sentences[8:]))
        title = f"{rng.choice(names)} {rng.choice(words)} {rng.choice(words)} {rng.choice(figures)}"
        return CanonicalArticle(title, None, body, f"Publisher {rng.randint(1, 60)}", None, when, "en")

    def terms(self) -> tuple[datetime, dict[str, tuple[float, str]]]:
        """Only the terms of a synthetic article (for filling stores fast): the same mix, no text."""
        names, words, figures, _ = self._event()
        rng = self.rng
        when = self.start + timedelta(days=self.count / self.per_day)
        self.count += 1
        counts: Counter[tuple[str, str]] = Counter()
        for word in rng.choices(self.words, cum_weights=self.cum_weights, k=120):
            if len(word) >= 3:
                counts[(word, cluster.WORD)] += 1
        for _ in range(14):
            counts[(rng.choice(words), cluster.WORD)] += 1
            counts[(rng.choice(names).lower(), cluster.NAME)] += 1
        for _ in range(5):
            counts[(rng.choice(figures), cluster.NUMBER)] += 1
        return when, {term: (float(n), kind) for (term, kind), n in counts.items()}


def fill(store: Store, gen: Synthetic, size: int, params: cluster.Params) -> MemoryStoryIndex:
    """`size` synthetic articles clustered (in memory, by the same code) and written to the store; the
    in-memory index they were clustered in."""
    index = MemoryStoryIndex()
    when_of: dict[int, datetime] = {}
    for n in range(size):
        when, terms = gen.terms()
        placement = cluster.place(terms, when, index, params)
        index.add_member(placement.story_id, n + 1)
        when_of[n + 1] = when
        if n % 2000 == 1999:  # the stream is in date order: what the window left behind is out of reach
            index.forget_before(when - timedelta(days=params.window_days + 1))
    now = datetime.now(UTC)
    live = {s: m for s, m in index.members.items() if m}
    with store.begin() as tx:
        c = tx.c
        c.execute(insert(t.story_vocabulary), [{"term": k, "df": v} for k, v in index.vocabulary().items()])
        c.execute(insert(t.story_vocabulary), [{"term": "", "df": index.articles}])
        c.execute(
            insert(t.stories),
            [
                {
                    "id": s,
                    "title": f"story {s}",
                    "first_seen": index.info[s].first_seen,
                    "last_seen": index.info[s].last_seen,
                    "article_count": len(members),
                    "publisher_count": 1,
                    "headline_score": 0.0,
                    # the store keeps sums: weight times articles
                    "centroid": json.dumps({k: w * len(members) for k, w in index.centroid_terms(s).items()}),
                }
                for s, members in live.items()
            ],
        )
        articles = [
            {
                "id": int(str(m)),
                "title": f"article {m}",
                "body": "[]",
                "published_at": when_of[int(str(m))],
                "story_id": s,
                "created_at": now,
                "updated_at": now,
            }
            for s, members in live.items()
            for m in members
        ]
        for start in range(0, len(articles), 50_000):
            c.execute(insert(t.articles), articles[start : start + 50_000])
    return index


@dataclass(slots=True)
class _Filled:
    """One store filled to `size` articles, with the articles still to cluster into it."""

    size: int
    store: Store
    index: MemoryStoryIndex
    work: list[tuple[int, CanonicalArticle]]
    filled: float  # seconds to fill
    first: float  # seconds of the first transaction (fills the worker's cache)


@dataclass(slots=True)
class _Round:
    rate: float  # articles/s, process CPU
    wall: float  # articles/s, wall clock
    one: float  # articles/s, one transaction each (CPU)
    memory: float  # articles/s in memory, terms included (CPU)
    terms: float  # articles/s, term extraction alone (CPU)


def _prepare(
    size: int, folder: str, seed: int, params: cluster.Params, count: int, batch_size: int
) -> _Filled:
    gen = Synthetic(seed)
    store = Store(f"sqlite:///{folder}/stories-{size}.db")
    store.migrate()
    started = time.perf_counter()
    index = fill(store, gen, size, params)
    filled = time.perf_counter() - started
    articles = [gen.article() for _ in range(batch_size + count)]
    with store.begin() as tx:
        ids = [tx.new_article() for _ in articles]
        for article_id, article in zip(ids, articles, strict=True):
            tx.save_article(article_id, article)
    work = list(zip(ids, articles, strict=True))
    # The first transaction also reads the worker's cache (stories in reach, the vocabulary): once per
    # worker, so it is timed apart.
    started = time.perf_counter()
    _cluster_in(store, work[:batch_size], params)
    return _Filled(size, store, index, work[batch_size:], filled, time.perf_counter() - started)


def _round(filled: _Filled, measure: int, single: int, batch_size: int, params: cluster.Params) -> _Round:
    timed, filled.work = filled.work[:measure], filled.work[measure:]
    tail, filled.work = filled.work[:single], filled.work[single:]
    cpu, wall = time.process_time(), time.perf_counter()
    for start in range(0, len(timed), batch_size):
        _cluster_in(filled.store, timed[start : start + batch_size], params)
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    one = time.process_time()
    for item in tail:
        _cluster_in(filled.store, [item], params)
    one = time.process_time() - one
    started = time.process_time()
    for _, article in timed:
        cluster.article_terms(article)
    alone = time.process_time() - started
    memory = _memory_rate([a for _, a in timed], filled.index, params)
    return _Round(len(timed) / cpu, len(timed) / wall, len(tail) / one, memory, len(timed) / alone)


def throughput(sizes: list[int], measure: int, seed: int, batch_size: int, rounds: int) -> int:
    params = pipeline.story_params(settings.load({}, environ={}))
    single = max(measure // 5, 1)
    print(
        f"stories throughput: SQLite stores already holding {', '.join(f'{s:,}' for s in sizes)} synthetic "
        f"articles (400 a day, window {params.window_days} days); in each of {rounds} rounds, every store "
        f"in turn clusters {measure} more (terms, placement, the store's writes and commit), {batch_size} to "
        f"a transaction as `ingest --format jsonl` does, then {single} one transaction each. Rounds take the "
        "stores in turn (order reversed every other round), so the machine's drift falls on all sizes "
        "alike; each figure is the median over rounds, in process CPU time (wall clock beside). Beside it, "
        "the same articles clustered over an in-memory index of the same store (no database) and term "
        "extraction alone (the machine's yardstick: the same work at every size)."
    )
    with tempfile.TemporaryDirectory() as folder:
        stores = [
            _prepare(size, folder, seed, params, rounds * (measure + single), batch_size) for size in sizes
        ]
        # What the bench holds to fill the stores (the in-memory indexes of every stored article, which a
        # worker does not hold) is set aside from the garbage collector, which would otherwise walk it at
        # each full collection: a cost that grows with the fill, not with what clustering does.
        gc.collect()
        gc.freeze()
        results: dict[int, list[_Round]] = {size: [] for size in sizes}
        for n in range(rounds):
            for filled in stores if n % 2 == 0 else reversed(stores):
                results[filled.size].append(_round(filled, measure, single, batch_size, params))
        for filled in stores:
            filled.store.close()
    print(
        f"  {'stored':>9}{'articles/s':>12}{'(min-max)':>14}{'ms/article':>12}{'wall/s':>8}{'1 per tx/s':>12}"
        f"{'in memory/s':>13}{'terms/s':>9}{'ratio':>7}{'first tx s':>12}"
    )
    med = statistics.median
    for filled in stores:
        found = results[filled.size]
        rate = med(r.rate for r in found)
        memory = med(r.memory for r in found)
        spread = f"{min(r.rate for r in found):.0f}-{max(r.rate for r in found):.0f}"
        wall = med(r.wall for r in found)
        print(
            f"  {filled.size:>9,}{rate:>12.0f}{spread:>14}{1000 / rate:>12.2f}{wall:>8.0f}"
            f"{med(r.one for r in found):>12.0f}{memory:>13.0f}{med(r.terms for r in found):>9.0f}"
            f"{rate / memory:>7.2f}{filled.first:>12.2f}   (filled in {filled.filled:.0f} s)"
        )
    if len(stores) > 1:
        low, high = stores[0].size, stores[-1].size
        ratios = [
            a.rate / b.rate for a, b in zip(results[low], results[high], strict=True)
        ]  # cost at high / cost at low, round by round
        print(
            f"  cost per article at {high:,} stored / at {low:,}, round by round: "
            f"{', '.join(f'{r:.2f}' for r in ratios)} (median {med(ratios):.2f}; 1.00 is flat)"
        )
    return 0


def _cluster_in(store: Store, items: list[tuple[int, CanonicalArticle]], params: cluster.Params) -> None:
    with store.begin() as tx:
        for article_id, article in items:
            pipeline.cluster_article(tx, article_id, article, params)


def _memory_rate(batch: list[CanonicalArticle], index: MemoryStoryIndex, params: cluster.Params) -> float:
    """Articles per second (CPU) clustered, terms included, into the in-memory index of the filled store."""
    started = time.process_time()
    for article in batch:
        placement = cluster.place(cluster.article_terms(article), article.published_at, index, params)
        index.add_member(placement.story_id, None)
    return len(batch) / (time.process_time() - started)


# ------------------------------------------------------------------------------------------------ main


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="tidings bench stories", description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="labelled JSON Lines (ECB+ format)")
    parser.add_argument("--shuffles", type=int, default=3, help="shuffled orders besides date order (3)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--sizes",
        default="2000,20000",
        help="stored articles (2000,20000; the README's figures: 10000,100000)",
    )
    parser.add_argument(
        "--measure", type=int, default=1000, help="articles clustered per size and round (1000)"
    )
    parser.add_argument("--rounds", type=int, default=3, help="rounds over the sizes (3)")
    parser.add_argument(
        "--batch", type=int, default=None, help="articles per transaction (the ingest_batch setting)"
    )
    parser.add_argument("--only", choices=["quality", "throughput"], help="run one part")
    parser.add_argument("--calibrate", action="store_true", help="cross-validated calibration instead")
    parser.add_argument("--with-enrich", action="store_true", help="keep enrichment in the ingest path")
    args = parser.parse_args(argv)
    if args.calibrate or args.only != "throughput":
        if not args.data.is_file():
            print(f"bench stories: no labelled data at {args.data} (--data PATH)")
            return 2
        items = load(args.data)
        if args.calibrate:
            return calibrate(items, args.shuffles, args.seed)
        quality(items, args.shuffles, args.seed, args.with_enrich)
    if args.only != "quality":
        batch = args.batch or settings.load({}, environ={}).ingest_batch
        sizes = sorted(int(s) for s in args.sizes.split(",") if s.strip())
        throughput(sizes, args.measure, args.seed, batch, args.rounds)
    return 0
