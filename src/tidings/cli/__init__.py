"""The `tidings` command: one entry point for everything a person does with Tidings.

Each area keeps its commands in its own module here; this module only gathers them.
"""

from __future__ import annotations

import gc

import click

from tidings.cli import bench, enrich, extract, feeds, fold, ingest, serve, stories


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="tidings")
def main() -> None:
    """Tidings: a self-hosted news aggregator that folds republished copies into one clean article."""


for _module in (ingest, serve, bench, feeds, enrich, extract, stories, fold):
    for _command in _module.COMMANDS:
        main.add_command(_command)


def entry() -> None:
    """The `tidings` program. What is loaded by now (the code of every stage) lives as long as the
    process: the garbage collector is told to leave it alone instead of walking it at every full
    collection of a long ingest."""
    gc.freeze()
    main()
