"""Typography: comparison forms and mending quote marks."""

from __future__ import annotations

import pytest

from tidings.text import fold_typography, repair_quotes, words


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("”That’s the position", "“That’s the position"),
        ("Russian ally names ‘first step' towards", "Russian ally names ‘first step’ towards"),
        ("He said “no“ and left", "He said “no” and left"),
        ("plain 'straight' text stays", "plain 'straight' text stays"),
        ("Moscow’s stance", "Moscow’s stance"),
        ("back in the ’90s, “yes”", "back in the ’90s, “yes”"),
    ],
)
def test_repair_quotes(text: str, expected: str) -> None:
    assert repair_quotes(text) == expected


def test_fold_typography_and_words() -> None:
    assert fold_typography("“Hi” — it’s\u00a0here…") == '"Hi" - it\'s here...'
    assert words("Don’t STOP-believing") == ["don", "t", "stop", "believing"]


def test_an_unexpected_error_in_one_line() -> None:
    from tidings.text import error_line

    assert error_line(ValueError("bad value\nsecond line")) == "ValueError: bad value"
    assert error_line(KeyError()) == "KeyError"
    assert error_line(RuntimeError("x" * 1000), limit=10) == "RuntimeError: " + "x" * 10
