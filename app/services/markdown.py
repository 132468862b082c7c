"""User Markdown to safe HTML: markdown-it renders, nh3 (Ammonia) sanitises.

Anyone may write Markdown that others' pages render, so a render is bounded: markdown-it's
link, image and emphasis rules may each scan the rest of a paragraph from every bracket or
star, which makes a wall of `[` cost time by its square. The inline parser counts that work;
a text that would take more is shown as plain, escaped text instead. The memo of renders is
bounded in bytes, not entries.
"""

from __future__ import annotations

import sys
import threading
from collections import OrderedDict

import nh3
from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token
from markupsafe import Markup, escape

# markdown-it's commonmark preset already caps nesting (blockquotes, lists) at 20 levels.
_md = MarkdownIt("commonmark", {"html": False, "linkify": False})
ALLOWED_TAGS = {
    "p",
    "br",
    "strong",
    "em",
    "code",
    "pre",
    "blockquote",
    "ul",
    "ol",
    "li",
    "a",
    "h3",
    "h4",
}
# Characters at which an inline rule may scan ahead to the end of the paragraph.
SCANNING = frozenset("[!<`*_&")
# Characters the inline rules may scan, summed over those starts (a million: at most ~7 ms).
SCAN_BUDGET = 5_000_000
MAX_RENDERED_CHARS = 100_000  # longer than any field; plain text beyond it
MEMO_MAX_BYTES = 32 * 1024 * 1024


class _TooCostly(Exception):
    """The text would take more work to render than a render may take."""


def _scan_budget(state: StateInline, silent: bool) -> bool:
    """Count the work the next rules may do from here; stop the render once over budget."""
    if state.src[state.pos] in SCANNING:
        spent = state.env.get("scan", 0) + state.posMax - state.pos
        if spent > SCAN_BUDGET:
            raise _TooCostly
        state.env["scan"] = spent
    return False  # never consumes anything itself


_md.inline.ruler.before("text", "scan_budget", _scan_budget)


def _images_as_links(state: StateCore) -> None:
    """Turn every image into a link to it, named by its alt text (or its address): pages load
    nothing from third parties, and `![bilde](url)` must not leave its "!" behind."""
    for block in state.tokens:
        if block.type != "inline" or not block.children:
            continue
        children: list[Token] = []
        for token in block.children:
            if token.type != "image":
                children.append(token)
                continue
            src = str(token.attrGet("src") or "")
            opening = Token("link_open", "a", 1, attrs={"href": src})
            name = token.children or [Token("text", "", 0, content=src)]
            children += [opening, *name, Token("link_close", "a", -1)]
        block.children = children


_md.core.ruler.after("inline", "images_as_links", _images_as_links)


def plain_text_html(text: str) -> Markup:
    """Text as escaped paragraphs with its line breaks: what a render falls back to."""
    paragraphs = [p for p in text.replace("\r\n", "\n").split("\n\n") if p.strip()]
    return Markup("").join(
        Markup("<p>{}</p>\n").format(Markup("<br>\n").join(escape(p.strip("\n")).split("\n")))
        for p in paragraphs
    )


def _render(text: str) -> Markup:
    if len(text) > MAX_RENDERED_CHARS:
        return plain_text_html(text)
    try:
        html = _md.render(text, {})
    except _TooCostly:
        return plain_text_html(text)
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes={"a": {"href"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="nofollow noopener ugc",
    )
    return Markup(clean)


class _Memo:
    """Renders by text, least recently used dropped first, within a total size in bytes."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.size = 0
        self._entries: OrderedDict[str, tuple[Markup, int]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, text: str) -> Markup | None:
        with self._lock:
            entry = self._entries.get(text)
            if entry is None:
                return None
            self._entries.move_to_end(text)
            return entry[0]

    def put(self, text: str, html: Markup) -> None:
        cost = sys.getsizeof(text) + sys.getsizeof(html)
        if cost > self.max_bytes // 16:
            return  # one text may not push out the whole memo
        with self._lock:
            if text in self._entries:
                return
            self._entries[text] = (html, cost)
            self.size += cost
            while self.size > self.max_bytes:
                _text, (_html, dropped) = self._entries.popitem(last=False)
                self.size -= dropped

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self.size = 0


memo = _Memo(MEMO_MAX_BYTES)


def parse_blocks(text: str) -> list[Token] | None:
    """markdown-it's tokens of the text (as a page renders it), or None when too costly to parse."""
    if len(text) > MAX_RENDERED_CHARS:
        return None
    try:
        return _md.parse(text, {})
    except _TooCostly:
        return None


def render_markdown(text: str) -> Markup:
    """Render Markdown and strip everything but a small, harmless set of tags (memoised)."""
    html = memo.get(text)
    if html is None:
        html = _render(text)
        memo.put(text, html)
    return html
