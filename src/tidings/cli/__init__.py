"""The `tidings` command: one entry point for everything a person does with Tidings."""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import click

from tidings import pipeline, settings
from tidings.store import Store, queries

F = TypeVar("F", bound=Callable[..., Any])


def _db_option(func: F) -> F:
    @click.option(
        "--db",
        "db",
        metavar="URL",
        default=None,
        help="Database URL (default: SQLite in the user data folder; env TIDINGS_DB).",
    )
    @click.option(
        "--config", "config", metavar="FILE", default=None, help="TOML config file (env TIDINGS_CONFIG)."
    )
    @functools.wraps(func)
    def wrapper(*args: Any, db: str | None, config: str | None, **kwargs: Any) -> Any:
        try:
            loaded = settings.load({"db": db, "config": config})
        except settings.SettingsError as exc:
            raise click.ClickException(str(exc)) from exc
        return func(*args, conf=loaded, **kwargs)

    return wrapper  # type: ignore[return-value]


def _open_store(conf: settings.Settings) -> Store:
    try:
        store = Store(conf.db_url)
        store.migrate()
    except Exception as exc:  # any driver error: one line, no traceback
        raise click.ClickException(f"cannot open database {conf.db_url}: {str(exc).splitlines()[0]}") from exc
    return store


def _parse_time(_ctx: click.Context, _param: click.Parameter, value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError as exc:
        raise click.BadParameter(
            f"{value!r} is not an ISO-8601 time such as 2025-07-02T12:00:00+00:00"
        ) from exc
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="tidings")
def main() -> None:
    """Tidings: a self-hosted news aggregator that folds republished copies into one clean article."""


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--site", help="Name of the site the documents came from (e.g. the aggregator).")
@click.option("--url", help="URL the document was fetched from.")
@click.option("--fetched-at", callback=_parse_time, help="Fetch time, ISO-8601 (default: each file's mtime).")
@_db_option
def ingest(
    paths: tuple[Path, ...],
    site: str | None,
    url: str | None,
    fetched_at: datetime | None,
    conf: settings.Settings,
) -> None:
    """Take in files or folders of HTML pages and text dumps."""
    store = _open_store(conf)
    report = _ingest_with_progress(store, list(paths), conf, site=site, url=url, fetched_at=fetched_at)
    store.close()
    sys.exit(1 if report.failures else 0)


def _ingest_with_progress(
    store: Store, paths: list[Path], conf: settings.Settings, **options: Any
) -> pipeline.IngestReport:
    def report_file(name: str, error: str | None) -> None:
        if error is not None:
            click.echo(f"tidings: {name}: {error}", err=True)

    many = (any(p.is_dir() for p in paths) or len(paths) > 20) and sys.stderr.isatty()
    if many:
        with click.progressbar(length=0, label="ingesting", file=sys.stderr) as bar:

            def on_file(name: str, error: str | None) -> None:
                bar.update(1)
                report_file(name, error)

            report = pipeline.ingest_paths(store, paths, conf, on_file=on_file, **options)
    else:
        report = pipeline.ingest_paths(store, paths, conf, on_file=report_file, **options)
    click.echo(
        f"{report.documents} documents ({report.duplicates} already stored), {report.copies} copies found, "
        f"{report.new_articles} new articles, {report.folded} copies folded into existing articles, "
        f"{len(report.failures)} failures"
    )
    return report


@main.command()
@click.option("--format", "fmt", type=click.Choice(["jsonl"]), default="jsonl", show_default=True)
@_db_option
def export(fmt: str, conf: settings.Settings) -> None:  # noqa: ARG001 (jsonl is the one format so far)
    """Write every article as one JSON object per line (see README, "Export format")."""
    store = _open_store(conf)
    out = sys.stdout
    for item in queries.export_articles(store):
        out.write(json.dumps(item, ensure_ascii=False) + "\n")
    store.close()


@main.command()
@_db_option
def sample(conf: settings.Settings) -> None:
    """Load the bundled sample pages (idempotent)."""
    store = _open_store(conf)
    load_sample(store, conf)
    store.close()


def load_sample(store: Store, conf: settings.Settings) -> pipeline.IngestReport:
    report = pipeline.ingest_sample(store, conf)
    click.echo(
        f"sample: {report.documents} documents ({report.duplicates} already stored), "
        f"{report.new_articles} new articles, {report.folded} copies folded"
    )
    return report


@main.command()
@click.option("--host", default=None, help="Address to listen on (default 127.0.0.1).")
@click.option("--port", type=int, default=None, help="Port (default 8000).")
@click.option("--with-sample", is_flag=True, help="Load the bundled sample first.")
@_db_option
def serve(host: str | None, port: int | None, with_sample: bool, conf: settings.Settings) -> None:
    """Serve the reader."""
    import uvicorn

    from tidings.web import create_app

    conf = conf.replace(**{k: v for k, v in (("host", host), ("port", port)) if v is not None})
    store = _open_store(conf)
    if with_sample:
        load_sample(store, conf)
    click.echo(f"Tidings is serving {conf.db_url} on http://{conf.host}:{conf.port}/", err=True)
    uvicorn.run(create_app(store, conf), host=conf.host, port=conf.port, log_level="warning")


@main.command()
@click.argument("suite", required=False, default="all")
def bench(suite: str) -> None:
    """Run the benchmarks (extract, fold, stories; `all` by default)."""
    from tidings.bench import run

    sys.exit(run(suite))
