"""The vocabulary's enums carry a label for every member, translated in every language."""

from __future__ import annotations

from enum import StrEnum

import pytest

from app import i18n
from app.models.vocabulary import LABELS, NOT_CONTRIBUTIONS, AuditAction, LiveKind, Verb, label_of

ENUMS = sorted(LABELS, key=lambda enum: enum.__name__)


@pytest.mark.parametrize("enum", ENUMS, ids=lambda enum: enum.__name__)
def test_every_member_has_a_label(enum: type[StrEnum]) -> None:
    missing = [member.value for member in enum if member not in LABELS[enum]]
    assert missing == []


@pytest.mark.parametrize("lang", sorted(set(i18n.LANGUAGES) - {"en"}))
@pytest.mark.parametrize("enum", ENUMS, ids=lambda enum: enum.__name__)
def test_every_label_is_translated(enum: type[StrEnum], lang: str) -> None:
    with i18n.use_language(lang):
        untranslated = [m.value for m in enum if label_of(m) == LABELS[enum][m]]
    assert untranslated == []


def test_labels_read_in_the_current_language() -> None:
    with i18n.use_language("nb"):
        assert label_of(AuditAction.claim_decided) == "Krav om forretningshemmelighet avgjort"
    with i18n.use_language("en"):
        assert label_of(AuditAction.claim_decided) == "Secrecy claim decided"


def test_undoing_and_moderating_are_not_contributions() -> None:
    assert not Verb.hid_comment.is_contribution
    assert Verb.posted_need.is_contribution
    assert set(Verb) > NOT_CONTRIBUTIONS


def test_live_kinds_keep_their_wire_names() -> None:
    assert LiveKind.need_created == "need.created"
    assert LiveKind("event.counts") is LiveKind.event_counts
