"""The few lines shown under a search result, with the searched words marked.

A snippet is cut from the text the result's reader may open (the index holds nothing else) and
returned as plain text pieces, each marked or not: the template escapes them and wraps the
marked ones in `<mark>`, so no text of a user ever becomes markup.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.services.text.normalise import WORD, stem

LENGTH = 240  # characters shown
BEFORE = 60  # of them before the first searched word


@dataclass(frozen=True)
class Piece:
    """A run of a snippet's text, marked when it is a searched word."""

    text: str
    marked: bool = False


def _first_match(text: str, stems: frozenset[str]) -> int:
    for match in WORD.finditer(text):
        if stem(match.group().lower()) in stems:
            return match.start()
    return 0


def _window(text: str, stems: frozenset[str]) -> tuple[int, int]:
    """Where the snippet starts and ends: around the first searched word, at word boundaries."""
    if len(text) <= LENGTH:
        return 0, len(text)
    start = max(0, _first_match(text, stems) - BEFORE)
    if start > 0:
        space = text.find(" ", start)
        start = space + 1 if 0 <= space < start + BEFORE else start
    end = min(len(text), start + LENGTH)
    if end < len(text):
        space = text.rfind(" ", start, end)
        end = space if space > start else end
    return start, end


def snippet(text: str, stems: frozenset[str]) -> list[Piece]:
    """The part of the text around the first searched word, cut into marked and plain pieces."""
    text = " ".join(text.split())  # line breaks and runs of spaces read as one space here
    start, end = _window(text, stems)
    pieces: list[Piece] = [Piece("…")] if start > 0 else []
    position = start
    for match in WORD.finditer(text, start, end):
        if stem(match.group().lower()) in stems:
            if match.start() > position:
                pieces.append(Piece(text[position : match.start()]))
            pieces.append(Piece(match.group(), marked=True))
            position = match.end()
    if position < end:
        pieces.append(Piece(text[position:end]))
    if end < len(text):
        pieces.append(Piece("…"))
    return pieces


def plain(pieces: list[Piece]) -> str:
    """The snippet as plain text (for the JSON API)."""
    return "".join(piece.text for piece in pieces)


def heading(title: str, stems: frozenset[str], length: int) -> list[Piece]:
    """A result's title, cut to `length` characters at a word, with the searched words marked."""
    title = " ".join(title.split())
    if len(title) <= length:
        return snippet(title, stems)
    cut = title.rfind(" ", 0, length)
    return [*snippet(title[: cut if cut > 0 else length], stems), Piece("…")]
