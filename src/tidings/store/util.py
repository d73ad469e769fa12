"""Small helpers the store's modules share."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import CursorResult


def key(result: CursorResult[Any]) -> int:
    """The primary key an INSERT made."""
    inserted = result.inserted_primary_key
    assert inserted is not None
    return int(inserted[0])


def now() -> datetime:
    return datetime.now(UTC)
