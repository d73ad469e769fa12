"""Bytes to text: encoding detection, binary refusal, HTML vs plain-text sniffing."""

from __future__ import annotations

import codecs
import gzip
import io
import re
import zlib

import charset_normalizer

from tidings.models import DocumentKind


class DocumentError(Exception):
    """Why something could not become a document, in one line."""


_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""", re.I)
_HTML_SIGNS = re.compile(
    r"<!doctype\s+html|<html[\s>]|<head[\s>]|<body[\s>]|<(?:div|p|article|meta|title|span|a)\b[^>]*>", re.I
)
_TAG = re.compile(r"</?[a-zA-Z][^<>]{0,300}>")
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")
GZIP_MAGIC = b"\x1f\x8b"


def gunzip(content: bytes, limit: int) -> bytes:
    """Decompress at most `limit` bytes: a gzip bomb stops at the cap instead of filling memory."""
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(content)) as stream:
            data = stream.read(limit + 1)
    except (OSError, EOFError, zlib.error) as exc:
        raise DocumentError(f"corrupt gzip data ({exc})") from exc
    if len(data) > limit:
        raise DocumentError(f"decompresses to more than {limit:,} bytes")
    return data


def decode(content: bytes, charset: str | None = None) -> tuple[str, str]:
    """(text, encoding name). BOM, then `charset` (what the HTTP Content-Type said), then a declared HTML
    charset, each only if it decodes cleanly, then UTF-8, then detection; binary data is refused."""
    if not content.strip():
        raise DocumentError("empty file")
    for bom, name in _BOMS:
        if content.startswith(bom):
            return _checked(content.decode(name, errors="replace"), name)
    if charset:
        try:
            if codecs.lookup(charset).name in _SINGLE_BYTE and _is_utf8(content):
                return _checked(content.decode("utf-8"), "utf-8")  # see the declared charset below
            return _checked(content.decode(charset), codecs.lookup(charset).name)
        except (LookupError, UnicodeDecodeError):
            pass  # a wrong or unknown header: the page's own declaration or the bytes decide
    declared = _META_CHARSET.search(content[:4096])
    if declared:
        name = declared.group(1).decode("ascii", "replace").lower()
        try:
            encoding = codecs.lookup(name).name
            if encoding in _SINGLE_BYTE and _is_utf8(content):
                # A single-byte charset decodes any bytes, so a wrong declaration never fails; text that
                # is valid UTF-8 with multi-byte characters was written in UTF-8 whatever the page says.
                return _checked(content.decode("utf-8"), "utf-8")
            return _checked(content.decode(name), encoding)
        except (LookupError, UnicodeDecodeError):
            pass  # a wrong or unknown declaration: fall through to what the bytes say
    if b"\x00" in content[:8192]:
        raise DocumentError("binary data (NUL bytes), not text or HTML")
    try:
        return _checked(content.decode("utf-8"), "utf-8")
    except UnicodeDecodeError:
        pass
    best = charset_normalizer.from_bytes(content[:200_000]).best()
    if best is None:
        raise DocumentError("binary data or unknown encoding, not text or HTML")
    return _checked(content.decode(best.encoding, errors="replace"), best.encoding)


_SINGLE_BYTE = frozenset(
    codecs.lookup(n).name
    for n in ("latin-1", "cp1252", "iso-8859-15", "iso-8859-2", "cp1250", "cp1251", "koi8-r", "ascii")
)


def _is_utf8(content: bytes) -> bool:
    """Valid UTF-8 with at least one multi-byte character (pure ASCII says nothing)."""
    if content.isascii():
        return False
    try:
        content.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _checked(text: str, encoding: str) -> tuple[str, str]:
    sample = text[:65536]
    if sample and len(_CONTROL.findall(sample)) > max(8, len(sample) // 100):
        raise DocumentError("binary data (control characters), not text or HTML")
    if not text.strip():
        raise DocumentError("empty file")
    return text, encoding


def sniff_kind(text: str) -> DocumentKind:
    """HTML when the text looks like markup (a doctype, html/head/body, or dense tags), else plain text."""
    head = text[:20000]
    if _HTML_SIGNS.search(head[:2000]) and len(_TAG.findall(head)) >= 3:
        return DocumentKind.HTML
    tags = _TAG.findall(head)
    if len(tags) >= 20 and sum(map(len, tags)) > len(head) * 0.1:
        return DocumentKind.HTML
    return DocumentKind.TEXT
