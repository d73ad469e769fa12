"""What every command shares: the `--db`/`--config` options, opening the store, parsing times."""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, TypeVar

import click

from tidings import settings
from tidings.store import Store

F = TypeVar("F", bound=Callable[..., Any])


def db_option(func: F) -> F:
    """Add `--db` and `--config`; the command receives the loaded settings as `conf`."""

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


def open_store(conf: settings.Settings) -> Store:
    """Open and migrate the configured database, or fail with one line."""
    try:
        store = Store(conf.db_url)
        store.migrate()
    except Exception as exc:  # any driver error: one line, no traceback
        raise click.ClickException(f"cannot open database {conf.db_url}: {str(exc).splitlines()[0]}") from exc
    return store


def parse_time(_ctx: click.Context, _param: click.Parameter, value: str | None) -> datetime | None:
    """Click callback: an ISO-8601 time (UTC when no offset is given)."""
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError as exc:
        raise click.BadParameter(
            f"{value!r} is not an ISO-8601 time such as 2025-07-02T12:00:00+00:00"
        ) from exc
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
