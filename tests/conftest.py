"""Shared fixtures: a fresh SQLite store per test and the `tidings` CLI run in-process."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import func, select

from tidings.cli import main
from tidings.store import Store, queries
from tidings.store import schema as t

REPO = Path(__file__).resolve().parents[1]
DATA = Path(__file__).resolve().parent / "data"
DUMPS = DATA / "dumps"
_SHARED_SEEDS = REPO.parent / "shared" / "seeds"
# The seed pages as the project was given them; the bundled sample holds the same bytes.
SEEDS = _SHARED_SEEDS if _SHARED_SEEDS.is_dir() else REPO / "src" / "tidings" / "sample"
SEED_FILES = {"000_c100f08fb188bf5b.txt": "seed-pressbee.txt", "001_ae48cccfe7820d61.txt": "seed-daily8.txt"}


def seed_path(name: str) -> Path:
    return SEEDS / name if SEEDS == _SHARED_SEEDS else SEEDS / SEED_FILES[name]


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'tidings.db'}"


CliRun = Callable[..., Result]


@pytest.fixture
def tidings(db_url: str) -> CliRun:
    """Run `tidings ARGS... --db <fresh db>` in-process."""
    runner = CliRunner()

    def run(*args: str | Path) -> Result:
        return runner.invoke(main, [*map(str, args), "--db", db_url], catch_exceptions=False)

    return run


def export(tidings: CliRun) -> list[dict[str, Any]]:
    result = tidings("export")
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.stdout.splitlines() if line.strip()]


@pytest.fixture(scope="session")
def sample_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file with the bundled sample ingested, made once per run."""
    from tests.web_support import sample_store

    return sample_store(tmp_path_factory.mktemp("sample"))


@pytest.fixture
def sample_copy(sample_db: Path, tmp_path: Path) -> Iterator[Store]:
    """A fresh copy of `sample_db` for one test: what it changes, no other test sees."""
    from tests.web_support import copy_store

    made = copy_store(sample_db, tmp_path)
    yield made
    made.close()


def _story_groups(db_url: str) -> list[list[str]]:
    store = Store(db_url)
    try:
        stories: dict[Any, list[str]] = {}
        for article in queries.export_articles(store):
            stories.setdefault(article["story_id"], []).append(article["title"])
        return sorted(sorted(group) for group in stories.values())
    finally:
        store.close()


def assert_two_workers_fold_as_one(db_url: str, folder: Path) -> None:
    """Two `tidings ingest` processes given the same sample at the same moment end with what one gives:
    each page stored once, copies the two placed side by side folded into one article, and the stories
    one process makes (each worker's story cache caught up with the other's writes)."""
    from tidings.pipeline import SAMPLE_DIR

    first = Store(db_url)
    first.migrate()  # both workers then find the schema made
    first.close()

    def ingest(url: str) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-m", "tidings", "ingest", str(SAMPLE_DIR), "--db", url]
        return subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)

    one = f"sqlite:///{folder / 'one-worker.db'}"
    with ThreadPoolExecutor(3) as pool:
        runs = list(pool.map(ingest, [db_url, db_url, one]))
    assert [r.returncode for r in runs] == [0, 0, 0], [r.stderr for r in runs]
    store = Store(db_url)
    try:
        with store.engine.connect() as c:
            count = {
                table.name: c.execute(select(func.count()).select_from(table)).scalar_one()
                for table in (t.documents, t.copies, t.articles)
            }
        assert count == {"documents": 16, "copies": 24, "articles": 15}
    finally:
        store.close()
    assert _story_groups(db_url) == _story_groups(one)
