"""`tidings bench fold`: folding quality and throughput, beside datasketch's MinHash LSH in the same run.

Quality: a generated syndication corpus (`bench.syndication`, seeded) goes through the real fold index
(a SQLite file, in batches, as `tidings ingest` of a folder does); the articles that come out are scored
against the truth: pairwise precision, recall and F1 over pairs of copies, articles wrongly split,
articles wrongly merged, and merges across each kind of hard negative. The same corpus in reverse order
must give the same articles. datasketch (MinHash, 128 permutations, MinHashLSH at threshold 0.5,
copies joined when LSH pairs them) is scored on the same documents.

Throughput: fingerprint + index + query per document, single process, at each size, for Tidings (the
store-backed index in a SQLite file) and for datasketch (in memory), each in its own process so that
each one's resident memory is its own. Corpus generation is not timed. The two processes take turns of
about a fifth of a second of work each (`_side_by_side`, `_Turns`): a slow spell of a shared machine then
slows both alike, and the ratio of their rates holds (run one after the other, the ratio moved by a third
from run to run).
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TextIO

from tidings import fold
from tidings.bench.syndication import Chunk, Item, chunks
from tidings.fold.fingerprint import plain_words
from tidings.models import Copy, StoredCopy
from tidings.store import Store, fold_mirror
from tidings.text import normalise, words

BATCH = 1000  # documents per transaction
PEER = "datasketch MinHashLSH (128 perm, threshold 0.5)"


# --- quality ---------------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Scores:
    documents: int
    articles: int
    precision: float
    recall: float
    f1: float
    split: int  # true articles whose copies ended in more than one article
    merged: int  # articles holding copies of more than one true article
    negatives: dict[str, tuple[int, int]]  # kind -> (pairs of articles folded together, pairs)


def score(
    truth: Sequence[int], predicted: Sequence[int], negatives: Sequence[tuple[int, int, str]]
) -> Scores:
    """Pairwise scores of a predicted grouping of documents against the true articles."""
    by_truth: dict[int, list[int]] = defaultdict(list)
    by_pred: dict[int, list[int]] = defaultdict(list)
    for doc, (t, p) in enumerate(zip(truth, predicted, strict=True)):
        by_truth[t].append(doc)
        by_pred[p].append(doc)
    both: dict[tuple[int, int], int] = defaultdict(int)
    for t, p in zip(truth, predicted, strict=True):
        both[(t, p)] += 1

    def pairs(n: int) -> int:
        return n * (n - 1) // 2

    tp = sum(pairs(n) for n in both.values())
    true_pairs = sum(pairs(len(d)) for d in by_truth.values())
    pred_pairs = sum(pairs(len(d)) for d in by_pred.values())
    precision = tp / pred_pairs if pred_pairs else 1.0
    recall = tp / true_pairs if true_pairs else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    split = sum(1 for docs in by_truth.values() if len({predicted[d] for d in docs}) > 1)
    merged = sum(1 for docs in by_pred.values() if len({truth[d] for d in docs}) > 1)
    where: dict[int, set[int]] = defaultdict(set)
    for t, p in zip(truth, predicted, strict=True):
        where[t].add(p)
    kinds: dict[str, tuple[int, int]] = {}
    for a, b, kind in negatives:
        if a in where and b in where:
            folded, total = kinds.get(kind, (0, 0))
            kinds[kind] = (folded + bool(where[a] & where[b]), total + 1)
    return Scores(len(truth), len(by_pred), precision, recall, f1, split, merged, kinds)


def fold_corpus(items: Sequence[Copy], url: str, rules: fold.Rules, batch: int = BATCH) -> list[int]:
    """Fold copies (in this order) through the store-backed index; each copy's article id."""
    store = Store(url)
    store.migrate()
    placed: list[int] = []
    try:
        for start in range(0, len(items), batch):
            part = items[start : start + batch]
            with store.begin() as tx:
                fps = fold.fingerprints(part, rules)
                ids = range(start + 1, start + 1 + len(part))
                placed.extend(p.article_id for p in fold.place(fps, list(ids), tx, rules))
        # later merges move earlier copies: read where each copy ended up
        with store.begin() as tx:
            final = dict(tx.fold_copy_articles())
        return [final[i + 1] for i in range(len(items))]
    finally:
        store.close()


def datasketch_groups(texts: Sequence[str], threshold: float = 0.5) -> list[int]:
    """datasketch's grouping: copies joined (union-find) when MinHashLSH returns one for the other and
    their estimated Jaccard similarity reaches the threshold."""
    from datasketch import MinHash, MinHashLSH  # type: ignore[import-untyped]

    lsh = MinHashLSH(threshold=threshold, num_perm=128)
    parent = list(range(len(texts)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    sketches: list[Any] = []
    for i, m in enumerate(MinHash.generator((_peer_shingles(t) for t in texts), num_perm=128)):
        for j in lsh.query(m):
            if m.jaccard(sketches[int(j)]) >= threshold:  # LSH candidates checked on their estimate
                parent[root(int(j))] = root(i)
        lsh.insert(str(i), m)
        sketches.append(m)
    return [root(i) for i in range(len(texts))]


def _peer_shingles(text: str) -> list[bytes]:
    """What a datasketch user feeds it: word 5-grams of the same words Tidings sees."""
    words = plain_words(text)
    if len(words) < 5:
        return [b" ".join(words)]
    return [b" ".join(words[i : i + 5]) for i in range(len(words) - 4)]


CHANGES = ("truncated", "teaser inserted", "retitled", "edited")


@dataclass(frozen=True, slots=True)
class Canonical:
    articles: int  # true articles with several copies, all folded into one article of their own
    body: float  # share whose canonical body has the publisher's words
    typography: float  # ... and its typography, character for character
    title: float
    dek: float
    changes: dict[str, tuple[float, float]]  # change -> (precision, recall) over the copies


def canonical_scores(
    items: Sequence[Item], predicted: Sequence[int], originals: dict[int, Copy], limit: int
) -> Canonical:
    """How the canonical articles compare with what their publishers wrote, and what each copy is said
    to have changed against what the generator did to it."""
    groups: dict[int, list[int]] = defaultdict(list)
    for doc, found in enumerate(predicted):
        groups[found].append(doc)
    clean = [
        docs
        for docs in groups.values()
        if len(docs) > 1
        and len({items[d].article for d in docs}) == 1
        and sum(1 for it in items if it.article == items[docs[0]].article) == len(docs)
    ][:limit]
    counts = {"body": 0, "typography": 0, "title": 0, "dek": 0}
    tallies = {c: [0, 0, 0] for c in CHANGES}  # true positives, said, true
    epoch = datetime(2025, 1, 1, tzinfo=UTC)
    for docs in clean:
        stored = [
            StoredCopy(
                d,
                items[d].copy,
                items[d].site,
                None,
                None,
                epoch + timedelta(minutes=items[d].made),
                f"{d:064x}",
            )
            for d in docs
        ]
        article = fold.build(stored)
        truth = originals[items[docs[0]].article]
        counts["body"] += words(" ".join(article.body)) == words(" ".join(truth.body))
        counts["typography"] += list(article.body) == list(truth.body)
        counts["title"] += normalise(article.title or "") == normalise(truth.title or "")
        counts["dek"] += normalise(article.dek or "") == normalise(truth.dek or "")
        for d in docs:
            said, done = set(article.copy_changes.get(d, ())), items[d].changes
            for change in CHANGES:
                tallies[change][0] += change in said and change in done
                tallies[change][1] += change in said
                tallies[change][2] += change in done
    n = max(1, len(clean))
    return Canonical(
        len(clean),
        counts["body"] / n,
        counts["typography"] / n,
        counts["title"] / n,
        counts["dek"] / n,
        {
            c: (tp / said if said else 1.0, tp / done if done else 1.0)
            for c, (tp, said, done) in tallies.items()
        },
    )


def quality(
    documents: int, seed: int, rules: fold.Rules, peer: bool, canonical: int = 1000
) -> dict[str, object]:
    corpus = list(chunks(documents, seed))
    items = [it for c in corpus for it in c.items]
    copies = [it.copy for it in items]
    truth = [it.article for it in items]
    negatives = [n for c in corpus for n in c.negatives]
    out: dict[str, object] = {}
    with tempfile.TemporaryDirectory() as folder:
        forward = fold_corpus(copies, f"sqlite:///{folder}/forward.db", rules)
        backward = fold_corpus(copies[::-1], f"sqlite:///{folder}/backward.db", rules)[::-1]
    out["tidings"] = score(truth, forward, negatives)
    out["same_in_reverse"] = _partition(forward) == _partition(backward)
    if canonical:
        originals = {label: copy for c in corpus for label, copy in c.originals.items()}
        out["canonical"] = canonical_scores(items, forward, originals, canonical)
    if peer:
        out["peer"] = score(truth, datasketch_groups([fold.fold_text(c) for c in copies]), negatives)
    return out


def _partition(groups: Sequence[int]) -> set[frozenset[int]]:
    members: dict[int, set[int]] = defaultdict(set)
    for doc, g in enumerate(groups):
        members[g].add(doc)
    return {frozenset(m) for m in members.values()}


# --- throughput ------------------------------------------------------------------------------------------
def _stream(documents: int, seed: int) -> Iterator[Chunk]:
    return chunks(documents, seed)


def run_tidings(
    documents: int,
    seed: int,
    rules: fold.Rules,
    folder: str,
    progress: int = 0,
    turn: Callable[[], float] = lambda: 0.0,
) -> dict[str, float]:
    """Fold `documents` generated documents into a fresh store; with `progress`, a line on stderr every
    `progress` documents: how many so far, the CPU time per document since the last line, memory.
    `turn` is called before each batch (to wait for this process's turn, if it is over)."""
    store = Store(f"sqlite:///{folder}/throughput.db")
    store.migrate()
    fold.warm()  # loads the compiled loops (as importing datasketch is not timed either)
    fold_mirror.warm()
    _settle()
    fold.STATS[:] = 0
    spent, cpu, fingerprinting, done, next_id = 0.0, 0.0, 0.0, 0, 1
    reported = (0, 0.0)
    for chunk in _stream(documents, seed):
        copies = [it.copy for it in chunk.items]
        for start in range(0, len(copies), BATCH):
            turn()
            # the folded texts are made outside the timing, as they are for datasketch
            texts = [fold.fold_text(c) for c in copies[start : start + BATCH]]
            began, began_cpu = time.perf_counter(), time.process_time()
            with store.begin() as tx:
                fps = fold.text_fingerprints(texts, rules)
                fingerprinting += time.process_time() - began_cpu
                fold.place(fps, list(range(next_id, next_id + len(texts))), tx, rules)
            spent += time.perf_counter() - began
            cpu += time.process_time() - began_cpu
            next_id += len(texts)
            done += len(texts)
            if progress and done - reported[0] >= progress:
                per = (cpu - reported[1]) / (done - reported[0])
                memory = _memory()
                print(
                    f"tidings: {done} documents, {per * 1e6:.0f} us/doc (CPU) over the last "
                    f"{done - reported[0]}, RSS {memory['rss'] / 2**20:.0f} MiB, "
                    f"peak {memory['peak_rss'] / 2**20:.0f} MiB",
                    file=sys.stderr,
                    flush=True,
                )
                reported = (done, cpu)
    store.close()
    size = sum(p.stat().st_size for p in Path(folder).glob("throughput.db*"))
    figures = {"documents": done, "seconds": spent, "cpu": cpu, "fingerprint_cpu": fingerprinting}
    placed, candidates, screened, compared = fold.STATS.tolist()
    figures |= {"candidates": candidates, "screened": screened, "compared": compared, "placed": placed}
    return {**figures, **_memory(), "db_bytes": float(size)}


def _settle() -> None:
    """What a worker does once it has loaded its code (`tidings` does it at start): the objects made
    so far live as long as the process, so the garbage collector is told to leave them alone rather
    than walk them at each full collection. Done for both systems, after their imports."""
    gc.collect()
    gc.freeze()


def run_peer(
    documents: int, seed: int, per_shingle: bool = False, turn: Callable[[], float] = lambda: 0.0
) -> dict[str, float]:
    """datasketch on the same documents: its fastest path (`MinHash.generator`, numpy over a whole
    document at once), or with `per_shingle` the one its documentation shows first (`MinHash.update`
    for each shingle). `turn` as for `run_tidings`, called every `PEER_STEP` documents (the wall-clock
    time it waits is not counted)."""
    from datasketch import MinHash, MinHashLSH

    _settle()

    def one_by_one(texts: Sequence[str]) -> Iterator[Any]:
        for text in texts:
            m = MinHash(num_perm=128)
            for shingle in _peer_shingles(text):
                m.update(shingle)
            yield m

    lsh = MinHashLSH(threshold=0.5, num_perm=128)
    spent, cpu, done = 0.0, 0.0, 0
    for chunk in _stream(documents, seed):
        turn()
        texts = [fold.fold_text(it.copy) for it in chunk.items]
        began, began_cpu, waited = time.perf_counter(), time.process_time(), 0.0
        sketches = (
            one_by_one(texts)
            if per_shingle
            else MinHash.generator((_peer_shingles(t) for t in texts), num_perm=128)
        )
        for i, m in enumerate(sketches):
            if i and i % PEER_STEP == 0:
                waited += turn()
            lsh.query(m)
            lsh.insert(str(done + i), m)
        spent += time.perf_counter() - began - waited
        cpu += time.process_time() - began_cpu
        done += len(texts)
    return {"documents": done, "seconds": spent, "cpu": cpu, **_memory()}


def _memory() -> dict[str, float]:
    """Resident memory now and at its peak. The peak is the process's own high-water mark (VmHWM):
    getrusage's ru_maxrss is carried over an exec from the parent, so a child started by a big parent
    would report the parent's peak."""
    import psutil

    rss = psutil.Process().memory_info().rss
    peak = 0
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    peak = int(line.split()[1]) * 1024
    except OSError:
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # KiB on Linux
    return {"rss": float(rss), "peak_rss": float(max(rss, peak))}


def _command(system: str, documents: int, seed: int, progress: int = 0, turns: bool = False) -> list[str]:
    child = ["--child", system, str(documents), str(seed), str(progress), "turns" if turns else "alone"]
    return [sys.executable, "-m", "tidings.bench.fold", *child]


def _preexec(nice: int) -> Callable[[], object] | None:
    return (lambda: os.nice(nice)) if nice else None


def _in_child(system: str, documents: int, seed: int, nice: int, progress: int = 0) -> dict[str, float]:
    """One measurement in a fresh process, so its memory is its own (its progress lines go to stderr)."""
    result = subprocess.run(
        _command(system, documents, seed, progress),
        stdout=subprocess.PIPE,
        stderr=None if progress else subprocess.PIPE,
        text=True,
        check=False,
        preexec_fn=_preexec(nice),
    )
    if result.returncode != 0:
        raise RuntimeError(f"{system} at {documents}: {(result.stderr or '').strip().splitlines()[-1:]}")
    figures: dict[str, float] = json.loads(result.stdout.strip().splitlines()[-1])
    return figures


def _side_by_side(
    systems: Sequence[str], documents: int, seed: int, nice: int, progress: int = 0
) -> list[dict[str, float]]:
    """Each system measured in its own process, the processes taking turns (`_Turns`): each waits (its
    clock stopped: the figures are CPU time) while the other works. Their errors go to
    files (a pipe nobody reads could fill and stop them); a process that ends early is reported with the
    last line it wrote there."""
    with contextlib.ExitStack() as held:
        errors = [held.enter_context(tempfile.TemporaryFile(mode="w+")) for _ in systems]
        return _take_turns(systems, documents, seed, nice, progress, errors)


def _take_turns(
    systems: Sequence[str], documents: int, seed: int, nice: int, progress: int, errors: Sequence[Any]
) -> list[dict[str, float]]:
    children = [
        subprocess.Popen(
            _command(system, documents, seed, progress if system == "tidings" else 0, turns=True),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=None if progress else errors[i],
            text=True,
            preexec_fn=_preexec(nice),
        )
        for i, system in enumerate(systems)
    ]

    def ended(i: int) -> RuntimeError:
        code = children[i].wait()
        errors[i].seek(0)
        last = errors[i].read().strip().splitlines()[-1:]
        return RuntimeError(f"{systems[i]} at {documents}: its process ended (code {code}): {last}")

    figures: list[dict[str, float] | None] = [None] * len(children)
    try:
        for i, child in enumerate(children):  # all set up before the first turn
            assert child.stdout is not None
            if child.stdout.readline().strip() != "ready":
                raise ended(i)
        while any(f is None for f in figures):
            for i, child in enumerate(children):
                if figures[i] is not None:
                    continue
                assert child.stdin is not None
                assert child.stdout is not None
                child.stdin.write("go\n")
                child.stdin.flush()
                line = child.stdout.readline()
                if not line:
                    raise ended(i)
                if line.strip() != "done":
                    figures[i] = json.loads(line)
    finally:
        for child in children:
            for pipe in (child.stdin, child.stdout):
                if pipe is not None:
                    pipe.close()
            child.wait()
    return [f for f in figures if f is not None]


TURN_SECONDS = 0.2  # the least CPU time a process works in its turn
PEER_STEP = 100  # datasketch's documents between two looks at whether its turn is over (40 ms)


class _Turns:
    """A child's side of taking turns, called between steps of its work: it says it is ready and waits
    for its first turn, then keeps its turn until it has worked `TURN_SECONDS` (CPU time), says it is
    done and waits for the next. A call returns the wall-clock seconds it waited.

    Turns of a time rather than of a chunk of documents each: a turn starts with the caches the other
    process filled with its own data, and with a chunk each Tidings (ten times as fast) paid that start
    ten times as often a document as datasketch (at 100,000, a median 44.6 µs a document against 40.6
    with turns of half a second; datasketch 3% faster too)."""

    def __init__(
        self,
        reply: TextIO,
        ask: TextIO,
        clock: Callable[[], float] = time.process_time,
        least: float = TURN_SECONDS,
    ) -> None:
        self.reply, self.ask, self.clock, self.least = reply, ask, clock, least
        self.began: float | None = None  # when this turn began (None: before the first)

    def __call__(self) -> float:
        if self.began is not None and self.clock() - self.began < self.least:
            return 0.0
        waiting = time.perf_counter()
        print("ready" if self.began is None else "done", file=self.reply, flush=True)
        if self.ask.readline().strip() != "go":
            sys.exit(1)  # the parent is gone
        self.began = self.clock()
        return time.perf_counter() - waiting


def _child(argv: Sequence[str]) -> int:
    system, documents, seed = argv[0], int(argv[1]), int(argv[2])
    progress = int(argv[3]) if len(argv) > 3 else 0
    turns = len(argv) > 4 and argv[4] == "turns"
    turn: Callable[[], float] = _Turns(sys.stdout, sys.stdin) if turns else (lambda: 0.0)
    if system == "tidings":
        with tempfile.TemporaryDirectory() as folder:
            figures = run_tidings(documents, seed, fold.Rules(), folder, progress, turn)
    else:
        figures = run_peer(documents, seed, per_shingle=system == "peer-per-shingle", turn=turn)
    print(json.dumps(figures), flush=True)
    return 0


# --- report ----------------------------------------------------------------------------------------------
def _print_quality(result: dict[str, object], documents: int, seed: int) -> None:
    print(f"fold quality: generated corpus of {documents} copies (seed {seed})")
    rows = [("Tidings", result["tidings"])]
    if "peer" in result:
        rows.append((PEER, result["peer"]))
    print(f"  {'':<48}{'precision':>10}{'recall':>9}{'F1':>8}{'articles':>10}{'split':>7}{'merged':>8}")
    for name, s in rows:
        assert isinstance(s, Scores)
        figures = f"{s.precision:>10.4f}{s.recall:>9.4f}{s.f1:>8.4f}{s.articles:>10}{s.split:>7}{s.merged:>8}"
        print(f"  {name:<48}{figures}")
    for name, s in rows:
        assert isinstance(s, Scores)
        parts = ", ".join(f"{k} {f}/{n}" for k, (f, n) in sorted(s.negatives.items()))
        print(f"  hard negatives folded together, {name}: {parts}")
    print(f"  same articles when ingested in reverse order: {'yes' if result['same_in_reverse'] else 'NO'}")
    c = result.get("canonical")
    if isinstance(c, Canonical):
        print(
            f"  canonical articles ({c.articles} with several copies) against what the publisher wrote: "
            f"body words {c.body:.3f}, body with its typography {c.typography:.3f}, title {c.title:.3f}, "
            f"dek {c.dek:.3f}"
        )
        parts = ", ".join(f"{k} {p:.3f}/{r:.3f}" for k, (p, r) in c.changes.items())
        print(f"  what each copy changed, precision/recall: {parts}")


def _print_speed(
    rows: list[tuple[int, dict[str, float], dict[str, float] | None]],
    per_shingle: dict[int, dict[str, float]],
) -> None:
    print(
        "fold throughput: fingerprint + index + query, one process (corpus generation not timed); "
        "docs/s and us/doc in process CPU time (the machine is shared), wall-clock docs/s beside it"
    )
    print(
        f"  {'documents':>10}{'Tidings docs/s':>16}{'us/doc':>9}{'wall/s':>8}{'peak RSS MiB':>14}"
        f"{'DB MiB':>8}{'peer docs/s':>13}{'wall/s':>8}{'peak RSS MiB':>14}{'ratio':>8}"
    )
    base = rows[0][1]["cpu"] / rows[0][1]["documents"]
    for n, ours, peer in rows:
        per = ours["cpu"] / ours["documents"]
        line = (
            f"  {n:>10}{1 / per:>16.0f}{per * 1e6:>9.1f}{ours['documents'] / ours['seconds']:>8.0f}"
            f"{ours['peak_rss'] / 2**20:>14.0f}{ours.get('db_bytes', 0) / 2**20:>8.0f}"
        )
        if peer:
            peer_per = peer["cpu"] / peer["documents"]
            line += (
                f"{1 / peer_per:>13.0f}{peer['documents'] / peer['seconds']:>8.0f}"
                f"{peer['peak_rss'] / 2**20:>14.0f}{peer_per / per:>7.1f}x"
            )
        else:
            line += f"{'-':>13}{'-':>8}{'-':>14}{'-':>8}"
        print(line)
    for n, ours, _ in rows:
        fingerprinting = ours.get("fingerprint_cpu", 0.0) / ours["documents"]
        rest = ours["cpu"] / ours["documents"] - fingerprinting
        print(
            f"  at {n}: fingerprints {fingerprinting * 1e6:.0f} us/doc, index + query {rest * 1e6:.0f} us/doc"
        )
        if ours.get("placed"):
            per_copy = ", ".join(
                f"{ours[k] / ours['placed']:.1f}" for k in ("candidates", "screened", "compared")
            )
            print(f"    per copy: {per_copy} candidate articles, their copies screened, compared in full")
    for n, ours, _ in rows[1:]:
        growth = ours["cpu"] / ours["documents"] / base
        print(f"  cost per document at {n} / at {rows[0][0]}: {growth:.2f}")
    for n, ours, _ in rows:
        if n in per_shingle:
            peer_per = per_shingle[n]["cpu"] / per_shingle[n]["documents"]
            print(
                f"  at {n}, datasketch with MinHash.update for each shingle (as its documentation shows): "
                f"{1 / peer_per:.0f} docs/s, Tidings {peer_per / (ours['cpu'] / ours['documents']):.1f}x"
            )


def main(argv: list[str]) -> int:
    if argv[:1] == ["--child"]:
        return _child(argv[1:])
    parser = argparse.ArgumentParser(prog="tidings bench fold", description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000", help="documents per throughput run (comma list)")
    parser.add_argument("--peer-max", type=int, default=1_000_000, help="largest size datasketch runs at")
    parser.add_argument(
        "--per-shingle-max",
        type=int,
        default=10_000,
        help="largest size datasketch also runs at with MinHash.update for each shingle (slow)",
    )
    parser.add_argument("--quality-size", type=int, default=10_000, help="documents scored for quality")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--nice",
        type=int,
        default=0,
        help="niceness the measuring processes add to this one's (run the command itself under nice)",
    )
    parser.add_argument(
        "--progress", type=int, default=0, help="a progress line on stderr every N documents (Tidings)"
    )
    parser.add_argument("--skip-speed", action="store_true")
    parser.add_argument("--skip-quality", action="store_true")
    args = parser.parse_args(argv)
    try:
        sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    except ValueError:
        parser.error(f"--sizes: not a comma-separated list of integers: {args.sizes!r}")
    if any(s <= 0 for s in sizes) or args.quality_size <= 0:
        parser.error("sizes must be positive")
    rules = fold.Rules()
    if not args.skip_quality:
        _print_quality(quality(args.quality_size, args.seed, rules, peer=True), args.quality_size, args.seed)
    if not args.skip_speed:
        rows: list[tuple[int, dict[str, float], dict[str, float] | None]] = []
        per_shingle = {}
        for n in sizes:
            if n <= args.peer_max:
                ours, peer = _side_by_side(["tidings", "peer"], n, args.seed, args.nice, args.progress)
                rows.append((n, ours, peer))
            else:
                rows.append((n, _in_child("tidings", n, args.seed, args.nice, args.progress), None))
            if n <= args.per_shingle_max:
                per_shingle[n] = _in_child("peer-per-shingle", n, args.seed, args.nice)
        _print_speed(rows, per_shingle)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
