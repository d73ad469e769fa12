"""Feeds: `subscribe`, `unsubscribe`, `sources`, `opml import|export`, `refresh`.

The fetch machinery (httpx, feedparser) is imported when a command needs it, not at CLI start-up."""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from tidings import settings
from tidings.cli.common import db_option, open_store
from tidings.models import Source

if TYPE_CHECKING:
    from tidings import refresh as refreshing


@click.command()
@click.argument("url")
@click.option("--category", help='Category (folders joined with "/", as in OPML).')
@click.option("--title", help="Title to show instead of the feed's own.")
@click.option("--no-discover", is_flag=True, help="Store the URL as given, without fetching it.")
@db_option
def subscribe(
    url: str, category: str | None, title: str | None, no_discover: bool, conf: settings.Settings
) -> None:
    """Subscribe to a feed, or to the feed a site's page announces."""
    from tidings import subscriptions
    from tidings.fetch.http import FetchError

    store = open_store(conf)
    try:
        done = subscriptions.subscribe(
            store, conf, url, category=category, title=title, discover=not no_discover
        )
    except (subscriptions.SubscribeError, FetchError) as exc:
        raise click.ClickException(str(exc)) from exc
    finally:
        store.close()
    source = done.source
    what = "subscribed to" if done.created else "already subscribed to"
    click.echo(f"{what} [{source.id}] {source.title or '(untitled)'} <{source.url}>")
    if done.created:
        click.echo("`tidings refresh` fetches it now; `tidings serve` does so on its own.")


@click.command()
@click.argument("source")
@db_option
def unsubscribe(source: str, conf: settings.Settings) -> None:
    """Remove a source, by id or URL (the articles it brought stay)."""
    from tidings import subscriptions

    store = open_store(conf)
    try:
        removed = subscriptions.unsubscribe(store, source)
    finally:
        store.close()
    if removed is None:
        raise click.ClickException(f"no source {source!r} (see `tidings sources`)")
    click.echo(f"unsubscribed from [{removed.id}] {removed.title or '(untitled)'} <{removed.url}>")


@click.command()
@click.option("--json", "as_json", is_flag=True, help="One JSON object per source, one a line.")
@db_option
def sources(as_json: bool, conf: settings.Settings) -> None:
    """List the sources with their status: last fetch, last error, next fetch, entries and articles."""
    from tidings import subscriptions

    store = open_store(conf)
    try:
        found = subscriptions.list_sources(store)
    finally:
        store.close()
    if as_json:
        for source in found:
            click.echo(json.dumps(source_dict(source), ensure_ascii=False))
        return
    if not found:
        click.echo("no sources yet: `tidings subscribe URL` or `tidings opml import FILE`")
        return
    now = datetime.now(UTC)
    for source in found:
        click.echo(_describe(source, now))


def source_dict(source: Source) -> dict[str, Any]:
    """A source in the public JSON shape (`tidings sources --json`)."""
    return {
        "id": source.id,
        "url": source.url,
        "title": source.title,
        "site_url": source.site_url,
        "category": source.category,
        "status": source.status,
        "last_result": source.last_result,
        "last_error": source.last_error,
        "failures": source.failures,
        "last_fetch_at": _iso(source.last_fetch_at),
        "last_success_at": _iso(source.last_success_at),
        "next_fetch_at": _iso(source.next_fetch_at),
        "entries": source.entry_count,
        "articles": source.article_count,
    }


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _describe(source: Source, now: datetime) -> str:
    head = f"[{source.id}] {source.title or '(untitled)'} <{source.url}>"
    if source.category:
        head += f"  ({source.category})"
    status = source.status
    if source.status == "error" and source.failures:
        status += f" ×{source.failures}"
    fetched = _ago(source.last_fetch_at, now) if source.last_fetch_at else "never fetched"
    upcoming = (
        "not fetched any more"
        if source.next_fetch_at is None
        else f"next {_until(source.next_fetch_at, now)}"
    )
    lines = [
        head,
        f"    {status}; last fetch {fetched}; {upcoming}; "
        f"{source.entry_count} entries, {source.article_count} articles",
    ]
    if source.last_result:
        lines.append(f"    {source.last_result}")
    return "\n".join(lines)


def _ago(when: datetime, now: datetime) -> str:
    return f"{_span((now - when).total_seconds())} ago"


def _until(when: datetime, now: datetime) -> str:
    seconds = (when - now).total_seconds()
    return "now" if seconds <= 0 else f"in {_span(seconds)}"


def _span(seconds: float) -> str:
    seconds = max(0.0, seconds)
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 5400:
        return f"{seconds / 60:.0f} min"
    if seconds < 172800:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86400:.0f} days"


@click.group()
def opml() -> None:
    """Subscriptions in and out as OPML."""


@opml.command("import")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False, allow_dash=True))
@db_option
def opml_import(file: Path, conf: settings.Settings) -> None:
    """Subscribe to every feed an OPML file lists, with its categories."""
    from tidings import subscriptions

    try:
        data = sys.stdin.buffer.read() if str(file) == "-" else _read_bounded(file, conf.max_document_bytes)
    except OSError as exc:
        raise click.ClickException(f"{file}: {exc.strerror or exc}") from exc
    store = open_store(conf)
    try:
        report = subscriptions.import_opml(store, data, max_bytes=conf.max_document_bytes)
    except subscriptions.OpmlError as exc:
        raise click.ClickException(f"{file}: {exc}") from exc
    finally:
        store.close()
    for url, reason in report.invalid:
        click.echo(f"tidings: {url}: {reason}", err=True)
    click.echo(
        f"{report.added} sources added, {report.existing} already subscribed, {len(report.invalid)} skipped"
    )
    sys.exit(1 if report.invalid else 0)


def _read_bounded(path: Path, limit: int) -> bytes:
    with path.open("rb") as handle:
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise click.ClickException(f"{path}: too large (more than {limit:,} bytes)")
    return data


@opml.command("export")
@click.option(
    "-o", "--output", type=click.Path(path_type=Path, dir_okay=False), help="File (default stdout)."
)
@db_option
def opml_export(output: Path | None, conf: settings.Settings) -> None:
    """Write every subscription as OPML 2.0, grouped by category."""
    from tidings import subscriptions

    store = open_store(conf)
    try:
        data = subscriptions.export_opml(store)
    finally:
        store.close()
    if output is None:
        sys.stdout.buffer.write(data)
    else:
        output.write_bytes(data)


@click.command()
@click.option("--all", "everything", is_flag=True, help="Every source, due or not (except gone ones).")
@click.option("--source", "refs", multiple=True, metavar="ID|URL", help="Only this source (repeatable).")
@db_option
def refresh(everything: bool, refs: tuple[str, ...], conf: settings.Settings) -> None:
    """Fetch the sources that are due and take in their new entries."""
    from tidings import refresh as refreshing
    from tidings import subscriptions
    from tidings.fetch.http import FetchError

    store = open_store(conf)
    try:
        ids: list[int] = []
        for ref in refs:
            found = subscriptions.find_source(store, ref)
            if found is None:
                raise click.ClickException(f"no source {ref!r} (see `tidings sources`)")
            ids.append(found.id)
        if everything and not ids:
            ids = [s.id for s in subscriptions.list_sources(store) if s.status != "gone"]
        due = refreshing.claim_due(store, ids=ids) if (ids or not (everything or refs)) else []
        if not due:
            click.echo("nothing to refresh: no source is due (`tidings sources` shows when each is)")
            return
        try:
            report = _run(store, conf, due)
        except FetchError as exc:  # bad fetch settings
            raise click.ClickException(str(exc)) from exc
    finally:
        store.close()
    click.echo(
        f"{len(report.results)} sources refreshed in {report.seconds:.1f} s ({report.failed} failed): "
        f"{report.new_entries} new entries, {report.documents} documents, "
        f"{report.new_articles} new articles; "
        f"{report.requests} requests, {report.bytes_received:,} bytes received"
    )
    sys.exit(1 if report.failed else 0)


def _run(store: Any, conf: settings.Settings, due: list[Source]) -> refreshing.RefreshReport:
    from tidings import refresh as refreshing

    def show(result: refreshing.SourceResult) -> None:
        if result.status != "ok":
            click.echo(f"tidings: {result.url}: {result.result}", err=True)

    if not sys.stderr.isatty():
        return refreshing.refresh(store, conf, due, on_result=show)
    with click.progressbar(length=len(due), label="refreshing", file=sys.stderr) as bar:

        def step(result: refreshing.SourceResult) -> None:
            bar.update(1)
            show(result)

        return refreshing.refresh(store, conf, due, on_result=step)


COMMANDS = [subscribe, unsubscribe, sources, opml, refresh]
