"""Documents from files and folders."""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from tidings.fetch.decode import GZIP_MAGIC, DocumentError, decode, gunzip, sniff_kind
from tidings.models import Document

READABLE_SUFFIXES = frozenset({".txt", ".text", ".html", ".htm", ".xhtml", ".gz", ""})


@dataclass(frozen=True, slots=True)
class FileEntry:
    """A path found under what the user named, or the reason it cannot be read."""

    path: Path
    error: str | None = None


def iter_files(paths: list[Path]) -> Iterator[FileEntry]:
    """Every file named, and every file under every folder named (sorted, hidden files skipped)."""
    for path in paths:
        try:
            info = path.stat()
        except FileNotFoundError:
            yield FileEntry(path, "no such file or directory")
            continue
        except OSError as exc:
            yield FileEntry(path, exc.strerror or str(exc))
            continue
        if stat.S_ISDIR(info.st_mode):
            yield from _walk(path)
        else:
            yield FileEntry(path)


def _walk(folder: Path) -> Iterator[FileEntry]:
    """Files under `folder`; a sub-folder that cannot be listed is reported and the walk goes on."""
    unlisted: list[OSError] = []
    for root, dirs, files in os.walk(folder, onerror=unlisted.append):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            path = Path(root) / name
            if not name.startswith(".") and path.suffix.lower() in READABLE_SUFFIXES:
                yield FileEntry(path)
    for exc in unlisted:
        yield FileEntry(Path(exc.filename or folder), f"cannot list folder: {exc.strerror or exc}")


def read_document(
    path: Path,
    *,
    max_bytes: int,
    site: str | None = None,
    url: str | None = None,
    fetched_at: datetime | None = None,
) -> Document:
    """Read one file as a document; a `DocumentError` says in one line why not."""
    try:
        info = path.stat()
    except FileNotFoundError as exc:
        raise DocumentError("no such file or directory") from exc
    except OSError as exc:
        raise DocumentError(exc.strerror or str(exc)) from exc
    if not stat.S_ISREG(info.st_mode):
        raise DocumentError("not a regular file")
    if info.st_size > max_bytes:
        raise DocumentError(f"too large ({info.st_size:,} bytes; the limit is {max_bytes:,})")
    try:
        with path.open("rb") as handle:
            content = handle.read(max_bytes + 1)
    except OSError as exc:
        raise DocumentError(f"cannot read: {exc.strerror or exc}") from exc
    if len(content) > max_bytes:
        raise DocumentError(f"too large (more than {max_bytes:,} bytes)")
    raw = gunzip(content, max_bytes) if content.startswith(GZIP_MAGIC) else content
    text, encoding = decode(raw)
    when = fetched_at or datetime.fromtimestamp(info.st_mtime, tz=UTC)
    return Document(
        content=content,
        sha256=hashlib.sha256(content).hexdigest(),
        kind=sniff_kind(text),
        text=text,
        encoding=encoding,
        fetched_at=when,
        site=site,
        url=url,
        path=str(path),
    )
