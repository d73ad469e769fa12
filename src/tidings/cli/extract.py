"""`tidings extract`: the article in each page or text dump named, printed; nothing is stored.

One result per input, in the order given. An input that cannot be read gets a one-line error on stderr
(and an `error` in JSON output) and the rest go on; the exit status is 1 if any input failed.
"""

from __future__ import annotations

import asyncio
import json
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import click

from tidings import extract, settings
from tidings.cli.common import parse_time
from tidings.fetch import DocumentError, iter_files, read_document
from tidings.models import Copy, Document, DocumentKind
from tidings.text import error_line

_URL = re.compile(r"^https?://", re.I)
FORMATS = ("jsonl", "json", "text", "markdown")


@dataclass(slots=True)
class Result:
    """What one input gave: its copies (the first is the page's main article), or why none."""

    source: dict[str, str]  # "path" and/or "url"
    copies: list[Copy] = field(default_factory=list)
    error: str | None = None  # the input could not be read
    reason: str | None = None  # it was read, but holds no article


@click.command("extract")
@click.argument("inputs", nargs=-1, required=True)
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="jsonl", show_default=True)
@click.option("--url", help="URL the local files were fetched from (resolves relative links, dates in URLs).")
@click.option("--fetched-at", callback=parse_time, help="Fetch time, ISO-8601 (default: each file's mtime).")
@click.option("--config", "config", metavar="FILE", default=None, help="TOML config file.")
def extract_command(
    inputs: tuple[str, ...], fmt: str, url: str | None, fetched_at: datetime | None, config: str | None
) -> None:
    """Print the article in each PATH_OR_URL (.html, .htm, .txt, and their .gz forms; folders are read
    recursively). Stateless: nothing is stored."""
    try:
        conf = settings.load({"config": config})
    except settings.SettingsError as exc:
        raise click.ClickException(str(exc)) from exc
    results = [_extract_one(item, conf, url, fetched_at) for item in _expand(inputs)]
    out = sys.stdout
    if fmt == "json":
        out.write(json.dumps([_as_json(r) for r in results], ensure_ascii=False, indent=2) + "\n")
    else:
        for result in results:
            if fmt == "jsonl":
                out.write(json.dumps(_as_json(result), ensure_ascii=False) + "\n")
            else:
                out.write((_as_markdown(result) if fmt == "markdown" else _as_text(result)) + "\n")
    for result in results:
        if result.error is not None:
            name = result.source.get("path") or result.source.get("url")
            click.echo(f"tidings: {name}: {result.error}", err=True)
    sys.exit(1 if any(r.error is not None for r in results) else 0)


def _expand(inputs: tuple[str, ...]) -> Iterator[str | tuple[Path, str | None]]:
    """URLs as they are; paths (folders walked) with the reason one cannot be listed."""
    for item in inputs:
        if _URL.match(item):
            yield item
            continue
        for entry in iter_files([Path(item)]):
            yield entry.path, entry.error


def _extract_one(
    item: str | tuple[Path, str | None], conf: settings.Settings, url: str | None, fetched_at: datetime | None
) -> Result:
    if isinstance(item, str):
        result = Result({"url": item})
    else:
        result = Result({"path": str(item[0]), **({"url": url} if url else {})})
        result.error = item[1]
        if result.error is not None:
            return result
    try:
        if isinstance(item, str):
            document = _fetch(item, conf)
        else:
            document = read_document(
                item[0], max_bytes=conf.max_document_bytes, url=url, fetched_at=fetched_at
            )
        result.copies, result.reason = _copies(document)
    except DocumentError as exc:
        result.error = str(exc)
    except Exception as exc:  # one page's bug must not cost the rest of the batch
        result.error = f"internal error ({error_line(exc)})"
    return result


def _copies(document: Document) -> tuple[list[Copy], str | None]:
    if document.kind is DocumentKind.HTML:
        found = extract.read_html(document.text, document.fetched_at, document.site, document.url)
        return found.copies, None if found.copies else found.reason or "no article found"
    copies = extract.extract(document)
    return copies, None if copies else "no article found"


def _fetch(url: str, conf: settings.Settings) -> Document:
    """The page at `url`, through the fetch stage's guarded client."""
    from tidings.fetch.entries import page_document
    from tidings.fetch.http import PAGE_ACCEPT, Fetcher, FetchError, FetchLimits

    async def get() -> Document:
        async with Fetcher(FetchLimits.from_settings(conf)) as fetcher:
            response = await fetcher.get(url, accept=PAGE_ACCEPT, max_bytes=conf.max_document_bytes)
        return page_document(response)

    try:
        return asyncio.run(get())
    except FetchError as exc:
        raise DocumentError(str(exc)) from exc


# --- output ------------------------------------------------------------------------------------------------


def _copy_json(copy: Copy) -> dict[str, Any]:
    return {
        "title": copy.title,
        "dek": copy.dek,
        "body": list(copy.body),
        "kinds": list(copy.kinds) or ["p"] * len(copy.body),
        "author": copy.author,
        "publisher": copy.publisher,
        "published_at": copy.published_at.isoformat() if copy.published_at else None,
        "language": copy.language,
        "image": copy.image,
        "canonical_url": copy.canonical_url,
    }


def _as_json(result: Result) -> dict[str, Any]:
    main = _copy_json(result.copies[0]) if result.copies else _copy_json(Copy(title=None, body=()))
    return {
        **result.source,
        **main,
        "more": [_copy_json(c) for c in result.copies[1:]],
        "error": result.error or result.reason,
    }


def _name(result: Result) -> str:
    return result.source.get("path") or result.source.get("url") or ""


def _byline(copy: Copy) -> str:
    parts = [copy.author, copy.publisher, copy.published_at.isoformat() if copy.published_at else None]
    return " · ".join(p for p in parts if p)


def _as_text(result: Result) -> str:
    lines = [f"==> {_name(result)} <=="]
    if not result.copies:
        lines.append(f"({result.error or result.reason})")
    for copy in result.copies:
        lines += [copy.title or "(untitled)", ""]
        if copy.dek:
            lines += [copy.dek, ""]
        if _byline(copy):
            lines += [_byline(copy), ""]
        for paragraph in copy.body:
            lines += [paragraph, ""]
    return "\n".join(lines)


_MARKDOWN_PREFIX = {"h2": "## ", "h3": "### ", "h4": "#### ", "h5": "##### ", "h6": "###### ", "li": "- "}


def _as_markdown(result: Result) -> str:
    if not result.copies:
        return f"<!-- {_name(result)}: {result.error or result.reason} -->\n"
    lines = [f"<!-- {_name(result)} -->"]
    for copy in result.copies:
        lines += [f"# {copy.title or '(untitled)'}", ""]
        if copy.dek:
            lines += [f"*{copy.dek}*", ""]
        if _byline(copy):
            lines += [_byline(copy), ""]
        kinds = copy.kinds or ("p",) * len(copy.body)
        for kind, paragraph in zip(kinds, copy.body, strict=True):
            if kind == "pre":
                lines += ["```", paragraph, "```", ""]
            elif kind == "quote":
                lines += ["> " + paragraph.replace("\n", "\n> "), ""]
            else:
                lines += [_MARKDOWN_PREFIX.get(kind, "") + paragraph.replace("\n", "  \n"), ""]
    return "\n".join(lines)


COMMANDS = [extract_command]
