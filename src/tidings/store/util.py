"""Small helpers the store's modules share."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, CursorResult


def key(result: CursorResult[Any]) -> int:
    """The primary key an INSERT made."""
    inserted = result.inserted_primary_key
    assert inserted is not None
    return int(inserted[0])


def now() -> datetime:
    return datetime.now(UTC)


def driver_sql(c: Connection, statement: str, named: bool = False) -> str:
    """A statement written with `?` marks (or `:name` ones, `named`) in the driver's own marks."""
    if named:  # sqlite3 takes `:name`; psycopg `%(name)s`
        return statement if c.dialect.name == "sqlite" else re.sub(r"(?<!:):(\w+)", r"%(\1)s", statement)
    return statement if c.dialect.paramstyle == "qmark" else statement.replace("?", "%s")


def driver_rows(c: Connection, statement: str, params: Sequence[Any] | Mapping[str, Any] = ()) -> list[Any]:
    """The rows of one statement run by the driver itself, in the transaction, as its plain tuples: for
    the hot paths that read thousands of rows or run once an article, where SQLAlchemy's row objects and
    statement handling cost more than the query. Parameters by `?` (a sequence) or `:name` (a mapping)."""
    named = isinstance(params, Mapping)
    driver = c.connection.dbapi_connection
    if driver is None:
        raise RuntimeError("the transaction's connection is closed")
    cursor = driver.cursor()
    try:
        cursor.execute(driver_sql(c, statement, named), params if named else tuple(params))
        return list(cursor.fetchall()) if cursor.description is not None else []  # none from a change
    finally:
        cursor.close()


def driver_many(c: Connection, statement: str, rows: Sequence[tuple[Any, ...]]) -> None:
    """One statement (`?` marks) for many rows, handed to the driver."""
    if rows:
        c.exec_driver_sql(driver_sql(c, statement), list(rows))
