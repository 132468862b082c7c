"""A requirement's Markdown as simple blocks that a PDF and a Word writer both lay out.

Paragraphs, headings, list items (bulleted or numbered, nested), quotes and code, each a run
of text pieces marked bold, italic or code. Parsed by the same markdown-it set-up as the
pages, so a text reads alike on screen and on paper; a text too costly to parse is printed as
plain paragraphs, as the pages show it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from markdown_it.token import Token

from app.services.markdown import parse_blocks


@dataclass(frozen=True)
class Run:
    """A piece of text in one style."""

    text: str
    bold: bool = False
    italic: bool = False
    code: bool = False


@dataclass
class Block:
    """A paragraph-like block: `kind` is paragraph, heading, item, quote or code."""

    kind: str
    runs: list[Run] = field(default_factory=list)
    marker: str = ""  # an item's bullet or number
    level: int = 0  # an item's depth in nested lists (0 at the top)

    @property
    def text(self) -> str:
        """The block's plain text."""
        return "".join(run.text for run in self.runs)


@dataclass
class _Walk:
    blocks: list[Block] = field(default_factory=list)
    lists: list[list[int]] = field(default_factory=list)  # per open list: [ordered?, next number]
    pending_marker: str | None = None
    quote: int = 0
    heading: bool = False


def to_blocks(text: str) -> list[Block]:
    """The Markdown text as blocks, in reading order."""
    tokens = parse_blocks(text)
    if tokens is None:
        return [Block("paragraph", [Run(p.strip())]) for p in text.split("\n\n") if p.strip()]
    walk = _Walk()
    for token in tokens:
        _step(walk, token)
    return [block for block in walk.blocks if block.runs]


def _step(walk: _Walk, token: Token) -> None:
    kind = token.type
    if kind in ("bullet_list_open", "ordered_list_open"):
        start = int(token.attrs.get("start", 1) or 1)
        walk.lists.append([kind == "ordered_list_open", start])
    elif kind in ("bullet_list_close", "ordered_list_close"):
        walk.lists.pop()
    elif kind == "list_item_open":
        ordered, number = walk.lists[-1]
        walk.pending_marker = f"{token.info or number}." if ordered else "•"
        walk.lists[-1][1] = number + 1
    elif kind == "blockquote_open":
        walk.quote += 1
    elif kind == "blockquote_close":
        walk.quote -= 1
    elif kind == "heading_open":
        walk.heading = True
    elif kind == "heading_close":
        walk.heading = False
    elif kind in ("code_block", "fence"):
        walk.blocks.append(Block("code", [Run(token.content.rstrip("\n"), code=True)]))
    elif kind == "inline":
        walk.blocks.append(_block_for(walk, _runs(token.children or [])))


def _block_for(walk: _Walk, runs: list[Run]) -> Block:
    if walk.pending_marker is not None:
        marker, walk.pending_marker = walk.pending_marker, None
        return Block("item", runs, marker=marker, level=max(len(walk.lists) - 1, 0))
    if walk.lists:  # a second paragraph in the same item: indented, without a marker
        return Block("item", runs, level=len(walk.lists) - 1)
    if walk.heading:
        return Block("heading", runs)
    return Block("quote" if walk.quote else "paragraph", runs)


def _runs(children: list[Token]) -> list[Run]:
    runs: list[Run] = []
    bold = italic = 0
    href: str | None = None
    for child in children:
        kind = child.type
        if kind == "strong_open":
            bold += 1
        elif kind == "strong_close":
            bold -= 1
        elif kind == "em_open":
            italic += 1
        elif kind == "em_close":
            italic -= 1
        elif kind == "link_open":
            href = str(child.attrs.get("href", ""))
        elif kind == "link_close":
            if href:  # on paper a link is its text and its address
                runs.append(Run(f" ({href})", bool(bold), bool(italic)))
            href = None
        elif kind == "code_inline":
            runs.append(Run(child.content, bool(bold), bool(italic), code=True))
        elif kind == "softbreak":
            runs.append(Run(" ", bool(bold), bool(italic)))
        elif kind == "hardbreak":
            runs.append(Run("\n", bool(bold), bool(italic)))
        elif child.content:
            runs.append(Run(child.content, bool(bold), bool(italic)))
    return runs
