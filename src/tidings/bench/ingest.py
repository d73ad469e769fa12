"""`tidings bench ingest`: the whole pipeline on the bundled sample, with the bare file read as the floor."""

from __future__ import annotations

import argparse
import tempfile
import time

from tidings import pipeline, settings
from tidings.store import Store


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="tidings bench ingest", description=__doc__)
    parser.add_argument("--rounds", type=int, default=5, help="repeat and keep the best (default 5)")
    rounds = parser.parse_args(argv).rounds
    read_times, ingest_times = [], []
    for _ in range(rounds):
        with tempfile.TemporaryDirectory() as folder:
            url = f"sqlite:///{folder}/bench.db"
            conf = settings.load({"db": url}, environ={})
            store = Store(url)
            store.migrate()
            start = time.perf_counter()
            docs = pipeline.sample_documents(conf)
            read_times.append(time.perf_counter() - start)
            start = time.perf_counter()
            for doc in docs:
                pipeline.ingest_document(store, doc, conf)
            ingest_times.append(time.perf_counter() - start)
            store.close()
    read, ingest = min(read_times), min(ingest_times)
    n = len(docs)
    print(f"ingest: {n} sample documents, best of {rounds}")
    print(f"  {'step':<28}{'docs/s':>10}{'ratio to floor':>16}")
    print(f"  {'read + decode (floor)':<28}{n / read:>10.1f}{1.0:>16.2f}")
    print(f"  {'full pipeline (SQLite)':<28}{n / ingest:>10.1f}{ingest / read:>16.2f}")
    return 0
