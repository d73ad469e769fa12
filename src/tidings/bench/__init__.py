"""`tidings bench`: benchmarks, each printing Tidings' figures beside a peer's from the same run.

Each suite is a module of this package with a `main()`; it is imported only when it runs, so a suite's
peer libraries are needed only by that suite. Add a suite by adding its module name to `SUITES`.
"""

from __future__ import annotations

import importlib

SUITES: dict[str, str] = {
    "ingest": "the whole pipeline on the bundled sample",
}


def run(suite: str) -> int:
    if suite == "list":
        for name, what in SUITES.items():
            print(f"{name:<10} {what}")
        return 0
    names = list(SUITES) if suite == "all" else [suite]
    unknown = [n for n in names if n not in SUITES]
    if unknown:
        print(f"tidings bench: unknown suite {unknown[0]!r}; choose from: all, list, {', '.join(SUITES)}")
        return 2
    status = 0
    for name in names:
        module = importlib.import_module(f"tidings.bench.{name}")
        status = max(status, int(module.main() or 0))
    return status
