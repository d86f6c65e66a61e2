"""Edits of the shared valid scenario's text (tests/conftest.py) that the loader and the
free-parameter tests both make: each snippet must occur exactly once, or the test is wrong.
"""

from __future__ import annotations


def edit(text: str, old: str, new: str) -> str:
    """`text` with its single occurrence of `old` replaced by `new`."""
    assert text.count(old) == 1, f"{old!r} must occur once in the scenario"
    return text.replace(old, new)


def line_of(text: str, snippet: str) -> int:
    """The 1-based line on which the single occurrence of `snippet` starts."""
    assert text.count(snippet) == 1, f"{snippet!r} must occur once in the scenario"
    return text[: text.index(snippet)].count("\n") + 1
