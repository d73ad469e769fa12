"""`tidings bench enrich`: who said what and which names, scored on the labelled set, and enrich's speed.

Two labelled sets (`tests/data/enrich/`, see its README): `labelled.jsonl` (development: written before the
rules, but in view while they were written) and `heldout.jsonl` (written after the first rules, never used
to tune them). Figures are printed for each.

Scores: quote-speaker pairs (a found quotation with a speaker is right when it holds the labelled words and
names the labelled speaker; each labelled quotation counts once), quotations found whatever their speaker,
and entity mentions (exact span and kind) by kind. Beside Tidings, in the same run, a baseline of the kind
the rules replace: names are capitalised runs (a place when the gazetteer knows them), a quotation's
speaker is the name nearest to it. With `--model NAME` an installed spaCy model is scored too.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tidings import enrich
from tidings.enrich import gazetteer, keywords, marks
from tidings.models import CanonicalArticle, Enrichment, Quote, TextSpan
from tidings.text import fold_typography

DATA_DIR = Path(__file__).resolve().parents[3] / "tests" / "data" / "enrich"
SETS = {"development": DATA_DIR / "labelled.jsonl", "held out": DATA_DIR / "heldout.jsonl"}
KINDS = ("PERSON", "PLACE", "ORG")


@dataclass(slots=True)
class Counts:
    tp: int = 0
    found: int = 0
    expected: int = 0

    def add(self, other: Counts) -> None:
        self.tp += other.tp
        self.found += other.found
        self.expected += other.expected

    @property
    def precision(self) -> float:
        return self.tp / self.found if self.found else 1.0

    @property
    def recall(self) -> float:
        return self.tp / self.expected if self.expected else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass(slots=True)
class Scores:
    pairs: Counts = field(default_factory=Counts)
    quotes: Counts = field(default_factory=Counts)
    mentions: dict[str, Counts] = field(default_factory=lambda: {k: Counts() for k in KINDS})
    seconds: list[float] = field(default_factory=list)

    def add(self, other: Scores) -> None:
        self.pairs.add(other.pairs)
        self.quotes.add(other.quotes)
        for kind in KINDS:
            self.mentions[kind].add(other.mentions[kind])
        self.seconds.extend(other.seconds)

    @property
    def all_mentions(self) -> Counts:
        total = Counts()
        for counts in self.mentions.values():
            total.add(counts)
        return total


def load(path: Path = SETS["development"]) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def article_of(record: dict[str, Any]) -> CanonicalArticle:
    return CanonicalArticle(
        title=None,
        dek=None,
        body=tuple(record["paragraphs"]),
        publisher=None,
        author=None,
        published_at=None,
        language="en",
    )


def gold_mentions(record: dict[str, Any]) -> set[tuple[int, int, int, str]]:
    """(paragraph, start, end, kind) of every labelled mention: longer names first, no overlaps."""
    out: set[tuple[int, int, int, str]] = set()
    entries = sorted(record["entities"], key=lambda e: -len(e["text"]))
    for number, paragraph in enumerate(record["paragraphs"]):
        taken: list[tuple[int, int]] = []
        for entry in entries:
            for match in re.finditer(r"(?<!\w)" + re.escape(entry["text"]) + r"(?!\w)", paragraph):
                span = match.span()
                if not any(a < span[1] and span[0] < b for a, b in taken):
                    taken.append(span)
                    out.add((number, span[0], span[1], entry["type"]))
    return out


def _same(a: str | None, b: str | None) -> bool:
    return a is not None and b is not None and fold_typography(a).casefold() == fold_typography(b).casefold()


def _holds(found: str, labelled: str) -> bool:
    return fold_typography(labelled).casefold() in fold_typography(found).casefold()


def score_record(record: dict[str, Any], result: Enrichment) -> Scores:
    scores = Scores()
    gold = gold_mentions(record)
    found = {
        (span.paragraph, span.start, span.end, entity.kind)
        for entity in result.entities
        for _, span in entity.mentions
    }
    for kind in KINDS:
        g = {m for m in gold if m[3] == kind}
        f = {m for m in found if m[3] == kind}
        scores.mentions[kind] = Counts(len(g & f), len(f), len(g))
    scores.pairs = _match(
        [q for q in result.quotes if q.speaker],
        [q for q in record["quotes"] if q["speaker"]],
        lambda q, g: _holds(q.text, g["text"]) and _same(q.speaker, g["speaker"]),
    )
    scores.quotes = _match(list(result.quotes), record["quotes"], lambda q, g: _holds(q.text, g["text"]))
    scores.seconds.append(result.seconds)
    return scores


def _match(
    found: list[Quote], labelled: list[dict[str, Any]], fits: Callable[[Quote, dict[str, Any]], bool]
) -> Counts:
    """One-to-one: each labelled quotation is credited to at most one found quotation."""
    used: set[int] = set()
    tp = 0
    for q in found:
        for i, g in enumerate(labelled):
            if i not in used and fits(q, g):
                used.add(i)
                tp += 1
                break
    return Counts(tp, len(found), len(labelled))


def evaluate(
    sets: dict[str, list[dict[str, Any]]], run: Callable[[CanonicalArticle], Enrichment]
) -> dict[str, Scores]:
    parts = {name: Scores() for name in sets}
    for name, records in sets.items():
        for record in records:
            article = article_of(record)
            start = time.process_time()
            result = run(article)
            seconds = time.process_time() - start
            scores = score_record(record, result)
            scores.seconds[-1] = seconds
            parts[name].add(scores)
    return parts


def cpu_seconds(run: Callable[[], object]) -> float:
    """Process CPU time of one call: steadier than the wall clock on a shared machine."""
    start = time.process_time()
    run()
    return time.process_time() - start


# the baseline -------------------------------------------------------------------------------------
_CAPITALISED = re.compile(r"\b[A-Z][\w'’-]*(?:\s+(?:[A-Z][\w'’-]*|of|van|von|de|da|al-\w+))*")
_SENTENCE_OPENING = re.compile(r"(?:^|[.!?][\"”’']?\s+)[\"“‘']?$")


def baseline(article: CanonicalArticle) -> Enrichment:
    """Capitalised runs not opening a sentence; gazetteer places; the nearest name speaks each quotation."""
    started = time.perf_counter()
    gaz = gazetteer.load()
    names: list[tuple[str, TextSpan, str]] = []
    quotes: list[Quote] = []
    for number, paragraph in enumerate(article.body):
        found = []
        for match in _CAPITALISED.finditer(paragraph):
            text = match.group()
            if " " not in text and _SENTENCE_OPENING.search(paragraph[: match.start()]):
                continue  # a sentence's first word
            kind = "PLACE" if gaz.place(text) else "PERSON" if " " in text else "ORG"
            found.append((text, TextSpan(number, match.start(), match.end()), kind))
        names.extend(found)
        for q in marks.scan(paragraph):
            people = [n for n in found if n[2] == "PERSON" and not q.start <= n[1].start < q.end]
            near = min(
                people, key=lambda n: min(abs(n[1].start - q.end), abs(n[1].end - q.start)), default=None
            )
            quotes.append(
                Quote(
                    paragraph[q.start : q.end],
                    "direct",
                    TextSpan(number, q.start, q.end),
                    near[0] if near else None,
                )
            )
    from tidings.models import Entity

    entities = tuple(Entity(text, kind, ((text, span),)) for text, span, kind in names)
    return Enrichment(None, 1, (), entities, tuple(quotes), (), seconds=time.perf_counter() - started)


# report -------------------------------------------------------------------------------------------
def _row(label: str, counts: Counts) -> str:
    return f"  {label:<34}{counts.precision:>7.2f}{counts.recall:>7.2f}{counts.f1:>7.2f}{counts.expected:>7}"


def report(name: str, parts: dict[str, Scores]) -> None:
    print(f"\n{name}")
    print(f"  {'':<34}{'P':>7}{'R':>7}{'F1':>7}{'gold':>7}")
    for part, scores in parts.items():
        print(_row(f"{part}: quote-speaker pairs", scores.pairs))
        print(_row(f"{part}: quotations (any speaker)", scores.quotes))
        print(_row(f"{part}: entity mentions", scores.all_mentions))
        for kind in KINDS:
            print(_row(f"{part}:   {kind}", scores.mentions[kind]))


def timing(label: str, seconds: list[float], floor: float | None = None) -> str:
    ordered = sorted(seconds)
    p95 = ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]
    mean = statistics.mean(seconds)
    ratio = f"{mean / floor:>8.0f}x" if floor else ""
    return f"  {label:<46}{1000 * mean:>9.1f}{1000 * p95:>9.1f}{len(seconds):>6}{ratio}"


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="tidings bench enrich", description=__doc__)
    parser.add_argument(
        "--data", type=Path, action="append", help="labelled JSONL instead of the shipped sets"
    )
    parser.add_argument(
        "--model", default="", help="also score an installed spaCy model (e.g. en_core_web_sm)"
    )
    parser.add_argument(
        "--long-copies", type=int, default=20, help="paragraph copies in the long-article timing"
    )
    options = parser.parse_args(argv)
    paths = {p.stem: p for p in options.data} if options.data else SETS
    sets = {name: load(path) for name, path in paths.items()}
    records = [r for rs in sets.values() for r in rs]
    engine = enrich.load_engine("")
    enrich.enrich(article_of(records[0]), engine)  # warm up: load the gazetteer and YAKE once
    for name, rs in sets.items():
        print(
            f"enrich: {name}: {len(rs)} labelled items ({sum(len(r['paragraphs']) for r in rs)} paragraphs)"
        )
    runs: dict[str, Callable[[CanonicalArticle], Enrichment]] = {
        "tidings (rules)": lambda a: enrich.enrich(a, engine),
        "baseline (capitalised runs, nearest name)": baseline,
    }
    if options.model:
        model = enrich.load_engine(options.model)
        if model.note:
            print(model.note)
        else:
            runs[f"tidings ({options.model})"] = lambda a: enrich.enrich(a, model)
    results = {name: evaluate(sets, run) for name, run in runs.items()}
    for name, parts in results.items():
        report(name, parts)
    long_body = tuple(p for r in records for p in r["paragraphs"]) * max(1, options.long_copies // 10)
    long_article = CanonicalArticle(None, None, long_body, None, None, None, "en")
    long_seconds = [cpu_seconds(lambda: enrich.enrich(long_article, engine)) for _ in range(3)]
    huge = CanonicalArticle(None, None, long_body * 50, None, None, None, "en")
    huge_seconds = [cpu_seconds(lambda: enrich.enrich(huge, engine))]
    words = sum(len(p.split()) for p in long_body)
    print(f"\nCPU time per article (ms){'mean':>31}{'p95':>9}{'runs':>6}{'ratio':>9}")
    floor = statistics.mean([x for scores in results[list(runs)[1]].values() for x in scores.seconds])
    for name, parts in results.items():
        seconds = [x for scores in parts.values() for x in scores.seconds]
        print(timing(f"{name.split(' (')[0]}: labelled items", seconds, floor))
    seed_file = DATA_DIR.parent / "seeds-expected.json"
    if seed_file.exists():
        seed = json.loads(seed_file.read_text(encoding="utf-8"))["articles"][0]
        article = CanonicalArticle(seed["title"], seed["dek"], tuple(seed["body"]), None, None, None, None)
        seed_seconds = [cpu_seconds(lambda: enrich.enrich(article, engine)) for _ in range(5)]
        print(timing(f"tidings: the seed article ({len(seed['body'])} paragraphs)", seed_seconds))
    print(timing(f"tidings: {len(long_body)} paragraphs, {words} words", long_seconds))
    print(timing(f"tidings: {50 * len(long_body)} paragraphs (capped)", huge_seconds))
    print("  ratio: to the baseline's mean time on the labelled items (same run)")
    print(keyword_peer([".\n".join(r["paragraphs"]) for r in records]))
    return 0


def keyword_peer(texts: list[str]) -> str:
    """Tidings' keyword scoring beside the `yake` package's on the same texts: time and agreement (the
    share of YAKE's ten best phrases that Tidings also ranks in its ten best)."""
    import yake

    peer = yake.KeywordExtractor(lan="en", n=3, dedup_lim=0.7, dedup_func="jaro", top=20)
    stops = keywords.stop_words("en")
    ours, theirs, agree = [], [], []
    for text in (t[: keywords.MAX_TEXT] for t in texts):
        start = time.process_time()
        mine = keywords.key_phrases(text, stops, 20)
        ours.append(time.process_time() - start)
        start = time.process_time()
        peers = [phrase for phrase, _ in peer.extract_keywords(text)]
        theirs.append(time.process_time() - start)
        best = {p.casefold() for p in peers[:10]}
        agree.append(len(best & {p.casefold() for p in mine[:10]}) / max(1, len(best)))
    mine_ms, peer_ms = 1000 * statistics.mean(ours), 1000 * statistics.mean(theirs)
    return (
        f"\nkey phrases on the labelled items (CPU time, mean): tidings {mine_ms:.2f} ms, "
        f"yake {peer_ms:.2f} ms ({peer_ms / mine_ms:.1f}x); "
        f"{statistics.mean(agree):.0%} of yake's ten best are in tidings' ten best"
    )
