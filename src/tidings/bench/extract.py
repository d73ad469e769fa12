"""`tidings bench extract`: article extraction against the best Python extractors, side by side.

On the development corpus (Trafilatura's evaluation set: HTML pages with snippets that must and must not
be in the extracted text, and title/author/date/site-name ground truth), every extractor reads the same
decoded pages in the same process, page by page in turn. Scores follow the corpus README: each snippet is
a white-space-normalised substring test on the body; tp = "with" found, fn = "with" missing, fp =
"without" found, summed over the corpus. Metadata is scored on the pages whose ground truth has the
field: title equal after `normalise`, date on the same day, author as the same set of names, site name
equal after `normalise`. Speed is pages per second of this process's CPU time over the whole corpus,
the extractors interleaved page by page (best of `--rounds`), with the bare selectolax parse as the floor.

The text-dump path is measured on `tests/data/dumps/` against its expected.json files.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import re
import tarfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tidings.extract import extract_html, extract_text
from tidings.fetch import DocumentError, decode
from tidings.models import Copy
from tidings.text import collapse_ws, normalise

# Paths beside the checkout (the package runs from src/tidings in it); from elsewhere, the working folder.
_REPO = Path(__file__).resolve().parents[3]
_BASE = _REPO if (_REPO / "pyproject.toml").is_file() else Path.cwd()
DEFAULT_TARBALL = _BASE.parent / "shared" / "data" / "extraction-dev" / "trafilatura-eval.tar.gz"
DEFAULT_CACHE = _BASE / ".cache" / "extraction-dev"  # git-ignored
DUMPS = _BASE / "tests" / "data" / "dumps"
FETCHED = datetime(2025, 7, 2, 12, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class Page:
    name: str
    url: str
    html: str
    truth: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Output:
    text: str
    title: str | None = None
    author: str | None = None
    date: str | None = None  # YYYY-MM-DD
    sitename: str | None = None


@dataclass(slots=True)
class Score:
    tp: int = 0
    fn: int = 0
    fp: int = 0
    seconds: float = 0.0
    pages: int = 0
    errors: int = 0
    meta: dict[str, list[int]] = field(default_factory=dict)  # field -> [right, judged]
    per_page: dict[str, tuple[int, int, int]] = field(default_factory=dict)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        total = 2 * self.tp + self.fp + self.fn
        return 2 * self.tp / total if total else 0.0

    def accuracy(self, name: str) -> float | None:
        right, judged = self.meta.get(name, [0, 0])
        return right / judged if judged else None


Extractor = Callable[[Page], Output]
WARM_UP = 20  # pages each extractor reads before it is timed


# --- the corpus --------------------------------------------------------------------------------------------


def corpus_root(tarball: Path, cache: Path) -> Path:
    """The unpacked corpus, unpacking the tarball into the (git-ignored) cache folder the first time."""
    root = cache / "tests"
    if (root / "evaldata.json").is_file():
        return root
    if not tarball.is_file():
        raise SystemExit(f"tidings bench extract: corpus not found: {tarball} (give --tarball)")
    cache.mkdir(parents=True, exist_ok=True)
    with tarfile.open(tarball) as archive:
        archive.extractall(cache, filter="data")
    return root


def load_pages(root: Path, limit: int | None = None) -> list[Page]:
    data = json.loads((root / "evaldata.json").read_text(encoding="utf-8"))
    pages = []
    for url, truth in sorted(data.items(), key=lambda kv: kv[1]["file"]):
        raw = _page_bytes(root, truth["file"])
        if raw is None:
            continue
        try:
            html, _ = decode(raw)
        except DocumentError:
            html = ""
        pages.append(Page(truth["file"], url, html, truth))
    return pages[:limit] if limit else pages


def _page_bytes(root: Path, name: str) -> bytes | None:
    for folder in ("cache", "eval"):
        path = root / folder / name
        if path.is_file():
            return path.read_bytes()
    return None


# --- scoring -----------------------------------------------------------------------------------------------

_SEPARATORS = re.compile(r"\s*(?:;|,|&|\band\b|\bund\b|\bet\b|\by\b)\s*", re.I)


def score_page(score: Score, page: Page, out: Output) -> None:
    text = collapse_ws(out.text)
    tp = fn = fp = 0
    for snippet in page.truth["with"]:
        if collapse_ws(snippet) in text:
            tp += 1
        else:
            fn += 1
    for snippet in page.truth["without"]:
        if collapse_ws(snippet) in text:
            fp += 1
    score.tp, score.fn, score.fp = score.tp + tp, score.fn + fn, score.fp + fp
    score.per_page[page.name] = (tp, fn, fp)
    truth = page.truth
    _judge(score, "title", truth.get("title"), out.title, lambda a, b: normalise(a) == normalise(b))
    _judge(score, "date", truth.get("date"), out.date, lambda a, b: a[:10] == b[:10])
    _judge(score, "author", truth.get("author"), out.author, lambda a, b: _names(a) == _names(b))
    _judge(score, "sitename", truth.get("sitename"), out.sitename, lambda a, b: normalise(a) == normalise(b))


def _judge(score: Score, name: str, want: Any, got: str | None, same: Callable[[str, str], bool]) -> None:
    if not isinstance(want, str) or not want.strip():
        return
    tally = score.meta.setdefault(name, [0, 0])
    tally[1] += 1
    tally[0] += bool(got) and same(want, got or "")


def _names(value: str) -> frozenset[str]:
    return frozenset(normalise(n) for n in _SEPARATORS.split(value) if n.strip())


def run(named: list[tuple[str, Extractor]], pages: list[Page], rounds: int) -> dict[str, Score]:
    """Score every extractor on every page, and time them interleaved: page by page, each extractor in
    turn, so that the shared machine's load swings hit all of them alike. Time is this process's CPU time
    (every extractor runs single-threaded here); with several rounds each keeps its fastest."""
    scores = {name: Score(pages=len(pages)) for name, _ in named}
    for page in pages[:WARM_UP]:  # imports and lazily built tables are not what we time
        for _, extractor in named:
            with contextlib.suppress(Exception):  # a failure counts when the page is scored below
                extractor(page)
    best: dict[str, float] = {}
    for round_ in range(rounds):
        spent = dict.fromkeys(scores, 0.0)
        for page in pages:
            for name, extractor in named:
                start = time.process_time()
                try:
                    out = extractor(page)
                except Exception:  # a peer's crash on a page scores as an empty extraction
                    out = None
                spent[name] += time.process_time() - start
                if round_ == 0:
                    scores[name].errors += out is None
                    score_page(scores[name], page, out or Output(""))
        for name, seconds in spent.items():
            best[name] = min(best.get(name, seconds), seconds)
        print(f"  round {round_ + 1}: " + ", ".join(f"{n} {len(pages) / t:.1f}/s" for n, t in spent.items()))
    for name, score in scores.items():
        score.seconds = best[name]
    return scores


# --- the extractors ----------------------------------------------------------------------------------------


def tidings_extractor(page: Page) -> Output:
    copies = extract_html(page.html, FETCHED, url=page.url)
    if not copies:
        return Output("")
    return _copy_output(copies[0], copies)


def _copy_output(main: Copy, copies: list[Copy]) -> Output:
    parts: list[str] = []
    for copy in copies:
        parts.extend(copy.body)
    return Output(
        "\n".join(parts),
        title=main.title,
        author=main.author,
        date=main.published_at.date().isoformat() if main.published_at else None,
        sitename=main.publisher,
    )


def parse_floor(page: Page) -> Output:
    from selectolax.lexbor import LexborHTMLParser

    LexborHTMLParser(page.html)
    return Output("")


def trafilatura_extractor(fast: bool, metadata: bool = True) -> Extractor:
    """Trafilatura as its evaluation runs it (comments excluded, as Tidings excludes them), with its
    metadata (title, date through htmldate, author, site name) unless `metadata` is off."""
    import trafilatura

    def run_one(page: Page) -> Output:
        doc = trafilatura.bare_extraction(
            page.html, fast=fast, include_comments=False, with_metadata=metadata
        )
        if doc is None:
            return Output("")
        date = getattr(doc, "date", None)
        return Output(
            getattr(doc, "text", None) or "",
            title=getattr(doc, "title", None),
            author=getattr(doc, "author", None),
            date=str(date) if date else None,
            sitename=getattr(doc, "sitename", None),
        )

    return run_one


def readability_extractor(page: Page) -> Output:
    from lxml.html import fromstring
    from readability import Document  # type: ignore[import-untyped]

    doc = Document(page.html)
    summary = doc.summary(html_partial=True)
    text = fromstring(summary).text_content() if summary.strip() else ""
    return Output(text, title=doc.short_title())


def resiliparse_extractor(page: Page) -> Output:
    from resiliparse.extract.html2text import extract_plain_text

    return Output(extract_plain_text(page.html, main_content=True))


def extractors(only: set[str] | None) -> list[tuple[str, Extractor]]:
    every: list[tuple[str, Extractor]] = [
        ("parse only (selectolax)", parse_floor),
        ("tidings", tidings_extractor),
        ("trafilatura fast", trafilatura_extractor(fast=True)),
        ("trafilatura fast, text only", trafilatura_extractor(fast=True, metadata=False)),
        ("trafilatura", trafilatura_extractor(fast=False)),
        ("readability-lxml", readability_extractor),
        ("resiliparse", resiliparse_extractor),
    ]
    return [e for e in every if only is None or e[0].split()[0] in only or e[0] in only]


# --- the report --------------------------------------------------------------------------------------------


def print_table(results: dict[str, Score]) -> None:
    base = results.get("tidings")
    trafilatura_fast = results.get("trafilatura fast")
    print()
    header = (
        f"{'extractor':<26}{'P':>7}{'R':>7}{'F1':>7}{'title':>7}{'date':>7}{'author':>7}{'site':>7}"
        f"{'pages/s':>9}{'time x':>8}"
    )
    print(header)
    print("-" * len(header))
    for name, s in results.items():
        floor = name.startswith("parse only")

        def acc(field_name: str, s: Score = s) -> str:
            value = s.accuracy(field_name)
            return "–" if value is None else f"{value:.3f}"

        quality = (
            f"{'':>7}" * 7
            if floor
            else f"{s.precision:>7.3f}{s.recall:>7.3f}{s.f1:>7.3f}"
            + "".join(f"{acc(f):>7}" for f in ("title", "date", "author", "sitename"))
        )
        ratio = f"{s.seconds / base.seconds:>8.2f}" if base and base.seconds else f"{'':>8}"
        print(f"{name:<26}{quality}{s.pages / s.seconds:>9.1f}{ratio}")
    print("time x: seconds per page relative to Tidings (higher is slower).")
    if base and trafilatura_fast:
        print(f"Tidings is {trafilatura_fast.seconds / base.seconds:.2f}x as fast as trafilatura fast.")
    text_only = results.get("trafilatura fast, text only")
    if base and text_only:
        times = text_only.seconds / base.seconds
        print(f"Tidings is {times:.2f}x as fast as trafilatura fast without metadata.")
    traf = results.get("trafilatura")
    if base and traf:
        print(f"Body F1: Tidings {base.f1:.4f}, trafilatura {traf.f1:.4f} ({base.f1 - traf.f1:+.4f}).")


def print_gaps(results: dict[str, Score], pages: list[Page], count: int) -> None:
    base, peer = results.get("tidings"), results.get("trafilatura")
    if base is None or peer is None:
        return
    gaps = []
    for page in pages:
        ours, theirs = base.per_page[page.name], peer.per_page[page.name]
        gaps.append(((theirs[0] - theirs[2]) - (ours[0] - ours[2]), page.name, ours, theirs))
    gaps.sort(reverse=True)
    print("\nPages where Tidings loses most to trafilatura ((tp, fn, fp) each):")
    for gap, name, ours, theirs in gaps[:count]:
        if gap <= 0:
            break
        print(f"  {gap:>3}  {name:<50} tidings {ours}  trafilatura {theirs}")


# --- the text-dump path ------------------------------------------------------------------------------------


def _fold(text: str | None) -> str:
    return collapse_ws(normalise(text or ""))


def dump_figures(folder: Path) -> None:
    """The line-based path on the invented aggregator dumps, against their expected.json."""
    if not folder.is_dir():
        print(f"(text dumps: {folder} not found; run from the repository)")
        return
    copies_found = copies_expected = titles_right = 0
    tp = fp = fn = 0
    pages = 0
    start = time.perf_counter()
    for expected_path in sorted(folder.glob("*/expected.json")):
        expected = json.loads(expected_path.read_text(encoding="utf-8"))
        for page, want in expected["pages"].items():
            pages += 1
            text = (expected_path.parent / page).read_text(encoding="utf-8")
            got = extract_text(text, FETCHED, expected["site"])
            copies_found += len(got)
            copies_expected += len(want)
            got_titles = {_fold(c.title): c for c in got}
            for item in want:
                copy = got_titles.get(_fold(item["title"]))
                want_paras = {_fold(p) for p in item["body"]}
                if copy is None:
                    fn += len(want_paras)
                    continue
                titles_right += 1
                got_paras = {_fold(p) for p in copy.body}
                tp += len(want_paras & got_paras)
                fn += len(want_paras - got_paras)
                fp += len(got_paras - want_paras)
    elapsed = time.perf_counter() - start
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * tp / (2 * tp + fp + fn) if tp else 0.0
    print(
        f"\nText dumps ({folder}): {pages} pages, copies {copies_found}/{copies_expected} expected, "
        f"titles right {titles_right}/{copies_expected}; paragraphs (exact after normalising) "
        f"P {precision:.3f} R {recall:.3f} F1 {f1:.3f}; {pages / elapsed:.0f} pages/s"
    )


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="tidings bench extract", description=__doc__)
    parser.add_argument("--tarball", type=Path, default=DEFAULT_TARBALL, help="the corpus tarball")
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE, help="where it is unpacked")
    parser.add_argument("--limit", type=int, default=None, help="only the first N pages")
    parser.add_argument("--rounds", type=int, default=1, help="timing rounds (each keeps its fastest)")
    parser.add_argument(
        "--only",
        default=None,
        help="comma-separated extractors: parse,tidings,trafilatura,readability-lxml,…",
    )
    parser.add_argument(
        "--verbose", "-v", type=int, nargs="?", const=25, default=0, help="show N worst pages"
    )
    args = parser.parse_args(argv)
    root = corpus_root(args.tarball, args.cache)
    pages = load_pages(root, args.limit)
    only = set(args.only.split(",")) if args.only else None
    print(f"extract: {len(pages)} pages of {root}", flush=True)
    results = run(extractors(only), pages, args.rounds)
    print_table(results)
    if args.verbose:
        print_gaps(results, pages, args.verbose)
    dump_figures(DUMPS)
    return 0
