"""How commented passages mark a requirement's text: cut where passages start and end, each run
counted, and following the quote when the text is edited after the comment."""

from __future__ import annotations

from app.models import HearingComment, Requirement
from app.services.hearings import Segment, plain, segments

TEXT = "Alarmer om natten skal nå nattevakten innen to minutter."


def _on(quote: str, version: int = 1, text: str = TEXT) -> HearingComment:
    start = plain(text).index(quote)
    return HearingComment(
        hearing_id=1,
        requirement_id=1,
        author_id=1,
        body="…",
        passage_start=start,
        passage_end=start + len(quote),
        passage_quote=quote,
        passage_version=version,
    )


def _requirement(text: str = TEXT, version: int = 1) -> Requirement:
    return Requirement(project_id=1, kind="functional", title="Alarmer", text=text,
                       created_by_id=1, version=version)  # fmt: skip


def test_overlapping_passages_count_each_run() -> None:
    runs = segments(_requirement(), [_on("nattevakten innen"), _on("innen to"), _on("innen")])
    assert [(run.text, run.count) for run in runs if run.count] == [
        ("nattevakten ", 1),
        ("innen", 3),
        (" to", 1),
    ]
    assert "".join(run.text for run in runs) == TEXT


def test_a_text_without_comments_is_one_unmarked_run() -> None:
    assert segments(_requirement(), []) == [Segment(TEXT, 0)]


def test_after_an_edit_the_mark_follows_the_quote_or_drops_it() -> None:
    edited = _requirement("Om natten: alarmer skal nå nattevakten innen ett minutt.", version=2)
    runs = segments(edited, [_on("nattevakten"), _on("to minutter")])
    assert [(run.text, run.count) for run in runs if run.count] == [("nattevakten", 1)]


def test_line_breaks_count_as_one_character_as_a_browser_reads_them() -> None:
    text = "Første linje.\r\nAndre linje med alarm."
    runs = segments(_requirement(text), [_on("alarm", text=text)])
    assert [(run.text, run.count) for run in runs if run.count] == [("alarm", 1)]
    assert "\r" not in "".join(run.text for run in runs)
