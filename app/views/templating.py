"""Rendering outside a request: a whole template, or one block of it (the jinja2-fragments way).

A view's template holds its out-of-band wrappers as blocks beside the page's own; a child
template's blocks that its layout never calls show only when rendered by name, here.
"""

from __future__ import annotations

from typing import Any

from app import i18n
from app.web import render_fragment
from app.web.templating import render_block as render_block_in_request

__all__ = ["render_block", "render_fragment"]


def render_block(name: str, block: str, lang: str, **context: Any) -> str:
    """Render one block of a template, in the given language, with only this context."""
    with i18n.use_language(lang):
        return render_block_in_request(name, block, context)
