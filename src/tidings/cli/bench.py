"""`tidings bench`: the benchmarks."""

from __future__ import annotations

import sys

import click


@click.command(context_settings={"ignore_unknown_options": True, "allow_extra_args": True})
@click.argument("suite", required=False, default="all")
@click.argument("options", nargs=-1, type=click.UNPROCESSED)
def bench(suite: str, options: tuple[str, ...]) -> None:
    """Run the benchmarks (`all` by default; `tidings bench list` names the suites).

    Options after the suite's name go to the suite: `tidings bench SUITE -- --help` lists them.
    """
    from tidings.bench import run

    sys.exit(run(suite, list(options)))


COMMANDS = [bench]
