"""`tidings bench ingest`: the whole pipeline, stage by stage, beside the bare read-and-decode floor.

The bundled sample by default (best of `--rounds`); `--path` adds one run over files or folders (HTML
pages, text dumps) into a fresh store. Each run prints the time of each stage (extract, fold, enrich,
cluster, and the store's own writes and commit) in process CPU time, which a busy machine disturbs less
than the clock on the wall; documents per second (CPU and wall) beside the floor, which reads and decodes
the same files and does nothing else; and what a process pays once, before its first document.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from tidings import enrich, pipeline, settings
from tidings.enrich import gazetteer as gazetteers
from tidings.fetch import DocumentError, iter_files, read_document
from tidings.models import Document
from tidings.store import Store


@dataclass(frozen=True, slots=True)
class Run:
    documents: int
    read_cpu: float  # reading and decoding the files
    cpu: float  # the pipeline, all stages
    wall: float
    stages: dict[str, float]  # CPU seconds by stage


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="tidings bench ingest", description=__doc__)
    parser.add_argument(
        "--rounds", type=int, default=5, help="repeat the sample and keep the best (default 5)"
    )
    parser.add_argument(
        "--path", type=Path, action="append", default=[], help="also ingest these files or folders (once)"
    )
    options = parser.parse_args(argv)
    once = warm_up()
    print("ingest: once per process, before the first document (CPU seconds)")
    for name, seconds in once.items():
        print(f"  {name:<28}{seconds:>9.2f}")
    conf = settings.load({}, environ={})
    runs = [measure(lambda: pipeline.sample_documents(conf)) for _ in range(max(1, options.rounds))]
    report(f"{runs[0].documents} sample documents, best of {len(runs)}", min(runs, key=lambda r: r.cpu))
    if options.path:
        files = [entry.path for entry in iter_files(options.path) if entry.error is None]
        run = measure(lambda: _read_all(files, conf))
        report(f"{run.documents} documents from {', '.join(map(str, options.path))}", run)
    return 0


def warm_up() -> dict[str, float]:
    """What the first document would wait for: the spaCy pipeline and the gazetteers (kept per process)."""
    out: dict[str, float] = {}
    start = time.process_time()
    enrich.load_engine("")
    out["enrich: spaCy pipeline"] = time.process_time() - start
    start = time.process_time()
    gazetteers.load()
    out["enrich: gazetteers"] = time.process_time() - start
    return out


def measure(read: Callable[[], list[Document]]) -> Run:
    """Read the documents (the floor), then ingest them one transaction each into a fresh SQLite store."""
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{folder}/bench.db"
        conf = settings.load({"db": url}, environ={})
        store = Store(url)
        store.migrate()
        start = time.process_time()
        docs = read()
        read_cpu = time.process_time() - start
        times = pipeline.StageTimes(clock=time.process_time)
        start, wall = time.process_time(), time.perf_counter()
        for doc in docs:
            pipeline.ingest_document(store, doc, conf, times)
        cpu, wall = time.process_time() - start, time.perf_counter() - wall
        store.close()
    stages = dict(times.seconds)
    stages["store"] = max(0.0, cpu - sum(stages.values()))
    return Run(len(docs), read_cpu, cpu, wall, stages)


def _read_all(paths: list[Path], conf: settings.Settings) -> list[Document]:
    docs = []
    for path in paths:
        try:
            docs.append(read_document(path, max_bytes=conf.max_document_bytes))
        except DocumentError:
            continue
    return docs


def report(title: str, run: Run) -> None:
    n = max(1, run.documents)
    print(f"\ningest: {title}")
    print(f"  {'stage (CPU time)':<28}{'seconds':>9}{'share':>8}{'ms/doc':>9}")
    for name, seconds in run.stages.items():
        share = seconds / run.cpu if run.cpu else 0.0
        print(f"  {name:<28}{seconds:>9.2f}{share:>8.0%}{1000 * seconds / n:>9.1f}")
    floor = n / max(run.read_cpu, 1e-9)
    print(f"  {'step':<28}{'docs/s':>9}{'ratio to floor':>17}")
    print(f"  {'read + decode (floor)':<28}{floor:>9.1f}{1.0:>17.2f}")
    for label, seconds in (("full pipeline, CPU time", run.cpu), ("full pipeline, wall clock", run.wall)):
        print(f"  {label:<28}{n / seconds:>9.1f}{floor * seconds / n:>17.1f}")
