"""Helpers for the reader's tests: a store with the bundled sample (made once, copied per test), an
in-process client with a cheap password hasher, and signing up / logging in through the real forms."""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from argon2 import PasswordHasher
from argon2.profiles import CHEAPEST
from fastapi.testclient import TestClient
from httpx import Response

from tidings import pipeline, settings
from tidings.store import Store, queries
from tidings.web import create_app

NOW = datetime(2025, 7, 2, 12, tzinfo=UTC)
PASSWORD = "correct horse battery"
CHEAP_HASHER = PasswordHasher.from_parameters(CHEAPEST)
_CSRF = re.compile(r'name="csrf" value="([0-9a-f]{64})"')


def sample_store(folder: Path) -> Path:
    """A migrated SQLite file with the bundled sample ingested (to be copied for each test)."""
    path = folder / "sample.db"
    url = f"sqlite:///{path}"
    store = Store(url)
    store.migrate()
    report = pipeline.ingest_sample(store, settings.load({"db": url}, environ={}))
    assert not report.failures
    with store.engine.connect() as c:  # fold the WAL into the file so a plain copy holds everything
        c.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    store.close()
    return path


def copy_store(template: Path, folder: Path) -> Store:
    target = folder / "t.db"
    shutil.copyfile(template, target)
    store = Store(f"sqlite:///{target}")
    store.migrate()
    return store


class Clock:
    """A clock tests can move."""

    def __init__(self, now: datetime = NOW) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def client(store: Store, clock: Callable[[], datetime] | None = None, **overrides: Any) -> TestClient:
    conf = settings.load({"db": store.url, **overrides}, environ={})
    app = create_app(store, conf, clock=clock or Clock(), password_hasher=CHEAP_HASHER)
    return TestClient(app, follow_redirects=False)


def csrf_of(html: str) -> str:
    found = _CSRF.search(html)
    assert found, "no CSRF field on the page"
    return found.group(1)


def csrf(c: TestClient, path: str = "/login") -> str:
    response = c.get(path)
    assert response.status_code in (200, 403), response.status_code
    return csrf_of(response.text)


def sign_up(c: TestClient, username: str, password: str = PASSWORD) -> Response:
    token = csrf(c, "/signup")
    return c.post(
        "/signup", data={"csrf": token, "username": username, "password": password, "confirm": password}
    )


def log_in(c: TestClient, username: str, password: str = PASSWORD) -> Response:
    token = csrf(c, "/login")
    return c.post("/login", data={"csrf": token, "username": username, "password": password})


def post(c: TestClient, path: str, data: dict[str, str] | None = None, page: str = "/") -> Response:
    """POST a form the way the page would: with the CSRF token the page carries."""
    token = csrf(c, page)
    return c.post(path, data={"csrf": token, **(data or {})})


def article_id(store: Store, title_start: str) -> int:
    ids = [a["id"] for a in queries.export_articles(store) if (a["title"] or "").startswith(title_start)]
    assert len(ids) == 1, (title_start, ids)
    return int(ids[0])
