"""The enrich stage: what Tidings works out about an article on the reader's own machine.

Starts with reading time; key points, entities, quotes and keywords arrive through the same module.
"""

from __future__ import annotations

from collections.abc import Sequence

WORDS_PER_MINUTE = 230


def reading_minutes(body: Sequence[str]) -> int:
    """Minutes to read a body at an adult's average silent reading speed, at least one."""
    words = sum(len(p.split()) for p in body)
    return max(1, round(words / WORDS_PER_MINUTE))


__all__ = ["reading_minutes"]
