"""OPML, the subscription list format every feed reader reads and writes.

Reading: every `<outline>` with an `xmlUrl` is a subscription; the titles of the outlines around it (or
its own `category` attribute) are its category, nested folders joined with "/". The file is parsed with
entities, DTDs and the network all off, and its size and outline count are bounded.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime

from lxml import etree

MAX_OUTLINES = 50_000
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


class OpmlError(Exception):
    """Why a file is not an OPML subscription list, in one line."""


@dataclass(frozen=True, slots=True)
class OpmlFeed:
    url: str
    title: str | None = None
    site_url: str | None = None
    category: str | None = None


def parse_opml(data: bytes, max_bytes: int = 20_000_000) -> list[OpmlFeed]:
    if len(data) > max_bytes:
        raise OpmlError(f"too large ({len(data):,} bytes; the limit is {max_bytes:,})")
    if not data.strip():
        raise OpmlError("empty file")
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False, huge_tree=False
    )
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise OpmlError(
            f"not valid XML ({str(exc).splitlines()[0] if str(exc) else 'syntax error'})"
        ) from exc
    if not isinstance(root.tag, str) or etree.QName(root).localname.lower() != "opml":
        raise OpmlError("not an OPML file (the root element is not <opml>)")
    body = next((el for el in root if isinstance(el.tag, str) and el.tag.lower() == "body"), None)
    if body is None:
        raise OpmlError("not an OPML file (no <body>)")
    feeds: list[OpmlFeed] = []
    _walk(body, [], feeds)
    return feeds


def _walk(element: etree._Element, folders: list[str], out: list[OpmlFeed]) -> None:
    for child in element:
        if not isinstance(child.tag, str) or child.tag.lower() != "outline":
            continue
        if len(out) >= MAX_OUTLINES:
            raise OpmlError(f"more than {MAX_OUTLINES:,} subscriptions")
        attrs = {k.lower(): (v or "").strip() for k, v in child.attrib.items() if isinstance(k, str)}
        title = attrs.get("title") or attrs.get("text") or None
        url = attrs.get("xmlurl")
        if url:
            category = attrs.get("category", "").split(",")[0].strip("/ ") or "/".join(folders) or None
            out.append(
                OpmlFeed(url=url, title=title, site_url=attrs.get("htmlurl") or None, category=category)
            )
        else:
            _walk(child, [*folders, title] if title else folders, out)


def write_opml(feeds: Iterable[OpmlFeed], title: str = "Tidings subscriptions") -> bytes:
    """An OPML 2.0 document: feeds with a category inside nested folder outlines, the rest at the top."""
    root = etree.Element("opml", version="2.0")
    head = etree.SubElement(root, "head")
    etree.SubElement(head, "title").text = title
    etree.SubElement(head, "dateCreated").text = format_datetime(datetime.now(UTC), usegmt=True)
    body = etree.SubElement(root, "body")
    folders: dict[str, etree._Element] = {}
    for feed in sorted(feeds, key=lambda f: (f.category or "", (f.title or f.url).lower())):
        parent = body
        path: list[str] = []
        for part in [p for p in (feed.category or "").split("/") if p.strip()]:
            path.append(part.strip())
            key = "/".join(path)
            if key not in folders:
                name = _NOT_XML.sub("", part.strip())
                folders[key] = etree.SubElement(parent, "outline", text=name, title=name)
            parent = folders[key]
        attrs = {"type": "rss", "text": feed.title or feed.url, "xmlUrl": feed.url}
        if feed.title:
            attrs["title"] = feed.title
        if feed.site_url:
            attrs["htmlUrl"] = feed.site_url
        etree.SubElement(parent, "outline", {k: _NOT_XML.sub("", v) for k, v in attrs.items()})
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True))
