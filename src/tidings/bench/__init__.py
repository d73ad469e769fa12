"""`tidings bench`: benchmarks, each printing Tidings' figures beside a peer's from the same run.

Each suite is a module of this package with `main(argv: list[str]) -> int`: it parses its own options
(argparse; `tidings bench SUITE -- --help`) and returns an exit status. It is imported only when it runs, so a
suite's peer libraries are needed only by that suite. Add a suite by adding its module name to `SUITES`.
"""

from __future__ import annotations

import importlib

SUITES: dict[str, str] = {
    "ingest": "the whole pipeline stage by stage on the bundled sample (--path: any folder of pages)",
    "web": "the reader under 50 concurrent clients on 20,000 (--articles) synthetic articles",
    "fetch": "refreshing 2,000 local feeds (then again, unchanged) beside bare httpx GETs",
    "enrich": "quotes, speakers and entities on a labelled set, and enrich time per article",
    "extract": "article extraction against Trafilatura, readability-lxml and Resiliparse",
    "fold": "copies found on a generated syndication corpus, and throughput beside datasketch MinHashLSH",
    "stories": "story clustering on ECB+ (BCubed, pairwise F1) beside scikit-learn, and articles clustered/s",
}


def run(suite: str, argv: list[str] | None = None) -> int:
    if suite == "list":
        for name, what in SUITES.items():
            print(f"{name:<10} {what}")
        return 0
    names = list(SUITES) if suite == "all" else [suite]
    unknown = [n for n in names if n not in SUITES]
    if unknown:
        print(f"tidings bench: unknown suite {unknown[0]!r}; choose from: all, list, {', '.join(SUITES)}")
        return 2
    if argv and len(names) > 1:
        print("tidings bench: options go with one suite, e.g. `tidings bench fold --sizes 10000`")
        return 2
    status = 0
    for name in names:
        module = importlib.import_module(f"tidings.bench.{name}")
        status = max(status, int(module.main(argv or [])))
    return status
