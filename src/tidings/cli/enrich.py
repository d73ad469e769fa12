"""`tidings enrich`: work out key points, entities, quotes and keywords again for stored articles.

Ingestion enriches every new or changed article; this command is for after an upgrade of the rules or a
change of `enrich_spacy_model`. An article whose text, rules and engine are unchanged is skipped.
"""

from __future__ import annotations

import click

from tidings import enrich as enrich_stage
from tidings import pipeline, settings
from tidings.cli.common import db_option, open_store


@click.command("enrich")
@click.option(
    "--article",
    "article_ids",
    type=click.IntRange(min=1),
    multiple=True,
    help="Only this article (repeatable).",
)
@db_option
def enrich(article_ids: tuple[int, ...], conf: settings.Settings) -> None:
    """Enrich stored articles again where their text, the rules or the spaCy model changed."""
    engine = enrich_stage.load_engine(conf.enrich_spacy_model)
    if engine.note:
        click.echo(f"tidings: {engine.note}", err=True)
    store = open_store(conf)
    try:
        with store.begin() as tx:
            ids = list(article_ids) if article_ids else tx.article_ids()
        done, seconds = pipeline.enrich_articles(store, conf, ids)
    finally:
        store.close()
    average = f", {1000 * seconds / done:.0f} ms per article" if done else ""
    click.echo(f"{done} of {len(ids)} articles enriched ({engine.name}){average}")


COMMANDS = [enrich]
