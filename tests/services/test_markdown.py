"""Markdown from anyone renders safely and within a bounded amount of work and memory.

The work bound is checked by what the render does with pathological input (it falls back to
plain, escaped text), not by timing; the CPU times are in the issue's report.
"""

from __future__ import annotations

import html
import re

import pytest

from app.services import markdown
from app.services.markdown import plain_text_html, render_markdown

PATHOLOGICAL = {
    "open brackets": "[" * 20_000,
    "open images": "![" * 10_000,
    "empty links with long destinations": ("[](" + "x" * 97) * 500,
    "stars": "*a" * 10_000,
    "underscores": "_a " * 7_000,
    "strong and em": "**a*" * 5_000,
    "deep quotes": ">" * 20_000,
    "deep quote lines": "\n".join(">" * i + " sitat" for i in range(1, 400)),
    "nested lists": "\n".join("  " * i + "- punkt" for i in range(400)),
    "backticks": "`a" * 10_000,
    "angle brackets": "<a" * 10_000,
    "entities": "&#" * 10_000,
    "script among brackets": "[" * 10_000 + "<script>alert(1)</script>" + "](javascript:x)",
}


def _assert_safe(out: str) -> None:
    assert "<script" not in out.lower()
    assert 'href="javascript' not in out.lower()  # as plain text it is harmless
    assert not re.search(r"<(?!/?(p|br|strong|em|code|pre|blockquote|ul|ol|li|a|h3|h4)\b)", out)


@pytest.fixture(autouse=True)
def empty_memo() -> None:
    markdown.memo.clear()


@pytest.mark.parametrize("text", PATHOLOGICAL.values(), ids=PATHOLOGICAL.keys())
def test_pathological_markdown_renders_safely(text: str) -> None:
    out = render_markdown(text)
    _assert_safe(out)
    assert out.strip()  # something is shown


@pytest.mark.parametrize(
    "name", ["open brackets", "open images", "empty links with long destinations", "stars"]
)
def test_text_that_would_cost_too_much_to_parse_is_shown_as_plain_text(name: str) -> None:
    text = PATHOLOGICAL[name]
    assert render_markdown(text) == plain_text_html(text)
    assert html.unescape(re.sub(r"<[^>]+>", "", render_markdown(text))).strip() == text


def test_a_long_text_of_ordinary_paragraphs_keeps_its_markdown() -> None:
    paragraph = "Et avsnitt med *litt* **uthevet** tekst og en [lenke](https://example.org/)."
    out = render_markdown("\n\n".join([paragraph] * 250))
    assert out.count("<em>litt</em>") == 250
    assert out.count('<a href="https://example.org/" rel="nofollow noopener ugc">') == 250


def test_a_long_paragraph_with_many_links_keeps_its_markdown() -> None:
    text = " ".join(f"Se [kilde {i}](https://example.org/{i}) og *merk* dette." for i in range(100))
    out = render_markdown(text)
    assert out.count("<a href=") == 100
    assert out.count("<em>merk</em>") == 100


def test_plain_text_fallback_escapes_and_keeps_paragraphs_and_lines() -> None:
    out = plain_text_html("<b>fet</b>\nlinje to\n\n\nnytt avsnitt")
    assert out == "<p>&lt;b&gt;fet&lt;/b&gt;<br>\nlinje to</p>\n<p>nytt avsnitt</p>\n"


def test_the_memo_is_bounded_in_bytes_not_entries() -> None:
    for i in range(400):
        render_markdown(f"{i} " + "ord " * 20_000)  # 80 kB each, 32 MB in all
    assert 0 < markdown.memo.size <= markdown.MEMO_MAX_BYTES


def test_one_huge_text_is_not_memoised() -> None:
    text = "ord " * (markdown.MEMO_MAX_BYTES // 16)
    render_markdown(text)
    assert markdown.memo.size == 0


def test_the_memo_returns_the_same_render() -> None:
    first = render_markdown("**hei**")
    assert render_markdown("**hei**") is first
    assert first == "<p><strong>hei</strong></p>\n"


def test_an_image_shows_as_a_link_named_by_its_alt_text_without_a_stray_mark() -> None:
    out = str(render_markdown("Se ![bilde](https://bilder.example/a.png) her."))
    assert out == (
        '<p>Se <a href="https://bilder.example/a.png" rel="nofollow noopener ugc">bilde</a>'
        " her.</p>\n"
    )
    assert "<img" not in out and "!" not in out


def test_an_image_without_alt_text_is_a_link_named_by_its_address() -> None:
    out = str(render_markdown("![](https://bilder.example/a.png)"))
    assert ">https://bilder.example/a.png</a>" in out and "!" not in out


def test_an_image_with_a_script_address_is_never_a_link() -> None:
    out = str(render_markdown('![x](javascript:alert(1)) ![y]("><script>)'))
    _assert_safe(out)
