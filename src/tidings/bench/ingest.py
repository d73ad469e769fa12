"""`tidings bench ingest`: the whole pipeline, stage by stage, beside the bare read-and-decode floor.

The bundled sample by default (best of `--rounds`); `--path` adds a run over files or folders (HTML pages,
text dumps) into a fresh store. Each run prints the seconds per stage (extract, fold, enrich, cluster, and
the store's own writes and commit), documents per second beside the floor (reading and decoding the same
files, nothing else), and what a process pays once before its first document (the enrich engine and
gazetteers).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from tidings import enrich, pipeline, settings
from tidings.enrich import gazetteer as gazetteers
from tidings.fetch import DocumentError, iter_files, read_document
from tidings.models import Document
from tidings.store import Store


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="tidings bench ingest", description=__doc__)
    parser.add_argument(
        "--rounds", type=int, default=5, help="repeat the sample and keep the best (default 5)"
    )
    parser.add_argument(
        "--path", type=Path, action="append", default=[], help="also ingest these files or folders (once)"
    )
    options = parser.parse_args(argv)
    start = time.perf_counter()
    enrich.load_engine("")
    engine_seconds = time.perf_counter() - start
    start = time.perf_counter()
    gazetteers.load()
    gazetteer = time.perf_counter() - start
    print(f"ingest: once per process: enrich engine {engine_seconds:.2f} s, gazetteers {gazetteer:.2f} s")
    conf = settings.load({}, environ={})
    runs = [measure(lambda: pipeline.sample_documents(conf)) for _ in range(max(1, options.rounds))]
    report(f"{runs[0].documents} sample documents, best of {len(runs)}", min(runs, key=lambda r: r.total))
    if options.path:
        files = [entry.path for entry in iter_files(options.path) if entry.error is None]
        run = measure(lambda: _read_all(files, conf))
        report(f"{run.documents} documents from {', '.join(map(str, options.path))}", run)
    return 0


class Run:
    def __init__(self, documents: int, read: float, total: float, stages: dict[str, float]) -> None:
        self.documents, self.read, self.total, self.stages = documents, read, total, stages


def measure(read: Callable[[], list[Document]]) -> Run:
    """Read the documents (the floor), then ingest them one transaction each into a fresh SQLite store."""
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{folder}/bench.db"
        conf = settings.load({"db": url}, environ={})
        store = Store(url)
        store.migrate()
        start = time.perf_counter()
        docs = read()
        read_seconds = time.perf_counter() - start
        times = pipeline.StageTimes()
        start = time.perf_counter()
        for doc in docs:
            pipeline.ingest_document(store, doc, conf, times)
        total = time.perf_counter() - start
        store.close()
    stages = dict(times.seconds)
    stages["store"] = max(0.0, total - sum(stages.values()))
    return Run(len(docs), read_seconds, total, stages)


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
    print(f"  {'stage':<28}{'seconds':>9}{'share':>8}{'ms/doc':>9}")
    for name, seconds in run.stages.items():
        share = seconds / run.total if run.total else 0.0
        print(f"  {name:<28}{seconds:>9.2f}{share:>8.0%}{1000 * seconds / n:>9.1f}")
    print(f"  {'step':<28}{'docs/s':>9}{'ratio to floor':>17}")
    print(f"  {'read + decode (floor)':<28}{n / run.read:>9.1f}{1.0:>17.2f}")
    print(f"  {'full pipeline (SQLite)':<28}{n / run.total:>9.1f}{run.total / run.read:>17.2f}")
