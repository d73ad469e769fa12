"""`tidings serve`: the reader."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from tidings import settings
from tidings.cli.common import db_option, open_store
from tidings.cli.ingest import load_sample
from tidings.store import Store

if TYPE_CHECKING:
    from tidings.refresh import BackgroundRefresher


@click.command()
@click.option("--host", default=None, help="Address to listen on (default 127.0.0.1).")
@click.option("--port", type=int, default=None, help="Port (default 8000).")
@click.option("--with-sample", is_flag=True, help="Load the bundled sample first.")
@db_option
def serve(host: str | None, port: int | None, with_sample: bool, conf: settings.Settings) -> None:
    """Serve the reader."""
    import uvicorn

    from tidings.web import create_app

    conf = conf.replace(**{k: v for k, v in (("host", host), ("port", port)) if v is not None})
    store = open_store(conf)
    if with_sample:
        load_sample(store, conf)
    click.echo(f"Tidings is serving {conf.db_url} on http://{conf.host}:{conf.port}/", err=True)
    refresher = _start_refresher(store, conf)
    try:
        uvicorn.run(create_app(store, conf), host=conf.host, port=conf.port, log_level="warning")
    finally:
        if refresher is not None:
            refresher.stop()


def _start_refresher(store: Store, conf: settings.Settings) -> BackgroundRefresher | None:
    """Feeds are refreshed in the background while the reader is served (`refresh_every`; 0: off)."""
    if conf.refresh_every <= 0:
        return None
    from tidings.refresh import BackgroundRefresher

    click.echo(f"Refreshing due feeds every {conf.refresh_every} s", err=True)
    return BackgroundRefresher(store, conf).start()


COMMANDS = [serve]
