"""`tidings bench`: the benchmarks."""

from __future__ import annotations

import sys

import click


@click.command()
@click.argument("suite", required=False, default="all")
def bench(suite: str) -> None:
    """Run the benchmarks (`all` by default; `tidings bench list` names the suites)."""
    from tidings.bench import run

    sys.exit(run(suite))


COMMANDS = [bench]
