"""Already-extracted articles as JSON Lines: how datasets and other tools feed Tidings.

One object per line: `id`, `title`, `text` (paragraphs separated by blank lines), and optionally
`published_at` (ISO 8601; a date alone is midnight UTC, a time without offset is UTC), `publisher`, `url`,
`site`. Each record becomes a document of its own (its bytes, so ingesting it twice changes nothing) with
one copy built directly, no extraction; the copy keeps the record's `id` as its `ref`. A bad record (not
JSON, not an object, a field missing or of the wrong type, a line too long) is reported with its line
number and the reading goes on; a line longer than the limit is skipped without being held in memory.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import IO, Any, cast

from tidings.models import Copy, Document, DocumentKind
from tidings.text import fold_typography

_PARAGRAPH_BREAK = re.compile(r"\n[ \t\r\f\v]*\n")
_CHUNK = 1 << 20
MAX_ID = 1000


@dataclass(frozen=True, slots=True)
class Record:
    line: int
    document: Document
    copy: Copy


@dataclass(frozen=True, slots=True)
class RecordError:
    line: int  # 0: the file itself
    reason: str


class BadRecordError(ValueError):
    pass


def read_records(
    path: Path, max_bytes: int, *, site: str | None = None, fetched_at: datetime | None = None
) -> Iterator[Record | RecordError]:
    """Each line of a JSON Lines file (`.gz` too) as a record or the reason it is not one."""
    try:
        handle = _open(path)
    except OSError as exc:
        yield RecordError(0, exc.strerror or str(exc))
        return
    fetched = fetched_at or datetime.now(UTC)
    with handle:
        number = 0
        while True:
            number += 1
            try:
                raw = handle.readline(max_bytes + 1)
            except (OSError, EOFError, gzip.BadGzipFile) as exc:
                yield RecordError(number, f"cannot read: {exc}")
                return
            if not raw:
                return
            if len(raw) > max_bytes and not raw.endswith(b"\n"):
                _skip_line(handle)
                yield RecordError(number, f"record longer than {max_bytes} bytes")
                continue
            raw = raw.strip()
            if not raw:
                continue
            try:
                yield _record(number, raw, str(path), site, fetched)
            except BadRecordError as exc:
                yield RecordError(number, str(exc))


def _open(path: Path) -> IO[bytes]:
    if path.suffix == ".gz":
        return cast(IO[bytes], gzip.open(path, "rb"))
    return path.open("rb")


def _skip_line(handle: IO[bytes]) -> None:
    while True:
        chunk = handle.readline(_CHUNK)
        if not chunk or chunk.endswith(b"\n"):
            return


def _record(number: int, raw: bytes, path: str, site: str | None, fetched_at: datetime) -> Record:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BadRecordError(f"not UTF-8 (byte {exc.start})") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise BadRecordError(f"not JSON ({exc.msg} at column {exc.colno})") from None
    except RecursionError:
        raise BadRecordError("not JSON (nested too deeply)") from None
    if not isinstance(data, dict):
        raise BadRecordError(f"not a JSON object but {type(data).__name__}")
    ref = data.get("id")
    if isinstance(ref, bool) or not isinstance(ref, str | int) or str(ref).strip() == "":
        raise BadRecordError("`id` missing (a string or an integer)")
    if len(str(ref)) > MAX_ID:
        raise BadRecordError(f"`id` longer than {MAX_ID} characters")
    title = _text(data, "title", required=True)
    body = paragraphs(_text(data, "text", required=True) or "", title)
    copy = Copy(
        title=title,
        body=body,
        publisher=_text(data, "publisher"),
        published_at=_time(data.get("published_at")),
        canonical_url=_text(data, "url"),
        ref=str(ref),
    )
    return Record(
        number,
        Document(
            content=raw,
            sha256=hashlib.sha256(raw).hexdigest(),
            kind=DocumentKind.RECORD,
            text=text,
            encoding="utf-8",
            fetched_at=fetched_at,
            site=_text(data, "site") or site,
            url=copy.canonical_url,
            path=f"{path}:{number}",
        ),
        copy,
    )


def _text(data: dict[str, Any], name: str, required: bool = False) -> str | None:
    value = data.get(name)
    if value is None and not required:
        return None
    if not isinstance(value, str):
        raise BadRecordError(f"`{name}` {'missing' if value is None else 'is not a string'}")
    value = value.strip()
    if required and not value:
        raise BadRecordError(f"`{name}` is empty")
    return value or None


def _time(value: Any) -> datetime | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise BadRecordError("`published_at` is not a string")
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        try:
            day = date.fromisoformat(value.strip())
        except ValueError:
            raise BadRecordError(f"`published_at` {value[:40]!r} is not an ISO 8601 time") from None
        parsed = datetime(day.year, day.month, day.day)
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def paragraphs(text: str, title: str | None = None) -> tuple[str, ...]:
    """Paragraphs split at blank lines, each on one line; a first paragraph that only repeats the
    headline is the headline, not body (unless it is all there is)."""
    found = [" ".join(p.split()) for p in _PARAGRAPH_BREAK.split(text.replace("\r\n", "\n"))]
    found = [p for p in found if p]
    same = found and title and fold_typography(found[0]).casefold() == fold_typography(title).casefold()
    return tuple(found[1:] if same and len(found) > 1 else found)
